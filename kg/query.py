"""SPARQL over a built graph, with pyoxigraph as the engine and saved competency queries.

>>> sorted(saved_queries())[:2]
['agreements_of_party', 'amounts_since']
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from kg.errors import QueryError

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
QUERY_DIR = ONTOLOGY_DIR / "queries"
RESULT_FORMATS = ("table", "csv", "tsv", "json", "turtle")
PREFIXES = """PREFIX kg: <https://w3id.org/sino-foreign-kg/ontology#>
PREFIX kgi: <https://w3id.org/sino-foreign-kg/id/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <https://schema.org/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX qb: <http://purl.org/linked-data/cube#>
"""


@dataclass(frozen=True)
class SavedQuery:
    name: str
    question: str
    text: str
    path: Path


def saved_queries() -> dict[str, SavedQuery]:
    """The competency questions shipped in ``ontology/queries/*.rq`` (first comment line is the question)."""
    out = {}
    for p in sorted(QUERY_DIR.glob("*.rq")):
        text = p.read_text(encoding="utf-8")
        first = next((line[1:].strip() for line in text.splitlines() if line.startswith("#")), "")
        out[p.stem] = SavedQuery(p.stem, first, text, p)
    return out


def resolve_query(query_or_file: str) -> str:
    """A saved query's name, a path to a .rq file, or the SPARQL text itself."""
    saved = saved_queries()
    if query_or_file in saved:
        return saved[query_or_file].text
    p = Path(query_or_file)
    if len(query_or_file) < 300 and "\n" not in query_or_file and p.suffix in (".rq", ".sparql") :
        if not p.is_file():
            raise QueryError(f"no query file {query_or_file!r}; saved queries: {', '.join(sorted(saved))}")
        return p.read_text(encoding="utf-8")
    if not re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE|INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|PREFIX)\b",
                     query_or_file, re.IGNORECASE):
        raise QueryError(f"{query_or_file!r} is neither a saved query, a .rq file nor SPARQL; "
                         f"saved queries: {', '.join(sorted(saved))}")
    return query_or_file


def with_prefixes(text: str) -> str:
    """Add the project's prefixes that a query uses but does not declare."""
    declared = {m.group(1) for m in re.finditer(r"PREFIX\s+([A-Za-z0-9_-]*):", text, re.IGNORECASE)}
    lines = [line for line in PREFIXES.splitlines() if line.split()[1][:-1] not in declared]
    return "\n".join(lines) + "\n" + text


STORE_DIR = Path(".cache") / "oxigraph"  # inside a build folder: the on-disk store of a big build
_STAMP = Path(".cache") / "oxigraph.stamp"


def _ttl_stamp(ttl: Path) -> str:
    st = ttl.stat()
    return json.dumps({"size": st.st_size, "mtime_ns": st.st_mtime_ns})


def unstamp_store(out: Path) -> None:
    """Mark a build folder's on-disk store as not matching its kg.ttl (a build into it has begun)."""
    (out / _STAMP).unlink(missing_ok=True)


def stamp_store(out: Path, store) -> None:  # type: ignore[no-untyped-def]
    """Load the ontology into a big build's on-disk ``store`` and mark it as matching ``out/kg.ttl``."""
    import pyoxigraph as ox

    onto = ONTOLOGY_DIR / "kg.ttl"
    if onto.is_file():
        store.bulk_load(path=str(onto), format=ox.RdfFormat.TURTLE)
    store.flush()
    (out / _STAMP).write_text(_ttl_stamp(out / "kg.ttl"), encoding="utf-8")


def _built_store(d: Path):  # type: ignore[no-untyped-def]
    """The on-disk store a big build left in ``d``, if it still matches ``d/kg.ttl`` (read-only), else None."""
    import pyoxigraph as ox

    try:
        if (d / _STAMP).read_text(encoding="utf-8") != _ttl_stamp(d / "kg.ttl"):
            return None
        return ox.Store.read_only(str(d / STORE_DIR))
    except (OSError, ValueError):
        return None


def open_store(graph_dir: str | Path):  # type: ignore[no-untyped-def]
    """An Oxigraph store holding a build's graph and the ontology.

    A big build's own on-disk store is opened read-only when it still matches ``kg.ttl``;
    otherwise ``kg.ttl`` is loaded into memory.
    """
    import pyoxigraph as ox

    d = Path(graph_dir)
    ttl = d / "kg.ttl" if d.is_dir() else d
    if not ttl.is_file():
        raise QueryError(f"no graph at {ttl}; run 'kg build' first or pass --graph DIR")
    if d.is_dir():
        built = _built_store(d)
        if built is not None:
            return built
    store = ox.Store()
    try:
        store.bulk_load(path=str(ttl), format=ox.RdfFormat.TURTLE)
        onto = ONTOLOGY_DIR / "kg.ttl"
        if onto.is_file():
            store.bulk_load(path=str(onto), format=ox.RdfFormat.TURTLE)
    except (SyntaxError, OSError, ValueError) as err:
        raise QueryError(f"cannot load {ttl}: {err}") from err
    return store


def _term_text(t: object) -> str:
    if t is None:
        return ""
    value = getattr(t, "value", None)
    return str(value) if value is not None else str(t)


@dataclass
class Result:
    """A query result: variables and rows of plain strings (SELECT/ASK), or triples (CONSTRUCT)."""

    variables: list[str]
    rows: list[list[str]]
    triples: str = ""
    boolean: bool | None = None

    def render(self, fmt: str = "table") -> str:
        fmt = fmt.lower()
        if fmt not in RESULT_FORMATS:
            raise QueryError(f"unknown result format {fmt!r}; valid: {', '.join(RESULT_FORMATS)}")
        if self.boolean is not None:
            return json.dumps({"boolean": self.boolean}) + "\n" if fmt == "json" else f"{str(self.boolean).lower()}\n"
        if self.triples:
            return self.triples
        if fmt == "json":
            return json.dumps([dict(zip(self.variables, r, strict=True)) for r in self.rows], ensure_ascii=False,
                              indent=1) + "\n"
        if fmt in ("csv", "tsv"):
            buf = io.StringIO()
            w = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
            w.writerow(self.variables)
            for r in self.rows:
                w.writerow([("'" + c) if c[:1] in "=+-@" else c for c in r])
            return buf.getvalue()
        if fmt == "turtle":
            raise QueryError("turtle output is for CONSTRUCT and DESCRIBE queries; use table, csv or json")
        return _table(self.variables, self.rows)


def _width(s: str) -> int:
    return sum(2 if ord(c) > 0x2E80 else 1 for c in s)


def _table(cols: list[str], rows: list[list[str]], max_cell: int = 60) -> str:
    cut = [[c if len(c) <= max_cell else c[: max_cell - 1] + "…" for c in r] for r in rows]
    widths = [max([_width(c)] + [_width(r[i]) for r in cut]) for i, c in enumerate(cols)]
    def line(cells: list[str]) -> str:
        return " | ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()
    out = [line(cols), "-+-".join("-" * w for w in widths)] + [line(r) for r in cut]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def run_query(store, text: str, timeout: float | None = None) -> Result:  # type: ignore[no-untyped-def]
    """Run SPARQL on an Oxigraph store. Raises ``QueryError`` with the parser's message."""
    import pyoxigraph as ox

    text = with_prefixes(text)
    if re.search(r"^\s*(?:PREFIX[^\n]*\n\s*)*(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY)\b", text,
                 re.IGNORECASE | re.MULTILINE):
        raise QueryError("SPARQL Update is not allowed here: the graph is read-only")
    try:
        res = store.query(text)
    except SyntaxError as err:
        raise QueryError(f"SPARQL syntax error: {err}") from err
    except (OSError, ValueError, RuntimeError) as err:
        raise QueryError(f"query failed: {err}") from err
    if isinstance(res, bool):
        return Result([], [], boolean=res)
    if isinstance(res, ox.QuerySolutions):
        variables = [v.value for v in res.variables]
        rows = [[_term_text(sol[v]) for v in variables] for sol in res]
        return Result(variables, rows)
    triples = res.serialize(format=ox.RdfFormat.TURTLE)
    return Result([], [], triples=triples.decode("utf-8") if isinstance(triples, bytes) else str(triples))


def query(graph_dir: str | Path, query_or_file: str, fmt: str = "table") -> str:
    """Run a saved query, a .rq file or SPARQL text on a build folder and render the result."""
    if fmt.lower() not in RESULT_FORMATS:
        raise QueryError(f"unknown result format {fmt!r}; valid: {', '.join(RESULT_FORMATS)}")
    store = open_store(graph_dir)
    return run_query(store, resolve_query(query_or_file)).render(fmt)


def run_sparql(graph_dir: str | Path, query_or_file: str) -> Result:
    """A saved query, .rq file or SPARQL text on a build folder, as a ``Result`` (variables and rows)."""
    return run_query(open_store(graph_dir), resolve_query(query_or_file))


__all__ = ["query", "run_query", "run_sparql", "open_store", "stamp_store", "unstamp_store", "STORE_DIR", "saved_queries", "resolve_query", "Result", "with_prefixes"]


def load_graph(graph_dir: str | Path):  # type: ignore[no-untyped-def]
    """The built graph as an ``rdflib.Graph`` (parsed from ``kg.ttl`` in a build folder)."""
    from rdflib import Graph

    d = Path(graph_dir)
    ttl = d / "kg.ttl" if d.is_dir() else d
    if not ttl.is_file():
        raise QueryError(f"no graph at {ttl}; run 'kg build' first or pass --graph DIR")
    limit = int(os.environ.get("KG_RDFLIB_MAX_MB", "200"))
    size = ttl.stat().st_size
    if size > limit * 1_000_000:
        raise QueryError(f"{ttl} is {size / 1e6:.0f} MB: too big for rdflib's in-memory graph (about 3 GB a million "
                         f"triples); use 'kg query' or 'kg serve', which read the build's Oxigraph store, or set "
                         f"KG_RDFLIB_MAX_MB to try anyway")
    g = Graph()
    try:
        g.parse(ttl, format="turtle")
    except Exception as err:  # rdflib raises several parser exception types
        raise QueryError(f"cannot parse {ttl}: {err}") from err
    return g
