"""Curated name tables (``data/gazetteer/*.csv``) and the matcher built from them.

Every name is normalised exactly as article text is (NFKC, Simplified), so a
Traditional or full-width spelling in an article finds its Simplified entry.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.errors import GazetteerError
from kg.model import Entity, EntityType, Source

DATA_DIR = Path(os.environ.get("KG_DATA", Path(__file__).resolve().parent.parent / "data"))

PARK_KINDS = {
    "etdz": "national economic and technological development zone",
    "hitech": "national high-tech zone",
    "bonded": "comprehensive bonded zone",
    "ftz": "pilot free trade zone",
    "cooperation": "international cooperation park",
    "subpark": "sub-park",
    "abroad": "park abroad",
    "provincial": "provincial development zone",
    "resort": "national tourist resort",
    "newarea": "national new area",
    "other": "park",
}
INSTITUTION_KINDS = ("government", "university", "research", "cultural", "association", "international")

# Mechanical short forms the press uses for official park names.
_PARK_SHORT = (
    ("国家高新技术产业开发区", "高新区"),
    ("高新技术产业开发区", "高新区"),
    ("国家级经济技术开发区", "经开区"),
    ("经济技术开发区", "经开区"),
    ("经济开发区", "经开区"),
    ("综合保税区", "综保区"),
    ("自由贸易试验区", "自贸区"),
    ("自由贸易试验区", "自贸试验区"),
    ("国家旅游度假区", "度假区"),
)


def normalise_name(name: str) -> str:
    """Fold a name the way article text is folded (NFKC, Simplified, no spaces inside CJK).

    >>> normalise_name("無錫（國家）軟件園")
    '无锡(国家)软件园'
    """
    from kg.segment import _fold, to_simplified

    s = to_simplified(_fold(name.strip()))
    return re.sub(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])", "", s)


@dataclass
class Country:
    code: str
    name_zh: str
    name_en: str
    names: list[str]
    short: list[str]
    adjectives: list[str]
    currency: str = ""
    wikidata: str = ""


@dataclass
class Sector:
    key: str
    label_zh: str
    label_en: str
    keywords: list[str]
    broader: str = ""
    gbt4754: str = ""
    isic: str = ""
    definition_en: str = ""
    definition_zh: str = ""


@dataclass
class Gazetteer:
    """All curated tables, indexed for matching."""

    entities: dict[str, Entity] = field(default_factory=dict)
    names: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)  # name -> [(key, weak)]
    countries: dict[str, Country] = field(default_factory=dict)
    country_names: dict[str, str] = field(default_factory=dict)  # name or adjective -> code
    country_short: dict[str, str] = field(default_factory=dict)  # one-char form -> code
    currencies: dict[str, str] = field(default_factory=dict)  # name -> ISO 4217
    sectors: dict[str, Sector] = field(default_factory=dict)
    sector_keywords: dict[str, str] = field(default_factory=dict)
    cities: set[str] = field(default_factory=set)
    city_country: dict[str, str] = field(default_factory=dict)  # the cities of parks abroad, by their country

    def entity(self, key: str) -> Entity | None:
        return self.entities.get(key)

    def add_name(self, name: str, key: str, weak: bool = False) -> None:
        n = normalise_name(name)
        if len(n) < 2:
            return
        entries = self.names.setdefault(n, [])
        if all(k != key for k, _ in entries):
            entries.append((key, weak))

    _matcher: object = field(default=None, repr=False, compare=False)
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    def cached(self, name: str, build):  # type: ignore[no-untyped-def]
        """A value derived from the tables, computed once (sorted name lists, compiled patterns)."""
        if name not in self.cache:
            self.cache[name] = build()
        return self.cache[name]


def _rows(path: Path) -> Iterator[dict[str, str]]:
    if not path.is_file():
        return
    try:
        with path.open(newline="", encoding="utf-8") as f:
            for i, row in enumerate(csv.DictReader(f), start=2):
                if None in row:
                    raise GazetteerError(f"{path}:{i}: more cells than columns in the header")
                yield {k.strip(): (v or "").strip() for k, v in row.items() if k}
    except UnicodeDecodeError as err:
        raise GazetteerError(f"{path}: not UTF-8 ({err})") from err


def _split(cell: str) -> list[str]:
    return [x.strip() for x in cell.split("|") if x.strip()]


def park_short_forms(name: str) -> list[str]:
    """Short forms of an official park name.

    >>> park_short_forms("无锡国家高新技术产业开发区")
    ['无锡高新区', '无锡国家高新区']
    >>> park_short_forms("宜兴经济技术开发区")
    ['宜兴经开区']
    """
    out = []
    for long, short in _PARK_SHORT:
        if name.endswith(long) and len(name) > len(long) + 1:
            out.append(name[: -len(long)] + short)
    return out


def load(data_dir: Path | None = None) -> Gazetteer:
    """Load every table under ``data_dir/gazetteer`` (the project's ``data/`` by default)."""
    base = (data_dir or DATA_DIR) / "gazetteer"
    if not base.is_dir():
        raise GazetteerError(f"no gazetteer folder at {base}; expected parks.csv, companies.csv … there")
    g = Gazetteer()
    for row in _rows(base / "countries.csv"):
        code = row.get("code", "").upper()
        if not code:
            continue
        names = [row.get("name_zh", "")] + _split(row.get("aliases", ""))
        c = Country(
            code=code,
            name_zh=row.get("name_zh", ""),
            name_en=row.get("name_en", ""),
            names=[n for n in names if n],
            short=_split(row.get("short", "")),
            adjectives=_split(row.get("adjective_forms", "")),
            currency=row.get("currency", ""),
            wikidata=row.get("wikidata", ""),
        )
        g.countries[code] = c
        g.entities[f"country/{code}"] = Entity(
            key=f"country/{code}", type=EntityType.COUNTRY, label_zh=c.name_zh, label_en=c.name_en,
            country=code, aliases=tuple(c.names[1:]), wikidata=c.wikidata,
        )
        for n in c.names:
            g.country_names[normalise_name(n)] = code
        for a in c.adjectives:
            g.country_names[normalise_name(a)] = code
        for s in c.short:
            g.country_short[normalise_name(s)] = code
    for row in _rows(base / "currencies.csv"):
        code = row.get("code", "").upper()
        for n in [row.get("name_zh", "")] + _split(row.get("aliases", "")):
            if n:
                g.currencies[normalise_name(n)] = code
    for row in _rows(base / "sectors.csv"):
        s = Sector(
            key=row["key"], label_zh=row.get("label_zh", ""), label_en=row.get("label_en", ""),
            keywords=_split(row.get("keywords", "")), broader=row.get("broader", ""),
            gbt4754=row.get("gbt4754", ""), isic=row.get("isic", ""),
            definition_en=row.get("definition_en", ""), definition_zh=row.get("definition_zh", ""),
        )
        g.sectors[s.key] = s
        for kw in s.keywords:
            g.sector_keywords.setdefault(normalise_name(kw), s.key)
    for row in _rows(base / "parks.csv"):
        key = f"park/{row['key']}"
        name = normalise_name(row["name_zh"])
        aliases = [normalise_name(a) for a in _split(row.get("aliases", ""))]
        derived = [s for n in [name, *aliases] for s in park_short_forms(n)]
        all_aliases = tuple(dict.fromkeys(a for a in aliases + derived if a != name))
        kind = row.get("kind", "other") or "other"
        if kind not in PARK_KINDS:
            raise GazetteerError(f"parks.csv: {row['key']}: unknown kind {kind!r}; valid: {', '.join(PARK_KINDS)}")
        g.entities[key] = Entity(
            key=key, type=EntityType.PARK, label_zh=name, label_en=row.get("name_en", ""),
            country=row.get("country", "CN") or "CN", aliases=all_aliases, kind=kind,
            parent=f"park/{row['part_of']}" if row.get("part_of") else "",
            wikidata=row.get("wikidata", ""), city=row.get("city", ""), province=row.get("province", ""),
        )
        for n in (name, *all_aliases):
            g.add_name(n, key)
        for place in (row.get("city"), row.get("province")):
            if place:
                g.cities.add(normalise_name(place))
                if g.entities[key].country != "CN":
                    g.city_country[normalise_name(place)] = g.entities[key].country
    for fname, etype in (("companies.csv", EntityType.COMPANY), ("institutions.csv", EntityType.INSTITUTION)):
        prefix = "company" if etype is EntityType.COMPANY else "institution"
        for row in _rows(base / fname):
            key = f"{prefix}/{row['key']}"
            name = normalise_name(row["name_zh"])
            aliases = tuple(normalise_name(a) for a in _split(row.get("aliases", "")))
            weak = tuple(normalise_name(a) for a in _split(row.get("weak_aliases", "")))
            parent = row.get("parent", "")
            g.entities[key] = Entity(
                key=key, type=etype, label_zh=name, label_en=row.get("name_en", ""),
                country=(row.get("country", "") or "").upper(), aliases=aliases + weak,
                kind=row.get("kind", "") if etype is EntityType.INSTITUTION else "",
                parent=f"{prefix}/{parent}" if parent else "", sector=row.get("sector", ""),
                wikidata=row.get("wikidata", ""),
                partners=tuple(f"{prefix}/{k}" for k in _split(row.get("partners") or "")),
            )
            for n in (name, *aliases):
                g.add_name(n, key)
            for n in weak:
                g.add_name(n, key, weak=True)
    return g


def _automaton(g: Gazetteer):  # type: ignore[no-untyped-def]
    """The Aho-Corasick automaton over every name, built once per gazetteer, with each name's payload."""
    if g._matcher is not None:
        return g._matcher
    import ahocorasick_rs

    payload: dict[str, tuple[str, str, tuple[tuple[str, bool], ...]]] = {}
    for name, entries in g.names.items():
        payload[name] = (name, "entity", tuple(entries))
    for name, code in g.country_names.items():
        payload.setdefault(name, (name, "country", ((f"country/{code}", False),)))
    for name, code in g.currencies.items():
        payload.setdefault(name, (name, "currency", ((code, False),)))
    for kw, skey in g.sector_keywords.items():
        payload.setdefault(kw, (kw, "sector", ((skey, False),)))
    words = [w for w in payload if w]
    matcher = ahocorasick_rs.AhoCorasick(words, matchkind=ahocorasick_rs.MatchKind.Standard) if words else None
    g._matcher = (matcher, [payload[w] for w in words])
    return g._matcher


def iter_matches(g: Gazetteer, text: str) -> Iterator[tuple[int, int, str, tuple[tuple[str, bool], ...]]]:
    """All dictionary hits in ``text`` as (start, end, kind, entries), overlapping."""
    matcher, payloads = _automaton(g)
    if matcher is None:
        return
    for i, start, end in matcher.find_matches_as_indexes(text, overlapping=True):
        name, kind, entries = payloads[i]
        if name.isascii():
            before = text[start - 1] if start > 0 else " "
            after = text[end] if end < len(text) else " "
            if before.isascii() and before.isalnum() or after.isascii() and after.isalnum():
                continue
        yield start, end, kind, entries


@lru_cache(maxsize=2)
def default() -> Gazetteer:
    """The project's bundled gazetteer, loaded once per process."""
    return load()


__all__ = ["Gazetteer", "load", "default", "normalise_name", "iter_matches", "park_short_forms", "Source"]
