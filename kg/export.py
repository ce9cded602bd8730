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
from typing import IO
from pathlib import Path

from rdflib import RDF, RDFS, SKOS, XSD, BNode, Graph, Literal, URIRef
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


def _plain_decimal(text: str) -> str:
    """'475000000.0' → '475000000' for tables."""
    return text[:-2] if text.endswith(".0") else text


def _local(iri: object) -> str:
    s = str(iri)
    return s.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


# ---------------------------------------------------------------- tables, read with SPARQL from Oxigraph
# Rows come from SPARQL over a pyoxigraph store for every build (an in-memory copy for a small rdflib
# graph, the build's own on-disk store for a big one), so small and big builds share one implementation.

_SPARQL_PREFIXES = """PREFIX kg: <https://w3id.org/sino-foreign-kg/ontology#>
PREFIX schema: <https://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""


def as_store(graph: object):  # type: ignore[no-untyped-def]
    """A pyoxigraph Store with the triples of ``graph`` (a Store, an oxrdflib graph, or an rdflib graph)."""
    import pyoxigraph as ox

    if isinstance(graph, ox.Store):
        return graph
    inner = _oxigraph_store(graph) if isinstance(graph, Graph) else None
    if inner is not None:
        return inner
    if not isinstance(graph, Graph):
        raise ExportError(f"expected an rdflib Graph or a pyoxigraph Store, not {type(graph).__name__}")
    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def _query(store, query: str):  # type: ignore[no-untyped-def]
    # oxrdflib keeps a graph's triples in a named graph: read the union of all graphs
    return store.query(_SPARQL_PREFIXES + query, use_default_graph_as_union=True)


def _text(term: object) -> str:
    """Lexical form of a literal, the IRI of a node, '' for None; decimals as in tables ('475000000')."""
    if term is None:
        return ""
    value = str(getattr(term, "value", term))
    dt = getattr(term, "datatype", None)
    if dt is not None and getattr(dt, "value", "") == str(XSD.decimal):
        return _plain_decimal(value)
    return value


class _Labels:
    """Preferred and plain labels of every labelled node, read once."""

    def __init__(self, store) -> None:  # type: ignore[no-untyped-def]
        self.pref: dict[str, list[tuple[str, str]]] = {}
        self.plain: dict[str, list[tuple[str, str]]] = {}
        for sol in _query(store, "SELECT ?s ?p ?o WHERE { VALUES ?p { skos:prefLabel rdfs:label } ?s ?p ?o }"):
            o = sol["o"]
            table = self.pref if sol["p"].value.endswith("prefLabel") else self.plain
            table.setdefault(sol["s"].value, []).append(((getattr(o, "language", None) or "").lower(), str(o.value)))
        for table in (self.pref, self.plain):
            for values in table.values():
                values.sort()

    def __call__(self, node: str, lang: str = "zh-Hans") -> str:
        """As ``preferred_label``: in ``lang``, else any preferred label, else an rdfs:label."""
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


def _multi(store, query: str) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """``?s`` → its sorted ``?o`` values."""
    out: dict[str, list[str]] = {}
    for sol in _query(store, query):
        out.setdefault(sol["s"].value, []).append(_text(sol["o"]))
    for values in out.values():
        values.sort()
    return out


_EVIDENCE = """OPTIONAL { ?s prov:qualifiedDerivation ?d .
    OPTIONAL { ?d prov:entity/kg:fileName ?article } OPTIONAL { ?d kg:quote ?quote }
    OPTIONAL { ?d kg:startOffset ?start } OPTIONAL { ?d kg:endOffset ?end } }"""
_AMOUNT = """OPTIONAL { ?s kg:amount ?amt . OPTIONAL { ?amt schema:value ?amount } OPTIONAL { ?amt schema:currency ?currency }
    OPTIONAL { ?amt kg:qualifier ?qualifier } OPTIONAL { ?amt kg:amountUSD ?amount_usd } }"""


def _display(quote: str) -> str:
    return "".join(line.strip() for line in quote.splitlines()) if "\n" in quote else quote


def entity_rows(g: object) -> list[dict[str, str]]:
    store = as_store(g)
    label = _Labels(store)
    types = {"Park": "Park", "Company": "Company", "Institution": "Institution", "Country": "Country",
             "Agreement": "Agreement", "JointPlatform": "Agreement"}
    classes = " ".join(f"kg:{c}" for c in types)
    base = _select(store, f"""SELECT ?s ?cls ?country_code ?own_code ?part_of ?org_parent ?park_kind ?inst_kind ?sector
        ?recognised_by ?wikidata WHERE {{ VALUES ?cls {{ {classes} }} ?s a ?cls .
        OPTIONAL {{ ?s kg:country/kg:isoCode ?country_code }} OPTIONAL {{ ?s kg:isoCode ?own_code }}
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
            "label_en": label(s, "en") if label.has(s, "en") else "",
            "country": b["country_code"] or b["own_code"],
            "aliases": "|".join(sorted({t for tag, t in alts.get(s, []) if tag != "zh-hant"})),
            "label_zh_hant": "|".join(sorted({t for tag, t in alts.get(s, []) if tag == "zh-hant"})),
            "kind": _local(kind) if kind else ("platform" if cls == "JointPlatform" else ""),
            "part_of": b["part_of"], "parent": b["org_parent"] if not b["part_of"] else "",
            "sector": label(b["sector"], "zh-Hans"), "recognised_by": _local(b["recognised_by"]),
            "wikidata": b["wikidata"], "articles": str(counts.get(s, 0)),
        })
    rows.sort(key=lambda r: (r["type"], r["iri"]))
    return rows


def investment_rows(g: object) -> list[dict[str, str]]:
    store = as_store(g)
    label = _Labels(store)
    sectors = _multi(store, "SELECT ?s ?o WHERE { ?s a kg:Investment ; kg:sector ?o }")
    facts = _select(store, f"""SELECT ?s ?investor ?host ?investor_country ?amount ?currency ?qualifier ?amount_usd
        ?date ?status ?activity ?terms ?article ?quote ?start ?end WHERE {{
        ?s a kg:Investment . FILTER NOT EXISTS {{ ?s a kg:OutboundInvestment }}
        OPTIONAL {{ ?s kg:investor ?investor OPTIONAL {{ ?investor kg:country/kg:isoCode ?investor_country }} }}
        OPTIONAL {{ ?s kg:host ?host }} OPTIONAL {{ ?s kg:date ?date }} OPTIONAL {{ ?s kg:status ?status }}
        OPTIONAL {{ ?s kg:activity ?activity }} OPTIONAL {{ ?s kg:sectorTerms ?terms }} {_AMOUNT} {_EVIDENCE} }}""")
    rows = []
    for s, f in facts.items():
        secs = sectors.get(s, [])
        zh = "|".join(label(x, "zh-Hans") for x in secs)
        en = "|".join(label(x, "en") for x in secs)
        terms = f["terms"]
        rows.append({
            "investor_iri": f["investor"], "investor": label(f["investor"]), "investor_country": f["investor_country"],
            "host_iri": f["host"], "host": label(f["host"]),
            "sector": f"{zh}（{terms}）" if terms and zh else (zh or terms), "sector_en": en, "sector_terms": terms,
            "amount": f["amount"], "currency": f["currency"], "qualifier": _local(f["qualifier"]) if f["qualifier"] else "",
            "amount_usd": f["amount_usd"], "date": f["date"], "article": f["article"], "evidence": _display(f["quote"]),
            "status": _local(f["status"]) if f["status"] else "", "activity": f["activity"], "start": f["start"],
            "end": f["end"], "iri": s,
        })
    rows.sort(key=lambda r: (r["article"], int(r["start"] or 0), r["investor"], r["host"], r["amount"], r["iri"]))
    return rows


def cooperation_rows(g: object) -> list[dict[str, str]]:
    store = as_store(g)
    label = _Labels(store)
    parties = _multi(store, "SELECT ?s ?o WHERE { ?s a kg:Cooperation ; kg:party ?o }")
    facts = _select(store, f"""SELECT ?s ?kind ?date ?agreement ?article ?quote ?start ?end WHERE {{
        ?s a kg:Cooperation . OPTIONAL {{ ?s kg:cooperationKind ?kind }} OPTIONAL {{ ?s kg:date ?date }}
        OPTIONAL {{ ?s kg:agreement ?agreement }} {_EVIDENCE} }}""")
    rows = []
    for s, f in facts.items():
        ps = sorted(set(parties.get(s, [])))
        if len(ps) < 2:
            continue
        a, b = ps[0], ps[1]
        rows.append({
            "a_iri": a, "a": label(a), "b_iri": b, "b": label(b),
            "kind": _local(f["kind"]).removesuffix("Cooperation") if f["kind"] else "",
            "date": f["date"], "article": f["article"], "evidence": _display(f["quote"]),
            "agreement_iri": f["agreement"], "agreement": label(f["agreement"]),
            "start": f["start"], "end": f["end"], "iri": s,
        })
    rows.sort(key=lambda r: (r["article"], int(r["start"] or 0), r["kind"], r["a"], r["b"], r["iri"]))
    return rows


def outbound_rows(g: object) -> list[dict[str, str]]:
    store = as_store(g)
    label = _Labels(store)
    facts = _select(store, f"""SELECT ?s ?from ?to ?to_code ?to_country ?amount ?currency ?qualifier ?amount_usd
        ?projects ?activity ?date ?article ?quote WHERE {{ ?s a kg:OutboundInvestment .
        OPTIONAL {{ ?s kg:investor ?from }}
        OPTIONAL {{ ?s kg:host ?to OPTIONAL {{ ?to kg:isoCode ?to_code }} OPTIONAL {{ ?to kg:country/kg:isoCode ?to_country }} }}
        OPTIONAL {{ ?s kg:projects ?projects }} OPTIONAL {{ ?s kg:activity ?activity }} OPTIONAL {{ ?s kg:date ?date }}
        {_AMOUNT} {_EVIDENCE} }}""")
    rows = []
    for s, f in facts.items():
        rows.append({
            "from_iri": f["from"], "from": label(f["from"]), "to_iri": f["to"], "to": label(f["to"]),
            "to_country": f["to_code"] or f["to_country"], "amount": f["amount"], "currency": f["currency"],
            "qualifier": _local(f["qualifier"]) if f["qualifier"] else "", "amount_usd": f["amount_usd"],
            "projects": f["projects"], "activity": f["activity"], "date": f["date"], "article": f["article"],
            "evidence": _display(f["quote"]), "iri": s,
        })
    rows.sort(key=lambda r: (r["article"], r["from"], r["to"], r["iri"]))
    return rows


def statistic_rows(g: object) -> list[dict[str, str]]:
    store = as_store(g)
    label = _Labels(store)
    facts = _select(store, f"""SELECT ?s ?park ?statistic ?amount ?currency ?qualifier ?date ?article ?quote WHERE {{
        ?s a kg:Statistic . OPTIONAL {{ ?s kg:subject ?park }} OPTIONAL {{ ?s kg:statisticName ?statistic }}
        OPTIONAL {{ ?s kg:date ?date }} {_AMOUNT} {_EVIDENCE} }}""")
    rows = []
    for s, f in facts.items():
        rows.append({
            "park_iri": f["park"], "park": label(f["park"]), "statistic": f["statistic"], "amount": f["amount"],
            "currency": f["currency"], "qualifier": _local(f["qualifier"]) if f["qualifier"] else "",
            "date": f["date"], "article": f["article"], "evidence": _display(f["quote"]), "iri": s,
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


def _text_writer(text: str) -> Callable[[IO[bytes]], None]:
    return lambda f: f.write(text.encode("utf-8"))


def _csv_writer(rows: Callable[[], list[dict[str, str]]], columns: list[str]) -> Callable[[IO[bytes]], None]:
    def write(f: IO[bytes]) -> None:
        text = io.TextIOWrapper(f, encoding="utf-8", newline="", write_through=True)
        w = csv.DictWriter(text, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        for r in rows():
            w.writerow({k: _safe(r.get(k, "")) for k in columns})
        text.flush()
        text.detach()

    return write


def turtle_prefixes() -> dict[str, str]:
    """The prefixes Oxigraph's Turtle writer uses for our files."""
    from kg.namespaces import PREFIXES

    prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
    prefixes.update({"prov": "http://www.w3.org/ns/prov#", "skos": "http://www.w3.org/2004/02/skos/core#",
                     "owl": "http://www.w3.org/2002/07/owl#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
                     "xsd": "http://www.w3.org/2001/XMLSchema#"})
    return prefixes


class StreamedRDF:
    """kg.ttl and kg.jsonld written batch by batch as the triples stream in (Oxigraph's writers on each batch).

    Reading a big on-disk store back to serialise it is several times slower than
    writing each batch while it is in memory. A subject may appear in several
    batches: Turtle and JSON-LD both allow that, and readers merge them.
    """

    def __init__(self, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        self.paths: dict[str, Path] = {}
        self.files: dict[str, IO[bytes]] = {}
        for name in ("kg.ttl", "kg.jsonld"):
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out)
            os.chmod(tmp, _file_mode(out / name))
            self.paths[name], self.files[name] = Path(tmp), os.fdopen(fd, "wb")
        self.first = True

    def add(self, data: bytes) -> None:
        import pyoxigraph as ox

        triples = list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
        if not triples:
            return
        ttl = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=turtle_prefixes())
        if not self.first:
            ttl = b"\n".join(line for line in ttl.split(b"\n") if not line.startswith(b"@prefix "))
        self.files["kg.ttl"].write(ttl)
        body = ox.serialize(triples, format=ox.RdfFormat.JSON_LD).strip()
        if body.startswith(b"[") and body.endswith(b"]") and len(body) > 2:
            self.files["kg.jsonld"].write((b"[" if self.first else b",\n") + body[1:-1])
        self.first = False

    def close(self) -> dict[str, Path]:
        if self.first:
            self.files["kg.jsonld"].write(b"[")
        self.files["kg.jsonld"].write(b"]\n")
        for f in self.files.values():
            f.flush()
            os.fsync(f.fileno())
            f.close()
        return self.paths

    def discard(self) -> None:
        for name, f in self.files.items():
            f.close()
            self.paths[name].unlink(missing_ok=True)


def _dump_writer(store, fmt: str) -> Callable[[IO[bytes]], None]:  # type: ignore[no-untyped-def]
    def write(f: IO[bytes]) -> None:
        import pyoxigraph as ox

        rdf_format = ox.RdfFormat.TURTLE if fmt == "turtle" else ox.RdfFormat.JSON_LD
        store.dump(f, format=rdf_format, from_graph=ox.DefaultGraph(), prefixes=turtle_prefixes())

    return write


def _writers(graph: object, html: bool) -> dict[str, Callable[[IO[bytes]], None]]:
    """How each export file is written. A big build's Oxigraph store is streamed straight into the files."""
    import pyoxigraph as ox

    files: dict[str, Callable[[IO[bytes]], None]]
    if isinstance(graph, ox.Store):
        store = graph
        files = {"kg.ttl": _dump_writer(store, "turtle"), "kg.jsonld": _dump_writer(store, "json-ld")}
    else:
        assert isinstance(graph, Graph)
        inner = _oxigraph_store(graph)
        if inner is not None:
            ident = graph.identifier
            name = ox.BlankNode(str(ident)) if isinstance(ident, BNode) else ox.NamedNode(str(ident))
            files = {"kg.ttl": _text_writer(_dump_oxigraph(inner, "turtle", name)),
                     "kg.jsonld": _text_writer(_dump_oxigraph(inner, "json-ld", name))}
        else:
            files = {"kg.ttl": _text_writer(to_turtle(graph)), "kg.jsonld": _text_writer(to_jsonld(graph))}
        store = as_store(graph)
    files.update({
        "entities.csv": _csv_writer(lambda: entity_rows(store), ENTITY_COLUMNS),
        "investments.csv": _csv_writer(lambda: investment_rows(store), INVESTMENT_COLUMNS),
        "cooperations.csv": _csv_writer(lambda: cooperation_rows(store), COOPERATION_COLUMNS),
        "outbound.csv": _csv_writer(lambda: outbound_rows(store), OUTBOUND_COLUMNS),
        "statistics.csv": _csv_writer(lambda: statistic_rows(store), STATISTIC_COLUMNS),
    })
    if html:
        if isinstance(graph, ox.Store):
            from kg.visualize import render_store_html

            files["graph.html"] = lambda f: f.write(render_store_html(graph).encode("utf-8"))
        else:
            files["graph.html"] = lambda f: f.write(_html(graph).encode("utf-8"))  # type: ignore[arg-type]
    return files


def write_exports(graph: object, out: Path, html: bool = True, ready: dict[str, Path] | None = None) -> list[Path]:
    """Every export of a build into ``out``: each file is written to a temporary name, then all are swapped in.

    ``graph`` is an rdflib graph, or the pyoxigraph Store of a big build (streamed into the files).
    ``ready`` maps export names to temporary files in ``out`` already written (``StreamedRDF``).
    """
    ready = ready or {}
    writers = {k: v for k, v in _writers(graph, html).items() if k not in ready}
    staged: list[tuple[Path, Path]] = [(tmp, out / name) for name, tmp in ready.items()]
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name in writers:  # temp files left by a build that was killed
            for old in out.glob(f".{name}.*.tmp"):
                old.unlink(missing_ok=True)
        for name, tmp in ready.items():
            for old in out.glob(f".{name}.*.tmp"):
                if old != tmp:
                    old.unlink(missing_ok=True)
        for name, write in writers.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out)
            staged.append((Path(tmp), out / name))
            os.chmod(tmp, _file_mode(out / name))
            with os.fdopen(fd, "wb") as f:
                write(f)
                f.flush()
                os.fsync(f.fileno())
        for tmp, final in staged:
            os.replace(tmp, final)
    except BaseException as err:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise ExportError(f"cannot write exports into {out}: {err.strerror or err}") from err
        raise
    return [final for _, final in staged]


__all__ = ["export", "write_exports", "write_atomic", "FORMATS", "entity_rows", "investment_rows", "cooperation_rows",
           "outbound_rows", "statistic_rows", "to_jsonld", "to_turtle", "ONTOLOGY_IRI"]
