"""The category taxonomy (nlp/data/taxonomy.toml) and the department list (config/departments.toml).

Both are plain data files; this module only parses and validates them.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .paths import DATA_DIR, DEPARTMENTS_PATH
from .tokenizer import normalize

TAXONOMY_PATH = DATA_DIR / "taxonomy.toml"

TIER_WEIGHTS = {"strong": 3.0, "keywords": 1.0, "weak": 0.3}

CHANNELS = ("street", "department", "district", "city")
CHANNEL_NAMES = {
    "street": "街道园区渠道「即时办理」",
    "department": "部门直通渠道「协调解决」",
    "district": "区级统筹渠道「会商解决」",
    "city": "市区联动渠道「提级解决」",
}
CHANNEL_DEADLINES = {
    "street": "1个工作日内答复",
    "department": "3个工作日内答复",
    "district": "7个工作日内会商并答复",
    "city": "经12345企业服务专席或“津产发”平台提交，跟踪办理",
}


class TaxonomyError(ValueError):
    """The taxonomy file is malformed."""


class CueSet:
    """Cues of one kind: literal words, which the channel rule finds for every kind in one
    Aho-Corasick pass (nlp/channel.py), and the few regular expressions, compiled into one
    alternation (None when there are none)."""

    def __init__(self, patterns: list[str], name: str):
        self.literals = tuple(normalize(p) for p in patterns if not set(p) & _REGEX_CHARS)
        regexes = [p for p in patterns if set(p) & _REGEX_CHARS]
        self.patterns = _alternation(regexes, name) if regexes else None

    def search(self, text: str) -> bool:
        """Whether a cue of this kind occurs in normalised `text`."""
        return any(w in text for w in self.literals) or (
            self.patterns is not None and self.patterns.search(text) is not None
        )


_REGEX_CHARS = set("\\.^$*+?{}[]()|")


@dataclass(frozen=True)
class Alternative:
    department: str
    keywords: tuple[str, ...]
    weight: float


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    department: str
    keywords: dict[str, float]  # keyword -> weight (alternative keywords included)
    alternatives: tuple[Alternative, ...]

    def departments(self) -> tuple[str, ...]:
        return (self.department,) + tuple(a.department for a in self.alternatives)


@dataclass(frozen=True)
class ChannelRules:
    city: CueSet
    district: CueSet
    street: CueSet
    simple: CueSet
    problem: CueSet
    agencies: tuple[tuple[str, ...], ...]  # per body, its literal names; bodies named are counted
    district_agencies: int
    district_ratio: float
    district_min_score: float


@dataclass(frozen=True)
class Taxonomy:
    version: int
    categories: tuple[Category, ...]
    channel: ChannelRules

    def category(self, category_id: str) -> Category:
        for c in self.categories:
            if c.id == category_id:
                return c
        raise KeyError(category_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.categories)

    def department_codes(self) -> set[str]:
        return {d for c in self.categories for d in c.departments()}


def _parse_keyword(entry: str, tier_weight: float) -> tuple[str, float]:
    word, sep, suffix = entry.rpartition(":")
    if sep and suffix.replace(".", "", 1).isdigit() and word:
        return normalize(word), float(suffix)
    return normalize(entry), tier_weight


def _alternation(patterns: list[str], name: str) -> re.Pattern[str]:
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns))
    except re.error as exc:
        raise TaxonomyError(f"bad regex in channel.{name}: {exc}") from exc


def load_taxonomy(path: Path | str = TAXONOMY_PATH) -> Taxonomy:
    with open(path, "rb") as f:
        raw = tomllib.load(f)
    cats: list[Category] = []
    seen: set[str] = set()
    for item in raw.get("category", []):
        cid = item["id"]
        if cid in seen:
            raise TaxonomyError(f"duplicate category {cid}")
        seen.add(cid)
        kw: dict[str, float] = {}
        for tier, w in TIER_WEIGHTS.items():
            for entry in item.get(tier, []):
                word, weight = _parse_keyword(entry, w)
                kw[word] = max(weight, kw.get(word, 0.0))
        alts = []
        for alt in item.get("alternative", []):
            weight = float(alt.get("weight", 1.0))
            words = tuple(normalize(k) for k in alt["keywords"])
            for word in words:
                kw[word] = max(weight, kw.get(word, 0.0))
            alts.append(Alternative(alt["department"], words, weight))
        cats.append(Category(cid, item["name"], item["department"], kw, tuple(alts)))
    ch = raw.get("channel", {})
    rules = ChannelRules(
        city=CueSet(ch.get("city", []), "city"),
        district=CueSet(ch.get("district", []), "district"),
        street=CueSet(ch.get("street", []), "street"),
        simple=CueSet(ch.get("simple", []), "simple"),
        problem=CueSet(ch.get("problem", []), "problem"),
        agencies=tuple(tuple(normalize(x) for x in a.split("|")) for a in ch.get("agencies", [])),
        district_agencies=int(ch.get("district_agencies", 3)),
        district_ratio=float(ch.get("district_ratio", 0.8)),
        district_min_score=float(ch.get("district_min_score", 6.0)),
    )
    return Taxonomy(int(raw.get("version", 1)), tuple(cats), rules)


def load_departments(path: Path | str | None = None) -> dict[str, str]:
    """Department code -> short name from config/departments.toml ({} when the file is absent)."""
    p = Path(path) if path is not None else DEPARTMENTS_PATH
    if not p.is_file():
        return {}
    with open(p, "rb") as f:
        raw = tomllib.load(f)
    return {d["code"]: d.get("name", d["code"]) for d in raw.get("department", [])}
