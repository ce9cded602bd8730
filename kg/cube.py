"""Summary cubes of a build: inbound investments counted per host and country, and per country and sector.

A whole-graph aggregation re-joins every investment with its investor, the investor's
country, its host and its amount; on a graph of 400,000 investments that takes Oxigraph
tens of seconds. The build already holds every investment as a record (``kg.tables``),
so it counts them once, as W3C RDF Data Cube observations, and the saved questions
"how much has each country invested in each park" (``totals_by_country_park``), "which
countries are most present" (``parks_by_country``) and "in which sectors"
(``sectors_by_country``) read a few thousand observations instead. Each observation is
``prov:wasDerivedFrom`` the investments it counts, so its figures stay traceable to their
sentences; the ``*_from_facts`` queries compute the same figures from the investments.

>>> from kg.build import iri_for
>>> rec = dict.fromkeys(FIELDS["investment"], "")
>>> rec.update(iri=str(iri_for("investment/1")), investor_iri=str(iri_for("company/bosch")),
...            host_iri=str(iri_for("park/sip")), amount_usd="1000000", sectors=str(iri_for("sector/auto")))
>>> triples = cube_triples([tuple(rec.values())], {str(iri_for("company/bosch")): [str(iri_for("country/DE"))]})
>>> sorted(str(o) for s, p, o in triples if p == KG.totalAmountUSD)
['1000000.0']
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import PROV

from kg.build import Triples, decimal_literal, iri_for
from kg.namespaces import KG, QB, Cached
from kg.tables import FIELDS

RDF, XSD, PROV, QB = (Cached(ns) for ns in (RDF, XSD, PROV, QB))  # type: ignore[misc]  # terms made once

HOST_COUNTRY = iri_for("cube/host-country")
COUNTRY_SECTOR = iri_for("cube/country-sector")
_AT = {f: i for i, f in enumerate(FIELDS["investment"])}


def countries_of(graph: Any) -> dict[str, list[str]]:
    """Each node's home countries (``kg:country``), as IRIs.

    ``graph`` is an rdflib Graph, a pyoxigraph Store or triples not loaded yet (``entity_triples``).
    """
    import pyoxigraph as ox

    out: dict[str, list[str]] = {}
    if isinstance(graph, ox.Store):
        pairs: Iterable[tuple[str, str]] = ((q.subject.value, q.object.value)
                                            for q in graph.quads_for_pattern(None, ox.NamedNode(str(KG.country)), None))
    elif isinstance(graph, Graph):
        pairs = ((str(s), str(o)) for s, o in graph.subject_objects(KG.country))
    else:
        pairs = ((str(s), str(o)) for s, p, o in graph if p == KG.country)
    for s, o in pairs:
        out.setdefault(s, []).append(o)
    return {s: sorted(set(cs)) for s, cs in out.items()}


def _observation(dataset: URIRef, *dims: str) -> URIRef:
    h = hashlib.sha1("\n".join(dims).encode("utf-8")).hexdigest()[:16]
    return URIRef(f"{dataset}/{h}")


def _usd(text: str) -> Decimal | None:
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return None


def cube_triples(investments: Iterable[Sequence[str]], countries: Mapping[str, Sequence[str]]) -> Triples:
    """The observations of both cubes for ``investments`` (records of ``kg.tables.FIELDS["investment"]``).

    ``countries`` maps an investor's IRI to its countries' IRIs (``countries_of``); an
    investment whose investor has several countries is counted under each, as a join
    over ``kg:country`` would. Observations come out in a fixed order.
    """
    i_iri, i_inv, i_host, i_usd, i_sec = (_AT[f] for f in ("iri", "investor_iri", "host_iri", "amount_usd", "sectors"))
    by_host: dict[tuple[str, str], list[Sequence[str]]] = {}
    by_sector: dict[tuple[str, str], set[str]] = {}
    for r in investments:
        if not r[i_inv]:
            continue
        for c in countries.get(r[i_inv], ()):
            if r[i_host]:
                by_host.setdefault((r[i_host], c), []).append(r)
            for sec in filter(None, r[i_sec].split("|")):
                by_sector.setdefault((c, sec), set()).add(r[i_iri])
    out = Triples()
    iri: dict[str, URIRef] = {}  # each investment is linked from two or three observations: make its IRI once

    def node(text: str) -> URIRef:
        term = iri.get(text)
        if term is None:
            term = iri[text] = URIRef(text)
        return term

    if by_host:
        out.add((HOST_COUNTRY, RDF.type, QB.DataSet))
        out.add((HOST_COUNTRY, QB.structure, KG.HostCountryStructure))
    for (host, c), rows in sorted(by_host.items()):
        o = _observation(HOST_COUNTRY, host, c)
        priced = [usd for usd in (_usd(r[i_usd]) for r in rows) if usd is not None]
        out.add((o, RDF.type, QB.Observation))
        out.add((o, QB.dataSet, HOST_COUNTRY))
        out.add((o, KG.refHost, node(host)))
        out.add((o, KG.refCountry, node(c)))
        out.add((o, KG.investmentCount, Literal(len({r[i_iri] for r in rows}), datatype=XSD.integer)))
        out.add((o, KG.investorCount, Literal(len({r[i_inv] for r in rows}), datatype=XSD.integer)))
        out.add((o, KG.pricedInvestmentCount, Literal(len(priced), datatype=XSD.integer)))
        if priced:
            out.add((o, KG.totalAmountUSD, decimal_literal(str(sum(priced)))))
        for inv in sorted({r[i_iri] for r in rows}):
            out.add((o, PROV.wasDerivedFrom, node(inv)))
    if by_sector:
        out.add((COUNTRY_SECTOR, RDF.type, QB.DataSet))
        out.add((COUNTRY_SECTOR, QB.structure, KG.CountrySectorStructure))
    for (c, sec), invs in sorted(by_sector.items()):
        o = _observation(COUNTRY_SECTOR, c, sec)
        out.add((o, RDF.type, QB.Observation))
        out.add((o, QB.dataSet, COUNTRY_SECTOR))
        out.add((o, KG.refCountry, node(c)))
        out.add((o, KG.refSector, node(sec)))
        out.add((o, KG.investmentCount, Literal(len(invs), datatype=XSD.integer)))
        for inv in sorted(invs):
            out.add((o, PROV.wasDerivedFrom, node(inv)))
    return out


__all__ = ["cube_triples", "countries_of", "HOST_COUNTRY", "COUNTRY_SECTOR"]
