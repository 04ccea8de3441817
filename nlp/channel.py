"""The policy channel's documented rule (nlp/data/taxonomy.toml [channel]) and its cues as features.

The rule alone chooses the channel the writers of train.jsonl gave 74.8% of the time. A perceptron
that learns the channel from the text, with the rule's cues and verdict as extra features, chose it
82.8% of the time on writers it had not seen (leave-one-writer-out, thirty-two writers); in a first
experiment, from the text alone 82.5% and with the cues 83.8% (its verdicts came from a model that
had seen every writer).
So the classifier decides with the perceptron (nlp/model.py) and falls back on the rule when no model
is loaded; the cues are what the rule looks at:

    c:city       a city-level body, another district or province, or nobody responsible
    c:district   several departments named as such (几个部门, 互相推诿, 牵头 ...)
    c:agencies   district_agencies or more different bodies or fields named
    c:multi      two strong keyword categories that route to different departments
    c:street     a neighbourhood matter (邻居, 楼道, 路灯 ...)
    c:simple     a plain question the helper answers himself (在哪下载, 几号截止 ...)
    c:problem    something went wrong (被罚, 拖欠, 一直没 ...), which is no street matter
    c:rule_X     the rule's verdict X

Cue names contain ":", which text features never do (model.features drops it), so they cannot
collide with them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from .literals import LiteralIndex
from .taxonomy import CHANNELS, Taxonomy

CUE_PREFIX = "c:"
CUES = ("city", "district", "agencies", "multi", "street", "simple", "problem")
CUE_FEATURES = tuple(CUE_PREFIX + c for c in CUES) + tuple(CUE_PREFIX + "rule_" + c for c in CHANNELS)


class ChannelRule:
    def __init__(self, taxonomy: Taxonomy):
        cr = self.rules = taxonomy.channel
        self._departments = [c.department for c in taxonomy.categories]
        sets = (("city", cr.city), ("district", cr.district), ("street", cr.street), ("simple", cr.simple),
                ("problem", cr.problem))
        # One Aho-Corasick pass finds the literal cues (id: the cue's name) and the bodies named (id:
        # the body's index); the few cues that are patterns are searched apart.
        self._literals = LiteralIndex(
            [(literal, name) for name, cue in sets for literal in cue.literals]
            + [(literal, body) for body, names in enumerate(cr.agencies) for literal in names]
        )
        self._patterns = [(name, cue.patterns) for name, cue in sets if cue.patterns is not None]
        self._names = {c: CUE_PREFIX + c for c in CUES}
        self._verdicts = {c: CUE_PREFIX + "rule_" + c for c in CHANNELS}

    def cues(self, t: str, scores: Sequence[float], alternatives: Mapping[int, str]) -> tuple[str, list[str]]:
        """The rule's channel for normalised text `t` with keyword `scores` per category (and the
        alternative departments their keywords triggered), and the cue features that hold."""
        hits = self._literals.hits(t)
        on = {h for h in hits if isinstance(h, str)}
        if len(hits) - len(on) >= self.rules.district_agencies:  # bodies named
            on.add("agencies")
        for name, patterns in self._patterns:
            if name not in on and patterns.search(t):
                on.add(name)
        if self._several_departments(scores, alternatives):
            on.add("multi")
        if "city" in on:
            verdict = "city"
        elif "district" in on or "agencies" in on or "multi" in on:
            verdict = "district"
        elif ("street" in on or "simple" in on) and "problem" not in on:
            verdict = "street"
        else:
            verdict = "department"
        names = self._names
        return verdict, [names[c] for c in CUES if c in on] + [self._verdicts[verdict]]

    def _several_departments(self, scores: Sequence[float], alternatives: Mapping[int, str]) -> bool:
        """Two categories with strong keywords (each at least district_min_score, the second at least
        district_ratio of the first) that route to different departments."""
        cr = self.rules
        top = max(scores, default=0.0)
        if top < cr.district_min_score:
            return False
        best = scores.index(top)
        floor = max(cr.district_min_score, cr.district_ratio * top)
        route = alternatives.get(best, self._departments[best])
        return any(
            i != best and alternatives.get(i, self._departments[i]) != route
            for i, s in enumerate(scores)
            if s >= floor
        )


def cue_function(taxonomy: Taxonomy) -> Callable[[str], list[str]]:
    """text -> its cue features (what training needs): normalise, tokenize, match keywords, apply
    the rule."""
    from .matching import KeywordMatcher
    from .tokenizer import normalize, tokenize

    matcher = KeywordMatcher(taxonomy, lambda s: tokenize(normalize(s)))
    rule = ChannelRule(taxonomy)

    def cues(text: str) -> list[str]:
        t = normalize(text)
        rules = matcher.match(tokenize(t))
        return rule.cues(t, rules.scores, rules.alternatives)[1]

    return cues
