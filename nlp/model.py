"""Statistical part of the classifier: naive Bayes over jieba tokens, learned from labelled examples.

Multinomial naive Bayes with binary (set-of-features) counts, stored as raw counts so that a model
can be saved as JSON and inspected. Scoring is sparse: for each feature only the classes that saw it
are touched.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .tokenizer import normalize, tokenize

MODEL_FORMAT = "zhengqi-nlp-model"
MODEL_VERSION = 2  # 2: counts as flat [class, count, ...] lists; a scope model
OUT_OF_SCOPE = "out_of_scope"
SCOPE_IN, SCOPE_OUT = "in", "out"  # classes of the scope model
REASONS = ("petition", "state_secret", "trade_secret", "privacy", "illegal")

# How much a helper's correction counts: a share of the training file, so that a correction keeps
# its pull as the shipped examples grow. With 8,553 examples one correction counts as 34 of them;
# eight corrections then reroute a class of needs (tests/nlp/test_nlp_learning.py).
CORRECTION_SHARE = 1 / 250


def default_correction_weight(n_examples: int) -> float:
    """Weight of one correction when training on `n_examples` shipped examples (at least 1)."""
    return max(1.0, n_examples * CORRECTION_SHARE)


# Combination weights, tuned with `python -m nlp.tune` by leaving one writer of train.jsonl out at a
# time (twelve writers), and checked on the regression sets of tests/nlp/data, which are never
# trained on; helpers' corrections must still be able to change decisions
# (tests/nlp/test_nlp_learning.py). Around these values the tuning surface is flat (±0.5 point).
DEFAULT_PARAMS: dict[str, float] = {
    "alpha": 0.5,  # additive smoothing of the naive Bayes counts
    "nb_temp": 0.4,  # weight of the category model's log-probabilities (they are over-confident)
    "rule_weight": 2.0,  # weight per unit of keyword score
    "dept_cat_weight": 1.0,  # department: log of the best category probability routed to it
    "dept_nb_weight": 0.4,  # department: weight of the department model's log-probabilities
    "dept_floor": 0.02,  # department: added to the category evidence before its log, so that the
    # department model (and so helpers' corrections) can overturn confident keyword evidence
    # Model-only out-of-scope verdict (then needs_review): the scope model's log-odds of "out",
    # less oos_rule_weight per unit of the best category keyword score, reach oos_logodds.
    "oos_logodds": 2.0,
    "oos_rule_weight": 1.0,
    "review_threshold": 0.7,  # below this confidence the helper must judge (needs_review)
    "max_feature_classes": 8,  # features seen in more classes carry little evidence: not scored
    "min_count": 0.0,  # features seen fewer times are dropped (2 cost 4 points of out-of-scope recall)
}

_SKIP = frozenset(
    " \t\r\n，。！？；：、,.!?;:\"'“”‘’（）()【】[]《》<>…—-~·/\\|@#$%^&*+=_`"
    + "的了吗呢啊吧呀哦嘛么着过也都就还又"
)
_STOP = frozenset(
    ["我们", "我", "你们", "你", "您", "他们", "咱们", "请问", "一下", "这个", "那个", "一些", "什么", "是", "在",
     "有", "和", "与", "及", "或", "等", "对", "把", "被", "给", "让", "向", "从", "为", "以", "但", "而", "并",
     "公司", "企业", "我司", "本公司", "谢谢", "您好", "你好", "麻烦", "请", "帮忙", "帮", "想", "要", "能",
     "可以", "需要", "现在", "目前", "已经", "因为", "所以", "如果", "这", "那", "个", "家", "位", "南开区", "南开"]
)


@dataclass(frozen=True)
class LabeledExample:
    """One labelled need: the shipped training data and helpers' corrections have this shape."""

    text: str
    category: str | None  # category id, or "out_of_scope"
    department: str | None = None
    channel: str | None = None
    in_scope: bool = True
    reason: str | None = None
    source: str | None = None  # who wrote it (a batch of the training file): the folds of nlp.tune

    @classmethod
    def from_dict(cls, d: dict) -> "LabeledExample":
        category = d.get("category")
        in_scope = bool(d.get("in_scope", category != OUT_OF_SCOPE))
        if not in_scope:
            category = OUT_OF_SCOPE
        return cls(
            text=str(d["text"]),
            category=category,
            department=d.get("department"),
            channel=d.get("channel"),
            in_scope=in_scope,
            reason=d.get("reason"),
            source=d.get("source"),
        )

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "category": self.category,
            "department": self.department,
            "channel": self.channel,
            "in_scope": self.in_scope,
            "reason": self.reason,
        }


def load_examples(path: Path | str) -> list[LabeledExample]:
    """Read JSON lines; blank lines are skipped, a malformed line raises ValueError with its number."""
    out: list[LabeledExample] = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                out.append(LabeledExample.from_dict(json.loads(line)))
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{n}: {exc}") from exc
    return out


def examples_hash(examples: Iterable[LabeledExample], weights: Iterable[float] | None = None) -> str:
    """SHA-256 of the examples' canonical JSON, in order (weights only when not 1)."""
    h = hashlib.sha256()
    ws = iter(weights) if weights is not None else None
    for ex in examples:
        d = ex.to_dict()
        w = next(ws) if ws is not None else 1.0
        if w != 1.0:
            d["weight"] = w
        h.update(json.dumps(d, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


# Punctuation, spaces, particles and pronoun/function characters carry no topic: removed before
# character bigrams are taken (fewer features to score, same cross-validated accuracy).
_DROP = {ord(ch): None for ch in _SKIP}
_DROP.update({ord(ch): None for ch in "我们你您他她它是在有要想能会这那么怎吗呢个请问谢好啥呀哈嗯咱"})


_ASCII = {c: None for c in range(128)}


def features(tokens: Sequence[str], text: str | None = None) -> set[str]:
    """Characters and character bigrams of the text (particles and punctuation removed), plus the
    tokens of two or more characters (prefixed "t:").

    Character n-grams make the model robust to segmentation differences, typos and unseen compounds
    ("充值卡" shares "充值" with "储值卡"); single Chinese characters carry meaning on their own
    (税, 租, 罚, 贷). Against bigrams and long tokens alone they raised accuracy on writers the model
    had not seen (leave-one-writer-out, nlp/tune.py) by one to two points. Features seen in many
    classes are not scored (max_feature_classes), which drops the uninformative common characters.
    """
    joined = (text if text is not None else "".join(tokens)).translate(_DROP)  # tokens concatenate to the text
    feats = {joined[i : i + 2] for i in range(len(joined) - 1)}
    # Single characters, Chinese only (a lone Latin letter or digit says nothing); one-character
    # strings never collide with the other features.
    feats.update(joined.translate(_ASCII))
    feats.update("t:" + t for t in tokens if len(t) > 1 and t not in _STOP)
    return feats


def text_features(text: str) -> set[str]:
    return features(tokenize(normalize(text)))


@dataclass
class NaiveBayes:
    """Counts of one labelling (category, department or reason) and its sparse scorer.

    A feature's scoring entry is computed when the feature is first seen, not at load time: the
    file holds some 70,000 features and compiling them all cost a third of a second of start-up.
    """

    classes: list[str]
    doc_counts: list[float]
    counts: dict[str, list]  # feature -> flat [class index, weighted document count, class index, ...]
    alpha: float = 1.0
    max_classes: int = 0  # 0: score every feature; else skip features seen in more classes
    _table: dict[str, tuple[tuple[int, float], ...]] = field(default_factory=dict, repr=False)
    _prior: list[float] = field(default_factory=list, repr=False)
    _base: list[float] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.compile()

    @classmethod
    def fit(
        cls, labelled: Iterable[tuple[set[str], str, float]], alpha: float, max_classes: int = 0, min_count: float = 0.0
    ) -> "NaiveBayes":
        """Count the labelled feature sets; features seen less than `min_count` times (weighted) are dropped."""
        classes: list[str] = []
        index: dict[str, int] = {}
        doc_counts: list[float] = []
        counts: dict[str, dict[int, float]] = {}
        for feats, label, w in labelled:
            k = index.get(label)
            if k is None:
                k = index[label] = len(classes)
                classes.append(label)
                doc_counts.append(0.0)
            doc_counts[k] += w
            for f in feats:
                row = counts.setdefault(f, {})
                row[k] = row.get(k, 0.0) + w
        flat = {
            f: [x for c, n in sorted(row.items()) for x in (c, n)]
            for f, row in counts.items()
            if sum(row.values()) >= min_count
        }
        return cls(classes, doc_counts, flat, alpha, max_classes)

    def compile(self) -> None:
        """Priors and per-class normalisers; feature entries are made on demand (entry)."""
        k = len(self.classes)
        a = self.alpha
        vocab = len(self.counts) or 1
        totals = [0.0] * k
        for row in self.counts.values():
            it = iter(row)
            for c, n in zip(it, it):
                totals[c] += n
        log_a = math.log(a)
        self._base = [log_a - math.log(totals[c] + a * vocab) for c in range(k)]
        ndocs = sum(self.doc_counts) or 1.0
        self._prior = [math.log((self.doc_counts[c] + 1.0) / (ndocs + k)) for c in range(k)]
        self._limit = 2 * (self.max_classes or k)
        self._table = {}
        logs: dict[float, float] = {}  # counts repeat (1, 2, 3 ...): one log per distinct count

        def weight(n: float) -> float:
            v = logs.get(n)
            if v is None:
                v = logs[n] = math.log(n + a) - log_a
            return v

        self._weight = weight

    def entry(self, f: str) -> tuple[tuple[int, float], ...] | None:
        """(class index, log weight) pairs of a feature; None if unknown or seen in too many classes."""
        e = self._table.get(f)
        if e is None:
            row = self.counts.get(f)
            if row is None or len(row) > self._limit:
                return None
            e = self._table[f] = tuple(zip(row[::2], map(self._weight, row[1::2])))
        return e

    def log_scores(self, feats: Iterable[str]) -> tuple[list[float], int]:
        """Unnormalised log-posterior per class, and how many features the model knew."""
        s = list(self._prior)
        entry = self.entry
        known = 0
        for f in feats:
            e = entry(f)
            if e is not None:
                known += 1
                for c, v in e:
                    s[c] += v
        if known:
            base = self._base
            for c in range(len(s)):
                s[c] += known * base[c]
        return s, known

    def feature_evidence(self, feats: Iterable[str], cls_index: int) -> list[tuple[float, str]]:
        """Features ranked by how much they favour `cls_index` over the other classes."""
        out = []
        for f in feats:
            e = self.entry(f)
            if not e:
                continue
            mine = 0.0
            other = 0.0
            for c, v in e:
                if c == cls_index:
                    mine = v
                else:
                    other = max(other, v)
            if mine > other:
                out.append((mine - other, f))
        out.sort(reverse=True)
        return out

    def to_json(self) -> dict:
        return {
            "classes": self.classes,
            "doc_counts": self.doc_counts,
            # flat lists: compact, and fast to parse at start-up
            "counts": {f: [round(x, 6) if i % 2 else x for i, x in enumerate(row)] for f, row in sorted(self.counts.items())},
        }

    @classmethod
    def from_json(cls, d: dict, alpha: float, max_classes: int = 0) -> "NaiveBayes":
        counts = d["counts"]
        if not isinstance(counts, dict) or not all(type(r) is list and len(r) % 2 == 0 for r in counts.values()):
            raise ValueError("counts must map features to [class, count, ...] lists")
        return cls(list(d["classes"]), [float(x) for x in d["doc_counts"]], counts, alpha, max_classes)


class ModelError(ValueError):
    """A model file cannot be used."""


@dataclass
class Model:
    """The learned part: naive Bayes for category (incl. out_of_scope), department, scope (in or out)
    and the reason of out-of-scope texts. The channel is decided by the documented rule, not learned.

    The scope model is separate from the category model because a two-class model ranks out-of-scope
    texts better than the out_of_scope class competing with 24 categories: at equal precision it
    found six points more of them (leave-one-writer-out on train.jsonl)."""

    category: NaiveBayes
    department: NaiveBayes
    scope: NaiveBayes
    reason: NaiveBayes
    params: dict[str, float]
    data_hash: str
    n_examples: int
    n_corrections: int = 0

    def save(self, path: Path | str) -> None:
        """Write JSON atomically (temp file in the same directory + os.replace)."""
        path = Path(path)
        doc = {
            "format": MODEL_FORMAT,
            "version": MODEL_VERSION,
            "data_hash": self.data_hash,
            "n_examples": self.n_examples,
            "n_corrections": self.n_corrections,
            "params": self.params,
            "category": self.category.to_json(),
            "department": self.department.to_json(),
            "scope": self.scope.to_json(),
            "reason": self.reason.to_json(),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(doc, f, ensure_ascii=False, separators=(",", ":"))
                f.write("\n")
            os.chmod(tmp, 0o644)  # mkstemp creates 0600; the service may run as another user
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    @classmethod
    def load(cls, path: Path | str) -> "Model":
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot read model {path}: {exc}") from exc
        if doc.get("format") != MODEL_FORMAT:
            raise ModelError(f"{path} is not a {MODEL_FORMAT} file")
        if doc.get("version") != MODEL_VERSION:
            raise ModelError(f"{path}: model version {doc.get('version')} not supported (want {MODEL_VERSION})")
        try:
            params = dict(DEFAULT_PARAMS)
            params.update(doc.get("params", {}))
            a = float(params["alpha"])
            mc = int(params["max_feature_classes"])
            return cls(
                category=NaiveBayes.from_json(doc["category"], a, mc),
                department=NaiveBayes.from_json(doc["department"], a, mc),
                scope=NaiveBayes.from_json(doc["scope"], a, mc),
                reason=NaiveBayes.from_json(doc["reason"], a, mc),
                params=params,
                data_hash=str(doc["data_hash"]),
                n_examples=int(doc.get("n_examples", 0)),
                n_corrections=int(doc.get("n_corrections", 0)),
            )
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise ModelError(f"{path}: malformed model: {exc!r}") from exc


def train(
    examples: Sequence[LabeledExample],
    weight: float = 1.0,
    *,
    corrections: Sequence[LabeledExample] = (),
    correction_weight: float | None = None,
    params: dict[str, float] | None = None,
    featurize=text_features,
) -> Model:
    """Train the naive Bayes models.

    `weight` applies to every example of `examples`; `corrections` (helpers' fixes, same type) count
    `correction_weight` each (default: default_correction_weight(len(examples))). `featurize` maps a
    text to its feature set (tests and the tuner pass a cached one).
    """
    p = dict(DEFAULT_PARAMS)
    if params:
        p.update(params)
    if correction_weight is None:
        correction_weight = default_correction_weight(len(examples))
    rows = [(ex, weight) for ex in examples] + [(ex, correction_weight) for ex in corrections]
    feats = [(featurize(ex.text), ex, w) for ex, w in rows]
    a = p["alpha"]
    mc = int(p["max_feature_classes"])
    mn = float(p["min_count"])
    cat = NaiveBayes.fit(((f, ex.category or OUT_OF_SCOPE, w) for f, ex, w in feats), a, mc, mn)
    dept = NaiveBayes.fit(((f, ex.department, w) for f, ex, w in feats if ex.in_scope and ex.department), a, mc, mn)
    scope = NaiveBayes.fit(((f, SCOPE_OUT if not ex.in_scope else SCOPE_IN, w) for f, ex, w in feats), a, mc, mn)
    reason = NaiveBayes.fit(((f, ex.reason, w) for f, ex, w in feats if not ex.in_scope and ex.reason), a, mc, mn)
    data_hash = examples_hash([ex for ex, _ in rows], [w for _, w in rows])
    return Model(cat, dept, scope, reason, p, data_hash, len(examples), len(corrections))
