"""The learned part of the classifier: labelled examples, training, and the model file.

Four naive Bayes models (nlp/naive_bayes.py) over characters, character bigrams and tokens: category,
department, scope (in or out) and the reason of out-of-scope texts; and an averaged perceptron
(nlp/linear.py) for the department, whose scores are added to the department model's. The file is
JSON: parameters, the data hash of the examples it was trained on, the shared vocabulary, and each
model's classes and counts or weights (as base64 arrays).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .channel import CUE_FEATURES, cue_function
from .linear import Perceptron
from .naive_bayes import NaiveBayes
from .taxonomy import CHANNELS, load_taxonomy
from .tokenizer import normalize, tokenize

MODEL_FORMAT = "zhengqi-nlp-model"
MODEL_VERSION = 6  # 3: one vocabulary, counts as base64 arrays (naive_bayes.py); a scope model. 4: department
# perceptron. 5: scope perceptron. 6: channel perceptron and the channel cue features
OUT_OF_SCOPE = "out_of_scope"
SCOPE_IN, SCOPE_OUT = "in", "out"  # classes of the scope model
REASONS = ("petition", "state_secret", "trade_secret", "privacy", "illegal")

# How much a helper's correction counts: a share of the training file, so that a correction keeps
# its pull as the shipped examples grow. With 13,797 examples one correction counts as 55 of them;
# eight corrections then reroute a class of needs (tests/nlp/test_nlp_learning.py).
CORRECTION_SHARE = 1 / 250


def default_correction_weight(n_examples: int) -> float:
    """Weight of one correction when training on `n_examples` shipped examples (at least 1)."""
    return max(1.0, n_examples * CORRECTION_SHARE)


# Combination weights, tuned with `python -m nlp.tune` by leaving one writer of train.jsonl out at a
# time (twenty-four writers; thirty-two since), and checked on the regression sets of tests/nlp/data,
# which are never trained on; helpers' corrections must still be able to change decisions
# (tests/nlp/test_nlp_learning.py). Around these values the tuning surface is flat (±0.5 point).
DEFAULT_PARAMS: dict[str, float] = {
    "alpha": 0.5,  # additive smoothing of the naive Bayes counts
    "nb_temp": 0.4,  # weight of the category model's log-probabilities (they are over-confident)
    "rule_weight": 2.0,  # weight per unit of keyword score
    "dept_cat_weight": 1.0,  # department: log of the best category probability routed to it
    "dept_nb_weight": 0.4,  # department: weight of the department model's log-probabilities
    "dept_linear_weight": 0.2,  # department: weight of the perceptron's scores (nlp/linear.py)
    "linear_epochs": 3,  # passes of the perceptron over the examples (5 measured the same)
    "linear_prune": 1.0,  # perceptron weights smaller than this are dropped (keeping all: within 0.2 point)
    "linear_top": 3,  # at most this many weights per feature, the largest (0: no limit)
    "dept_floor": 0.02,  # department: added to the category evidence before its log, so that the
    # department model (and so helpers' corrections) can overturn confident keyword evidence
    # Model-only out-of-scope verdict (then needs_review): the scope model's log-odds of "out",
    # less oos_rule_weight per unit of the best category keyword score, reach oos_logodds.
    # The policy wants high recall and such a verdict only asks the helper to judge (the ticket
    # opens): 1.0 rather than 2.0 found 0.9 point more out-of-scope texts at 94.4% precision
    # (leave-one-writer-out; the regression sets did not move).
    "oos_logodds": 1.0,
    "oos_rule_weight": 1.0,
    # The scope perceptron's out-minus-in score, times this, adds to the scope model's log-odds. At 0.2
    # it missed 15 fewer out-of-scope texts and flagged 14 fewer in-scope ones, of 2,284 and 9,919
    # (leave-one-writer-out over 27 writers); 0.5 with a threshold of 1.5 measured the same.
    "scope_linear_weight": 0.2,
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
TOKEN_PREFIX = "t:"  # marks token features (the classifier shows them to helpers as words)


def features(tokens: Sequence[str], text: str | None = None) -> set[str]:
    """Characters and character bigrams of the text (particles and punctuation removed), plus the
    tokens of two or more characters (prefixed TOKEN_PREFIX).

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
    feats.update(TOKEN_PREFIX + t for t in tokens if len(t) > 1 and t not in _STOP)
    return feats


def text_features(text: str) -> set[str]:
    return features(tokenize(normalize(text)))


class ModelError(ValueError):
    """A model file cannot be used."""


@dataclass
class Model:
    """The learned part: naive Bayes for category (incl. out_of_scope), department, scope (in or out)
    and the reason of out-of-scope texts; perceptrons for the department and the scope (added to
    the naive Bayes scores) and for the channel (over the text and the channel rule's cues).

    The scope model is separate from the category model because a two-class model ranks out-of-scope
    texts better than the out_of_scope class competing with 24 categories: at equal precision it
    found six points more of them (leave-one-writer-out on train.jsonl)."""

    category: NaiveBayes
    department: NaiveBayes
    scope: NaiveBayes
    reason: NaiveBayes
    department_linear: Perceptron
    scope_linear: Perceptron
    channel_linear: Perceptron
    params: dict[str, float]
    data_hash: str
    n_examples: int
    n_corrections: int = 0

    @property
    def features(self) -> list[str]:
        """The vocabulary of the four models, in index order."""
        vocab = self.category.vocab
        out = [""] * len(vocab)
        for f, i in vocab.items():
            out[i] = f
        return out

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
            "features": self.features,  # shared by the four models; their counts are base64 arrays
            "category": self.category.to_json(),
            "department": self.department.to_json(),
            "scope": self.scope.to_json(),
            "reason": self.reason.to_json(),
            "department_linear": self.department_linear.to_json(),
            "scope_linear": self.scope_linear.to_json(),
            "channel_linear": self.channel_linear.to_json(),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                # ASCII (\u escapes for the Chinese features): parsing a text that is all ASCII takes a
                # third of the peak memory (20 MB instead of 54), and a service keeps that peak as
                # heap; the file is 6% larger.
                json.dump(doc, f, ensure_ascii=True, separators=(",", ":"))
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
            features = doc["features"]
            if not isinstance(features, list) or not all(isinstance(f, str) for f in features):
                raise ValueError("features must be a list of strings")
            vocab = {f: i for i, f in enumerate(features)}
            if len(vocab) != len(features):
                raise ValueError("features must be distinct")
            model = cls(
                category=NaiveBayes.from_json(doc["category"], vocab, a, mc),
                department=NaiveBayes.from_json(doc["department"], vocab, a, mc),
                scope=NaiveBayes.from_json(doc["scope"], vocab, a, mc),
                reason=NaiveBayes.from_json(doc["reason"], vocab, a, mc),
                department_linear=Perceptron.from_json(doc["department_linear"], vocab),
                scope_linear=Perceptron.from_json(doc["scope_linear"], vocab),
                channel_linear=Perceptron.from_json(doc["channel_linear"], vocab),
                params=params,
                data_hash=str(doc["data_hash"]),
                n_examples=int(doc.get("n_examples", 0)),
                n_corrections=int(doc.get("n_corrections", 0)),
            )
            if model.department_linear.classes != model.department.classes:
                raise ValueError("the perceptron's classes are not the department model's")
            if model.scope_linear.classes != model.scope.classes:
                raise ValueError("the scope perceptron's classes are not the scope model's")
            if tuple(model.channel_linear.classes) != CHANNELS:
                raise ValueError("the channel perceptron's classes are not the channels")
            if any(f not in vocab for f in CUE_FEATURES):
                raise ValueError("the channel cue features are missing")
            return model
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError) as exc:
            raise ModelError(f"{path}: malformed model: {exc!r}") from exc


def train(
    examples: Sequence[LabeledExample],
    weight: float = 1.0,
    *,
    corrections: Sequence[LabeledExample] = (),
    correction_weight: float | None = None,
    params: dict[str, float] | None = None,
    featurize=text_features,
    channel_cues=None,
) -> Model:
    """Train the naive Bayes models and the perceptrons.

    `weight` applies to every example of `examples`; `corrections` (helpers' fixes, same type) count
    `correction_weight` each (default: default_correction_weight(len(examples))). `featurize` maps a
    text to its feature set, `channel_cues` to its channel cue features (nlp/channel.py; tests and
    the tuner pass cached ones).
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
    seen: dict[str, float] = {}
    for f, _, w in feats:
        for x in f:
            seen[x] = seen.get(x, 0.0) + w
    # Text features, then the channel cue features (only the channel perceptron weighs them).
    vocab = {x: i for i, x in enumerate(sorted(x for x, n in seen.items() if n >= p["min_count"]))}
    for x in CUE_FEATURES:
        vocab[x] = len(vocab)
    feats = [([x for x in f if x in vocab], ex, w) for f, ex, w in feats]
    cat = NaiveBayes.fit(((f, ex.category or OUT_OF_SCOPE, w) for f, ex, w in feats), vocab, a, mc)
    dept = NaiveBayes.fit(((f, ex.department, w) for f, ex, w in feats if ex.in_scope and ex.department), vocab, a, mc)
    scope = NaiveBayes.fit(((f, SCOPE_OUT if not ex.in_scope else SCOPE_IN, w) for f, ex, w in feats), vocab, a, mc)
    reason = NaiveBayes.fit(((f, ex.reason, w) for f, ex, w in feats if not ex.in_scope and ex.reason), vocab, a, mc)
    linear = Perceptron.fit(
        # sorted: the same sums in the same order whatever the set order, so training is reproducible
        ((sorted(vocab[x] for x in f), ex.department, w) for f, ex, w in feats if ex.in_scope and ex.department),
        dept.classes,
        vocab,
        epochs=int(p["linear_epochs"]),
        prune=p["linear_prune"],
        top=int(p["linear_top"]),
    )
    # In or out of scope, learnt jointly over the features (naive Bayes counts them as independent).
    # Two classes are few weights per feature: none is pruned, and scoring costs nothing more (one
    # column of the classifier's score matrix).
    scope_linear = Perceptron.fit(
        ((sorted(vocab[x] for x in f), SCOPE_OUT if not ex.in_scope else SCOPE_IN, w) for f, ex, w in feats),
        scope.classes,
        vocab,
        epochs=int(p["linear_epochs"]),
        prune=0.0,
    )
    # The channel, from the text and the documented rule's cues and verdict (nlp/channel.py).
    cues = channel_cues or cue_function(load_taxonomy())
    channel_linear = Perceptron.fit(
        (
            (sorted([vocab[x] for x in f] + [vocab[x] for x in cues(ex.text)]), ex.channel, w)
            for f, ex, w in feats
            if ex.in_scope and ex.channel in CHANNELS
        ),
        CHANNELS,
        vocab,
        epochs=int(p["linear_epochs"]),
        prune=0.0,
    )
    data_hash = examples_hash([ex for ex, _ in rows], [w for _, w in rows])
    return Model(
        cat, dept, scope, reason, linear, scope_linear, channel_linear, p, data_hash, len(examples), len(corrections)
    )
