"""A read-only SPARQL 1.1 Protocol endpoint over a build, with an offline query page (``kg serve``)."""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import json
import logging
import multiprocessing
import queue
import re
import signal
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import islice
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kg.errors import KGError, QueryError

log = logging.getLogger("kg.serve")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_WORKER_START_SECONDS = 120.0


# --------------------------------------------------------------------------- formats and negotiation

@dataclass(frozen=True)
class _Format:
    """A result serialization: its ``format=`` name, its media type and other names accepted for it."""

    name: str
    media_type: str
    aliases: tuple[str, ...] = ()

    def matches(self, key: str) -> bool:
        return key in (self.name, self.media_type, *self.aliases)


# SELECT and ASK results; the first one is the default.
RESULT_FORMATS = (
    _Format("json", "application/sparql-results+json", ("application/json",)),
    _Format("xml", "application/sparql-results+xml", ("application/xml", "text/xml")),
    _Format("csv", "text/csv"),
    _Format("tsv", "text/tab-separated-values"),
)
# CONSTRUCT and DESCRIBE results; the first one is the default.
GRAPH_FORMATS = (
    _Format("turtle", "text/turtle", ("ttl", "application/x-turtle")),
    _Format("jsonld", "application/ld+json", ("json-ld", "json", "application/json")),
    _Format("ntriples", "application/n-triples", ("nt", "text/plain")),
    _Format("rdfxml", "application/rdf+xml", ("xml", "application/xml")),
)


def _parse_accept(header: str) -> list[str]:
    """Media ranges of an Accept header, best first (by q, then specificity, then order); q=0 dropped."""
    ranked = []
    for i, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for f in fields[1:]:
            key, _, value = f.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            ranked.append((-q, media.count("*"), i, media))
    return [media for *_, media in sorted(ranked)]


def _negotiate(formats: tuple[_Format, ...], fmt: str | None, accept: str | None) -> _Format | None:
    """The format named by ``fmt`` (a name or media type), else the best match for ``accept``; None if none."""
    if fmt:
        key = fmt.strip().lower()
        return next((f for f in formats if f.matches(key)), None)
    for media in _parse_accept(accept or "*/*"):
        if media == "*/*":
            return formats[0]
        if media.endswith("/*"):
            found = next((f for f in formats if f.media_type.startswith(media[:-1])), None)
        else:
            found = next((f for f in formats if f.matches(media) and "/" in media), None)
        if found:
            return found
    return None


# --------------------------------------------------------------------------- read-only checks

class _Refused(Exception):
    """A request answered with an HTTP error instead of a result."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# SPARQL tokens as Oxigraph reads them: comments, IRIs, strings and variables can hide keywords,
# everything else is a word. Oxigraph does not require a boundary after a keyword (it accepts
# ``SERVICEex:x``), so checks look for keywords *inside* words, which refuses a little too much
# rather than too little. The string and IRI patterns accept a superset of SPARQL's, so nothing
# Oxigraph reads as code can hide inside one. Linear time: a 1 MB query takes well under a second.
_TOKEN = re.compile("|".join((
    r"(?P<space>[ \t\r\n]+)",
    r"(?P<comment>#[^\r\n]*)",
    r"(?P<iri><(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)",
    r'(?P<string>"""(?:[^\\]|\\.)*?"""|' r"'''(?:[^\\]|\\.)*?'''|"
    r'"(?:[^"\\\r\n]|\\.)*"|' r"'(?:[^'\\\r\n]|\\.)*')",
    r"(?P<var>[?$]\w*)",
    r"(?P<word>[^ \t\r\n{}()\[\];,.<>\"'#?$=!&|*/+^@]+)",
    r"(?P<other>.)",
)), re.DOTALL)
_UPDATES = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def query_form(text: str) -> str | None:
    """The form of a SPARQL request (``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``), or None if unknown.

    Raises
    ------
    QueryError
        For SPARQL Update (the endpoint is read-only) and for ``SERVICE`` (federated
        queries would make the server fetch other URLs).

    Examples
    --------
    >>> query_form("PREFIX ex: <http://example.org/> # a comment\\nselect * { ?s ?p ?o }")
    'SELECT'
    >>> query_form("INSERT DATA { <http://a> <http://b> <http://c> }")
    Traceback (most recent call last):
    ...
    kg.errors.QueryError: SPARQL Update (INSERT) is not allowed: this endpoint is read-only
    """
    words = []
    for m in _TOKEN.finditer(text):
        if m.lastgroup == "word":
            words.append(m.group().upper())
        elif m.lastgroup == "other" and m.group() in "\"'":
            # A quote that opens no string (the pattern accepts more than SPARQL does): Oxigraph will
            # refuse the query anyway, and scanning on would rescan the line at every quote.
            break
    for w in words:
        if "SERVICE" in w.split(":", 1)[0]:
            raise QueryError("SERVICE (federated query) is not allowed: this endpoint answers only from its "
                             "local store; remove the SERVICE clause to query the local data")
    first, skip = "", False
    for w in words:
        if skip:
            skip = False
        elif w == "PREFIX":
            skip = True
        elif w != "BASE":
            first = w
            break
    update = next((u for u in _UPDATES if first.startswith(u)), None)
    if update:
        raise QueryError(f"SPARQL Update ({update}) is not allowed: this endpoint is read-only")
    return next((f for f in _FORMS if first.startswith(f)), None)


# --------------------------------------------------------------------------- worker processes

@dataclass(frozen=True)
class _Job:
    text: str
    result_format: str | None  # name in RESULT_FORMATS, None when none is acceptable
    graph_format: str | None   # name in GRAPH_FORMATS
    format_param: str | None   # the ``format`` parameter as sent, for messages
    max_results: int
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Reply:
    status: int
    content_type: str
    body: bytes
    truncated: bool | None = None  # None: not a result that can be cut (errors, ASK)


def _error(status: int, message: str) -> _Reply:
    return _Reply(status, "text/plain; charset=utf-8", (message.rstrip("\n") + "\n").encode("utf-8"))


def _content_type(fmt: _Format) -> str:
    return fmt.media_type + ("; charset=utf-8" if fmt.media_type.startswith("text/") else "")


def _no_format(kind: str, formats: tuple[_Format, ...], format_param: str | None) -> _Reply:
    """400 for a ``format`` parameter that does not fit the query, 406 for an Accept header."""
    if format_param:
        return _error(400, f"unknown format {format_param!r} for {kind} results; valid: "
                           f"{', '.join(f.name for f in formats)} (or their media types)")
    return _error(406, f"no acceptable format for {kind} results; available: "
                       f"{', '.join(f.media_type for f in formats)} (or ?format={'|'.join(f.name for f in formats)})")


def _term_json(term: Any) -> dict[str, Any]:
    """One RDF term in the SPARQL 1.1 JSON results format."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _term_json(term.subject),
                                            "predicate": _term_json(term.predicate),
                                            "object": _term_json(term.object)}}
    raise TypeError(f"unexpected term {term!r}")


def _solutions_json(variables: list[str], rows: list[Any]) -> bytes:
    bindings = [{v: _term_json(row[v]) for v in variables if row[v] is not None} for row in rows]
    doc = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@functools.lru_cache(maxsize=1)
def _prefix_map() -> dict[str, str]:
    """The project's prefixes (``kg.query.PREFIXES``), declared for every query."""
    from kg.query import PREFIXES

    return {m.group(1): m.group(2) for m in re.finditer(r"PREFIX\s+([\w-]*):\s*<([^>]*)>", PREFIXES)}


def _execute(store: Any, job: _Job) -> _Reply:
    """Run one query on the worker's store; keep at most ``job.max_results`` rows or triples."""
    import pyoxigraph as ox

    try:
        form = query_form(job.text)
    except QueryError as err:
        return _error(403, str(err))
    kinds = (("SELECT and ASK", ("SELECT", "ASK"), job.result_format, RESULT_FORMATS),
             ("CONSTRUCT and DESCRIBE", ("CONSTRUCT", "DESCRIBE"), job.graph_format, GRAPH_FORMATS))
    for kind, forms, chosen, formats in kinds:
        if form in forms and chosen is None:  # refuse before running the query
            return _no_format(kind, formats, job.format_param)
    kwargs: dict[str, Any] = {"prefixes": _prefix_map()}  # not prepended: keeps the parser's line numbers
    try:
        if job.default_graphs:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
        if job.named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    except ValueError as err:
        return _error(400, f"bad default-graph-uri or named-graph-uri: {err}")
    try:
        res = store.query(job.text, **kwargs)
        if isinstance(res, ox.QueryBoolean):
            if job.result_format is None:
                return _no_format("SELECT and ASK", RESULT_FORMATS, job.format_param)
            fmt = next(f for f in RESULT_FORMATS if f.name == job.result_format)
            body = res.serialize(format=getattr(ox.QueryResultsFormat, fmt.name.upper())) or b""
            return _Reply(200, _content_type(fmt), body)
        if isinstance(res, ox.QuerySolutions):
            if job.result_format is None:
                return _no_format("SELECT and ASK", RESULT_FORMATS, job.format_param)
            fmt = next(f for f in RESULT_FORMATS if f.name == job.result_format)
            variables = [v.value for v in res.variables]
            rows = list(islice(res, job.max_results + 1))
            body = _solutions_json(variables, rows[: job.max_results])
            if fmt.name != "json":  # pyoxigraph writes the other formats from the JSON we made
                body = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).serialize(
                    format=getattr(ox.QueryResultsFormat, fmt.name.upper())) or b""
            return _Reply(200, _content_type(fmt), body, len(rows) > job.max_results)
        if job.graph_format is None:
            return _no_format("CONSTRUCT and DESCRIBE", GRAPH_FORMATS, job.format_param)
        gfmt = next(f for f in GRAPH_FORMATS if f.name == job.graph_format)
        triples = list(islice(res, job.max_results + 1))
        rdf_format = {"turtle": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD,
                      "ntriples": ox.RdfFormat.N_TRIPLES, "rdfxml": ox.RdfFormat.RDF_XML}[gfmt.name]
        prefixes = None
        if gfmt.name in ("turtle", "rdfxml"):  # kgi: would turn every IRI into an escaped local name
            prefixes = {p: ns for p, ns in _prefix_map().items() if p != "kgi"}
        body = ox.serialize(triples[: job.max_results], format=rdf_format, prefixes=prefixes) or b""
        return _Reply(200, _content_type(gfmt), body, len(triples) > job.max_results)
    except SyntaxError as err:
        return _error(400, f"SPARQL syntax error: {err}")
    except (OSError, ValueError, RuntimeError) as err:
        return _error(500, f"query failed: {err}")


def _worker_main(conn: Any, graph_dir: str) -> None:
    """A query worker: load the build once, then answer jobs from the pipe until it closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which kills the workers
    try:
        from kg.query import open_store

        store = open_store(graph_dir)
    except Exception as err:  # any failure to load is reported to the parent, which raises it
        conn.send(("error", f"{type(err).__name__}: {err}"))
        return
    conn.send(("ready", len(store)))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            reply = _execute(store, job)
        except Exception as err:  # a bug must not kill the worker silently
            reply = _error(500, f"query failed: {type(err).__name__}: {err}")
        conn.send(reply)


class _Worker:
    def __init__(self, ctx: Any, graph_dir: str) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, graph_dir), daemon=True,
                                   name="kg-serve-worker")
        self.process.start()
        child.close()

    def wait_ready(self, seconds: float) -> int:
        """Wait for the worker to load the graph; the number of quads it holds."""
        if not self.conn.poll(seconds):
            raise KGError(f"a query worker did not load the graph within {seconds:g} s")
        try:
            kind, value = self.conn.recv()
        except (EOFError, OSError) as err:
            raise KGError(f"a query worker exited while loading the graph (exit code "
                          f"{self.process.exitcode})") from err
        if kind != "ready":
            raise QueryError(str(value))
        return int(value)

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class _Pool:
    """Worker processes, each with its own copy of the store; a worker that overruns is killed and replaced."""

    def __init__(self, graph_dir: str, size: int) -> None:
        self.graph_dir = graph_dir
        self.size = size
        self._ctx = multiprocessing.get_context("spawn")  # fork is unsafe in a threaded server
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._workers: set[_Worker] = set()
        self._closed = False
        self.quads = 0
        try:
            started = [self._start() for _ in range(size)]
            for w in started:
                self.quads = w.wait_ready(_WORKER_START_SECONDS)
                self._idle.put(w)
        except BaseException:
            self.close()
            raise

    def _start(self) -> _Worker:
        w = _Worker(self._ctx, self.graph_dir)
        with self._lock:
            self._workers.add(w)
        return w

    def _retire(self, w: _Worker) -> None:
        with self._lock:
            self._workers.discard(w)
        w.stop()

    def _replace(self, w: _Worker) -> None:
        """Kill a worker and start another one in the background."""
        self._retire(w)

        def start() -> None:
            with self._lock:
                if self._closed:
                    return
            try:
                new = self._start()
                new.wait_ready(_WORKER_START_SECONDS)
            except Exception:  # logged: the pool goes on with one worker fewer
                log.exception("could not start a replacement query worker")
                return
            with self._lock:
                closed = self._closed
            if closed:
                self._retire(new)
            else:
                self._idle.put(new)

        threading.Thread(target=start, name="kg-serve-respawn", daemon=True).start()

    def run(self, job: _Job, timeout: float) -> _Reply:
        """Run a job on an idle worker: 503 if none is free within ``timeout``, 504 if it runs longer."""
        try:
            w = self._idle.get(timeout=timeout)
        except queue.Empty:
            return _error(503, f"all {self.size} query workers stayed busy for {timeout:g} s; try again later")
        try:
            w.conn.send(job)
            if w.conn.poll(timeout):
                reply: _Reply = w.conn.recv()
                self._idle.put(w)
                return reply
        except (EOFError, OSError):
            self._replace(w)
            return _error(500, "the query worker stopped unexpectedly (out of memory?); a new one is starting")
        self._replace(w)
        return _error(504, f"query exceeded the time limit of {timeout:g} s and was stopped; add a LIMIT or "
                           "narrow the patterns (the limit is `kg serve --timeout`)")

    def alive(self) -> int:
        """Workers running now (busy or idle)."""
        with self._lock:
            return sum(w.process.is_alive() for w in self._workers)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._workers)
            self._workers.clear()
        for w in workers:
            w.stop()


# --------------------------------------------------------------------------- query page

_EXAMPLE = """# Parks and the foreign companies that invest in them
SELECT ?park ?company ?country WHERE {
  ?inv a kg:Investment ; kg:investor ?c ; kg:host ?p .
  ?p a kg:Park ; skos:prefLabel ?park . FILTER(langMatches(lang(?park), "zh-Hans"))
  ?c skos:prefLabel ?company . FILTER(langMatches(lang(?company), "zh-Hans"))
  OPTIONAL { ?c kg:country/kg:isoCode ?country }
}
ORDER BY ?park ?company
LIMIT 50
"""

_STYLE = """
body { font: 15px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
textarea { width: 100%; font: 13px/1.4 ui-monospace, monospace; box-sizing: border-box; }
table { border-collapse: collapse; margin-top: 1em; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
pre { background: #f7f7f7; padding: .6em; white-space: pre-wrap; }
pre.error { background: #fdecea; color: #8a1c12; }
#status { margin-left: 1em; color: #555; }
"""

# Result data only ever reaches the page through textContent, never as markup.
_SCRIPT = """
"use strict";
const byId = (id) => document.getElementById(id);
const saved = JSON.parse(byId("saved").textContent);
for (const [name, q] of Object.entries(saved)) {
  const option = document.createElement("option");
  option.value = name;
  option.textContent = name + " \\u2014 " + q.question;
  byId("pick").appendChild(option);
}
byId("pick").addEventListener("change", () => {
  const q = saved[byId("pick").value];
  if (q) byId("query").value = q.text;
});
function cell(term) {
  if (!term) return "";
  if (term.type === "literal") return term.value + (term["xml:lang"] ? " @" + term["xml:lang"] : "");
  if (term.type === "bnode") return "_:" + term.value;
  if (term.type === "triple") {
    const t = term.value;
    return "<< " + cell(t.subject) + " " + cell(t.predicate) + " " + cell(t.object) + " >>";
  }
  return term.value;
}
function showText(text, className) {
  const pre = document.createElement("pre");
  if (className) pre.className = className;
  pre.textContent = text;
  byId("out").appendChild(pre);
}
async function run(event) {
  event.preventDefault();
  const status = byId("status");
  byId("out").replaceChildren();
  status.textContent = "running\\u2026";
  const started = performance.now();
  let resp;
  try {
    resp = await fetch("sparql", {
      method: "POST",
      headers: {"Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json, text/turtle;q=0.9"},
      body: new URLSearchParams({query: byId("query").value}),
    });
  } catch (err) {
    status.textContent = "request failed: " + err;
    return;
  }
  const ms = Math.round(performance.now() - started);
  const type = resp.headers.get("Content-Type") || "";
  if (!resp.ok) {
    status.textContent = "HTTP " + resp.status + " " + resp.statusText;
    showText(await resp.text(), "error");
    return;
  }
  let note = "";
  if (resp.headers.get("X-Result-Truncated") === "true") {
    note = " (cut at the limit of " + resp.headers.get("X-Result-Limit") + ")";
  }
  if (!type.startsWith("application/sparql-results+json")) {
    showText(await resp.text());
    status.textContent = ms + " ms" + note;
    return;
  }
  const data = await resp.json();
  if ("boolean" in data) {
    showText(String(data.boolean));
    status.textContent = ms + " ms";
    return;
  }
  const vars = data.head.vars, rows = data.results.bindings;
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const v of vars) {
    const th = document.createElement("th");
    th.textContent = "?" + v;
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const v of vars) tr.insertCell().textContent = cell(row[v]);
  }
  byId("out").appendChild(table);
  status.textContent = rows.length + (rows.length === 1 ? " row" : " rows") + " in " + ms + " ms" + note;
}
byId("f").addEventListener("submit", run);
byId("query").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) byId("f").requestSubmit();
});
"""


def _csp_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"


def _page() -> tuple[bytes, str]:
    """The query page and its Content-Security-Policy (only this page's own script and style may run)."""
    from kg.query import saved_queries

    saved = {name: {"question": q.question, "text": q.text} for name, q in saved_queries().items()}
    data = json.dumps(saved, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
    data = data.replace("&", "\\u0026")
    prefixes = ", ".join(f"{p}:" for p in _prefix_map())
    page = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SPARQL: Sino-foreign industrial cooperation graph</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>SPARQL query</h1>
<p>Read-only SPARQL 1.1 over this build. The prefixes {html.escape(prefixes)} are declared for you.
Programs can use the endpoint <code>/sparql</code> (SPARQL 1.1 Protocol, GET or POST). Ctrl+Enter runs the query.</p>
<form id="f" action="sparql" method="get">
<p><label>Saved query <select id="pick"><option value="">(choose one)</option></select></label></p>
<textarea id="query" name="query" rows="14" spellcheck="false">{html.escape(_EXAMPLE)}</textarea>
<p><button type="submit">Run query</button><span id="status" role="status"></span></p>
</form>
<div id="out"></div>
<script type="application/json" id="saved">{data}</script>
<script>{_SCRIPT}</script>
</body>
</html>
"""
    csp = (f"default-src 'none'; script-src {_csp_hash(_SCRIPT)}; style-src {_csp_hash(_STYLE)}; "
           "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
    return page.encode("utf-8"), csp


# --------------------------------------------------------------------------- HTTP

class SparqlServer(ThreadingHTTPServer):
    """The HTTP server ``make_server`` returns; ``url`` is its query page, ``url + 'sparql'`` the endpoint."""

    daemon_threads = True
    request_queue_size = 128  # listen backlog; the default 5 drops bursts of connections (1 s SYN retry)
    pool: _Pool | None = None

    def __init__(self, address: tuple[str, int], *, query_timeout: float, max_results: int,
                 max_request_bytes: int) -> None:
        self.query_timeout = query_timeout
        self.max_results = max_results
        self.max_request_bytes = max_request_bytes
        self.page, self.csp = _page()
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = str(host)
        return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"

    def server_close(self) -> None:
        super().server_close()
        if self.pool is not None:
            self.pool.close()


class _SparqlServer6(SparqlServer):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    protocol_version = "HTTP/1.1"
    server_version = "kg-sparql/0.1"
    timeout = 30  # seconds a client may stay silent while sending a request

    # -- plumbing

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class names it so)
        log.info("%s %s", self.address_string(), format % args)

    def _send(self, status: int, content_type: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        reply = _error(status, message)
        self._send(reply.status, reply.content_type, reply.body, headers)

    def _discard(self, nbytes: int) -> None:
        """Read and drop up to ``nbytes`` of request body, so the client sees the answer, not a reset."""
        self.connection.settimeout(2.0)
        try:
            while nbytes > 0:
                chunk = self.rfile.read1(min(nbytes, 65536))
                if not chunk:
                    break
                nbytes -= len(chunk)
        except OSError:
            pass

    def _discard_head(self, cap: int) -> None:
        """Read and drop the rest of an oversized request line and its headers (at most ``cap`` bytes)."""
        self.connection.settimeout(2.0)
        try:
            line = self.raw_requestline
            while not line.endswith(b"\n") and cap > 0:
                line = self.rfile.readline(65536)
                if not line:
                    return
                cap -= len(line)
            while cap > 0:
                line = self.rfile.readline(65536)
                cap -= len(line)
                if line in (b"\r\n", b"\n", b""):
                    return
        except OSError:
            pass

    def _drain_cap(self) -> int:
        return max(4 * self.server.max_request_bytes, 1 << 20)

    def handle_one_request(self) -> None:
        """As in ``http.server``, but the request line may be as long as ``max_request_bytes`` (then 413)."""
        limit = self.server.max_request_bytes + 1024  # room for the method and the protocol version
        try:
            self.raw_requestline = self.rfile.readline(limit + 1)
            if len(self.raw_requestline) > limit:
                self.requestline, self.request_version, self.command = "", "HTTP/1.1", ""
                self.close_connection = True
                self._discard_head(self._drain_cap())
                self._send_error(413, f"request URL longer than {self.server.max_request_bytes} bytes; "
                                      "send long queries by POST")
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            method = getattr(self, "do_" + self.command, None)
            if method is None:
                self._send_error(501, f"unsupported method {self.command!r}; use GET or POST")
                return
            method()
            self.wfile.flush()
        except TimeoutError as err:
            self.log_error("request timed out: %r", err)
            self.close_connection = True

    def _content_length(self) -> int | None:
        value = self.headers.get("Content-Length")
        if value is None:
            return None
        try:
            n = int(value)
        except ValueError:
            return -1
        return n if n >= 0 else -1

    def handle_expect_100(self) -> bool:
        """Refuse an oversized body before the client sends it (``Expect: 100-continue``)."""
        n = self._content_length()
        if n is not None and n > self.server.max_request_bytes:
            self.close_connection = True
            self._send_error(413, f"request body of {n} bytes is over the limit of "
                                  f"{self.server.max_request_bytes} bytes")
            return False
        return super().handle_expect_100()

    # -- methods

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if len(self.path) > self.server.max_request_bytes:
            self._send_error(413, f"request URL longer than {self.server.max_request_bytes} bytes; "
                                  "send long queries by POST")
        elif url.path in ("/", "/index.html"):
            self._send(200, "text/html; charset=utf-8", self.server.page,
                       {"Content-Security-Policy": self.server.csp, "Cache-Control": "no-cache"})
        elif url.path == "/sparql":
            self._answer(url.query, None, None)
        else:
            self._send_error(404, f"no page {url.path!r}; the query page is / and the endpoint is /sparql")

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_POST(self) -> None:
        limit = self.server.max_request_bytes
        n = self._content_length()
        if n == -1:
            self.close_connection = True
            self._send_error(400, f"bad Content-Length {self.headers.get('Content-Length')!r}")
            return
        if n is None:
            if self.headers.get("Transfer-Encoding"):
                self.close_connection = True
                self._send_error(411, "send a Content-Length; chunked request bodies are not supported")
                return
            n = 0
        if n > limit or len(self.path) > limit:
            self.close_connection = True
            if n <= self._drain_cap():
                self._discard(n)
            self._send_error(413, f"request of {n} bytes is over the limit of {limit} bytes")
            return
        body = self.rfile.read(n)
        url = urlsplit(self.path)
        if url.path != "/sparql":
            self._send_error(404, f"no endpoint {url.path!r}; POST queries to /sparql")
            return
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype == "application/sparql-update":
            self._send_error(403, "SPARQL Update is not allowed: this endpoint is read-only")
            return
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            self._send_error(400, "the request body is not UTF-8")
            return
        if ctype == "application/x-www-form-urlencoded":
            self._answer(url.query, text, None)
        elif ctype == "application/sparql-query":
            self._answer(url.query, None, text)
        else:
            self._send_error(415, f"unsupported Content-Type {ctype or '(none)'!r}; send "
                                  "application/x-www-form-urlencoded (query=...) or application/sparql-query")

    def _read_only(self) -> None:
        self._send_error(405, "this endpoint is read-only; query it with GET or POST",
                         {"Allow": "GET, HEAD, POST"})

    do_PUT = do_DELETE = do_PATCH = _read_only

    # -- the protocol

    def _answer(self, url_query: str, form_body: str | None, query_body: str | None) -> None:
        try:
            params = parse_qs(url_query, keep_blank_values=True)
            if form_body is not None:
                for k, v in parse_qs(form_body, keep_blank_values=True).items():
                    params.setdefault(k, []).extend(v)
            job = self._job(params, query_body)
        except _Refused as err:
            self._send_error(err.status, err.message)
            return
        reply = self.server.pool.run(job, self.server.query_timeout) if self.server.pool else \
            _error(503, "the server is shutting down")
        headers = {"Vary": "Accept"}
        if reply.truncated is not None:
            headers["X-Result-Limit"] = str(job.max_results)
            headers["X-Result-Truncated"] = "true" if reply.truncated else "false"
        if reply.status == 503:
            headers["Retry-After"] = "1"
        self._send(reply.status, reply.content_type, reply.body, headers)

    def _job(self, params: dict[str, list[str]], query_body: str | None) -> _Job:
        if "update" in params:
            raise _Refused(403, "SPARQL Update is not allowed: this endpoint is read-only")
        queries = params.get("query", []) + ([query_body] if query_body is not None else [])
        if len(queries) != 1:
            raise _Refused(400, "send exactly one query: GET /sparql?query=..., or POST query=... "
                                f"(form) or the query itself (application/sparql-query); got {len(queries)}")
        text = queries[0]
        if not text.strip():
            raise _Refused(400, "the query is empty")
        fmts = params.get("format", [])
        fmt = fmts[-1] if fmts else None
        accept = self.headers.get("Accept")
        result_fmt = _negotiate(RESULT_FORMATS, fmt, accept)
        graph_fmt = _negotiate(GRAPH_FORMATS, fmt, accept)
        if result_fmt is None and graph_fmt is None:
            if fmt:
                raise _Refused(400, f"unknown format {fmt!r}; valid: "
                                    f"{', '.join(f.name for f in RESULT_FORMATS)} (SELECT, ASK), "
                                    f"{', '.join(f.name for f in GRAPH_FORMATS)} (CONSTRUCT, DESCRIBE)")
            raise _Refused(406, f"nothing here matches Accept: {accept}; available: "
                                f"{', '.join(f.media_type for f in RESULT_FORMATS + GRAPH_FORMATS)}")
        # the worker checks the query itself (updates, SERVICE, form): that work is under the time limit
        return _Job(text, result_fmt.name if result_fmt else None, graph_fmt.name if graph_fmt else None, fmt,
                    self.server.max_results, tuple(params.get("default-graph-uri", [])),
                    tuple(params.get("named-graph-uri", [])))


# --------------------------------------------------------------------------- public API

def make_server(graph_dir: str | Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                timeout: float = 10.0, max_results: int = 10000, max_request_bytes: int = 1_000_000,
                workers: int | None = None) -> SparqlServer:
    """A SPARQL 1.1 Protocol server over a build, bound but not yet serving.

    ``GET /`` is a query page that works offline; ``GET /sparql?query=...`` and ``POST /sparql``
    (``application/x-www-form-urlencoded`` with ``query=...``, or ``application/sparql-query``)
    answer queries. The result format follows the ``format`` parameter (``json``, ``xml``,
    ``csv``, ``tsv`` for SELECT and ASK; ``turtle``, ``jsonld``, ``ntriples``, ``rdfxml`` for
    CONSTRUCT and DESCRIBE; or a media type), else the ``Accept`` header; the defaults are
    SPARQL JSON and Turtle. The prefixes of ``kg.query.PREFIXES`` are declared for every query.
    Call ``serve_forever()`` on the result, and ``server_close()`` at the end, which also stops
    the query workers.

    Parameters
    ----------
    graph_dir : str or Path
        A build folder holding ``kg.ttl`` (or the file itself); the ontology is added.
    host, port : str, int
        Where to listen; loopback by default. ``port=0`` picks a free port (see ``server.url``).
    timeout : float
        Seconds a query may run (then 504), and seconds a request may wait for a free
        worker (then 503 with ``Retry-After``).
    max_results : int
        Rows (SELECT) or triples (CONSTRUCT, DESCRIBE) returned at most. A longer result is
        cut and answered 200 with the header ``X-Result-Truncated: true``; every result
        carries ``X-Result-Limit`` and ``X-Result-Truncated``.
    max_request_bytes : int
        Longest request URL or body; longer requests get 413.
    workers : int, optional
        Query worker processes (default: the CPU count, between 2 and 4).

    Returns
    -------
    SparqlServer

    Raises
    ------
    QueryError
        When there is no build at ``graph_dir`` or it does not load.
    KGError
        When the address cannot be bound (in use, or not local).

    Notes
    -----
    The endpoint is read-only. SPARQL Update requests (``INSERT``, ``DELETE``, ``LOAD``,
    ``CLEAR``, ``DROP``, ``CREATE``, ``ADD``, ``MOVE``, ``COPY``, ``WITH``), the ``update``
    parameter, ``application/sparql-update`` bodies and every ``SERVICE`` clause (which would
    make the server fetch other URLs; pyoxigraph would) get 403 with the reason; malformed
    queries get 400 with the parser's message. The store is in memory and ``Store.query``
    never runs updates, so the check is for clear messages and for SERVICE; it runs in the
    worker, under the time limit.

    Time limit: pyoxigraph cannot interrupt a query from Python, and a query that sorts,
    groups or counts does all its work before yielding a first row, so checking a deadline
    while iterating would not stop it, and a runaway thread would keep a CPU busy until it
    ends. Queries therefore run in a small pool of worker processes (``spawn``), each with
    its own in-memory copy of the build; a worker that overruns ``timeout`` is killed, the
    client gets 504, and a fresh worker loads the graph in the background (under a second
    for the bundled build). Workers read at most ``max_results + 1`` solutions lazily, so a
    huge result never gets materialized in full.

    Examples
    --------
    >>> server = make_server("exports", port=0)  # doctest: +SKIP
    >>> threading.Thread(target=server.serve_forever, daemon=True).start()  # doctest: +SKIP
    >>> server.url  # doctest: +SKIP
    'http://127.0.0.1:40123/'
    """
    d = Path(graph_dir)
    ttl = d / "kg.ttl" if d.is_dir() else d
    if not ttl.is_file():
        raise QueryError(f"no graph at {ttl}; run 'kg build' first or pass --graph DIR")
    if timeout <= 0 or max_results < 1 or max_request_bytes < 1:
        raise QueryError(f"timeout, max_results and max_request_bytes must be positive; got {timeout}, "
                         f"{max_results}, {max_request_bytes}")
    size = workers if workers is not None else min(4, max(2, multiprocessing.cpu_count()))
    if size < 1:
        raise QueryError(f"workers must be at least 1; got {size}")
    cls = _SparqlServer6 if ":" in host else SparqlServer
    try:
        server = cls((host, port), query_timeout=timeout, max_results=max_results,
                     max_request_bytes=max_request_bytes)
    except OSError as err:
        raise KGError(f"cannot listen on {host}:{port}: {err.strerror or err}") from err
    try:
        server.pool = _Pool(str(ttl.resolve()), size)
    except BaseException:
        server.server_close()
        raise
    log.info("loaded %d quads into %d query workers", server.pool.quads, size)
    return server


def serve(graph_dir: str | Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, timeout: float = 10.0,
          max_results: int = 10000, max_request_bytes: int = 1_000_000, workers: int | None = None,
          ready: Callable[[str], None] | None = None) -> None:
    """Serve a build over SPARQL until interrupted; ``ready`` is called with the page's URL once listening.

    Takes the parameters of ``make_server``; stops the query workers when it returns or raises.
    """
    server = make_server(graph_dir, host, port, timeout, max_results, max_request_bytes, workers)
    try:
        if ready is not None:
            ready(server.url)
        server.serve_forever()
    finally:
        server.server_close()


__all__ = ["GRAPH_FORMATS", "RESULT_FORMATS", "SparqlServer", "make_server", "query_form", "serve"]
