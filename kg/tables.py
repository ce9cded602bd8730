"""The CSV tables of a graph: one row per entity, investment, cooperation, outbound investment and statistic.

Fact rows are made in two steps, so that a big build can make them while it streams:
``fact_records`` reads the facts out of a set of triples (one article's in a build
worker, or a whole graph's) with their parties as IRIs; ``finish`` adds what only the
whole graph knows — the parties' labels and countries, the sectors' labels — and sorts.
Entity rows are read with SPARQL (there are few entities, even in a big graph).

>>> from kg.build import iri_for
>>> recs = fact_records([(iri_for("statistic/1"), RDF.type, KG.Statistic),
...                      (iri_for("statistic/1"), KG.statisticName, Literal("进出口总额", lang="zh-Hans"))])
>>> dict(zip(FIELDS["statistic"], recs["statistic"][0]))["statistic"]
'进出口总额'
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import PROV

from kg.errors import ExportError
from kg.namespaces import KG, ORG, SCHEMA

ENTITY_COLUMNS = ["iri", "type", "label_zh", "label_en", "country", "aliases", "label_zh_hant", "kind", "part_of",
                  "parent", "sector", "recognised_by", "wikidata", "articles"]
INVESTMENT_COLUMNS = ["investor_iri", "investor", "investor_country", "host_iri", "host", "sector", "amount",
                      "currency", "qualifier", "amount_usd", "date", "article", "evidence", "sector_en", "sector_terms",
                      "status", "activity", "start", "end", "iri"]
COOPERATION_COLUMNS = ["a_iri", "a", "b_iri", "b", "kind", "date", "article", "evidence", "agreement_iri",
                       "agreement", "start", "end", "iri"]
OUTBOUND_COLUMNS = ["from_iri", "from", "to_iri", "to", "to_country", "amount", "currency", "qualifier",
                    "amount_usd", "projects", "activity", "date", "article", "evidence", "iri"]
STATISTIC_COLUMNS = ["park_iri", "park", "statistic", "amount", "currency", "qualifier", "date", "article",
                     "evidence", "iri"]
TABLES = ("investment", "cooperation", "outbound", "statistic")
_EVIDENCE_FIELDS = ("article", "evidence", "start", "end")
_AMOUNT_FIELDS = ("amount", "currency", "qualifier", "amount_usd")
# A record is a tuple of these fields (tuples pickle small and fast on their way out of the workers).
FIELDS = {
    "investment": ("iri", "investor_iri", "host_iri", "date", "activity", *_AMOUNT_FIELDS, *_EVIDENCE_FIELDS,
                   "sectors", "sector_terms", "status"),
    "outbound": ("iri", "investor_iri", "host_iri", "date", "activity", *_AMOUNT_FIELDS, *_EVIDENCE_FIELDS,
                 "projects"),
    "cooperation": ("iri", "a_iri", "b_iri", "date", "kind", "agreement_iri", *_EVIDENCE_FIELDS, "parties"),
    "statistic": ("iri", "park_iri", "statistic", "date", *_AMOUNT_FIELDS, *_EVIDENCE_FIELDS),
}

_SPARQL_PREFIXES = """PREFIX kg: <https://w3id.org/sino-foreign-kg/ontology#>
PREFIX schema: <https://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""
_DECIMAL = str(XSD.decimal)
_TYPE = str(RDF.type)


def _plain_decimal(text: str) -> str:
    """'475000000.0' → '475000000' for tables."""
    return text[:-2] if text.endswith(".0") else text


def _local(iri: object) -> str:
    s = str(iri)
    return s.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _lexical(term: Any) -> str:
    """The IRI or lexical form of an rdflib term (a ``str``) or a pyoxigraph term (``.value``)."""
    return str(term) if isinstance(term, str) else str(term.value)


def _text(term: Any) -> str:
    """Lexical form of a literal, the IRI of a node, '' for None; decimals as in tables ('475000000')."""
    if term is None:
        return ""
    value = _lexical(term)
    dt = getattr(term, "datatype", None)
    if dt is not None and _lexical(dt) == _DECIMAL:
        return _plain_decimal(value)
    return value


def oxigraph_inside(g: Graph):  # type: ignore[no-untyped-def]
    """The pyoxigraph Store behind an oxrdflib graph, or None for rdflib's own stores."""
    return getattr(g.store, "_store", None) if type(g.store).__name__ == "OxigraphStore" else None


def as_store(graph: object):  # type: ignore[no-untyped-def]
    """A pyoxigraph Store with the triples of ``graph`` (a Store, an oxrdflib graph, or an rdflib graph)."""
    import pyoxigraph as ox

    if isinstance(graph, ox.Store):
        return graph
    if not isinstance(graph, Graph):
        raise ExportError(f"expected an rdflib Graph or a pyoxigraph Store, not {type(graph).__name__}")
    inner = oxigraph_inside(graph)
    if inner is not None:
        return inner
    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def _query(store, query: str):  # type: ignore[no-untyped-def]
    # oxrdflib keeps a graph's triples in a named graph: read the union of all graphs
    return store.query(_SPARQL_PREFIXES + query, use_default_graph_as_union=True)


# ---------------------------------------------------------------- step 1: facts out of triples

class _Index:
    """Triples by subject and predicate, as text (what the tables show), read once."""

    def __init__(self, triples: Iterable[tuple[Any, Any, Any]]) -> None:
        self.by: dict[str, dict[str, list[str]]] = {}
        self.types: dict[str, list[str]] = {}
        by, types = self.by, self.types
        for s, p, o in triples:  # _lexical and _text inlined for rdflib's IRIs: this loop sees every triple
            s_text = str(s) if isinstance(s, str) else str(s.value)
            p_text = str(p) if isinstance(p, str) else str(p.value)
            o_text = str(o) if type(o) is URIRef else _text(o)
            row = by.get(s_text)
            if row is None:
                row = by[s_text] = {}
            values = row.get(p_text)
            if values is None:
                row[p_text] = [o_text]
            else:
                values.append(o_text)
            if p_text == _TYPE:
                types.setdefault(o_text, []).append(s_text)

    def all(self, s: str, p: object) -> list[str]:
        return sorted(self.by.get(s, {}).get(str(p), ()))

    def one(self, s: str, p: object) -> str:
        """The least value (the same one every time, whatever the order the triples came in)."""
        values = self.by.get(s, {}).get(str(p))
        return min(values) if values else ""

    def typed(self, cls: object) -> list[str]:
        return sorted(set(self.types.get(str(cls), ())))


def _evidence(idx: _Index, s: str) -> dict[str, str]:
    d = idx.one(s, PROV.qualifiedDerivation)
    if not d:
        return {"article": "", "evidence": "", "start": "", "end": ""}
    quote = idx.one(d, KG.quote)
    return {"article": idx.one(idx.one(d, PROV.entity), KG.fileName),
            "evidence": "".join(line.strip() for line in quote.splitlines()) if "\n" in quote else quote,
            "start": idx.one(d, KG.startOffset), "end": idx.one(d, KG.endOffset)}


def _amount(idx: _Index, s: str) -> dict[str, str]:
    amt = idx.one(s, KG.amount)
    qualifier = idx.one(amt, KG.qualifier) if amt else ""
    return {"amount": idx.one(amt, SCHEMA.value) if amt else "", "currency": idx.one(amt, SCHEMA.currency) if amt else "",
            "qualifier": _local(qualifier) if qualifier else "", "amount_usd": idx.one(amt, KG.amountUSD) if amt else ""}


def fact_records(triples: Iterable[tuple[Any, Any, Any]]) -> dict[str, list[tuple[str, ...]]]:
    """The investments, cooperations, outbound investments and statistics in ``triples``, parties as IRIs.

    Each record is a tuple of the table's ``FIELDS``.
    """
    idx = _Index(triples)
    out: dict[str, list[dict[str, str]]] = {t: [] for t in TABLES}
    outbound = set(idx.typed(KG.OutboundInvestment))
    for s in idx.typed(KG.Investment):
        status = idx.one(s, KG.status)
        rec = {"iri": s, "investor_iri": idx.one(s, KG.investor), "host_iri": idx.one(s, KG.host),
               "date": idx.one(s, KG.date), "activity": idx.one(s, KG.activity), **_amount(idx, s), **_evidence(idx, s)}
        if s in outbound:
            rec["projects"] = idx.one(s, KG.projects)
            out["outbound"].append(rec)
        else:
            rec.update({"sectors": "|".join(idx.all(s, KG.sector)), "sector_terms": idx.one(s, KG.sectorTerms),
                        "status": _local(status) if status else ""})
            out["investment"].append(rec)
    for s in idx.typed(KG.Cooperation):
        parties = sorted(set(idx.all(s, KG.party)))
        if len(parties) < 2:
            continue
        kind = idx.one(s, KG.cooperationKind)
        out["cooperation"].append({"iri": s, "a_iri": parties[0], "b_iri": parties[1], "parties": "|".join(parties),
                                   "date": idx.one(s, KG.date),
                                   "kind": _local(kind).removesuffix("Cooperation") if kind else "",
                                   "agreement_iri": idx.one(s, KG.agreement), **_evidence(idx, s)})
    for s in idx.typed(KG.Statistic):
        out["statistic"].append({"iri": s, "park_iri": idx.one(s, KG.subject), "statistic": idx.one(s, KG.statisticName),
                                 "date": idx.one(s, KG.date), **_amount(idx, s), **_evidence(idx, s)})
    return {t: [tuple(r[f] for f in FIELDS[t]) for r in rows] for t, rows in out.items()}


# ---------------------------------------------------------------- step 2: what only the whole graph knows

class EntityInfo:
    """Labels of every labelled node (entities, sectors) and the countries of entities, read once with SPARQL."""

    def __init__(self, graph: object) -> None:
        store = as_store(graph)
        self.pref: dict[str, list[tuple[str, str]]] = {}
        self.plain: dict[str, list[tuple[str, str]]] = {}
        for sol in _query(store, "SELECT ?s ?p ?o WHERE { VALUES ?p { skos:prefLabel rdfs:label } ?s ?p ?o }"):
            o = sol["o"]
            table = self.pref if sol["p"].value.endswith("prefLabel") else self.plain
            table.setdefault(sol["s"].value, []).append(((getattr(o, "language", None) or "").lower(), str(o.value)))
        for table in (self.pref, self.plain):
            for values in table.values():
                values.sort()
        self.country: dict[str, str] = {}
        for sol in _query(store, "SELECT ?s ?c WHERE { ?s kg:country/kg:isoCode ?c }"):
            self.country[sol["s"].value] = min(self.country.get(sol["s"].value) or sol["c"].value, sol["c"].value)
        self.iso: dict[str, str] = {}
        for sol in _query(store, "SELECT ?s ?c WHERE { ?s kg:isoCode ?c }"):
            self.iso[sol["s"].value] = min(self.iso.get(sol["s"].value) or sol["c"].value, sol["c"].value)

    def label(self, node: str, lang: str = "zh-Hans") -> str:
        """As ``kg.export.preferred_label``: in ``lang``, else any preferred label, else an rdfs:label."""
        if not node:
            return ""
        lang = lang.lower()
        for table in (self.pref, self.plain):
            values = table.get(node, [])
            for tag, text in values:
                if tag == lang:
                    return text
            if values:
                return values[0][1]
        return ""

    def has(self, node: str, lang: str) -> bool:
        return any(tag == lang.lower() for tag, _ in self.pref.get(node, []))


def _investment(r: dict[str, str], info: EntityInfo) -> dict[str, str]:
    secs = r["sectors"].split("|") if r["sectors"] else []
    zh = "|".join(info.label(x, "zh-Hans") for x in secs)
    en = "|".join(info.label(x, "en") for x in secs)
    terms = r["sector_terms"]
    return {**r, "investor": info.label(r["investor_iri"]), "investor_country": info.country.get(r["investor_iri"], ""),
            "host": info.label(r["host_iri"]), "sector": f"{zh}（{terms}）" if terms and zh else (zh or terms),
            "sector_en": en}


def _cooperation(r: dict[str, str], info: EntityInfo) -> dict[str, str]:
    return {**r, "a": info.label(r["a_iri"]), "b": info.label(r["b_iri"]), "agreement": info.label(r["agreement_iri"])}


def _outbound(r: dict[str, str], info: EntityInfo) -> dict[str, str]:
    to = r["host_iri"]
    return {**r, "from_iri": r["investor_iri"], "from": info.label(r["investor_iri"]), "to_iri": to,
            "to": info.label(to), "to_country": info.iso.get(to) or info.country.get(to, "")}


def _statistic(r: dict[str, str], info: EntityInfo) -> dict[str, str]:
    return {**r, "park": info.label(r["park_iri"])}


_MAKE = {"investment": _investment, "cooperation": _cooperation, "outbound": _outbound, "statistic": _statistic}
# Each table's order, read straight from a record: '#' an integer, '@' the label of an IRI.
_ORDER = {"investment": ("article", "#start", "@investor_iri", "@host_iri", "amount", "iri"),
          "cooperation": ("article", "#start", "kind", "@a_iri", "@b_iri", "iri"),
          "outbound": ("article", "@investor_iri", "@host_iri", "iri"),
          "statistic": ("article", "@park_iri", "statistic", "amount", "iri")}


def _order_key(table: str, info: EntityInfo) -> Any:
    at = {f: i for i, f in enumerate(FIELDS[table])}
    parts: list[Any] = []
    for name in _ORDER[table]:
        i = at[name.lstrip("#@")]
        if name.startswith("#"):
            parts.append(lambda r, i=i: int(r[i] or 0))
        elif name.startswith("@"):
            parts.append(lambda r, i=i: info.label(r[i]))
        else:
            parts.append(lambda r, i=i: r[i])
    return lambda r: tuple(part(r) for part in parts)


def finish(table: str, records: Iterable[tuple[str, ...]], info: EntityInfo) -> Iterator[dict[str, str]]:
    """Rows of ``table`` from its records, in the table's order (made one at a time, to keep memory low)."""
    make, fields = _MAKE[table], FIELDS[table]
    for r in sorted(records, key=_order_key(table, info)):
        yield make(dict(zip(fields, r)), info)


def _rows(g: object, table: str) -> list[dict[str, str]]:
    import pyoxigraph as ox

    if isinstance(g, ox.Store):
        triples: Iterable[Any] = (q.triple for q in g.quads_for_pattern(None, None, None))
    elif isinstance(g, Graph):
        triples = g.triples((None, None, None))
    else:
        raise ExportError(f"expected an rdflib Graph or a pyoxigraph Store, not {type(g).__name__}")
    return list(finish(table, fact_records(triples)[table], EntityInfo(g)))


def investment_rows(g: object) -> list[dict[str, str]]:
    return _rows(g, "investment")


def cooperation_rows(g: object) -> list[dict[str, str]]:
    return _rows(g, "cooperation")


def outbound_rows(g: object) -> list[dict[str, str]]:
    return _rows(g, "outbound")


def statistic_rows(g: object) -> list[dict[str, str]]:
    return _rows(g, "statistic")


# ---------------------------------------------------------------- entities, with SPARQL

def _select(store, query: str) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    """One dict per ``?s`` of the solutions, each variable's text (the least value when there are several)."""
    out: dict[str, dict[str, str]] = {}
    res = _query(store, query)
    names = [v.value for v in res.variables]
    for sol in res:
        row = {n: _text(sol[n]) for n in names}
        old = out.get(row["s"])
        if old is None:
            out[row["s"]] = row
        else:
            for n, v in row.items():
                if v and (not old[n] or v < old[n]):
                    old[n] = v
    return out


def entity_rows(g: object, info: EntityInfo | None = None) -> list[dict[str, str]]:
    store = as_store(g)
    info = info or EntityInfo(store)
    label = info.label
    types = {"Park": "Park", "Company": "Company", "Institution": "Institution", "Country": "Country",
             "Agreement": "Agreement", "JointPlatform": "Agreement"}
    classes = " ".join(f"kg:{c}" for c in types)
    base = _select(store, f"""SELECT ?s ?part_of ?org_parent ?park_kind ?inst_kind ?sector ?recognised_by ?wikidata
        WHERE {{ VALUES ?cls {{ {classes} }} ?s a ?cls .
        OPTIONAL {{ ?s schema:containedInPlace ?part_of }} OPTIONAL {{ ?s org:subOrganizationOf ?org_parent }}
        OPTIONAL {{ ?s kg:parkKind ?park_kind }} OPTIONAL {{ ?s kg:institutionKind ?inst_kind }}
        OPTIONAL {{ ?s kg:sector ?sector }} OPTIONAL {{ ?s kg:recognisedBy ?recognised_by }}
        OPTIONAL {{ ?s owl:sameAs ?wikidata }} }}""")
    alts: dict[str, list[tuple[str, str]]] = {}
    for sol in _query(store, f"SELECT ?s ?o WHERE {{ VALUES ?cls {{ {classes} }} ?s a ?cls ; skos:altLabel ?o }}"):
        alts.setdefault(sol["s"].value, []).append(((sol["o"].language or "").lower(), sol["o"].value))
    counts = {sol["s"].value: int(sol["n"].value) for sol in _query(
        store, f"SELECT ?s (COUNT(DISTINCT ?a) AS ?n) WHERE {{ VALUES ?cls {{ {classes} }} ?s a ?cls ; "
               "prov:wasDerivedFrom ?a } GROUP BY ?s")}
    rows = []
    for sol in _query(store, f"SELECT ?s ?cls WHERE {{ VALUES ?cls {{ {classes} }} ?s a ?cls }}"):
        s, cls = sol["s"].value, _local(sol["cls"].value)
        b = base[s]
        kind = b["park_kind"] or b["inst_kind"]
        rows.append({
            "iri": s, "type": types[cls], "label_zh": label(s, "zh-Hans"),
            "label_en": label(s, "en") if info.has(s, "en") else "",
            "country": info.country.get(s) or info.iso.get(s, ""),
            # every other name, in either script: a name looked up as the article wrote it (崑山) is found
            "aliases": "|".join(sorted({t for _tag, t in alts.get(s, [])})),
            "label_zh_hant": "|".join(sorted({t for tag, t in alts.get(s, []) if tag == "zh-hant"})),
            "kind": _local(kind) if kind else ("platform" if cls == "JointPlatform" else ""),
            "part_of": b["part_of"], "parent": b["org_parent"] if not b["part_of"] else "",
            "sector": label(b["sector"], "zh-Hans"), "recognised_by": _local(b["recognised_by"]),
            "wikidata": b["wikidata"], "articles": str(counts.get(s, 0)),
        })
    rows.sort(key=lambda r: (r["type"], r["iri"]))
    return rows


__all__ = ["ENTITY_COLUMNS", "INVESTMENT_COLUMNS", "COOPERATION_COLUMNS", "OUTBOUND_COLUMNS", "STATISTIC_COLUMNS",
           "TABLES", "FIELDS", "fact_records", "finish", "EntityInfo", "entity_rows", "investment_rows", "cooperation_rows",
           "outbound_rows", "statistic_rows", "as_store"]
