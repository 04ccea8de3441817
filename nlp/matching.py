"""Keyword rules over tokens: which taxonomy keywords a text contains, and what they add up to.

A keyword matches (a) a whole token, (b) a part of a longer token when the token itself is no keyword
and the keyword has two characters or more ("消防" in "消防设施改造"), or (c) a run of tokens when jieba
splits the keyword ("开具证明" → 开具 / 证明). Per-token results are cached, so after warm-up a token
costs one dict lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .taxonomy import Taxonomy

# (category index, weight) pairs one keyword contributes to.
Hit = tuple[tuple[int, float], ...]

_CACHE_LIMIT = 200_000  # tokens; bounded by the jieba vocabulary in practice


@dataclass(frozen=True)
class RuleScores:
    scores: list[float]  # per category index
    keywords: dict[str, Hit]  # matched keyword -> its hits
    alternatives: dict[int, str]  # category index -> alternative department triggered


class KeywordMatcher:
    def __init__(self, taxonomy: Taxonomy, tokenize: Callable[[str], list[str]]):
        self.taxonomy = taxonomy
        self.n = len(taxonomy.categories)
        single: dict[str, dict[int, float]] = {}
        multi: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        self._keyword_hits: dict[str, Hit] = {}
        # keyword -> ((category index, department), ...) for alternative departments
        self._alt: dict[str, tuple[tuple[int, str], ...]] = {}
        for ci, cat in enumerate(taxonomy.categories):
            for kw, w in cat.keywords.items():
                row = single.setdefault(kw, {})
                row[ci] = max(w, row.get(ci, 0.0))
            for alt in cat.alternatives:
                for kw in alt.keywords:
                    self._alt[kw] = self._alt.get(kw, ()) + ((ci, alt.department),)
        for kw, row in single.items():
            self._keyword_hits[kw] = tuple(sorted(row.items()))
            toks = tuple(t for t in tokenize(kw) if t.strip())
            if len(toks) > 1:
                multi.setdefault(toks[0], []).append((toks, kw))
        self._single = {kw for kw in single}
        self._multi = {k: tuple(v) for k, v in multi.items()}
        self._long_keywords_by_len = sorted({len(k) for k in single if len(k) >= 2}, reverse=True)
        # token -> (keywords inside it, keyword token-runs starting with it)
        self._cache: dict[str, tuple[tuple[str, ...], tuple[tuple[tuple[str, ...], str], ...] | None]] = {}

    def _entry(self, tok: str):
        entry = (self._expand(tok), self._multi.get(tok))
        if len(self._cache) < _CACHE_LIMIT:
            self._cache[tok] = entry
        return entry

    def _expand(self, tok: str) -> tuple[str, ...]:
        """Keywords found in one token."""
        if tok in self._single:
            found: tuple[str, ...] = (tok,)
        elif len(tok) < 3 or tok.isascii():
            found = ()  # latin words match whole only ("ai" must not fire inside "email")
        else:
            hits: list[tuple[int, int, str]] = []
            n = len(tok)
            single = self._single
            for ln in self._long_keywords_by_len:
                if ln >= n:
                    continue
                for i in range(n - ln + 1):
                    sub = tok[i : i + ln]
                    if sub in single:
                        hits.append((i, i + ln, sub))
            # Keep maximal matches only: "消防通道" wins over "通道" inside it.
            kept = [h for h in hits if not any(o[0] <= h[0] and h[1] <= o[1] and o != h for o in hits)]
            found = tuple(dict.fromkeys(h[2] for h in kept))
        return found

    def match(self, tokens: Sequence[str]) -> RuleScores:
        cache = self._cache
        matched: dict[str, None] = {}
        for i, tok in enumerate(tokens):
            entry = cache.get(tok) or self._entry(tok)
            found, seqs = entry
            for kw in found:
                matched[kw] = None
            if seqs is not None:
                for seq, kw in seqs:
                    if tuple(tokens[i : i + len(seq)]) == seq:
                        matched[kw] = None
        scores = [0.0] * self.n
        kh = self._keyword_hits
        alt_map = self._alt
        keywords: dict[str, Hit] = {}
        alternatives: dict[int, str] = {}
        alt_votes: dict[tuple[int, str], float] = {}
        for kw in matched:
            hit = kh[kw]
            keywords[kw] = hit
            for ci, w in hit:
                scores[ci] += w
            alts = alt_map.get(kw)
            if alts:
                for ci, dept in alts:
                    alt_votes[(ci, dept)] = alt_votes.get((ci, dept), 0.0) + 1.0
        if alt_votes:
            for (ci, dept), v in sorted(alt_votes.items(), key=lambda kv: -kv[1]):
                alternatives.setdefault(ci, dept)
        return RuleScores(scores, keywords, alternatives)
