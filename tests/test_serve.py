"""The SPARQL endpoint (kg.serve): formats, refusals, limits, time limit, concurrent load, query page."""

from __future__ import annotations

import http.client
import json
import math
import re
import statistics
import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.errors import QueryError
from kg.serve import make_server, query_form

ROOT = Path(__file__).resolve().parent.parent
KGI = "https://w3id.org/sino-foreign-kg/id/"
SUZHOU = KGI + "park/suzhou-industrial-park"
LOOKUP = 'SELECT ?park WHERE { ?park a kg:Park ; rdfs:label "China-Singapore Suzhou Industrial Park"@en }'
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
TIMEOUT = 2.0
MAX_RESULTS = 1000
MAX_REQUEST = 100_000


@pytest.fixture(scope="module")
def build(bundled_build: Path) -> Path:
    """The bundled articles, built once per session (tests/conftest.py)."""
    return bundled_build


@pytest.fixture(scope="module")
def server(build: Path):
    srv = make_server(build, port=0, timeout=TIMEOUT, max_results=MAX_RESULTS, max_request_bytes=MAX_REQUEST,
                      workers=2)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(10)


def call(srv, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None,
         timeout: float = 30) -> tuple[int, http.client.HTTPMessage, str]:
    host, port = srv.server_address[:2]
    assert host == "127.0.0.1"
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read().decode("utf-8")
    finally:
        conn.close()


def get(srv, query: str, accept: str | None = None, **params: str) -> tuple[int, http.client.HTTPMessage, str]:
    return call(srv, "GET", "/sparql?" + urlencode({"query": query, **params}),
                headers={"Accept": accept} if accept else {})


def xml_rows(text: str) -> list[tuple[str | None, str | None]]:
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    return [(b.get("name"), b[0].text) for b in ET.fromstring(text).iterfind(".//r:binding", ns)]


JSON_SUZHOU = {"head": {"vars": ["park"]}, "results": {"bindings": [{"park": {"type": "uri", "value": SUZHOU}}]}}


# --------------------------------------------------------------------------- SELECT and CONSTRUCT formats

@pytest.mark.parametrize(("accept", "content_type"), [
    (None, "application/sparql-results+json"),
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("text/csv", "text/csv; charset=utf-8"),
    ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/html,application/xhtml+xml;q=0.9,*/*;q=0.8", "application/sparql-results+json"),
])
def test_serve_select_formats_by_accept(server, accept: str | None, content_type: str) -> None:
    status, headers, body = get(server, LOOKUP, accept)
    assert (status, headers["Content-Type"]) == (200, content_type), body
    expected = {
        "application/sparql-results+json": lambda: json.loads(body) == JSON_SUZHOU,
        "text/csv; charset=utf-8": lambda: body == f"park\r\n{SUZHOU}\r\n",
        "text/tab-separated-values; charset=utf-8": lambda: body == f"?park\n<{SUZHOU}>\n",
        "application/sparql-results+xml": lambda: xml_rows(body) == [("park", SUZHOU)],
    }[content_type]
    assert expected(), body
    assert (headers["X-Result-Truncated"], headers["X-Result-Limit"]) == ("false", str(MAX_RESULTS))


@pytest.mark.parametrize(("fmt", "check"), [
    ("json", lambda body: json.loads(body) == JSON_SUZHOU),
    ("csv", lambda body: body == f"park\r\n{SUZHOU}\r\n"),
    ("tsv", lambda body: body == f"?park\n<{SUZHOU}>\n"),
    ("xml", lambda body: xml_rows(body) == [("park", SUZHOU)]),
])
def test_serve_select_formats_by_post(server, fmt: str, check) -> None:
    form = call(server, "POST", f"/sparql?format={fmt}", urlencode({"query": LOOKUP}).encode(),
                {"Content-Type": "application/x-www-form-urlencoded"})
    direct = call(server, "POST", f"/sparql?format={fmt}", LOOKUP.encode(),
                  {"Content-Type": "application/sparql-query"})
    form_in_body = call(server, "POST", "/sparql", urlencode({"query": LOOKUP, "format": fmt}).encode(),
                        {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"})
    for status, _, body in (form, direct, form_in_body):
        assert status == 200, body
        assert check(body), body


def test_serve_ask_as_json_and_csv(server) -> None:
    assert json.loads(get(server, "ASK { ?p a kg:Park }")[2]) == {"head": {}, "boolean": True}
    assert get(server, "ASK { ?p a kg:NoSuchClass }", "text/csv")[2] == "false"


def test_serve_chinese_literals_round_trip(server) -> None:
    status, _, body = get(server, f'SELECT ?l WHERE {{ <{SUZHOU}> rdfs:label ?l FILTER(lang(?l) = "zh-hans") }}')
    assert status == 200, body
    assert json.loads(body)["results"]["bindings"] == [
        {"l": {"type": "literal", "value": "苏州工业园区", "xml:lang": "zh-hans"}}]


CONSTRUCT = f"CONSTRUCT {{ <{SUZHOU}> rdfs:label ?l }} WHERE {{ <{SUZHOU}> rdfs:label ?l }}"
SUZHOU_LABELS = {ox.Triple(ox.NamedNode(SUZHOU), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                           ox.Literal(text, language=lang))
                 for text, lang in (("China-Singapore Suzhou Industrial Park", "en"), ("苏州工业园区", "zh-hans"))}


@pytest.mark.parametrize(("how", "content_type", "rdf_format"), [
    ({}, "text/turtle; charset=utf-8", ox.RdfFormat.TURTLE),
    ({"accept": "text/turtle"}, "text/turtle; charset=utf-8", ox.RdfFormat.TURTLE),
    ({"accept": "application/ld+json"}, "application/ld+json", ox.RdfFormat.JSON_LD),
    ({"format": "jsonld"}, "application/ld+json", ox.RdfFormat.JSON_LD),
    ({"format": "ntriples"}, "application/n-triples", ox.RdfFormat.N_TRIPLES),
])
def test_serve_construct_as_turtle_and_jsonld(server, how: dict[str, str], content_type: str, rdf_format) -> None:
    params = {"format": how["format"]} if "format" in how else {}
    status, headers, body = get(server, CONSTRUCT, how.get("accept"), **params)
    assert (status, headers["Content-Type"]) == (200, content_type), body
    triples = {q.triple for q in ox.parse(body.encode("utf-8"), format=rdf_format)}
    assert triples == SUZHOU_LABELS


def test_serve_describe_is_a_graph(server) -> None:
    status, headers, body = get(server, f"DESCRIBE <{SUZHOU}>")
    assert (status, headers["Content-Type"]) == (200, "text/turtle; charset=utf-8"), body
    triples = {q.triple for q in ox.parse(body.encode("utf-8"), format=ox.RdfFormat.TURTLE)}
    assert SUZHOU_LABELS <= triples and {t.subject for t in triples} == {ox.NamedNode(SUZHOU)}


def test_serve_unknown_format_is_400_and_unacceptable_accept_is_406(server) -> None:
    assert get(server, LOOKUP, format="yaml")[:1] == (400,)
    assert "valid: json, xml, csv, tsv" in get(server, LOOKUP, format="yaml")[2]
    status, _, body = get(server, LOOKUP, "image/png")
    assert status == 406 and "application/sparql-results+json" in body, body
    status, _, body = get(server, CONSTRUCT, format="csv")
    assert status == 400 and "valid: turtle, jsonld, ntriples, rdfxml" in body, body


# --------------------------------------------------------------------------- errors and refusals

def test_serve_malformed_query_is_400_with_parser_message(server) -> None:
    status, headers, body = get(server, "SELECT ?x WHERE { ?x ?y }")
    assert (status, headers["Content-Type"]) == (400, "text/plain; charset=utf-8")
    assert body.startswith("SPARQL syntax error: error at 1:"), body


def test_serve_missing_query_is_400(server) -> None:
    status, _, body = call(server, "GET", "/sparql")
    assert status == 400 and "send exactly one query" in body, body


UPDATE_MESSAGE = "is not allowed: this endpoint is read-only"
SERVICE_MESSAGE = "SERVICE (federated query) is not allowed"


@pytest.mark.parametrize(("query", "message"), [
    ("INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }", UPDATE_MESSAGE),
    ("LOAD <http://example.org/data.ttl>", UPDATE_MESSAGE),
    ("DELETE WHERE { ?s ?p ?o }", UPDATE_MESSAGE),
    ("PREFIX ex: <http://example.org/>\n# comment\ndelete { ?s ?p ?o } where { ?s ex:p ?o }", UPDATE_MESSAGE),
    ("CLEAR ALL", UPDATE_MESSAGE),
    ("DROP GRAPH <http://example.org/g>", UPDATE_MESSAGE),
    ("WITH <http://example.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", UPDATE_MESSAGE),
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", SERVICE_MESSAGE),
    ("SELECT * WHERE { service silent <http://example.org/sparql> { ?s ?p ?o } }", SERVICE_MESSAGE),
    ("SELECT * WHERE { ?s ?p ?o SERVICE ?endpoint { ?s ?p ?o } }", SERVICE_MESSAGE),
    # Oxigraph needs no space after the keyword, so neither may the check
    ("PREFIX ex: <http://example.org/> SELECT * WHERE { SERVICEex:sparql { ?s ?p ?o } }", SERVICE_MESSAGE),
    ("SELECT * WHERE { ?s ?p 1SERVICE<http://example.org/sparql> { ?s ?p ?o } }", SERVICE_MESSAGE),
])
def test_serve_refuses_updates_and_service(server, query: str, message: str) -> None:
    for status, _, body in (get(server, query),
                            call(server, "POST", "/sparql", urlencode({"query": query}).encode(),
                                 {"Content-Type": "application/x-www-form-urlencoded"})):
        assert status == 403 and message in body, body


def test_serve_refuses_sparql_update_requests(server) -> None:
    update = "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }"
    status, _, body = call(server, "POST", "/sparql", update.encode(), {"Content-Type": "application/sparql-update"})
    assert status == 403 and "SPARQL Update is not allowed" in body, body
    status, _, body = call(server, "POST", "/sparql", urlencode({"update": update}).encode(),
                           {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403 and "SPARQL Update is not allowed" in body, body
    status, headers, body = call(server, "PUT", "/sparql", b"<a:b> <a:c> <a:d> .", {"Content-Type": "text/turtle"})
    assert (status, headers["Allow"]) == (405, "GET, HEAD, POST"), body
    # nothing changed
    assert json.loads(get(server, "ASK { <http://example.org/a> ?p ?o }")[2])["boolean"] is False


@pytest.mark.parametrize("query", [
    'SELECT ?s WHERE { ?s rdfs:comment "SERVICE <http://example.org/> {}" }',
    "SELECT ?s WHERE { ?s a schema:Service } # SERVICE <http://example.org/>",
    "SELECT ?s WHERE { ?s a <http://example.org/SERVICE> }",
    "SELECT ?service WHERE { ?service ?p ?o } LIMIT 1",
    "PREFIX ins: <http://example.org/> SELECT ?s WHERE { ?s ins:delete ?o }",
])
def test_serve_keywords_in_strings_iris_comments_and_names_are_allowed(server, query: str) -> None:
    status, _, body = get(server, query)
    assert status == 200, body


@pytest.mark.parametrize(("query", "form"), [
    ("select * { ?s ?p ?o }", "SELECT"),
    ("BASE <http://example.org/> PREFIX a: <b> ASK {}", "ASK"),
    ("# CONSTRUCT\nDESCRIBE <http://example.org/>", "DESCRIBE"),
    ("PREFIX select: <http://example.org/> CONSTRUCT WHERE { ?s select:p ?o }", "CONSTRUCT"),
    ("garbage", None),
])
def test_serve_query_form(query: str, form: str | None) -> None:
    assert query_form(query) == form


@pytest.mark.parametrize("query", [
    'SELECT ?x WHERE { ?x ?y "' + 'a\\"' * 200_000,  # an unterminated string full of escaped quotes
    "'''" + "'' " * 200_000,
    "<a" * 300_000,
], ids=["escaped-quotes", "long-quotes", "angle-brackets"])
def test_serve_query_check_takes_linear_time(query: str) -> None:
    started = time.monotonic()
    query_form(query)
    assert time.monotonic() - started < 5


def test_serve_oversized_requests_are_413(server) -> None:
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:  # the body is never sent: the length alone is refused
        conn.putrequest("POST", "/sparql")
        conn.putheader("Content-Type", "application/sparql-query")
        conn.putheader("Content-Length", str(MAX_REQUEST + 1))
        conn.endheaders()
        resp = conn.getresponse()
        assert (resp.status, resp.read().decode()) == (
            413, f"request of {MAX_REQUEST + 1} bytes is over the limit of {MAX_REQUEST} bytes\n")
    finally:
        conn.close()
    padding = "#" + "x" * MAX_REQUEST + "\n"
    status, _, body = get(server, padding + LOOKUP)
    assert status == 413 and "request URL longer than" in body, body
    status, _, body = call(server, "POST", "/sparql", (padding + LOOKUP).encode(),
                           {"Content-Type": "application/sparql-query"})
    assert status == 413 and "over the limit" in body, body
    # a long query under the limit is fine
    status, _, body = call(server, "POST", "/sparql", ("#" + "x" * (MAX_REQUEST // 2) + "\n" + LOOKUP).encode(),
                           {"Content-Type": "application/sparql-query"})
    assert (status, json.loads(body)) == (200, JSON_SUZHOU)


# --------------------------------------------------------------------------- limits

def test_serve_result_limit_cuts_and_says_so(server, build: Path) -> None:
    total = len(list(ox.parse(path=str(build / "kg.ttl"), format=ox.RdfFormat.TURTLE)))
    assert total > MAX_RESULTS
    status, headers, body = get(server, "SELECT * WHERE { ?s ?p ?o }", "text/tab-separated-values")
    assert status == 200, body
    assert (headers["X-Result-Truncated"], headers["X-Result-Limit"]) == ("true", str(MAX_RESULTS))
    assert len(body.splitlines()) == 1 + MAX_RESULTS
    status, headers, body = get(server, "CONSTRUCT WHERE { ?s ?p ?o }", format="ntriples")
    assert headers["X-Result-Truncated"] == "true" and len(body.splitlines()) == MAX_RESULTS
    status, headers, body = get(server, f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {MAX_RESULTS}", "text/csv")
    assert headers["X-Result-Truncated"] == "false" and len(body.splitlines()) == 1 + MAX_RESULTS


@pytest.mark.slow
def test_serve_slow_query_hits_time_limit_and_server_recovers(server) -> None:
    started = time.monotonic()
    status, _, body = get(server, SLOW)
    elapsed = time.monotonic() - started
    assert status == 504 and f"time limit of {TIMEOUT:g} s" in body, body
    assert TIMEOUT <= elapsed < TIMEOUT + 5
    started = time.monotonic()
    status, _, body = get(server, LOOKUP)  # the other worker answers at once
    assert (status, json.loads(body)) == (200, JSON_SUZHOU)
    assert time.monotonic() - started < TIMEOUT
    for _ in range(300):  # the killed worker is replaced (bounded wait: 30 s)
        if server.pool.alive() == 2 and server.pool._idle.qsize() == 2:
            break
        time.sleep(0.1)
    assert (server.pool.alive(), server.pool._idle.qsize()) == (2, 2)


@pytest.mark.slow
def test_serve_concurrent_load_all_succeed(server) -> None:
    lookups = {
        "park": (LOOKUP, JSON_SUZHOU),
        "label": (f'SELECT ?l WHERE {{ <{SUZHOU}> rdfs:label ?l FILTER(lang(?l) = "en") }}',
                  {"head": {"vars": ["l"]}, "results": {"bindings": [
                      {"l": {"type": "literal", "value": "China-Singapore Suzhou Industrial Park",
                             "xml:lang": "en"}}]}}),
        "ask": (f"ASK {{ <{SUZHOU}> a kg:Park }}", {"head": {}, "boolean": True}),
    }
    names = sorted(lookups)

    def worker(i: int) -> list[tuple[str, int, float, bool]]:
        out = []
        for j in range(10):
            name = names[(i + j) % len(names)]
            query, expected = lookups[name]
            started = time.perf_counter()
            status, _, body = get(server, query)
            out.append((name, status, time.perf_counter() - started, status == 200 and json.loads(body) == expected))
        return out

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = [r for rs in pool.map(worker, range(20)) for r in rs]
    assert len(results) == 200
    assert [(n, s, ok) for n, s, _, ok in results if s != 200 or not ok] == []
    for name in names:
        ms = sorted(t * 1000 for n, _, t, _ in results if n == name)
        p50, p95 = statistics.median(ms), ms[math.ceil(0.95 * len(ms)) - 1]  # nearest rank
        print(f"latency {name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms over {len(ms)} requests")


# --------------------------------------------------------------------------- query page, CLI, errors

def test_serve_page_is_offline_and_escapes_results(server) -> None:
    status, headers, page = call(server, "GET", "/")
    assert (status, headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    links = re.findall(r"""\b(?:src|href|action)\s*=\s*["']?([^"'\s>]*)""", page, re.IGNORECASE)
    assert [u for u in links if re.match(r"(?i)([a-z][a-z0-9+.-]*:|//)", u)] == []
    assert re.search(r"https?://|//[a-z]", page.split("<script>", 1)[1].split("</script>")[0]) is None
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in page
    assert ".textContent = cell(row[v])" in page
    assert page.count("</script>") == 2  # saved queries are embedded as data that cannot close the tag
    assert "<textarea" in page and "SELECT ?park ?company ?country" in page
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]


def test_serve_unknown_path_is_404(server) -> None:
    status, _, body = call(server, "GET", "/admin")
    assert status == 404 and "/sparql" in body, body


def test_serve_missing_graph_raises(tmp_path: Path) -> None:
    with pytest.raises(QueryError, match="no graph at .*run 'kg build' first"):
        make_server(tmp_path, port=0)


def test_serve_cli_lists_its_options() -> None:
    from kg.cli import cli

    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0, result.output
    for option in ("--graph", "--host", "--port", "--timeout", "--max-results", "Examples:"):
        assert option in result.output
    result = CliRunner().invoke(cli, ["--help"])
    assert "Serve a build as a read-only SPARQL 1.1 endpoint" in result.output


def test_serve_cli_reports_missing_graph(tmp_path: Path) -> None:
    from kg.cli import cli

    result = CliRunner().invoke(cli, ["serve", "--graph", str(tmp_path), "--port", "0", "--quiet"])
    assert result.exit_code == 1, result.output
    assert "Error: QueryError: no graph at" in result.output
