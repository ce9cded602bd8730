"""Facts and entities → ``rdflib.Graph``. The only module that mints IRIs (``iri_for``)."""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from rdflib import OWL, RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import PROV
from rdflib.plugins.serializers.nt import _quoteLiteral

from kg.errors import OntologyError
from kg.gazetteer import DATA_DIR, Gazetteer
from kg.model import Article, ArticleResult, Entity, EntityType, Evidence, Fact, Source
from kg.namespaces import (
    COOPERATION_KIND_TERMS,
    ID,
    INSTITUTION_KIND_TERMS,
    KG,
    ORG,
    PARK_KIND_TERMS,
    PREFIXES,
    QUALIFIER_TERMS,
    SCHEMA,
    STATUS_TERMS,
    WD,
    Cached,
    cooperation_kind,
    kind_term,
)
from kg.quantities import decimal_str

# Terms read as plain attributes: rdflib namespaces make or look up a term on every access.
RDF, RDFS, SKOS, XSD, OWL, PROV, ORG, SCHEMA = (  # type: ignore[misc]
    Cached(ns) for ns in (RDF, RDFS, SKOS, XSD, OWL, PROV, ORG, SCHEMA))

_TYPE_CLASS = {
    EntityType.PARK: KG.Park,
    EntityType.COMPANY: KG.Company,
    EntityType.INSTITUTION: KG.Institution,
    EntityType.COUNTRY: KG.Country,
    EntityType.AGREEMENT: KG.Agreement,
}
_SAFE = re.compile(r"^[A-Za-z0-9._~%/\-]+$")


@lru_cache(maxsize=1 << 16)
def iri_for(key: str) -> URIRef:
    """IRI of an entity key (``company/astrazeneca``); other characters are percent-encoded.

    >>> iri_for("company/astrazeneca")
    rdflib.term.URIRef('https://w3id.org/sino-foreign-kg/id/company/astrazeneca')
    >>> str(iri_for("park/x-星湾")).endswith("park/x-%E6%98%9F%E6%B9%BE")
    True
    """
    if not _SAFE.match(key):
        key = quote(key, safe="/%-._~")
    if not _SAFE.match(key) or not key or key.startswith("/"):
        raise OntologyError(f"cannot mint an IRI from key {key!r}: expected 'type/name'")
    return ID[key]


def article_iri(article_id: str) -> URIRef:
    return iri_for("article/" + quote(article_id, safe=""))


def fact_iri(f: Fact) -> URIRef:
    base = {"investment": "investment", "outbound": "outbound", "cooperation": "cooperation",
            "statistic": "statistic"}.get(f.kind, f.kind)
    parts = [f.kind, *f.parties, f.amount.value if f.amount else "", f.amount.currency if f.amount else "",
             f.detail, f.evidence.article_id, f.agreement]
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]
    return iri_for(f"{base}/{digest}")


@dataclass
class Rates:
    """USD conversion rates, with where each comes from."""

    usd_per_unit: dict[str, Decimal] = field(default_factory=dict)
    source: dict[str, str] = field(default_factory=dict)

    def to_usd(self, value: str, currency: str) -> str:
        rate = self.usd_per_unit.get(currency)
        if rate is None:
            return ""
        try:
            return decimal_str((Decimal(value) * rate).quantize(Decimal(1)))
        except InvalidOperation:
            return ""


def load_rates(path: Path | None = None) -> Rates:
    path = path or DATA_DIR / "fx_rates.csv"
    rates = Rates()
    if path.is_file():
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                try:
                    rates.usd_per_unit[row["currency"]] = Decimal(row["usd_per_unit"])
                except (InvalidOperation, KeyError):
                    continue
                rates.source[row["currency"]] = f"{row.get('as_of', '')}: {row.get('source', '')}"
    return rates


@lru_cache(maxsize=1 << 14)
def decimal_literal(value: str) -> Literal:
    """An xsd:decimal in the lexical form every serialiser agrees on (always with a point).

    >>> str(decimal_literal("475000000"))
    '475000000.0'
    """
    text = decimal_str(Decimal(value))
    if "." not in text:
        text += ".0"
    return Literal(text, datatype=XSD.decimal)


# Literals that repeat across facts (offsets, currencies, dates, rate sources) are made once:
# rdflib checks and converts every value it is given, which costs more than the rest of a triple.
@lru_cache(maxsize=1 << 12)
def _int_literal(n: int) -> Literal:
    return Literal(n, datatype=XSD.integer)


@lru_cache(maxsize=1 << 12)
def _plain_literal(text: str) -> Literal:
    return Literal(text)


@lru_cache(maxsize=1 << 12)
def _date_literal(value: str) -> Literal | None:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return Literal(value, datatype=XSD.date)
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return Literal(value, datatype=XSD.gYearMonth)
    if re.fullmatch(r"\d{4}", value):
        return Literal(value, datatype=XSD.gYear)
    return None


def merge_entity(old: Entity, e: Entity) -> Entity:
    """``old`` (seen first) with what a later article adds: aliases, a Traditional label, country, parent."""
    aliases = tuple(dict.fromkeys(old.aliases + e.aliases))
    if (aliases == old.aliases and (old.label_hant or not e.label_hant) and (old.country or not e.country)
            and (old.parent or not e.parent)):
        return old
    return replace(old, aliases=aliases, label_hant=old.label_hant or e.label_hant,
                   country=old.country or e.country, parent=old.parent or e.parent)


def merge_entities(results: Iterable[ArticleResult]) -> dict[str, Entity]:
    """One entity per key across articles, with every alias and Traditional label seen."""
    out: dict[str, Entity] = {}
    for r in results:
        for e in r.entities:
            old = out.get(e.key)
            out[e.key] = e if old is None else merge_entity(old, e)
    return out


def bind_prefixes(g: Graph) -> None:
    for p, ns in PREFIXES.items():
        g.bind(p, ns, override=True)
    g.bind("prov", PROV._ns)
    g.bind("skos", SKOS._ns)
    g.bind("owl", OWL._ns)


class Triples(list):
    """A plain list of triples with ``Graph.add``'s signature, for building outside a graph."""

    add = list.append


def article_triples(r: ArticleResult, rates: Rates) -> Triples:
    """The article node and every fact of one article result (parties checked against its own entities)."""
    out = Triples()
    _add_article(out, r.article)
    entities = {e.key: e for e in r.entities}
    art = article_iri(r.article.id)
    for key in sorted(entities):  # every entity is derived from each article that names it
        out.add((iri_for(key), PROV.wasDerivedFrom, art))
    for f in r.facts:
        _add_fact(out, f, entities, rates)
    return out


def entity_triples(entities: dict[str, Entity], sectors: Iterable[str], gaz: Gazetteer) -> Triples:
    """The merged entities and the sectors in use, with their broader sectors.

    The links from an entity to the articles naming it come with each article (``article_triples``).
    """
    out = Triples()
    used = set(sectors) | {e.sector for e in entities.values() if e.sector}
    _add_sectors(out, gaz, used)
    for key in sorted(entities):
        _add_entity(out, entities[key], gaz)
    return out


# N-Triples of the predicates, by term object: they are namespace terms, made once and met in every
# article. An entry holds its term, so the id stays that term's; the table stops growing at 4096.
_TERM_N3: dict[int, tuple[Any, str]] = {}


def _term_n3(t: Any) -> str:
    hit = _TERM_N3.get(id(t))
    if hit is None:
        hit = (t, t.n3())
        if len(_TERM_N3) < 4096:
            _TERM_N3[id(t)] = hit
    return hit[1]


def ntriples(triples: Iterable[tuple[Any, Any, Any]]) -> bytes:
    """N-Triples of ``triples``, UTF-8: the rows of rdflib's own row writer, each term written once.

    Predicates are written once per process (``_term_n3``); subjects and objects once per call,
    by term object (a fact's node heads a dozen rows); the triples are held in a list for the call,
    so no term is freed and its id reused while ``seen`` knows it.

    >>> from rdflib.plugins.serializers.nt import _nt_row
    >>> x = iri_for("company/x")
    >>> t = [(x, RDFS.label, Literal('a "b"', lang="zh-Hans")), (x, RDF.type, KG.Company)]
    >>> ntriples(t) == "".join(map(_nt_row, t)).encode("utf-8")
    True
    """
    if not isinstance(triples, list):
        triples = list(triples)
    seen: dict[int, str] = {}
    rows: list[str] = []
    for s, p, o in triples:
        a = seen.get(id(s))
        if a is None:
            a = seen[id(s)] = s.n3()
        b = seen.get(id(o))
        if b is None:
            b = seen[id(o)] = _quoteLiteral(o) if isinstance(o, Literal) else o.n3()
        rows.append(f"{a} {_term_n3(p)} {b} .\n")
    return "".join(rows).encode("utf-8")


def sectors_of(r: ArticleResult) -> set[str]:
    return {sec for f in r.facts for sec in f.sectors}


def build_graph(results: list[ArticleResult], gaz: Gazetteer, rates: Rates | None = None,
                store: str = "default") -> Graph:
    """The knowledge graph of a set of article results.

    Every fact node is ``prov:wasDerivedFrom`` its article and carries a
    ``prov:qualifiedDerivation`` with the evidence sentence and its offsets.
    Its summary cubes (``kg.cube``) count the investments per host and country and per
    country and sector. ``store="Oxigraph"`` keeps the triples in Oxigraph (oxrdflib) instead of
    rdflib's memory store. ``kg.corpus`` builds big corpora the same way, one
    article at a time (``article_triples``), then the entities (``entity_triples``).
    """
    rates = rates or load_rates()
    if store.lower() == "oxigraph":
        try:
            import oxrdflib  # noqa: F401
        except ImportError as err:
            raise OntologyError("the Oxigraph store needs oxrdflib: pip install oxrdflib") from err
        g = Graph(store="Oxigraph")
    else:
        g = Graph()
    bind_prefixes(g)
    sectors: set[str] = set()
    for r in results:
        sectors |= sectors_of(r)
        for t in article_triples(r, rates):
            g.add(t)
    for t in entity_triples(merge_entities(results), sectors, gaz):
        g.add(t)
    from kg.cube import countries_of, cube_triples  # the cube reads the tables' records: a later stage
    from kg.tables import fact_records

    for t in cube_triples(fact_records(g)["investment"], countries_of(g)):
        g.add(t)
    return g


def _add_article(g: Graph, a: Article) -> None:
    s = article_iri(a.id)
    g.add((s, RDF.type, KG.Article))
    g.add((s, KG.fileName, Literal(Path(a.path).name)))
    if a.title:
        g.add((s, SCHEMA.name, Literal(a.title)))
    if a.publisher:
        g.add((s, SCHEMA.publisher, Literal(a.publisher)))
    lit = _date_literal(a.date)
    if lit is not None:
        g.add((s, SCHEMA.datePublished, lit))
    if a.script:
        g.add((s, KG.script, _plain_literal(a.script)))
    g.add((s, KG.encoding, _plain_literal(a.encoding)))


def _add_sectors(g: Graph, gaz: Gazetteer, keys: set[str]) -> None:
    closure, todo = set(), [k for k in keys if k in gaz.sectors]
    while todo:  # the sectors in use and every sector above them
        k = todo.pop()
        if k not in closure:
            closure.add(k)
            broader = gaz.sectors[k].broader
            if broader and broader in gaz.sectors:
                todo.append(broader)
    for k in sorted(closure):  # in a fixed order: big builds write the triples in the order they come
        sec = gaz.sectors[k]
        s = iri_for(f"sector/{k}")
        g.add((s, RDF.type, KG.Sector))
        g.add((s, RDF.type, SKOS.Concept))
        g.add((s, SKOS.inScheme, KG.SectorScheme))
        g.add((s, SKOS.prefLabel, Literal(sec.label_zh, lang="zh-Hans")))
        g.add((s, SKOS.prefLabel, Literal(sec.label_en, lang="en")))
        g.add((s, SKOS.notation, Literal(k)))
        for code in filter(None, sec.isic.split("|")):
            g.add((s, SKOS.notation, Literal(f"ISIC:{code}")))
        for code in filter(None, sec.gbt4754.split("|")):
            g.add((s, SKOS.notation, Literal(f"GB/T4754:{code}")))
        if sec.definition_en:
            g.add((s, SKOS.definition, Literal(sec.definition_en, lang="en")))
        if sec.definition_zh:
            g.add((s, SKOS.definition, Literal(sec.definition_zh, lang="zh-Hans")))
        if sec.broader and sec.broader in gaz.sectors:
            g.add((s, SKOS.broader, iri_for(f"sector/{sec.broader}")))


def _add_entity(g: Graph, e: Entity, gaz: Gazetteer) -> None:
    s = iri_for(e.key)
    cls = _TYPE_CLASS[e.type]
    if e.type is EntityType.AGREEMENT and e.kind == "platform":
        cls = KG.JointPlatform
    g.add((s, RDF.type, cls))
    g.add((s, RDFS.label, Literal(e.label_zh, lang="zh-Hans")))
    g.add((s, SKOS.prefLabel, Literal(e.label_zh, lang="zh-Hans")))
    if e.label_hant and e.label_hant != e.label_zh:
        g.add((s, SKOS.altLabel, Literal(e.label_hant, lang="zh-Hant")))
    if e.label_en:
        g.add((s, RDFS.label, Literal(e.label_en, lang="en")))
        g.add((s, SKOS.prefLabel, Literal(e.label_en, lang="en")))
    for a in e.aliases:
        if a and a != e.label_zh:
            lang = "en" if a.isascii() else "zh-Hans"
            g.add((s, SKOS.altLabel, Literal(a, lang=lang)))
    g.add((s, KG.recognisedBy, {Source.GAZETTEER: KG.Gazetteer, Source.PATTERN: KG.Pattern}.get(e.source, KG.Curation)))
    if e.wikidata and re.fullmatch(r"Q\d+", e.wikidata):
        g.add((s, OWL.sameAs, WD[e.wikidata]))
    if e.type is EntityType.COUNTRY:
        g.add((s, KG.isoCode, Literal(e.country)))
    elif e.country and f"country/{e.country}" in gaz.entities:
        g.add((s, KG.country, iri_for(f"country/{e.country}")))
    if e.type is EntityType.PARK:
        kind = e.kind if e.kind in PARK_KIND_TERMS else "other"
        g.add((s, KG.parkKind, kind_term(kind)))
        if e.parent:
            g.add((s, SCHEMA.containedInPlace, iri_for(e.parent)))
        if e.city:
            g.add((s, KG.city, Literal(e.city)))
        if e.province:
            g.add((s, KG.province, Literal(e.province)))
    if e.type is EntityType.INSTITUTION and e.kind in INSTITUTION_KIND_TERMS:
        g.add((s, KG.institutionKind, kind_term(e.kind)))
    if e.type is EntityType.COMPANY:
        if e.parent:
            g.add((s, ORG.subOrganizationOf, iri_for(e.parent)))
        if e.sector and e.sector in gaz.sectors:
            g.add((s, KG.sector, iri_for(f"sector/{e.sector}")))
    if e.evidence is not None and e.source is not Source.GAZETTEER:
        _add_derivation(g, s, e.evidence)


def _add_derivation(g: Graph, node: URIRef, ev: Evidence) -> None:
    """``node`` prov:qualifiedDerivation [ prov:entity article ; kg:quote … ; kg:startOffset … ; kg:endOffset … ]."""
    art = article_iri(ev.article_id)
    d = URIRef(str(node) + "#evidence")
    g.add((node, PROV.wasDerivedFrom, art))
    g.add((node, PROV.qualifiedDerivation, d))
    g.add((d, RDF.type, PROV.Derivation))
    g.add((d, PROV.entity, art))
    g.add((d, KG.quote, Literal(ev.quote)))
    g.add((d, KG.startOffset, _int_literal(ev.start)))
    g.add((d, KG.endOffset, _int_literal(ev.end)))


def _add_evidence(g: Graph, node: URIRef, f: Fact) -> None:
    _add_derivation(g, node, f.evidence)


def _add_amount(g: Graph, node: URIRef, f: Fact, rates: Rates) -> None:
    if f.amount is None:
        return
    a = URIRef(str(node) + "#amount")
    g.add((node, KG.amount, a))
    g.add((a, RDF.type, SCHEMA.MonetaryAmount))
    g.add((a, SCHEMA.value, decimal_literal(f.amount.value)))
    g.add((a, SCHEMA.currency, _plain_literal(f.amount.currency)))
    q = f.amount.qualifier if f.amount.qualifier in QUALIFIER_TERMS else "exact"
    g.add((a, KG.qualifier, kind_term(q)))
    usd = rates.to_usd(f.amount.value, f.amount.currency)
    if usd:
        g.add((a, KG.amountUSD, decimal_literal(usd)))
        g.add((a, KG.rateSource, _plain_literal(rates.source.get(f.amount.currency, ""))))


def _add_fact(g: Graph, f: Fact, entities: dict[str, Entity], rates: Rates) -> None:
    if any(p not in entities for p in f.parties):
        return  # a party that did not become an entity (filtered by curation)
    if f.kind in ("part_of", "subsidiary", "located_in"):
        a, b = (iri_for(p) for p in f.parties)
        pred = {"part_of": SCHEMA.containedInPlace, "subsidiary": ORG.subOrganizationOf,
                "located_in": SCHEMA.location}[f.kind]
        g.add((a, pred, b))
        return
    node = fact_iri(f)
    date = _date_literal(f.date)
    if f.kind in ("investment", "outbound"):
        g.add((node, RDF.type, KG.Investment))
        if f.kind == "outbound":
            g.add((node, RDF.type, KG.OutboundInvestment))
        g.add((node, KG.investor, iri_for(f.parties[0])))
        g.add((node, KG.host, iri_for(f.parties[1])))
        for sec in f.sectors:
            g.add((node, KG.sector, iri_for(f"sector/{sec}")))
        if f.status in STATUS_TERMS:
            g.add((node, KG.status, kind_term(f.status)))
        if f.activity:
            g.add((node, KG.activity, Literal(f.activity, lang="zh-Hans")))
        for k, v in f.extra:
            if k == "via" and v in entities:
                g.add((node, KG.via, iri_for(v)))
            elif k == "sector_terms":
                g.add((node, KG.sectorTerms, Literal(v, lang="zh-Hans")))
        m = re.match(r"projects=(\d+)", f.detail)
        if m:
            g.add((node, KG.projects, _int_literal(int(m.group(1)))))
        _add_amount(g, node, f, rates)
    elif f.kind == "cooperation":
        g.add((node, RDF.type, KG.Cooperation))
        for p in f.parties:
            g.add((node, KG.party, iri_for(p)))
        if f.detail in COOPERATION_KIND_TERMS:
            g.add((node, KG.cooperationKind, cooperation_kind(f.detail)))
        if f.agreement and f.agreement in entities:
            g.add((node, KG.agreement, iri_for(f.agreement)))
            for p in f.parties:
                if p != f.agreement:
                    g.add((iri_for(f.agreement), KG.party, iri_for(p)))
    elif f.kind == "statistic":
        g.add((node, RDF.type, KG.Statistic))
        g.add((node, KG.subject, iri_for(f.parties[0])))
        g.add((node, KG.statisticName, Literal(f.detail, lang="zh-Hans")))
        _add_amount(g, node, f, rates)
    else:
        return
    if date is not None:
        g.add((node, KG.date, date))
    _add_evidence(g, node, f)


__all__ = ["build_graph", "article_triples", "entity_triples", "ntriples", "Triples", "iri_for", "article_iri", "fact_iri", "load_rates", "merge_entities", "merge_entity", "Rates"]
