"""Pushing a build into a Graph Store Protocol server (kg.push), against a real Oxigraph server."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.errors import ExportError
from kg.push import DEFAULT_GRAPH_IRI, push

ROOT = Path(__file__).resolve().parent.parent
SUZHOU = "https://w3id.org/sino-foreign-kg/id/park/suzhou-industrial-park"
OXIGRAPH = shutil.which("oxigraph")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def build(bundled_build: Path) -> Path:
    """The bundled articles, built once per session (tests/conftest.py)."""
    return bundled_build


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory):
    """An Oxigraph server on a free loopback port; yields its base URL."""
    if OXIGRAPH is None:
        pytest.skip("the oxigraph server binary is not on PATH; pip install 'kg[test]' (PyPI package oxigraph)")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("oxigraph_log") / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([OXIGRAPH, "serve", "--location", str(tmp_path_factory.mktemp("oxigraph_db")),
                                 "--bind", f"127.0.0.1:{port}"], stdout=out, stderr=subprocess.STDOUT)
    try:
        for _ in range(200):  # at most 20 s
            if proc.poll() is not None:
                pytest.fail(f"oxigraph exited with {proc.returncode}: {log.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(f"{base}/query?" + urlencode({"query": "ASK {}"}), timeout=2):
                    break
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        else:
            pytest.fail(f"oxigraph did not answer on {base} within 20 s")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def select(base: str, query: str) -> list[dict[str, str]]:
    req = urllib.request.Request(f"{base}/query?" + urlencode({"query": query}),
                                 headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        data = json.load(resp)
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


def count(base: str, graph: str) -> int:
    return int(select(base, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")[0]["n"])


def triples_of(ttl: Path) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(path=str(ttl), format=ox.RdfFormat.TURTLE)}


def test_push_loads_the_build_into_oxigraph(oxigraph: str, build: Path) -> None:
    expected = triples_of(build / "kg.ttl")
    result = push(build, f"{oxigraph}/store")
    assert (result.endpoint, result.graph_iri, result.triples) == (f"{oxigraph}/store", DEFAULT_GRAPH_IRI,
                                                                    len(expected))
    assert result.status in (201, 204)
    assert count(oxigraph, DEFAULT_GRAPH_IRI) == len(expected)
    # a few values; Oxigraph writes language tags in lower case and decimals in canonical form
    labels = select(oxigraph, f"SELECT ?l (LANG(?l) AS ?lang) WHERE {{ GRAPH <{DEFAULT_GRAPH_IRI}> "
                              f"{{ <{SUZHOU}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }} }} ORDER BY ?lang")
    assert labels == [{"l": "China-Singapore Suzhou Industrial Park", "lang": "en"},
                      {"l": "苏州工业园区", "lang": "zh-hans"}]
    amounts = select(oxigraph, f"SELECT ?v WHERE {{ GRAPH <{DEFAULT_GRAPH_IRI}> {{ ?a <https://schema.org/value> ?v }} }}")
    local = [str(t.object.value) for t in expected  # type: ignore[union-attr]
             if t.predicate.value == "https://schema.org/value"]
    assert local and sorted(Decimal(a["v"]) for a in amounts) == sorted(Decimal(v) for v in local)
    # nothing went into the default graph
    assert select(oxigraph, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == [{"n": "0"}]


def test_push_replaces_the_graph_instead_of_adding(oxigraph: str, build: Path, tmp_path: Path) -> None:
    graph = "https://example.org/replace-test"
    full = triples_of(build / "kg.ttl")
    small = sorted(full, key=str)[:10]
    (tmp_path / "kg.ttl").write_bytes(ox.serialize(small, format=ox.RdfFormat.N_TRIPLES) or b"")

    assert push(build, f"{oxigraph}/store", graph).triples == len(full)
    assert push(build, f"{oxigraph}/store", graph).status == 204  # twice: still one copy
    assert count(oxigraph, graph) == len(full)
    assert push(tmp_path, f"{oxigraph}/store", graph).triples == 10  # a smaller build replaces it
    assert count(oxigraph, graph) == 10
    push(build, f"{oxigraph}/store", graph)
    assert count(oxigraph, graph) == len(full)


def test_push_as_ntriples(oxigraph: str, build: Path) -> None:
    graph = "https://example.org/ntriples-test"
    result = push(build / "kg.ttl", f"{oxigraph}/store", graph, fmt="ntriples")
    assert count(oxigraph, graph) == result.triples == len(triples_of(build / "kg.ttl"))


def test_push_http_error_has_status_and_body(oxigraph: str, build: Path) -> None:
    with pytest.raises(ExportError) as err:
        push(build, f"{oxigraph}/query")
    message = str(err.value)
    assert "answered HTTP 404 Not Found: PUT /query is not supported" in message, message
    assert "Graph Store Protocol URL" in message


def test_push_connection_failure_is_clear_and_hides_credentials(build: Path) -> None:
    port = free_port()  # nothing listens there
    with pytest.raises(ExportError, match=rf"cannot reach http://127\.0\.0\.1:{port}/store: .*is the store running"):
        push(build, f"http://127.0.0.1:{port}/store", timeout=5)
    with pytest.raises(ExportError) as err:
        push(build, f"http://admin:s3cret@127.0.0.1:{port}/store", timeout=5)
    assert "s3cret" not in str(err.value) and "admin" not in str(err.value)


@pytest.mark.parametrize(("endpoint", "graph", "message"), [
    ("ftp://127.0.0.1/store", None, "is not an http(s) URL"),
    ("localhost:7878/store", None, "is not an http(s) URL"),
    ("http://127.0.0.1:port/store", None, "is not an http(s) URL"),
    ("http://127.0.0.1:7878/store", "not an iri", "is not an absolute IRI"),
])
def test_push_refuses_bad_endpoint_or_graph(build: Path, endpoint: str, graph: str | None, message: str) -> None:
    with pytest.raises(ExportError, match=message.replace("(", r"\(").replace(")", r"\)")):
        push(build, endpoint, graph)


def test_push_missing_or_broken_build(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="no graph at .*run 'kg build' first"):
        push(tmp_path, "http://127.0.0.1:7878/store")
    (tmp_path / "kg.ttl").write_text("<a> <b> .\n", encoding="utf-8")
    with pytest.raises(ExportError, match="cannot read"):
        push(tmp_path, "http://127.0.0.1:7878/store")


def test_push_cli(oxigraph: str, build: Path) -> None:
    from kg.cli import cli

    graph = "https://example.org/cli-test"
    result = CliRunner().invoke(cli, ["push", "--graph", str(build), "--endpoint", f"{oxigraph}/store",
                                      "--graph-iri", graph])
    assert result.exit_code == 0, result.output
    n = len(triples_of(build / "kg.ttl"))
    assert result.output == f"pushed {n} triples into <{graph}> at {oxigraph}/store (HTTP 201)\n"
    result = CliRunner().invoke(cli, ["push", "--graph", str(build), "--endpoint", f"{oxigraph}/nope"])
    assert result.exit_code == 1, result.output
    assert "Error: ExportError: " in result.output and "HTTP 404" in result.output
    result = CliRunner().invoke(cli, ["push", "--help"])
    assert result.exit_code == 0 and "Examples:" in result.output and "--endpoint" in result.output
