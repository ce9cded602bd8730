"""Names found by pattern that nobody has confirmed yet, with the sentences they come from."""

from __future__ import annotations

from pathlib import Path

from rdflib import RDF, SKOS, Literal, URIRef
from rdflib.namespace import PROV

from kg.namespaces import KG


def _one_line(quote: str) -> str:
    """A quote on one line: PDF line breaks inside it are dropped (they break words, not sentences)."""
    return "".join(part.strip() for part in quote.splitlines())


def review_items(graph_dir: str | Path, include_confirmed: bool = False) -> list[dict[str, object]]:
    """Entities recognised by pattern (and, with ``include_confirmed``, curated ones), with evidence.

    Each item: iri, type, label, country, evidence (list of "article: sentence").
    """
    from kg.query import load_graph

    g = load_graph(graph_dir)
    wanted = {KG.Pattern} | ({KG.Curation} if include_confirmed else set())
    quotes: dict[URIRef, list[str]] = {}
    for fact in set(g.subjects(PROV.qualifiedDerivation, None)):
        d = g.value(fact, PROV.qualifiedDerivation)
        art = g.value(d, PROV.entity)
        text = f"{g.value(art, KG.fileName)}: {_one_line(str(g.value(d, KG.quote)))}"
        for p in (KG.investor, KG.host, KG.party, KG.subject):
            for o in g.objects(fact, p):
                if isinstance(o, URIRef):
                    quotes.setdefault(o, []).append(text)
    items = []
    for method in wanted:
        for s in g.subjects(KG.recognisedBy, method):
            if not isinstance(s, URIRef):
                continue
            label = next((str(o) for o in g.objects(s, SKOS.prefLabel)
                          if isinstance(o, Literal) and (o.language or "").lower() == "zh-hans"), "")
            cls = next((str(o).rsplit("#", 1)[-1] for o in g.objects(s, RDF.type)), "")
            country = g.value(s, KG.country)
            code = str(g.value(country, KG.isoCode)) if country is not None else ""
            evid = sorted(set(quotes.get(s, [])))
            own = g.value(s, PROV.qualifiedDerivation)
            if own is not None:
                first = f"{g.value(g.value(own, PROV.entity), KG.fileName)}: {_one_line(str(g.value(own, KG.quote)))}"
                evid = [first] + [e for e in evid if e != first]
            if not evid:
                arts = sorted(str(g.value(a, KG.fileName)) for a in g.objects(s, PROV.wasDerivedFrom))
                evid = [f"{a}: (named in the article, no fact)" for a in arts]
            items.append({"iri": str(s), "type": cls, "label": label, "country": code, "evidence": evid})
    items.sort(key=lambda x: (str(x["type"]), str(x["label"])))
    return items
