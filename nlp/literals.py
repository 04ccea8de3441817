"""Which of many literal strings occur in a text, found through their first characters.

A text is scanned once per distinct character, and only the literals starting with that character
are tested with a substring search. Measured on 60-character messages: faster than one regex
alternation of all literals (which also misses overlapping ones), than a bigram index, and than
testing every literal. Used for the screening rules' triggers and the channel rule's body names.
"""

from __future__ import annotations

from collections.abc import Iterable


class LiteralIndex:
    """Literals, each with the id of what it stands for (a rule, a body); ids may repeat."""

    def __init__(self, literals: Iterable[tuple[str, int]]):
        self._index: dict[str, list[tuple[str, int]]] = {}
        for literal, ident in literals:
            self._index.setdefault(literal[0], []).append((literal, ident))

    def hits(self, text: str) -> set[int]:
        """Ids with at least one literal in `text`."""
        hit: set[int] = set()
        index = self._index
        for ch in set(text):
            entries = index.get(ch)
            if entries:
                for literal, ident in entries:
                    if ident not in hit and literal in text:
                        hit.add(ident)
        return hit
