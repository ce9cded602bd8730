"""Write a graph out: Turtle, JSON-LD, CSV tables (format registry), atomically.

>>> sorted(FORMATS)
['csv', 'html', 'json-ld', 'jsonld', 'nt', 'ttl', 'turtle']
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import PROV

from kg.errors import ExportError
from kg.namespaces import KG, ONTOLOGY_IRI, ORG, SCHEMA

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"

ENTITY_COLUMNS = ["iri", "type", "label_zh", "label_en", "country", "aliases", "label_zh_hant", "kind", "part_of",
                  "parent", "sector", "recognised_by", "wikidata", "articles"]
INVESTMENT_COLUMNS = ["investor_iri", "investor", "investor_country", "host_iri", "host", "sector", "amount",
                      "currency", "qualifier", "amount_usd", "date", "article", "evidence", "sector_en", "sector_terms", "status",
                      "activity", "start", "end", "iri"]
COOPERATION_COLUMNS = ["a_iri", "a", "b_iri", "b", "kind", "date", "article", "evidence", "agreement_iri",
                       "agreement", "start", "end", "iri"]
OUTBOUND_COLUMNS = ["from_iri", "from", "to_iri", "to", "to_country", "amount", "currency", "qualifier",
                    "amount_usd", "projects", "activity", "date", "article", "evidence", "iri"]
STATISTIC_COLUMNS = ["park_iri", "park", "statistic", "amount", "currency", "qualifier", "date", "article",
                     "evidence", "iri"]


def _safe(value: object) -> str:
    """A CSV cell that spreadsheets will not run as a formula."""
    s = "" if value is None else str(value)
    if s and s[0] in "=+-@\t\r":
        return "'" + s
    return s


def preferred_label(g: Graph, node: object, lang: str = "zh-Hans") -> str:
    """The preferred label in ``lang``, else any preferred label, else an ``rdfs:label``, else ``""``."""
    if node is None:
        return ""
    best = ""
    for o in g.objects(node, SKOS.prefLabel):  # type: ignore[arg-type]
        if isinstance(o, Literal) and (o.language or "").lower() == lang.lower():
            return str(o)
        best = best or str(o)
    if not best:
        for o in g.objects(node, RDFS.label):  # type: ignore[arg-type]
            if isinstance(o, Literal) and (o.language or "").lower() == lang.lower():
                return str(o)
            best = best or str(o)
    return best


_label = preferred_label


def _one(g: Graph, s: URIRef, p: URIRef) -> str:
    v = g.value(s, p)
    if isinstance(v, Literal) and v.datatype == XSD.decimal:
        return _plain_decimal(str(v))
    return "" if v is None else str(v)


def _plain_decimal(text: str) -> str:
    """'475000000.0' → '475000000' for tables."""
    return text[:-2] if text.endswith(".0") else text


def _local(iri: object) -> str:
    s = str(iri)
    return s.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _country_code(g: Graph, node: URIRef | None) -> str:
    if node is None:
        return ""
    return _one(g, node, KG.isoCode)


def _evidence(g: Graph, node: URIRef) -> tuple[str, str, str, str]:
    d = g.value(node, PROV.qualifiedDerivation)
    if d is None:
        return "", "", "", ""
    art = g.value(d, PROV.entity)
    name = _one(g, art, KG.fileName) if art is not None else ""
    quote = _one(g, d, KG.quote)
    display = "".join(line.strip() for line in quote.splitlines()) if "\n" in quote else quote
    return name, display, _one(g, d, KG.startOffset), _one(g, d, KG.endOffset)


def _sectors(g: Graph, node: URIRef) -> tuple[str, str]:
    secs = sorted(g.objects(node, KG.sector), key=str)
    zh = "|".join(_label(g, s, "zh-Hans") for s in secs)
    en = "|".join(_label(g, s, "en") for s in secs)
    return zh, en


def entity_rows(g: Graph) -> list[dict[str, str]]:
    rows = []
    types = {KG.Park: "Park", KG.Company: "Company", KG.Institution: "Institution", KG.Country: "Country",
             KG.Agreement: "Agreement", KG.JointPlatform: "Agreement"}
    for cls, name in types.items():
        for s in g.subjects(RDF.type, cls):
            assert isinstance(s, URIRef)
            alts = sorted({str(o) for o in g.objects(s, SKOS.altLabel)
                           if isinstance(o, Literal) and (o.language or "").lower() != "zh-hant"})
            hant = sorted({str(o) for o in g.objects(s, SKOS.altLabel)
                           if isinstance(o, Literal) and (o.language or "").lower() == "zh-hant"})
            country = g.value(s, KG.country)
            code = _country_code(g, country) if country is not None else _one(g, s, KG.isoCode)
            parent = g.value(s, SCHEMA.containedInPlace) or g.value(s, ORG.subOrganizationOf)
            kind = g.value(s, KG.parkKind) or g.value(s, KG.institutionKind)
            sector = g.value(s, KG.sector)
            same = g.value(s, URIRef("http://www.w3.org/2002/07/owl#sameAs"))
            rows.append({
                "iri": str(s), "type": name, "label_zh": _label(g, s, "zh-Hans"), "label_en": _label(g, s, "en")
                if any((o.language or "") == "en" for o in g.objects(s, SKOS.prefLabel) if isinstance(o, Literal)) else "",
                "country": code, "aliases": "|".join(alts), "label_zh_hant": "|".join(hant),
                "kind": _local(kind) if kind is not None else ("platform" if cls == KG.JointPlatform else ""),
                "part_of": str(g.value(s, SCHEMA.containedInPlace) or ""),
                "parent": str(parent) if parent is not None and (s, ORG.subOrganizationOf, parent) in g else "",
                "sector": _label(g, sector, "zh-Hans") if sector is not None else "",
                "recognised_by": _local(g.value(s, KG.recognisedBy) or ""),
                "wikidata": str(same) if same is not None else "",
                "articles": str(len(set(g.objects(s, PROV.wasDerivedFrom)))),
            })
    rows.sort(key=lambda r: (r["type"], r["iri"]))
    return rows


def investment_rows(g: Graph) -> list[dict[str, str]]:
    rows = []
    for s in g.subjects(RDF.type, KG.Investment):
        if (s, RDF.type, KG.OutboundInvestment) in g:
            continue
        assert isinstance(s, URIRef)
        inv, host = g.value(s, KG.investor), g.value(s, KG.host)
        amt = g.value(s, KG.amount)
        art, ev, start, end = _evidence(g, s)
        zh, en = _sectors(g, s)
        terms = _one(g, s, KG.sectorTerms)
        rows.append({
            "investor_iri": str(inv), "investor": _label(g, inv), "investor_country": _country_code(g, g.value(inv, KG.country)),
            "host_iri": str(host), "host": _label(g, host),
            "sector": f"{zh}（{terms}）" if terms and zh else (zh or terms), "sector_en": en, "sector_terms": terms,
            "amount": _one(g, amt, SCHEMA.value) if amt is not None else "",
            "currency": _one(g, amt, SCHEMA.currency) if amt is not None else "",
            "qualifier": _local(g.value(amt, KG.qualifier)) if amt is not None else "",
            "amount_usd": _one(g, amt, KG.amountUSD) if amt is not None else "",
            "date": _one(g, s, KG.date), "article": art, "evidence": ev, "status": _local(g.value(s, KG.status) or ""),
            "activity": _one(g, s, KG.activity), "start": start, "end": end, "iri": str(s),
        })
    rows.sort(key=lambda r: (r["article"], int(r["start"] or 0), r["investor"], r["host"], r["amount"], r["iri"]))
    return rows


def cooperation_rows(g: Graph) -> list[dict[str, str]]:
    rows = []
    for s in g.subjects(RDF.type, KG.Cooperation):
        assert isinstance(s, URIRef)
        parties = sorted(g.objects(s, KG.party), key=str)
        if len(parties) < 2:
            continue
        a, b = parties[0], parties[1]
        agr = g.value(s, KG.agreement)
        art, ev, start, end = _evidence(g, s)
        rows.append({
            "a_iri": str(a), "a": _label(g, a), "b_iri": str(b), "b": _label(g, b),
            "kind": _local(g.value(s, KG.cooperationKind) or "").removesuffix("Cooperation"),
            "date": _one(g, s, KG.date), "article": art, "evidence": ev,
            "agreement_iri": str(agr) if agr is not None else "", "agreement": _label(g, agr) if agr is not None else "",
            "start": start, "end": end, "iri": str(s),
        })
    rows.sort(key=lambda r: (r["article"], int(r["start"] or 0), r["kind"], r["a"], r["b"], r["iri"]))
    return rows


def outbound_rows(g: Graph) -> list[dict[str, str]]:
    rows = []
    for s in g.subjects(RDF.type, KG.OutboundInvestment):
        assert isinstance(s, URIRef)
        src, to = g.value(s, KG.investor), g.value(s, KG.host)
        amt = g.value(s, KG.amount)
        art, ev, _, _ = _evidence(g, s)
        to_country = _one(g, to, KG.isoCode) or _country_code(g, g.value(to, KG.country))
        rows.append({
            "from_iri": str(src), "from": _label(g, src), "to_iri": str(to), "to": _label(g, to), "to_country": to_country,
            "amount": _one(g, amt, SCHEMA.value) if amt is not None else "",
            "currency": _one(g, amt, SCHEMA.currency) if amt is not None else "",
            "qualifier": _local(g.value(amt, KG.qualifier)) if amt is not None else "",
            "amount_usd": _one(g, amt, KG.amountUSD) if amt is not None else "",
            "projects": _one(g, s, KG.projects), "activity": _one(g, s, KG.activity), "date": _one(g, s, KG.date),
            "article": art, "evidence": ev, "iri": str(s),
        })
    rows.sort(key=lambda r: (r["article"], r["from"], r["to"], r["iri"]))
    return rows


def statistic_rows(g: Graph) -> list[dict[str, str]]:
    rows = []
    for s in g.subjects(RDF.type, KG.Statistic):
        assert isinstance(s, URIRef)
        park = g.value(s, KG.subject)
        amt = g.value(s, KG.amount)
        art, ev, _, _ = _evidence(g, s)
        rows.append({
            "park_iri": str(park), "park": _label(g, park), "statistic": _one(g, s, KG.statisticName),
            "amount": _one(g, amt, SCHEMA.value) if amt is not None else "",
            "currency": _one(g, amt, SCHEMA.currency) if amt is not None else "",
            "qualifier": _local(g.value(amt, KG.qualifier)) if amt is not None else "",
            "date": _one(g, s, KG.date), "article": art, "evidence": ev, "iri": str(s),
        })
    rows.sort(key=lambda r: (r["article"], r["park"], r["statistic"], r["amount"], r["iri"]))
    return rows


def write_csv(rows: Iterable[dict[str, str]], columns: list[str]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow({k: _safe(r.get(k, "")) for k in columns})
    return buf.getvalue()


def context() -> dict[str, object]:
    """The inline JSON-LD context shipped in ``ontology/context.jsonld``."""
    path = ONTOLOGY_DIR / "context.jsonld"
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["@context"]  # type: ignore[no-any-return]


def to_turtle(g: Graph) -> str:
    return g.serialize(format="turtle")


def to_jsonld(g: Graph) -> str:
    """JSON-LD with the project's inline context, nodes sorted by @id so the output is stable."""
    raw = g.serialize(format="json-ld", context=context(), auto_compact=True)
    data = json.loads(raw)
    nodes = data.get("@graph", [data] if "@id" in data else [])
    nodes = sorted(nodes, key=lambda n: n.get("@id", ""))
    for n in nodes:
        for k, v in n.items():
            if isinstance(v, list):
                n[k] = sorted(v, key=lambda x: json.dumps(x, sort_keys=True, ensure_ascii=False))
    out = {"@context": context(), "@graph": nodes}
    return json.dumps(out, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _oxigraph_store(g: Graph):  # type: ignore[no-untyped-def]
    """The pyoxigraph Store behind an oxrdflib graph, or None for rdflib's own stores."""
    return getattr(g.store, "_store", None) if type(g.store).__name__ == "OxigraphStore" else None


def _dump_oxigraph(store, fmt: str, graph_name=None) -> str:  # type: ignore[no-untyped-def]
    """Serialise a big graph with Oxigraph itself (Turtle or JSON-LD), much faster than rdflib's writers."""
    import pyoxigraph as ox

    from kg.namespaces import PREFIXES

    prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
    prefixes.update({"prov": "http://www.w3.org/ns/prov#", "skos": "http://www.w3.org/2004/02/skos/core#",
                     "owl": "http://www.w3.org/2002/07/owl#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
                     "xsd": "http://www.w3.org/2001/XMLSchema#"})
    rdf_format = ox.RdfFormat.TURTLE if fmt == "turtle" else ox.RdfFormat.JSON_LD
    data = store.dump(format=rdf_format, from_graph=graph_name or ox.DefaultGraph(), prefixes=prefixes)
    return data.decode("utf-8") if isinstance(data, bytes) else str(data)


def _csv_bundle(g: Graph) -> dict[str, str]:
    return {
        "entities.csv": write_csv(entity_rows(g), ENTITY_COLUMNS),
        "investments.csv": write_csv(investment_rows(g), INVESTMENT_COLUMNS),
        "cooperations.csv": write_csv(cooperation_rows(g), COOPERATION_COLUMNS),
        "outbound.csv": write_csv(outbound_rows(g), OUTBOUND_COLUMNS),
        "statistics.csv": write_csv(statistic_rows(g), STATISTIC_COLUMNS),
    }


def _html(g: Graph) -> str:
    from kg.visualize import render_html

    return render_html(g)


FORMATS: dict[str, Callable[[Graph], str]] = {
    "turtle": to_turtle,
    "ttl": to_turtle,
    "json-ld": to_jsonld,
    "jsonld": to_jsonld,
    "nt": lambda g: g.serialize(format="nt"),
    "html": _html,
    "csv": lambda g: write_csv(investment_rows(g), INVESTMENT_COLUMNS),
}


def export(graph: Graph, format: str, dest: str | os.PathLike[str] | None = None) -> str:
    """Serialise ``graph`` in ``format``; return the text, or write it atomically to ``dest``.

    Raises
    ------
    ExportError
        For an unknown format (the valid ones are listed) or a destination that cannot be written.
    """
    func = FORMATS.get(format.lower())
    if func is None:
        raise ExportError(f"unknown export format {format!r}; valid formats: {', '.join(sorted(FORMATS))}")
    text = func(graph)
    if dest is not None:
        write_atomic(Path(dest), text)
    return text


def _file_mode(final: Path) -> int:
    """Permissions for a file about to replace ``final``: its current ones, else what ``open`` would give.

    ``mkstemp`` creates 0600 files; without this every export would become unreadable
    to the group and to a web server reading the build folder.
    """
    try:
        return final.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that readers see the old or the new content, never half of it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.chmod(tmp, _file_mode(path))
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as err:
        raise ExportError(f"cannot write {path}: {err.strerror or err}") from err


def write_exports(graph: Graph, out: Path, html: bool = True) -> list[Path]:
    """Every export of a build into ``out``; all files are rendered first, then each is swapped in atomically."""
    ox_store = _oxigraph_store(graph)
    if ox_store is not None:
        import pyoxigraph as ox
        from rdflib import BNode

        ident = graph.identifier
        name = ox.BlankNode(str(ident)) if isinstance(ident, BNode) else ox.NamedNode(str(ident))
        files = {"kg.ttl": _dump_oxigraph(ox_store, "turtle", name), "kg.jsonld": _dump_oxigraph(ox_store, "json-ld", name),
                 **_csv_bundle(graph)}
    else:
        files = {"kg.ttl": to_turtle(graph), "kg.jsonld": to_jsonld(graph), **_csv_bundle(graph)}
    if html:
        files["graph.html"] = _html(graph)
    staged: list[tuple[Path, Path]] = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name in files:  # temp files left by a build that was killed
            for old in out.glob(f".{name}.*.tmp"):
                old.unlink(missing_ok=True)
        for name, text in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out)
            os.chmod(tmp, _file_mode(out / name))
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            staged.append((Path(tmp), out / name))
        for tmp, final in staged:
            os.replace(tmp, final)
    except OSError as err:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise ExportError(f"cannot write exports into {out}: {err.strerror or err}") from err
    return [final for _, final in staged]


__all__ = ["export", "write_exports", "write_atomic", "FORMATS", "entity_rows", "investment_rows", "cooperation_rows",
           "outbound_rows", "statistic_rows", "to_jsonld", "to_turtle", "ONTOLOGY_IRI"]
