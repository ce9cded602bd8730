"""Users' corrections (``data/curation.toml``): applied on every build, never rewritten by one.

The file holds tables of these kinds (all optional)::

    [[alias]]    entity = "company/astrazeneca"  name = "阿斯利康制药"
    [[merge]]    from = "company/x-%E7%BD%97..."  into = "company/roche"
    [[reject]]   entity = "company/x-..."        # drop an entity and every fact about it
    [[reject]]   investor = "company/temasek"  host = "park/suzhou-industrial-park"
    [[reject]]   fact = "https://w3id.org/sino-foreign-kg/id/investment/0123456789abcdef"
    [[country]]  entity = "company/x-..."  code = "DE"
    [[confirm]]  entity = "park/x-%E6%98%9F%E6%B9%BE%E5%B7%A5%E4%B8%9A%E5%9D%8A"
    [[entity]]   key = "company/acme"  type = "Company"  name_zh = "阿克米"  aliases = ["阿克米集团"]  country = "US"
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from kg.errors import GazetteerError
from kg.gazetteer import DATA_DIR, Gazetteer, normalise_name
from kg.model import ArticleResult, Entity, EntityType, Fact, Source

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CURATION_FILE = DATA_DIR / "curation.toml"
_KINDS = ("alias", "merge", "reject", "country", "confirm", "entity")


@dataclass
class Curation:
    aliases: list[tuple[str, str]] = field(default_factory=list)
    merges: dict[str, str] = field(default_factory=dict)
    reject_entities: set[str] = field(default_factory=set)
    reject_pairs: set[tuple[str, str]] = field(default_factory=set)
    reject_facts: set[str] = field(default_factory=set)
    countries: dict[str, str] = field(default_factory=dict)
    confirmed: set[str] = field(default_factory=set)
    entities: list[Entity] = field(default_factory=list)
    digest: str = ""


def load_curation(path: Path | None = None) -> Curation:
    """Read the curation file (an absent file is an empty curation).

    Raises
    ------
    GazetteerError
        When the file does not parse or a table lacks a required key.
    """
    path = path or CURATION_FILE
    cur = Curation()
    if not path.is_file():
        return cur
    raw = path.read_bytes()
    cur.digest = hashlib.sha1(raw).hexdigest()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise GazetteerError(f"{path}: not valid TOML: {err}") from err
    unknown = set(data) - set(_KINDS)
    if unknown:
        raise GazetteerError(f"{path}: unknown table(s) {sorted(unknown)}; valid: {', '.join(_KINDS)}")

    def need(item: dict, key: str, kind: str) -> str:
        v = item.get(key)
        if not isinstance(v, str) or not v:
            raise GazetteerError(f"{path}: a [[{kind}]] entry needs a text value for {key!r}, got {item!r}")
        return v

    for item in data.get("alias", []):
        cur.aliases.append((need(item, "entity", "alias"), need(item, "name", "alias")))
    for item in data.get("merge", []):
        cur.merges[need(item, "from", "merge")] = need(item, "into", "merge")
    for item in data.get("reject", []):
        if "entity" in item:
            cur.reject_entities.add(need(item, "entity", "reject"))
        elif "fact" in item:
            cur.reject_facts.add(need(item, "fact", "reject"))
        else:
            cur.reject_pairs.add((need(item, "investor", "reject"), need(item, "host", "reject")))
    for item in data.get("country", []):
        cur.countries[need(item, "entity", "country")] = need(item, "code", "country").upper()
    for item in data.get("confirm", []):
        cur.confirmed.add(need(item, "entity", "confirm"))
    for item in data.get("entity", []):
        key = need(item, "key", "entity")
        try:
            etype = EntityType(need(item, "type", "entity"))
        except ValueError as err:
            raise GazetteerError(f"{path}: [[entity]] {key}: type must be one of "
                                 f"{', '.join(t.value for t in EntityType)}") from err
        aliases = tuple(normalise_name(a) for a in item.get("aliases", []))
        cur.entities.append(Entity(key=key, type=etype, label_zh=normalise_name(need(item, "name_zh", "entity")),
                                   label_en=item.get("name_en", ""), country=item.get("country", "").upper(),
                                   aliases=aliases, source=Source.GAZETTEER, kind=item.get("kind", ""),
                                   sector=item.get("sector", "")))
    return cur


def apply_to_gazetteer(g: Gazetteer, cur: Curation) -> None:
    """Names users added become gazetteer names, so they are found in every article."""
    for e in cur.entities:
        g.entities[e.key] = e
        for n in (e.label_zh, *e.aliases):
            g.add_name(n, e.key)
    for key, name in cur.aliases:
        if key in g.entities:
            g.add_name(name, key)
    g._matcher = None


def apply_to_results(results: list[ArticleResult], cur: Curation) -> list[ArticleResult]:
    """Merges, rejections, country fixes and confirmations, applied to extracted results."""
    if not (cur.merges or cur.reject_entities or cur.reject_pairs or cur.reject_facts or cur.countries
            or cur.confirmed or cur.aliases):
        return results
    from kg.build import fact_iri

    def m(key: str) -> str:
        seen = set()
        while key in cur.merges and key not in seen:
            seen.add(key)
            key = cur.merges[key]
        return key

    out = []
    for r in results:
        ents: dict[str, Entity] = {}
        for e in r.entities:
            key = m(e.key)
            if key in cur.reject_entities:
                continue
            if key != e.key:
                e = ents.get(key) or replace(e, key=key)
            if key in cur.countries:
                e = replace(e, country=cur.countries[key])
            if key in cur.confirmed and e.source is Source.PATTERN:
                e = replace(e, source=Source.CURATION)
            extra = tuple(n for k, n in cur.aliases if k == key and n not in e.aliases)
            if extra:
                e = replace(e, aliases=e.aliases + extra)
            ents[key] = e
        facts: list[Fact] = []
        for f in r.facts:
            parties = tuple(m(p) for p in f.parties)
            if any(p in cur.reject_entities for p in parties):
                continue
            f = replace(f, parties=parties, agreement=m(f.agreement) if f.agreement else "")
            if f.kind == "investment" and parties[:2] in cur.reject_pairs:
                continue
            if str(fact_iri(f)) in cur.reject_facts:
                continue
            facts.append(f)
        out.append(replace(r, entities=tuple(ents.values()), facts=tuple(facts)))
    return out


__all__ = ["Curation", "load_curation", "apply_to_gazetteer", "apply_to_results", "CURATION_FILE"]
