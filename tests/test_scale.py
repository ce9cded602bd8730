"""Big-build paths run on small inputs: the Oxigraph store in memory and on disk, streamed exports, the capped page."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import Graph

from kg.query import STORE_DIR, open_store, run_query, saved_queries
from kg.visualize import _page_data, render_store_html

ROOT = Path(__file__).resolve().parent.parent
UNSEEN = ROOT / "tests" / "data" / "unseen" / "articles"
TABLES = ("entities.csv", "investments.csv", "cooperations.csv", "outbound.csv", "statistics.csv")


def _build(src: Path, out: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg", "build", str(src), "--out", str(out), "--jobs", "2"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, env={**os.environ, **env})


@pytest.fixture(scope="module")
def three_builds(tmp_path_factory) -> dict[str, Path]:
    """The 13 unseen articles built three ways: rdflib graph, Oxigraph in memory, Oxigraph on disk."""
    base = tmp_path_factory.mktemp("scale")
    ways = {"rdflib": {}, "memory": {"KG_LARGE_CORPUS": "3"}, "disk": {"KG_LARGE_CORPUS": "3", "KG_DISK_CORPUS": "3"}}
    out = {}
    for name, env in ways.items():
        proc = _build(UNSEEN, base / name, **env)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        out[name] = base / name
    return out


def test_scale_the_three_stores_give_the_same_tables_and_triples(three_builds) -> None:
    rdf, mem, disk = (three_builds[k] for k in ("rdflib", "memory", "disk"))
    for name in TABLES:
        assert (mem / name).read_bytes() == (rdf / name).read_bytes(), name
        assert (disk / name).read_bytes() == (rdf / name).read_bytes(), name
    assert len(Graph().parse(rdf / "kg.ttl", format="turtle")) > 1000
    # Oxigraph writes decimals in their canonical form (475000000.0 -> 475000000): compare the triple sets
    # after the same normalisation, by loading all three through Oxigraph.
    import pyoxigraph as ox

    def triples(d: Path) -> set[str]:
        s = ox.Store()
        s.bulk_load(path=str(d / "kg.ttl"), format=ox.RdfFormat.TURTLE)
        return {str(q.triple) for q in s}

    assert triples(rdf) == triples(mem) == triples(disk)
    # the on-disk build writes kg.jsonld batch by batch: it must hold the same triples
    jl = ox.Store()
    jl.bulk_load(path=str(disk / "kg.jsonld"), format=ox.RdfFormat.JSON_LD)
    assert {str(q.triple) for q in jl} == triples(rdf)


def test_scale_disk_store_is_kept_and_queried_until_kg_ttl_changes(three_builds, tmp_path) -> None:
    import shutil

    rdf = three_builds["rdflib"]
    disk = tmp_path / "disk"  # a copy: this test changes its kg.ttl
    shutil.copytree(three_builds["disk"], disk)
    assert (disk / STORE_DIR).is_dir() and not (rdf / STORE_DIR).exists()
    import pyoxigraph as ox

    store = open_store(disk)
    in_memory = open_store(rdf)
    for name, q in saved_queries().items():
        a = sorted(map(str, run_query(store, q.text).rows))
        b = sorted(map(str, run_query(in_memory, q.text).rows))
        assert a == b, name
    # the on-disk store is opened read-only: an update is refused by the engine itself
    with pytest.raises(RuntimeError, match="read-write"):
        store.update("INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }")
    del store
    # once kg.ttl is replaced (by hand, or by a later small build), the store is no longer trusted
    ttl = (disk / "kg.ttl").read_text(encoding="utf-8")
    (disk / "kg.ttl").write_text(ttl + "\n<http://example.org/x> <http://example.org/y> \"z\" .\n", encoding="utf-8")
    fresh = open_store(disk)
    assert any(True for _ in fresh.quads_for_pattern(ox.NamedNode("http://example.org/x"), None, None))


def test_scale_capped_page_draws_the_most_reported_pairs(three_builds) -> None:
    store = open_store(three_builds["rdflib"])
    full = _page_data(render_store_html(store, limit=10_000))
    capped_page = render_store_html(store, limit=5)
    capped = _page_data(capped_page)
    investment_and_coop = [e for e in full["edges"] if e["kgKind"] in ("investment", "cooperation", "outbound")]
    assert len(investment_and_coop) > 20
    kept = [e for e in capped["edges"] if e["kgKind"] in ("investment", "cooperation", "outbound")]
    assert 0 < len(kept) <= 5
    assert "5 / " in capped_page and "most reported" in capped_page
    assert "most reported" not in render_store_html(store, limit=10_000)
    # every drawn edge still carries its evidence sentence
    assert all(e["evidence"] and e["evidence"][0]["quote"] for e in kept)


def test_scale_adding_one_article_to_a_big_build_processes_only_that_one(tmp_path, three_builds) -> None:
    import shutil

    src = tmp_path / "articles"
    src.mkdir()
    files = sorted(p for p in UNSEEN.iterdir() if p.is_file())
    articles = [p for p in files if p.suffix in (".txt", ".html")]
    for p in files:
        if p != articles[-1]:
            shutil.copy(p, src / p.name)
    env = {"KG_LARGE_CORPUS": "3", "KG_DISK_CORPUS": "3"}
    first = _build(src, tmp_path / "out", **env)
    assert first.returncode == 0, first.stdout + first.stderr
    shutil.copy(articles[-1], src / articles[-1].name)
    second = _build(src, tmp_path / "out", **env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert f"({len(articles) - 1} unchanged)" in second.stdout, second.stdout
    full = three_builds["disk"]
    for name in TABLES:
        assert (tmp_path / "out" / name).read_bytes() == (full / name).read_bytes(), name
    assert (tmp_path / "out" / "kg.ttl").read_bytes() == (full / "kg.ttl").read_bytes()
    assert (tmp_path / "out" / "kg.jsonld").read_bytes() == (full / "kg.jsonld").read_bytes()


def test_scale_rdflib_loader_refuses_a_graph_too_big_for_it(three_builds, monkeypatch) -> None:
    from kg.errors import QueryError
    from kg.query import load_graph

    monkeypatch.setenv("KG_RDFLIB_MAX_MB", "0")
    with pytest.raises(QueryError, match="kg query"):
        load_graph(three_builds["disk"])
    monkeypatch.setenv("KG_RDFLIB_MAX_MB", "200")
    assert len(load_graph(three_builds["disk"])) > 1000


def test_scale_bench_stops_a_runaway_query_and_goes_on(bundled_build) -> None:
    """A query past the bench's limit is stopped and reported with no runs; the next ones are still measured."""
    from kg.bench import query_latency_limited

    queries = {"quick": "SELECT ?p WHERE { ?p a kg:Park } LIMIT 3",
               "runaway": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
               "after": "SELECT (COUNT(*) AS ?n) WHERE { ?i a kg:Investment }"}
    t = time.perf_counter()
    lat = {name: (p50, runs) for name, p50, _p95, runs in query_latency_limited(bundled_build, queries, 3, 1.0, 2.0)}
    assert time.perf_counter() - t < 60
    assert lat["runaway"] == (2000.0, 0)
    assert lat["quick"][1] == 3 and lat["after"][1] == 3 and lat["after"][0] < 2000


def test_scale_bench_times_every_worker_stage_without_changing_its_output() -> None:
    from kg.bench import _StageClock, stage_times
    from kg.corpus import _work
    from kg.read import MAX_BYTES
    from tests.conftest import ARTICLES

    stages, done = stage_times(ARTICLES, 5)
    assert done == 5
    assert list(stages) == ["read", "segment", "extract", "relate", "triples", "ntriples", "rows", "pieces", "pack"]
    assert all(ms > 0 for ms in stages.values()), stages
    path = str(sorted(ARTICLES.glob("*.txt"))[0])
    clock = _StageClock()
    timed = _work((path, None, MAX_BYTES, True), clock)
    assert timed == _work((path, None, MAX_BYTES, True)) and timed[1]  # the clock only watches
    assert set(clock.seconds) == set(stages)


def test_scale_bench_corpus_is_kept_remade_when_stale_and_never_over_other_files(tmp_path) -> None:
    from kg.bench import make_corpus

    folder = tmp_path / "corpus-40"
    size = make_corpus(folder, 40)
    files = sorted(folder.rglob("*.txt"))
    assert len(files) == 40 and size == sum(f.stat().st_size for f in files)
    first = files[0].read_bytes()
    files[0].write_bytes(b"edited")
    assert make_corpus(folder, 40) == size - len(first) + len(b"edited")  # same version and seed: kept as it is
    (folder / ".generator").write_text("0 7 40", encoding="utf-8")
    assert make_corpus(folder, 40) == size and files[0].read_bytes() == first  # another version: made again
    (folder / "notes.md").write_text("mine", encoding="utf-8")
    (folder / ".generator").unlink()
    with pytest.raises(SystemExit, match="did not write"):
        make_corpus(folder, 40)
    assert (folder / "notes.md").read_text(encoding="utf-8") == "mine"
