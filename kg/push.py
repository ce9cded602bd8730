"""Load a build into a SPARQL 1.1 Graph Store Protocol server, replacing one named graph (``kg push``)."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from kg.errors import ExportError

DEFAULT_GRAPH_IRI = "https://w3id.org/sino-foreign-kg/graph"
PUSH_FORMATS = {"turtle": "text/turtle; charset=utf-8", "ntriples": "application/n-triples"}
_EXCERPT = 500


@dataclass(frozen=True)
class PushResult:
    """What ``push`` sent: the endpoint (without credentials), the graph, the triple count and the HTTP status."""

    endpoint: str
    graph_iri: str
    triples: int
    status: int


def _split_credentials(endpoint: str) -> tuple[str, str | None, str | None]:
    """The endpoint without ``user:password@``, and the user and password (None when absent)."""
    parts = urlsplit(endpoint)
    try:
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # a port that is not a number
        valid = False
    if not valid:
        shown = endpoint.split("@", 1)[-1] if "@" in endpoint else endpoint
        raise ExportError(f"endpoint {shown!r} is not an http(s) URL; expected e.g. "
                          "http://localhost:7878/store")
    if parts.username is None:
        return endpoint, None, None
    hostname = parts.hostname or ""
    host = hostname if ":" not in hostname else f"[{hostname}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc)), parts.username, parts.password or ""


def _graph_url(endpoint: str, graph_iri: str) -> str:
    sep = "&" if urlsplit(endpoint).query else "?"
    return f"{endpoint}{sep}graph={quote(graph_iri, safe='')}"


def _read_triples(ttl: Path) -> list[Any]:
    """The distinct statements of a Turtle file (pyoxigraph quads in the default graph)."""
    import pyoxigraph as ox

    try:
        return list(dict.fromkeys(ox.parse(path=str(ttl), format=ox.RdfFormat.TURTLE)))
    except (SyntaxError, OSError, ValueError) as err:
        raise ExportError(f"cannot read {ttl}: {err}") from err


def push(graph_dir: str | Path, endpoint: str, graph_iri: str | None = None, timeout: float = 60,
         fmt: str = "turtle") -> PushResult:
    """Replace a named graph of a Graph Store Protocol server with a build's ``kg.ttl``.

    Sends one HTTP ``PUT <endpoint>?graph=<graph_iri>`` with the graph as Turtle (or
    N-Triples); by the SPARQL 1.1 Graph Store Protocol this replaces the whole named graph,
    so pushing the same build twice leaves one copy. The stores below apply the PUT in a
    single transaction, so readers see the old graph or the new one, never a mix.

    Endpoints (the Graph Store Protocol URL, not the query URL):

    - Oxigraph (``oxigraph serve``): ``http://HOST:7878/store``
    - Apache Jena Fuseki: ``http://HOST:3030/DATASET/data``
    - GraphDB: ``http://HOST:7200/repositories/REPOSITORY_ID/rdf-graphs/service``
    - Virtuoso: ``http://HOST:8890/sparql-graph-crud-auth`` (digest authentication, a user
      with the SPARQL_UPDATE role), or ``http://HOST:8890/sparql-graph-crud`` when the
      ``SPARQL`` user may write.

    Credentials, when the store needs them, go in the URL (``http://user:password@HOST/...``);
    they are answered to Basic or Digest challenges and never appear in messages.

    Parameters
    ----------
    graph_dir : str or Path
        A build folder holding ``kg.ttl``, or the Turtle file itself.
    endpoint : str
        The store's Graph Store Protocol URL.
    graph_iri : str, optional
        The named graph to replace (default ``DEFAULT_GRAPH_IRI``).
    timeout : float
        Seconds to wait for the server to accept the connection and to answer.
    fmt : {"turtle", "ntriples"}
        What to send: the build's Turtle as it is, or N-Triples for stores that prefer it.

    Returns
    -------
    PushResult

    Raises
    ------
    ExportError
        When the build is missing or does not parse, the endpoint or graph IRI is not
        valid, the server cannot be reached or does not answer in time, or it answers
        with an HTTP error (the message has the status and the start of the body).

    Examples
    --------
    >>> push("exports", "http://localhost:7878/store")  # doctest: +SKIP
    PushResult(endpoint='http://localhost:7878/store', graph_iri='https://w3id.org/sino-foreign-kg/graph', \
triples=2552, status=204)
    """
    import pyoxigraph as ox

    if fmt not in PUSH_FORMATS:
        raise ExportError(f"unknown push format {fmt!r}; valid: {', '.join(PUSH_FORMATS)}")
    iri = graph_iri or DEFAULT_GRAPH_IRI
    scheme = urlsplit(iri).scheme
    if not scheme or any(c in iri for c in ' <>"{}|^`\\'):
        raise ExportError(f"graph IRI {iri!r} is not an absolute IRI; expected e.g. {DEFAULT_GRAPH_IRI}")
    url, user, password = _split_credentials(endpoint)
    d = Path(graph_dir)
    ttl = d / "kg.ttl" if d.is_dir() else d
    if not ttl.is_file():
        raise ExportError(f"no graph at {ttl}; run 'kg build' first or pass --graph DIR")
    triples = _read_triples(ttl)  # parse first: never replace a good graph with a broken file
    if fmt == "turtle":
        body = ttl.read_bytes()
    else:
        body = ox.serialize([q.triple for q in triples], format=ox.RdfFormat.N_TRIPLES) or b""

    handlers: list[urllib.request.BaseHandler] = []
    if user is not None:
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, url, user, password or "")
        handlers += [urllib.request.HTTPBasicAuthHandler(passwords),
                     urllib.request.HTTPDigestAuthHandler(passwords)]
    opener = urllib.request.build_opener(*handlers)
    target = _graph_url(url, iri)
    request = urllib.request.Request(target, data=body, method="PUT",
                                     headers={"Content-Type": PUSH_FORMATS[fmt], "Accept": "*/*"})
    try:
        with opener.open(request, timeout=timeout) as resp:
            status = int(resp.status)
            resp.read(_EXCERPT)
    except urllib.error.HTTPError as err:
        excerpt = err.read(_EXCERPT).decode("utf-8", "replace").strip()
        err.close()
        raise ExportError(f"{target} answered HTTP {err.code} {err.reason}"
                          + (f": {excerpt}" if excerpt else "")
                          + ("; is this the store's Graph Store Protocol URL (see `kg push --help`)?"
                             if err.code in (404, 405) else "")) from err
    except urllib.error.URLError as err:
        reason = err.reason
        if isinstance(reason, TimeoutError):
            raise ExportError(f"{url} did not answer within {timeout:g} s") from err
        raise ExportError(f"cannot reach {url}: {reason}; is the store running?") from err
    except TimeoutError as err:
        raise ExportError(f"{url} did not answer within {timeout:g} s") from err
    except OSError as err:
        raise ExportError(f"connection to {url} failed: {err}") from err
    return PushResult(url, iri, len(triples), status)


__all__ = ["DEFAULT_GRAPH_IRI", "PushResult", "push"]
