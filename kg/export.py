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
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from rdflib import RDF, RDFS, SKOS, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV

from kg.errors import ExportError
from kg.namespaces import KG, ONTOLOGY_IRI, ORG, SCHEMA
from kg.tables import (  # the tables live in kg.tables; their names stay importable here
    COOPERATION_COLUMNS,
    ENTITY_COLUMNS,
    INVESTMENT_COLUMNS,
    OUTBOUND_COLUMNS,
    STATISTIC_COLUMNS,
    EntityInfo,
    _local,
    as_store,
    cooperation_rows,
    entity_rows,
    fact_records,
    finish,
    investment_rows,
    outbound_rows,
    oxigraph_inside,
    statistic_rows,
)

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"

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


def _csv_writer(rows: Callable[[], Iterable[dict[str, str]]], columns: list[str]) -> Callable[[IO[bytes]], None]:
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


def rdf_parts(nt: bytes) -> tuple[bytes, bytes]:
    """The triples of ``nt`` as a Turtle body (no @prefix lines) and a JSON-LD body (node objects, no brackets).

    Workers make these for each article so that a big build can write kg.ttl and
    kg.jsonld by appending them (``StreamedRDF``) instead of reading the store back.
    """
    import pyoxigraph as ox

    triples = list(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES))
    if not triples:
        return b"", b""
    ttl = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=turtle_prefixes())
    start = 0
    while ttl.startswith(b"@prefix ", start):  # the header: StreamedRDF writes it once for the whole file
        start = ttl.index(b"\n", start) + 1
    ttl = ttl[start:].strip() + b"\n"
    body = ox.serialize(triples, format=ox.RdfFormat.JSON_LD).strip()
    return ttl, body[1:-1] if body.startswith(b"[") and body.endswith(b"]") else body


class StreamedRDF:
    """kg.ttl and kg.jsonld written piece by piece as a big build streams in (Oxigraph's writers on each piece).

    Reading a big on-disk store back to serialise it is several times slower than
    appending what the workers serialised. A subject may appear in several pieces:
    Turtle and JSON-LD both allow that, and readers merge them.
    """

    def __init__(self, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        self.paths: dict[str, Path] = {}
        self.files: dict[str, IO[bytes]] = {}
        for name in ("kg.ttl", "kg.jsonld"):
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out)
            os.chmod(tmp, _file_mode(out / name))
            self.paths[name], self.files[name] = Path(tmp), os.fdopen(fd, "wb")
        header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(turtle_prefixes().items()))
        self.files["kg.ttl"].write(header.encode("utf-8") + b"\n")
        self.files["kg.jsonld"].write(b"[")
        self.first = True

    def add(self, turtle: bytes, jsonld: bytes) -> None:
        """Append one piece made by ``rdf_parts``."""
        if turtle:
            self.files["kg.ttl"].write(turtle + b"\n")
        if jsonld:
            self.files["kg.jsonld"].write(jsonld if self.first else b",\n" + jsonld)
            self.first = False

    def close(self) -> dict[str, Path]:
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


def _dump_writer(store, fmt: str, graph_name=None) -> Callable[[IO[bytes]], None]:  # type: ignore[no-untyped-def]
    """Oxigraph writes the graph (Turtle or JSON-LD) itself, much faster than rdflib's writers."""

    def write(f: IO[bytes]) -> None:
        import pyoxigraph as ox

        rdf_format = ox.RdfFormat.TURTLE if fmt == "turtle" else ox.RdfFormat.JSON_LD
        store.dump(f, format=rdf_format, from_graph=graph_name or ox.DefaultGraph(), prefixes=turtle_prefixes())

    return write


def _writers(graph: object, html: bool, records: dict[str, list[tuple[str, ...]]] | None
             ) -> dict[str, Callable[[IO[bytes]], None]]:
    """How each export file is written. A big build's Oxigraph store is streamed straight into the files."""
    import pyoxigraph as ox

    files: dict[str, Callable[[IO[bytes]], None]]
    if isinstance(graph, ox.Store):
        store = graph
        files = {"kg.ttl": _dump_writer(store, "turtle"), "kg.jsonld": _dump_writer(store, "json-ld")}
    else:
        assert isinstance(graph, Graph)
        inner = oxigraph_inside(graph)
        if inner is not None:
            ident = graph.identifier
            name = ox.BlankNode(str(ident)) if isinstance(ident, BNode) else ox.NamedNode(str(ident))
            files = {"kg.ttl": _dump_writer(inner, "turtle", name), "kg.jsonld": _dump_writer(inner, "json-ld", name)}
        else:
            files = {"kg.ttl": _text_writer(to_turtle(graph)), "kg.jsonld": _text_writer(to_jsonld(graph))}
        store = as_store(graph)
    csv_files = {"investments.csv": ("investment", INVESTMENT_COLUMNS),
                 "cooperations.csv": ("cooperation", COOPERATION_COLUMNS),
                 "outbound.csv": ("outbound", OUTBOUND_COLUMNS), "statistics.csv": ("statistic", STATISTIC_COLUMNS)}
    state: dict[str, Any] = {}

    def info() -> EntityInfo:
        if "info" not in state:
            state["info"] = EntityInfo(store)
        return state["info"]  # type: ignore[no-any-return]

    def recs() -> dict[str, list[tuple[str, ...]]]:
        if records is not None:
            return records
        if "records" not in state:
            triples = graph.triples((None, None, None)) if isinstance(graph, Graph) else (
                q.triple for q in store.quads_for_pattern(None, None, None))
            state["records"] = fact_records(triples)
        return state["records"]  # type: ignore[no-any-return]

    files["entities.csv"] = _csv_writer(lambda: entity_rows(store, info()), ENTITY_COLUMNS)
    for name, (table, columns) in csv_files.items():
        files[name] = _csv_writer(lambda t=table: finish(t, recs()[t], info()), columns)
    if html:
        if isinstance(graph, ox.Store):
            from kg.visualize import render_store_html

            files["graph.html"] = lambda f: f.write(render_store_html(graph, records=recs()).encode("utf-8"))
        else:
            files["graph.html"] = lambda f: f.write(_html(graph).encode("utf-8"))  # type: ignore[arg-type]
    return files


def write_exports(graph: object, out: Path, html: bool = True, ready: dict[str, Path] | None = None,
                  records: dict[str, list[tuple[str, ...]]] | None = None,
                  timings: dict[str, float] | None = None) -> list[Path]:
    """Every export of a build into ``out``: each file is written to a temporary name, then all are swapped in.

    ``graph`` is an rdflib graph, or the pyoxigraph Store of a big build (streamed into the files).
    ``ready`` maps export names to temporary files in ``out`` already written (``StreamedRDF``);
    ``records`` are the fact records of the build (``kg.tables.fact_records``), when it made them as it went;
    ``timings``, when given, gets the seconds each file took.
    """
    ready = ready or {}
    writers = {k: v for k, v in _writers(graph, html, records).items() if k not in ready}
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
            started = time.perf_counter()
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out)
            staged.append((Path(tmp), out / name))
            os.chmod(tmp, _file_mode(out / name))
            with os.fdopen(fd, "wb") as f:
                write(f)
                f.flush()
                os.fsync(f.fileno())
            if timings is not None:
                timings[name] = time.perf_counter() - started
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
