"""Classify one need: out-of-scope screening, category, department, channel, confidence.

1. Screening rules (nlp/screening.py) decide out-of-scope requests first.
2. Keyword rules (nlp/data/taxonomy.toml), the naive Bayes models and the department perceptron
   (nlp/model.py) are combined log-linearly:
       category score   = nb_temp · log P_nb(c) + rule_weight · keyword score(c)          → P(c) by softmax
       department score = dept_cat_weight · log(max_{c→d} P(c) + dept_floor)
                          + dept_nb_weight · log P_nb(d) + dept_linear_weight · perceptron(d)  → P(d)
   where c→d means category c routes to d (its default department, or an alternative department
   whose keywords are in the text). The floor lets the department model — and so helpers'
   corrections — overturn keyword evidence. Weights: model.DEFAULT_PARAMS (tuned by nlp/tune.py).
3. The model alone may also flag out-of-scope text: the scope model's log-odds plus
   scope_linear_weight times the scope perceptron's out-minus-in score, less
   oos_rule_weight per unit of keyword score, reach oos_logodds. Such verdicts are marked needs_review.
4. The channel: the channel perceptron over the text and the cues and verdict of the documented
   rule (taxonomy.toml [channel], nlp/channel.py); the rule's verdict alone when no model is loaded.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable, Mapping
from itertools import repeat
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .channel import ChannelRule
from .matching import KeywordMatcher, RuleScores
from .model import DEFAULT_PARAMS, REASONS, SCOPE_OUT, TOKEN_PREFIX, Model, ModelError, features
from .paths import MODEL_PATH
from .screening import REASON_NAMES, REASON_TEXTS, screen
from .taxonomy import CHANNEL_DEADLINES, CHANNEL_NAMES, CHANNELS, Taxonomy, load_departments, load_taxonomy
from .tokenizer import normalize, tokenize

log = logging.getLogger(__name__)

DEFAULT_MODEL_PATH = MODEL_PATH
MAX_TEXT_CHARS = 2000  # longer texts are cut: the need is stated at the start, and cost stays bounded


@dataclass(frozen=True)
class Classification:
    """The suggestion for one message. Codes are stable ids; *_name and the texts are for people.

    Out of scope: in_scope False, reason set, category/department/channel None. Low confidence:
    needs_review True; category and department are still the best guess, and summary/reason_text
    say "需服务员研判".
    """

    category: str | None
    category_name: str | None
    department: str | None
    channel: str | None
    in_scope: bool
    reason: str | None
    reason_text: str
    confidence: float
    keywords: tuple[str, ...]
    needs_review: bool
    top_departments: tuple[tuple[str, float], ...]
    summary: str
    department_name: str | None = None
    channel_name: str | None = None
    model_hash: str | None = None

    def to_json(self) -> dict:
        return {
            "category": self.category,
            "category_name": self.category_name,
            "department": self.department,
            "department_name": self.department_name,
            "channel": self.channel,
            "channel_name": self.channel_name,
            "in_scope": self.in_scope,
            "reason": self.reason,
            "reason_text": self.reason_text,
            "confidence": round(self.confidence, 4),
            "keywords": list(self.keywords),
            "needs_review": self.needs_review,
            "top_departments": [[d, round(s, 4)] for d, s in self.top_departments],
            "summary": self.summary,
        }


def _softmax(s: list[float], exp=math.exp) -> list[float]:
    m = max(s)
    e = [exp(x - m) for x in s]
    z = sum(e)
    return [x / z for x in e]


@dataclass(slots=True)  # internal and short-lived: not frozen, which costs 2 µs per construction
class _Analysis:
    text: str  # normalised
    reason: str | None  # out-of-scope verdict of the screening rules
    matched: tuple[str, ...]
    rules: RuleScores | None
    tokens: list[str]
    feats: set[str] | tuple
    # Unnormalised log-posteriors of the models (every later use is shift-invariant, except the
    # out-of-scope check, which normalises on demand).
    lp: list[float] | None  # category model, per model class
    ld: list[float] | None  # department model plus the scaled perceptron scores, per model class
    known: int  # features the model knew
    oos: float = -math.inf  # log-odds of the scope model that the text is out of scope
    channel: str | None = None  # the channel rule's verdict (nlp/channel.py)
    lc: list[float] | None = None  # channel perceptron scores, per taxonomy.CHANNELS


class Scores(NamedTuple):
    category: list[float] | None  # unnormalised log-posteriors, per model class
    department: list[float] | None  # the same plus the scaled perceptron scores
    known: int  # features the category model knew
    oos: float  # log-odds that the text is out of scope
    channel: list[float] | None  # channel perceptron scores, per taxonomy.CHANNELS


class _Bound:
    """A model bound to the taxonomy: class-index maps computed once per loaded model."""

    def __init__(self, model: Model, taxonomy: Taxonomy, departments: list[str]):
        self.model = model
        self.params = {**DEFAULT_PARAMS, **model.params}
        ids = {c: i for i, c in enumerate(taxonomy.ids)}
        classes = model.category.classes
        # taxonomy index -> model class index (-1 when the model never saw the category)
        self.cat_index = [-1] * len(taxonomy.ids)
        for k, c in enumerate(classes):
            if c in ids:  # not out_of_scope: the scope model decides that
                self.cat_index[ids[c]] = k
        dclasses = model.department.classes
        known = list(departments)
        for d in dclasses:
            if d not in known:
                known.append(d)
        self.departments = known
        pos = {d: i for i, d in enumerate(dclasses)}
        self.dept_nb_index = [pos.get(d, -1) for d in known]
        self._models = (model.category, model.department, model.scope)
        cat, dept, scope = self._models
        if not (cat.vocab is dept.vocab is scope.vocab):
            raise ValueError("the models of one file share one vocabulary")
        self._vocab = cat.vocab
        nc = self._nc = len(cat.classes)
        nd = self._nd = len(dept.classes)
        self._slot = nc + nd
        self._channel = self._slot + 1  # then the four channel scores
        self.scope_out = scope.classes.index(SCOPE_OUT) if SCOPE_OUT in scope.classes else -1
        if self.scope_out >= 0 and len(scope.classes) == 2:
            o, i = self.scope_out, 1 - self.scope_out
            self._scope_prior = scope._prior[o] - scope._prior[i]
            self._scope_base = scope._base[o] - scope._base[i]
        else:
            self.scope_out = -1
        self._build_rows()
        # Per-text constants, added after the rows are summed: priors, and each model's normaliser
        # once per feature it knew.
        n = self._channel + len(CHANNELS)
        self._prior = np.array(list(cat._prior) + list(dept._prior) + [0.0] * (1 + len(CHANNELS)))
        self._cat_base = np.zeros(n)
        self._cat_base[:nc] = cat._base
        self._dept_base = np.zeros(n)
        self._dept_base[nc : nc + nd] = dept._base

    def _build_rows(self) -> None:
        """One matrix row per vocabulary feature: what the feature adds to every score — the category
        classes, then the department classes, then one slot for the scope models' out-minus-in
        log-odds (the only thing needed of them). Scoring a text sums its rows in numpy, a third of
        the time of a Python loop over (class, weight) entries; as sparse rows (np.bincount) the
        matrix took 4 MB instead of 14 but scoring a third longer. The last row is zeros, for
        features no model knows, so hostile text grows nothing. float32 halves the memory; sums are
        taken in float64."""
        cat, dept, scope = self._models
        nc, rows_n = self._nc, len(self._vocab) + 1
        w = np.zeros((rows_n, self._channel + len(CHANNELS)), dtype=np.float32)
        # How many features each model knew, packed as cat + dept·2^20 + scope·2^40 (a text has far
        # fewer than 2^20 features: it is cut at MAX_TEXT_CHARS).
        known = np.zeros(rows_n, dtype=np.int64)
        r, c, v = cat.entries()
        w[r, c] = v
        known[np.unique(r)] += 1
        r, c, v = dept.entries()
        w[r, nc + c] = v
        known[np.unique(r)] += 1 << 20
        # The perceptron's department scores share the department slots: scaled by
        # dept_linear_weight / dept_nb_weight, they get dept_linear_weight once _decide multiplies the
        # slots by dept_nb_weight. Its classes are the department model's (checked by Model.load).
        nbw = self.params["dept_nb_weight"]
        scale = self.params["dept_linear_weight"] / nbw if nbw > 0 else 0.0
        if scale:
            r, c, v = self.model.department_linear.entries()
            w[r, nc + c] += scale * v  # (row, class) pairs are unique: no add.at needed
        nb = scope.entries()
        known[np.unique(nb[0])] += 1 << 40
        if self.scope_out >= 0:
            # Out-minus-in of naive Bayes, plus the scope perceptron's scaled by scope_linear_weight
            # (its classes are the scope model's, checked by Model.load).
            k = self.params["scope_linear_weight"]
            column = np.zeros(rows_n)
            for (r, c, v), weight in [(nb, 1.0)] + ([(self.model.scope_linear.entries(), k)] if k else []):
                column += weight * np.bincount(r, weights=np.where(c == self.scope_out, v, -v), minlength=rows_n)
            w[:, self._slot] = column
        r, c, v = self.model.channel_linear.entries()  # its classes are CHANNELS (checked by Model.load)
        w[r, self._channel + c] = v
        self._rows = w
        self._known = known

    def score(self, feats) -> Scores:
        """The models' scores of a feature set (text features and channel cues)."""
        # map() calls dict.get in C: a tenth faster than a comprehension
        rows = np.fromiter(map(self._vocab.get, feats, repeat(len(self._vocab))), dtype=np.intp, count=len(feats))
        s = self._rows.take(rows, 0).sum(0, dtype=np.float64)
        known = int(self._known.take(rows).sum())
        kc, kd, ks = known & 0xFFFFF, (known >> 20) & 0xFFFFF, known >> 40
        s += self._prior
        if kc:
            s += kc * self._cat_base
        if kd:
            s += kd * self._dept_base
        out = s.tolist()
        nc, nd = self._nc, self._nd
        oos = -math.inf
        if self.scope_out >= 0:
            oos = self._scope_prior + out[self._slot] + ks * self._scope_base
        return Scores(out[:nc] or None, out[nc : nc + nd] or None, kc, oos, out[self._channel :])


class Classifier:
    """Classifier with an optional model file that is reloaded when it changes on disk."""

    def __init__(
        self,
        model_path: Path | str | None = DEFAULT_MODEL_PATH,
        *,
        model: Model | None = None,
        taxonomy: Taxonomy | None = None,
        departments: Mapping[str, str] | None = None,
        reload_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.taxonomy = taxonomy or load_taxonomy()
        self.department_names = dict(departments) if departments is not None else load_departments()
        self.matcher = KeywordMatcher(self.taxonomy, lambda s: tokenize(normalize(s)))
        # Departments in taxonomy order: the index space of the category→department evidence.
        order: list[str] = []
        for cat in self.taxonomy.categories:
            for d in cat.departments():
                if d not in order:
                    order.append(d)
        self._departments = order
        self._dept_pos = {d: i for i, d in enumerate(order)}
        self._names = [c.name for c in self.taxonomy.categories]
        self._default_dept = [self._dept_pos[c.department] for c in self.taxonomy.categories]
        self._channel_rule = ChannelRule(self.taxonomy)
        self._reload_interval = reload_interval
        self._clock = clock
        self._lock = threading.Lock()
        self._path = Path(model_path) if (model is None and model_path is not None) else None
        self._stat_key: tuple[int, int] | None = None
        self._next_check = -math.inf
        self._bound: _Bound | None = None
        if model is not None:
            self._bound = _Bound(model, self.taxonomy, self._departments)
        elif self._path is not None:
            self._maybe_reload(force=True)

    # --- model management ----------------------------------------------------------------------

    @property
    def model(self) -> Model | None:
        self._maybe_reload()
        b = self._bound
        return b.model if b else None

    def _maybe_reload(self, force: bool = False) -> None:
        if self._path is None:
            return
        now = self._clock()
        if not force and now < self._next_check:
            return
        with self._lock:
            if not force and now < self._next_check:
                return
            self._next_check = now + self._reload_interval
            try:
                st = os.stat(self._path)
            except OSError:
                return  # keep what we have; a missing file may appear later
            key = (st.st_mtime_ns, st.st_size)
            if key == self._stat_key:
                return
            try:
                model = Model.load(self._path)
            except ModelError as exc:
                # A half-written or foreign file must not take the service down: keep the old model.
                log.warning("model not reloaded: %s", exc)
                return
            self._bound = _Bound(model, self.taxonomy, self._departments)
            self._stat_key = key

    # --- classification ------------------------------------------------------------------------

    def classify(self, text: str) -> Classification:
        self._maybe_reload()
        bound = self._bound
        return self._decide(self._analyse(text, bound), bound, bound.params if bound else DEFAULT_PARAMS)

    def _analyse(self, text: str, bound: _Bound | None) -> _Analysis | None:
        """Everything that does not depend on the combination weights (one tokenisation)."""
        if len(text) > MAX_TEXT_CHARS:
            text = text[:MAX_TEXT_CHARS]
        t = normalize(text)
        if not t:
            return None
        verdict = screen(t)
        if verdict is not None:
            return _Analysis(t, verdict.reason, verdict.matched, None, [], (), None, None, 0)
        tokens = tokenize(t)
        rules = self.matcher.match(tokens)
        channel, cues = self._channel_rule.cues(t, rules.scores, rules.alternatives)
        feats = features(tokens, t)
        feats.update(cues)  # only the channel perceptron weighs them
        if bound is None:
            return _Analysis(t, None, (), rules, tokens, feats, None, None, 0, channel=channel)
        sc = bound.score(feats)
        return _Analysis(t, None, (), rules, tokens, feats, sc.category, sc.department, sc.known, sc.oos, channel, sc.channel)

    def _decide(self, a: _Analysis | None, bound: _Bound | None, params: Mapping[str, float]) -> Classification:
        """Combine rule scores and model log-probabilities with `params` into a Classification."""
        if a is None:
            return self._empty()
        if a.reason is not None:
            return self._out_of_scope(a.reason, a.matched, 0.95, bound)
        rules = a.rules
        rs = rules.scores
        n = len(self._names)
        rule_w = params["rule_weight"]
        lp = a.lp
        if bound is not None and lp is not None:
            # The model alone may refuse too, with less weight when category keywords are present.
            margin = a.oos - params["oos_rule_weight"] * max(rs)
            if margin >= params["oos_logodds"]:
                rraw, _ = bound.model.reason.log_scores(a.feats)
                classes = bound.model.reason.classes
                reason = classes[max(range(len(rraw)), key=rraw.__getitem__)] if classes else "illegal"
                if reason not in REASONS:
                    reason = "illegal"
                return self._out_of_scope(reason, (), 1.0 / (1.0 + math.exp(-margin)), bound)
            temp = params["nb_temp"]
            floor = min(lp) - 1.0
            ci_map = bound.cat_index
            comb = [temp * (lp[ci_map[i]] if ci_map[i] >= 0 else floor) + rule_w * rs[i] for i in range(n)]
        else:
            comb = [rule_w * rs[i] for i in range(n)]
        pc = _softmax(comb)
        best = max(range(n), key=pc.__getitem__)

        # Department evidence from categories: the most probable category routed to each department
        # (a max, not a sum, so departments serving several categories are not favoured).
        nd = len(self._departments)
        from_cat = [0.0] * nd
        alts = rules.alternatives
        route = self._default_dept
        if alts:
            route = route[:]
            for i, alt in alts.items():
                route[i] = self._dept_pos[alt]
        for j, p in zip(route, pc):
            if p > from_cat[j]:
                from_cat[j] = p
        wc = params["dept_cat_weight"]
        floor_d = params["dept_floor"]  # how far keyword evidence alone can push a department down
        ld = a.ld
        log = math.log
        if bound is not None and ld is not None:
            dfloor = min(ld) - 1.0
            wn = params["dept_nb_weight"]
            depts = bound.departments
            nb_scores = [wn * (ld[k] if k >= 0 else dfloor) for k in bound.dept_nb_index]
            lf = wc * log(floor_d)  # most departments get no category evidence: one log for them all
            sd = [(wc * log(c + floor_d) if c else lf) + nb for c, nb in zip(from_cat, nb_scores)]
            # departments only the model knows (not in the taxonomy) get keyword evidence 0
            sd.extend(lf + nb for nb in nb_scores[nd:])
        else:
            depts = self._departments
            sd = [wc * log(c + floor_d) for c in from_cat]
        pd = _softmax(sd)
        top = tuple((d, p) for p, d in sorted(zip(pd, depts), reverse=True)[:3])
        department = top[0][0]
        confidence = top[0][1]

        # The learned channel; the documented rule's verdict when no model is loaded.
        channel = CHANNELS[max(range(len(CHANNELS)), key=a.lc.__getitem__)] if a.lc else a.channel
        keywords = self._decisive_keywords(rules, best, a.tokens, bound)
        if not rules.keywords and a.known == 0:
            confidence = min(confidence, 0.2)  # nothing recognised at all
        needs_review = confidence < params["review_threshold"]
        cat = self.taxonomy.categories[best]
        return self._in_scope(cat.id, cat.name, department, channel, confidence, keywords, needs_review, top, bound)

    # --- parts ---------------------------------------------------------------------------------

    def _decisive_keywords(self, rules, best: int, tokens, bound: _Bound | None) -> tuple[str, ...]:
        mine = [(w, kw) for kw, hit in rules.keywords.items() for ci, w in hit if ci == best]
        mine.sort(key=lambda x: (-x[0], -len(x[1])))
        out = [kw for _, kw in mine[:6]]
        if not out and bound is not None and tokens:
            k = bound.cat_index[best]
            if k >= 0:
                # Whole tokens are readable evidence; character bigrams inside words are not.
                words = {TOKEN_PREFIX + t for t in tokens if len(t) >= 2}  # token features (model.features)
                for _, feature in bound.model.category.feature_evidence(words, k)[:3]:
                    word = feature[len(TOKEN_PREFIX) :]
                    if word not in out:
                        out.append(word)
        return tuple(out[:6])

    def _dept_name(self, code: str | None) -> str | None:
        if code is None:
            return None
        return self.department_names.get(code, code)

    def _in_scope(self, cid, cname, department, channel, confidence, keywords, needs_review, top, bound):
        dname = self._dept_name(department)
        chname = CHANNEL_NAMES[channel]
        if keywords:
            basis = "依据“" + "”“".join(keywords[:3]) + "”等内容，"
        else:
            basis = ""
        if needs_review:
            reason_text = (
                f"{basis}初步判断属于“{cname}”，建议由{dname}办理，但置信度较低（{confidence:.0%}），"
                "需服务员研判后确定分类、承办部门和渠道。"
            )
            summary = f"【需服务员研判】初步判断：{cname}；可能承办部门：{dname}；可能渠道：{chname}。"
        else:
            reason_text = f"{basis}判断属于“{cname}”，建议由{dname}办理，走{chname}。"
            summary = f"分类：{cname}；承办部门：{dname}；渠道：{chname}（{CHANNEL_DEADLINES[channel]}）。"
        return Classification(
            category=cid,
            category_name=cname,
            department=department,
            channel=channel,
            in_scope=True,
            reason=None,
            reason_text=reason_text,
            confidence=confidence,
            keywords=keywords,
            needs_review=needs_review,
            top_departments=top,
            summary=summary,
            department_name=dname,
            channel_name=chname,
            model_hash=bound.model.data_hash if bound else None,
        )

    def _out_of_scope(self, reason: str, matched: tuple[str, ...], confidence: float, bound) -> Classification:
        by_model = not matched
        review = by_model  # a model-only verdict is a suggestion the helper must confirm
        text = REASON_TEXTS[reason]
        if review:
            text += "（模型判断，需服务员研判）"
        summary = f"不在服务范围：{REASON_NAMES[reason]}。请按政策礼貌答复，不按普通工单办理。"
        if review:
            summary = "【需服务员研判】" + summary
        return Classification(
            category=None,
            category_name=None,
            department=None,
            channel=None,
            in_scope=False,
            reason=reason,
            reason_text=text,
            confidence=confidence,
            keywords=matched,
            needs_review=review,
            top_departments=(),
            summary=summary,
            model_hash=bound.model.data_hash if bound else None,
        )

    def _empty(self) -> Classification:
        return Classification(
            category=None,
            category_name=None,
            department=None,
            channel=None,
            in_scope=True,
            reason=None,
            reason_text="内容为空，无法判断，需服务员研判。",
            confidence=0.0,
            keywords=(),
            needs_review=True,
            top_departments=(),
            summary="【需服务员研判】内容为空。",
        )


_default: Classifier | None = None
_default_path: Path | None = None
_default_lock = threading.Lock()

MODEL_ENV = "ZHENGQI_NLP_MODEL"  # optional: model file of the default classifier (e.g. a retrained one)


def set_default_model_path(path: Path | str | None) -> None:
    """Use another model file for `classify()` (None: back to the shipped one). Takes effect at once."""
    global _default, _default_path
    with _default_lock:
        _default_path = Path(path) if path is not None else None
        _default = None


def default_classifier() -> Classifier:
    """The process-wide classifier (built on first use): the model file set by
    `set_default_model_path`, else $ZHENGQI_NLP_MODEL, else the shipped nlp/data/model.json."""
    global _default
    c = _default
    if c is None:
        with _default_lock:
            if _default is None:
                path = _default_path or Path(os.environ.get(MODEL_ENV) or DEFAULT_MODEL_PATH)
                _default = Classifier(model_path=path)
            c = _default
    return c


def classify(text: str) -> Classification:
    """Classify with the process-wide classifier (see `default_classifier`)."""
    return default_classifier().classify(text)
