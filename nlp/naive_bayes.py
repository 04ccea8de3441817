"""Multinomial naive Bayes over feature sets, stored compactly.

The weighted document counts live in sparse rows over the vocabulary shared by all the models of one
file (nlp/arrays.py). A feature's scoring entry — (class, log weight) pairs — is made when the
feature is asked for.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from . import arrays
from .arrays import CLS, ROWS, VAL, check_rows, decode, encode


class NaiveBayes:
    """Counts of one labelling (category, department, scope or reason) and its sparse scorer."""

    def __init__(
        self,
        classes: Sequence[str],
        doc_counts: Sequence[float],
        vocab: Mapping[str, int],
        rows: array,
        cls: array,
        cnt: array,
        alpha: float = 1.0,
        max_classes: int = 0,
    ):
        """Check the arrays (they may come from a file) and precompute priors and normalisers.

        Raises ValueError when the arrays do not fit the vocabulary and the classes.
        """
        self.classes = list(classes)
        self.doc_counts = [float(x) for x in doc_counts]
        self.vocab = vocab
        self.rows, self.cls, self.cnt = rows, cls, cnt
        self.alpha = alpha
        self.max_classes = max_classes  # 0: score every feature; else skip features seen in more classes
        k = len(self.classes)
        if len(self.doc_counts) != k:
            raise ValueError("one document count per class")
        used = check_rows(rows, cls, cnt, len(vocab), k)  # features this model saw
        if cnt and min(cnt) < 0:
            raise ValueError("counts must not be negative")
        totals = [0.0] * k
        for c, n in zip(cls, cnt):
            totals[c] += n
        a = alpha
        log_a = math.log(a)
        used = used or 1
        self._base = [log_a - math.log(totals[c] + a * used) for c in range(k)]
        ndocs = sum(self.doc_counts) or 1.0
        self._prior = [math.log((self.doc_counts[c] + 1.0) / (ndocs + k)) for c in range(k)]
        self._limit = self.max_classes or k
        self._log_a = log_a
        self._memo: dict[str, tuple[tuple[int, float], ...]] = {}

    # --- building ------------------------------------------------------------------------------

    @classmethod
    def fit(
        cls_,
        labelled: Iterable[tuple[Iterable[str], str, float]],
        vocab: Mapping[str, int],
        alpha: float,
        max_classes: int = 0,
    ) -> "NaiveBayes":
        """Count the labelled feature sets; every feature must be in `vocab`."""
        classes: list[str] = []
        index: dict[str, int] = {}
        doc_counts: list[float] = []
        counts: dict[int, dict[int, float]] = {}
        for feats, label, w in labelled:
            k = index.get(label)
            if k is None:
                k = index[label] = len(classes)
                classes.append(label)
                doc_counts.append(0.0)
            doc_counts[k] += w
            for f in feats:
                row = counts.setdefault(vocab[f], {})
                row[k] = row.get(k, 0.0) + w
        rows, cls, cnt = array(ROWS, [0]), array(CLS), array(VAL)
        for i in range(len(vocab)):
            row = counts.get(i)
            if row:
                for c in sorted(row):
                    cls.append(c)
                    cnt.append(row[c])
            rows.append(len(cls))
        return cls_(classes, doc_counts, vocab, rows, cls, cnt, alpha, max_classes)

    # --- scoring -------------------------------------------------------------------------------

    def entry(self, f: str) -> tuple[tuple[int, float], ...] | None:
        """(class index, log weight) pairs of a feature; None if unknown or seen in too many classes.
        Entries are remembered (at most one per vocabulary entry)."""
        e = self._memo.get(f)
        if e is None:
            i = self.vocab.get(f)
            if i is None:
                return None
            e = self._memo[f] = self.entry_at(i)
        return e or None

    def entry_at(self, i: int) -> tuple[tuple[int, float], ...]:
        """Entry of vocabulary index `i`, not remembered; () if this model does not score it."""
        a, b = self.rows[i], self.rows[i + 1]
        if a == b or b - a > self._limit:
            return ()
        alpha, log_a, log = self.alpha, self._log_a, math.log
        return tuple((c, log(n + alpha) - log_a) for c, n in zip(self.cls[a:b], self.cnt[a:b]))

    def entries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every scored entry at once, as arrays: vocabulary index, class index and log weight (what
        `entry_at` gives one feature at a time)."""
        row_of, cls, cnt = arrays.entries(self.rows, self.cls, self.cnt, self._limit)
        return row_of, cls, np.log(cnt + self.alpha) - self._log_a

    def log_scores(self, feats: Iterable[str]) -> tuple[list[float], int]:
        """Unnormalised log-posterior per class, and how many features the model knew."""
        s = list(self._prior)
        known = 0
        for f in feats:
            e = self.entry(f)
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

    # --- file form -----------------------------------------------------------------------------

    def to_json(self) -> dict:
        return {
            "classes": self.classes,
            "doc_counts": self.doc_counts,
            "rows": encode(self.rows),
            "cls": encode(self.cls),
            "cnt": encode(self.cnt),
        }

    @classmethod
    def from_json(cls_, d: dict, vocab: Mapping[str, int], alpha: float, max_classes: int = 0) -> "NaiveBayes":
        return cls_(
            d["classes"], d["doc_counts"], vocab,
            decode(ROWS, d["rows"]), decode(CLS, d["cls"]), decode(VAL, d["cnt"]),
            alpha, max_classes,
        )

