"""Build a corpus: files in, graph and exports out; incremental, parallel, one bad file never sinks it."""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from kg.build import build_graph, load_rates
from kg.curation import apply_to_gazetteer, apply_to_results, load_curation
from kg.errors import InputError, KGError
from kg.export import write_exports
from kg.gazetteer import DATA_DIR, Gazetteer, load
from kg.model import ArticleResult
from kg.pipeline import process
from kg.read import MAX_BYTES, discover, read_article, read_index

_CODE_FILES = ("read.py", "segment.py", "extract.py", "relate.py", "lexicon.py", "quantities.py", "gazetteer.py",
               "model.py", "_context.py", "pipeline.py")


@dataclass
class BuildReport:
    """What a build read, found and wrote."""

    articles: int = 0
    reused: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    entities: Counter = field(default_factory=Counter)
    facts: Counter = field(default_factory=Counter)
    triples: int = 0
    written: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    megabytes: float = 0.0


def _digest_files(paths: Iterable[Path]) -> str:
    h = hashlib.sha1()
    for p in sorted(paths):
        if p.is_file():
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def code_digest(data_dir: Path) -> str:
    """Changes when the extraction code, the gazetteers or the curation file change."""
    here = Path(__file__).resolve().parent
    files = [here / f for f in _CODE_FILES] + sorted((data_dir / "gazetteer").glob("*.csv"))
    return _digest_files(files + [data_dir / "curation.toml"])


# Above this many articles the graph lives in Oxigraph (oxrdflib) and Oxigraph writes kg.ttl and kg.jsonld
# (rdflib's Turtle writer took 61 s for 141k triples, Oxigraph 0.1 s); small builds keep rdflib's layout.
LARGE_CORPUS = int(os.environ.get("KG_LARGE_CORPUS", "100"))

_WORKER_GAZ: Gazetteer | None = None


def _init_worker(data_dir: str) -> None:
    global _WORKER_GAZ
    _WORKER_GAZ = _gazetteer(Path(data_dir))


def _gazetteer(data_dir: Path) -> Gazetteer:
    g = load(data_dir)
    apply_to_gazetteer(g, load_curation(data_dir / "curation.toml"))
    return g


def _work(job: tuple[str, dict[str, str] | None, int]) -> tuple[str, ArticleResult | None, str, int]:
    """Read and process one file in a worker; returns (path, result, error, bytes)."""
    path, meta, max_bytes = job
    assert _WORKER_GAZ is not None
    try:
        article = read_article(Path(path), meta, max_bytes)
    except InputError as err:
        return path, None, f"skipped: {err.reason}", 0
    size = len(article.text.encode("utf-8"))
    try:
        result = process(article, _WORKER_GAZ)
    except KGError as err:
        return path, None, f"failed: {err}", size
    # Keep the evidence, drop the full text: results are cached and held for the whole build.
    return path, replace(result, article=replace(article, text="")), "", size


def build_corpus(
    paths: list[str | os.PathLike[str]],
    out: Path,
    jobs: int = 1,
    data_dir: Path | None = None,
    max_bytes: int = MAX_BYTES,
    html: bool = True,
    incremental: bool = True,
    progress: Callable[[str], None] | None = None,
) -> BuildReport:
    """Read every article under ``paths``, build the graph and write all exports into ``out``.

    Articles whose file, the code and the gazetteers are unchanged since the last
    build into ``out`` are taken from ``out/.cache`` instead of being processed again.
    """
    t0 = time.perf_counter()
    data_dir = data_dir or DATA_DIR
    report = BuildReport()
    say = progress or (lambda msg: None)
    files, skipped = discover(paths)
    report.skipped += [(s.path, s.reason) for s in skipped]
    cache_dir = out / ".cache"
    digest = code_digest(data_dir)
    cache: dict[str, tuple[str, ArticleResult]] = {}
    cache_file = cache_dir / "articles.pickle"
    if incremental and cache_file.is_file():
        try:
            with cache_file.open("rb") as f:
                stored = pickle.load(f)
            if stored.get("code") == digest:
                cache = stored.get("articles", {})
            if not isinstance(cache, dict) or not all(
                    isinstance(v, tuple) and len(v) == 2 and isinstance(v[1], ArticleResult) for v in cache.values()):
                cache = {}
        except Exception:  # a cache that does not load is rebuilt, whatever is wrong with it
            cache = {}
    indexes: dict[Path, dict[str, dict[str, str]]] = {}
    jobs_todo: list[tuple[str, dict[str, str] | None, int]] = []
    results: dict[str, ArticleResult] = {}
    file_digests: dict[str, str] = {}
    for f in files:
        folder = f.parent
        if folder not in indexes:
            indexes[folder] = read_index(folder)
        meta = indexes[folder].get(f.name)
        key = str(f)
        try:
            size = f.stat().st_size
            if size > max_bytes:
                report.skipped.append((key, f"too large ({size / 1048576:.1f} MB > limit {max_bytes / 1048576:.0f} MB; "
                                            "see --max-size)"))
                continue
            h = hashlib.sha1(repr(sorted((meta or {}).items())).encode())
            with f.open("rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
            fd = h.hexdigest()
        except OSError as err:
            report.skipped.append((key, f"cannot read ({err.strerror or err})"))
            continue
        file_digests[key] = fd
        hit = cache.get(key)
        if hit is not None and hit[0] == fd:
            results[key] = hit[1]
            report.reused += 1
        else:
            jobs_todo.append((key, meta, max_bytes))
    say(f"reading {len(files)} article file(s): {report.reused} unchanged, {len(jobs_todo)} to process")
    done = 0
    last = time.perf_counter()
    nbytes = 0

    def collect(item: tuple[str, ArticleResult | None, str, int]) -> None:
        nonlocal done, last, nbytes
        path, res, err, size = item
        done += 1
        nbytes += size
        if res is None:
            (report.skipped if err.startswith("skipped") else report.failed).append((path, err.split(": ", 1)[1]))
        else:
            results[path] = res
        now = time.perf_counter()
        if now - last > 2 or done == len(jobs_todo):
            rate = nbytes / 1e6 / max(1e-9, now - t0)
            say(f"processed {done}/{len(jobs_todo)} articles ({nbytes / 1e6:.1f} MB, {rate:.2f} MB/s)")
            last = now

    if jobs > 1 and len(jobs_todo) > 1:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(str(data_dir),)) as ex:
            chunk = max(1, min(64, len(jobs_todo) // (jobs * 8) or 1))
            for item in ex.map(_work, jobs_todo, chunksize=chunk):
                collect(item)
    elif jobs_todo:
        _init_worker(str(data_dir))
        for job in jobs_todo:
            collect(_work(job))
    report.megabytes = nbytes / 1e6
    ordered = [results[k] for k in sorted(results)]
    report.articles = len(ordered)
    if incremental:
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = cache_file.with_suffix(".tmp")
            with tmp.open("wb") as f:
                pickle.dump({"code": digest, "articles": {k: (file_digests[k], results[k]) for k in results}}, f,
                            protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, cache_file)
        except OSError as err:
            say(f"warning: cannot write the build cache ({err.strerror or err}); the next build will redo everything")
    cache.clear()  # the previous build's results are no longer needed
    results.clear()
    cur = load_curation(data_dir / "curation.toml")
    ordered = apply_to_results(ordered, cur)
    gaz = _gazetteer(data_dir)
    say(f"building the graph from {len(ordered)} article(s)")
    store = "Oxigraph" if len(ordered) > LARGE_CORPUS else "default"
    graph = build_graph(ordered, gaz, load_rates(data_dir / "fx_rates.csv"), store=store)
    report.triples = len(graph)
    for r in ordered:
        for fct in r.facts:
            report.facts[fct.kind] += 1
    del ordered  # the graph holds everything from here on
    from kg.export import entity_rows

    for row in entity_rows(graph):
        report.entities[row["type"]] += 1
    say(f"writing exports into {out}")
    report.written = write_exports(graph, out, html=html)
    report.seconds = time.perf_counter() - t0
    return report


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


if __name__ == "__main__":  # pragma: no cover
    rep = build_corpus(sys.argv[1:] or ["data/articles"], Path("exports"), progress=print)
    print(rep)
