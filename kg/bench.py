"""Benchmark: synthetic corpora of realistic articles, build speed and memory, SPARQL latency.

Run ``python -m kg.bench --sizes 1000,10000`` (``--help`` lists the options). It prints, in one run:
extraction throughput on one core and on all cores, the milliseconds per article of each worker
stage, end-to-end build time and peak memory, the seconds of each build phase and export file
(graph.html among them), triples, and p50/p95 latency of every saved query in Oxigraph beside
rdflib's own engine on the same graph (and their ratio).
Absolute times on a shared machine are noisy: compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_SIDEBAR = ("舞剧《星河》将在大剧院连演三场，著名演员领衔主演，观众好评如潮。",
            "某影城推出暑期档电影超前点映活动，IMAX厅票房再创新高，明星路演引发粉丝热议。",
            "歌手新专辑首发，演唱会巡演门票开售，乐坛人士纷纷点赞。")
_NAV = "首页 > 新闻中心 > 园区动态 正文\n"
_VERBS = ("投资", "增资", "设立", "落户", "签约建设", "新建")
_FACILITIES = ("研发中心", "生产基地", "新工厂", "亚太总部", "制造基地", "创新中心")
_UNITS = (("亿美元", 1), ("万欧元", 100), ("亿元", 1), ("亿日元", 10))


def synthetic_article(rng: random.Random, parks: list[tuple[str, str]], companies: list[tuple[str, str, str]],
                      countries: dict[str, str], i: int) -> tuple[str, bool]:
    """One article (Simplified text, and whether to write it in Traditional) about a park and its investors."""
    park, _ = rng.choice(parks)
    lines = [f"{park}举行重点项目签约仪式", ""]
    if rng.random() < 0.3:
        lines.insert(0, _NAV + "![]()")
    lines.append(f"{2018 + i % 8}-{1 + i % 12:02d}-{1 + i % 28:02d} 来源：园区发布")
    for _ in range(rng.randint(3, 6)):
        name, code, _sector = rng.choice(companies)
        country = countries.get(code, "")
        unit, scale = rng.choice(_UNITS)
        amount = rng.randint(1, 90) * scale / (10 if rng.random() < 0.3 else 1)
        q = rng.choice(("", "超", "约", "总投资"))
        verb = rng.choice(_VERBS)
        fac = rng.choice(_FACILITIES)
        lines.append(f"{country}{name}{verb}{q}{amount:g}{unit}在{park}建设{fac}，主要从事研发与生产，"
                     f"预计明年竣工投产，达产后年产值可观。")
    lines.append(f"截至目前，{park}累计实际利用外资{rng.randint(10, 400)}亿美元，进出口总额{rng.randint(100, 900)}亿元。")
    lines.append(f"园区将持续优化营商环境，深化与{rng.choice(list(countries.values()))}等国家的合作。")
    lines.append("（本报记者 张三）")
    lines.append(rng.choice(_SIDEBAR))
    text = "\n".join(lines) + "\n"
    if rng.random() < 0.25:  # PDF text: each paragraph broken every 26 characters, inside words
        text = "\n".join(line[j:j + 26] for line in text.split("\n") for j in range(0, len(line) or 1, 26))
    return text, rng.random() < 0.2


GENERATOR = "2"  # bumped whenever synthetic_article changes: a corpus folder from another version is made again


def make_corpus(folder: Path, n: int, seed: int = 7) -> int:
    """Write ``n`` synthetic articles into ``folder``; returns the bytes written.

    A folder already made by this version of the generator, with this seed, is kept as it is.
    """
    stamp = folder / ".generator"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == f"{GENERATOR} {seed} {n}":
        return sum(p.stat().st_size for p in folder.rglob("*.txt"))
    if folder.exists():
        ours = re.compile(r"\d{4}(?:/a\d{6}\.txt)?|\.generator")
        strange = [p for p in folder.rglob("*") if not ours.fullmatch(p.relative_to(folder).as_posix())]
        if strange:
            raise SystemExit(f"{folder} holds files the generator did not write ({strange[0]}); use another --workdir")
        shutil.rmtree(folder)
    from kg.gazetteer import default
    from kg.model import EntityType

    g = default()
    import opencc

    s2t = opencc.OpenCC("s2t").convert
    parks = sorted((e.label_zh, e.key) for e in g.entities.values() if e.type is EntityType.PARK and e.country == "CN")
    companies = sorted((e.label_zh, e.country, e.sector) for e in g.entities.values()
                       if e.type is EntityType.COMPANY and e.country and e.country != "CN")
    countries = {c.code: c.name_zh for c in g.countries.values()}
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(n):
        text, hant = synthetic_article(rng, parks, companies, countries, i)
        if hant:
            text = s2t(text)
        data = text.encode("utf-8")
        sub = folder / f"{i // 1000:04d}"
        sub.mkdir(exist_ok=True)
        (sub / f"a{i:06d}.txt").write_bytes(data)
        total += len(data)
    stamp.write_text(f"{GENERATOR} {seed} {n}", encoding="utf-8")
    return total


def _peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def extraction_throughput(folder: Path, jobs: int, limit: int) -> tuple[float, float]:
    """MB/s and articles/s of the build's worker over at most ``limit`` files.

    That is the text stages (read, segment, extract, relate) and what a worker makes of their
    facts (triples, N-Triples, table rows, packing), without the Turtle and JSON-LD pieces.
    """
    from concurrent.futures import ProcessPoolExecutor

    from kg.corpus import _init_worker, _work
    from kg.gazetteer import DATA_DIR
    from kg.read import MAX_BYTES

    files = sorted(str(p) for p in folder.rglob("*.txt"))[:limit]
    t0 = time.perf_counter()
    size = 0
    if jobs == 1:
        _init_worker(str(DATA_DIR))
        _work((files[0], None, MAX_BYTES, False))  # warm up (jieba's dictionary loads on first use)
        t0 = time.perf_counter()
        for f in files:
            size += _work((f, None, MAX_BYTES, False))[3]
    else:
        with ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(str(DATA_DIR),)) as ex:
            list(ex.map(_work, [(files[0], None, MAX_BYTES, False)] * jobs))  # warm every worker
            t0 = time.perf_counter()
            for item in ex.map(_work, [(f, None, MAX_BYTES, False) for f in files], chunksize=32):
                size += item[3]
    dt = time.perf_counter() - t0
    return size / 1e6 / dt, len(files) / dt


class _StageClock:
    """Seconds per worker stage, summed over articles (the ``tick`` of ``kg.corpus._work``)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.last = time.perf_counter()

    def start(self) -> None:
        self.last = time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self.last
        self.last = now


def stage_times(folder: Path, limit: int) -> tuple[dict[str, float], int]:
    """Milliseconds per article of each worker stage, on one core, over at most ``limit`` files.

    The stages are the build's own (``kg.corpus._work``), with the Turtle and JSON-LD pieces
    that big builds make; returns the times and the number of articles processed.
    """
    from kg.corpus import _init_worker, _work
    from kg.gazetteer import DATA_DIR
    from kg.read import MAX_BYTES

    files = sorted(str(p) for p in folder.rglob("*.txt"))[:limit]
    _init_worker(str(DATA_DIR))
    _work((files[0], None, MAX_BYTES, True))  # warm up
    clock = _StageClock()
    done = 0
    for f in files:
        clock.start()
        if _work((f, None, MAX_BYTES, True), clock)[1] is not None:
            done += 1
    return {stage: s * 1000 / max(done, 1) for stage, s in clock.seconds.items()}, done


_RDFLIB_ALL = """
import json, signal, sys, time
from kg.query import load_graph, with_prefixes

class Late(Exception):
    pass

def late(*_):
    raise Late()

signal.signal(signal.SIGALRM, late)
t = time.perf_counter()
g = load_graph(sys.argv[1])
print(json.dumps({"parse": time.perf_counter() - t}), flush=True)
queries = json.load(open(sys.argv[3], encoding="utf-8"))
for name, text in queries.items():
    q = with_prefixes(text)
    signal.alarm(int(sys.argv[2]))
    t = time.perf_counter()
    try:
        n = len(list(g.query(q)))
        ms = (time.perf_counter() - t) * 1000
    except Late:
        ms = None
    signal.alarm(0)
    print(json.dumps({"name": name, "ms": ms}), flush=True)
"""


def rdflib_times(graph_dir: Path, queries: dict[str, str], limit: float
                 ) -> tuple[float | None, dict[str, float | None]]:
    """rdflib's own engine on each query, in one child process that parses kg.ttl once.

    Returns (parse seconds, {query: ms, or None when it ran past ``limit`` seconds}).
    """
    import json

    out: dict[str, float | None] = {n: None for n in queries}
    parse = None
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump(queries, f)
    proc = subprocess.run([sys.executable, "-c", _RDFLIB_ALL, str(graph_dir), str(max(1, int(limit))), f.name],
                          capture_output=True, text=True)
    os.unlink(f.name)
    for line in proc.stdout.splitlines():
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if "parse" in item:
            parse = item["parse"]
        else:
            out[item["name"]] = item["ms"]
    return parse, out


_LOOKUPS = {
    # the look-ups of the scale issue, bound to one park, one fact and one party of the graph
    "lookup_investors_of_park": """SELECT ?investor ?amount ?currency WHERE {
        ?inv kg:host <PARK> ; kg:investor ?i . ?i skos:prefLabel ?investor . FILTER(langMatches(lang(?investor), "zh-Hans"))
        OPTIONAL { ?inv kg:amount [ schema:value ?amount ; schema:currency ?currency ] } }""",
    "lookup_evidence_of_fact": """SELECT ?article ?quote ?start ?end WHERE {
        <FACT> prov:qualifiedDerivation ?d . ?d prov:entity/kg:fileName ?article ; kg:quote ?quote ;
        kg:startOffset ?start ; kg:endOffset ?end }""",
    "lookup_agreements_of_party": """SELECT ?c ?kind ?agreement ?date WHERE {
        ?c a kg:Cooperation ; kg:party <PARTY> . OPTIONAL { ?c kg:cooperationKind ?kind }
        OPTIONAL { ?c kg:agreement ?agreement } OPTIONAL { ?c kg:date ?date } }""",
}


def lookup_queries(store) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The look-up queries bound to the host of the first investment, that investment, a party of a cooperation.

    (Picking "the busiest park" needs a whole-graph aggregation, itself a minute on a 100k on-disk store.)
    """
    from kg.query import run_query, with_prefixes

    def first(q: str) -> str:
        rows = run_query(store, with_prefixes(q)).rows
        return rows[0][0] if rows else "urn:x-none"

    fact = first("SELECT ?i WHERE { ?i a kg:Investment ; kg:host ?h . ?h a kg:Park } LIMIT 1")
    park = first("SELECT ?h WHERE { <" + fact + "> kg:host ?h }")
    party = first("SELECT ?p WHERE { ?c a kg:Cooperation ; kg:party ?p } LIMIT 1")
    return {name: q.replace("<PARK>", f"<{park}>").replace("<FACT>", f"<{fact}>").replace("<PARTY>", f"<{party}>")
            for name, q in _LOOKUPS.items()}


def _timed(store, name: str, q: str, repeats: int, budget: float) -> tuple[str, float, float, int]:  # type: ignore[no-untyped-def]
    from kg.query import run_query

    times: list[float] = []
    while len(times) < repeats and (not times or sum(times) < budget * 1000):
        t = time.perf_counter()
        run_query(store, q)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return name, statistics.median(times), times[math.ceil(0.95 * len(times)) - 1], len(times)


def query_latency(store, repeats: int, budget: float = 60.0,  # type: ignore[no-untyped-def]
                  queries: dict[str, str] | None = None) -> list[tuple[str, float, float, int]]:
    """(query, p50 ms, p95 ms, runs) in Oxigraph for every query (default: the saved ones).

    Each query runs ``repeats`` times, or fewer when its runs add up to ``budget`` seconds (at least once).
    """
    from kg.query import saved_queries

    out = []
    for name, q in (queries or {n: s.text for n, s in saved_queries().items()}).items():
        out.append(_timed(store, name, q, repeats, budget))
        print(f"  oxigraph {name}: p50 {out[-1][1]:.2f} ms, p95 {out[-1][2]:.2f} ms, {out[-1][3]} run(s)")
    return out


def _latency_child(graph_dir: str, queries: list[tuple[str, str]], repeats: int, budget: float, conn) -> None:  # type: ignore[no-untyped-def]
    from kg.query import open_store

    store = open_store(graph_dir)
    for name, q in queries:
        conn.send(("start", name))
        conn.send(("done", *_timed(store, name, q, repeats, budget)))
    conn.close()


def query_latency_limited(graph_dir: Path, queries: dict[str, str], repeats: int, budget: float,
                          limit: float) -> list[tuple[str, float, float, int]]:
    """As ``query_latency``, in a child process that is stopped when one query runs past ``limit`` seconds.

    Oxigraph cannot be interrupted from Python while it evaluates, and some whole-graph queries
    (a self-join such as ``shared_investors``) run for tens of minutes on a big graph: such a
    query is reported with 0 runs and the next ones go on in a fresh child.
    """
    import multiprocessing as mp

    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    todo = list(queries.items())
    out: list[tuple[str, float, float, int]] = []
    while todo:
        parent, child = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_latency_child, args=(str(graph_dir), todo, repeats, budget, child), daemon=True)
        proc.start()
        child.close()
        current = None
        while todo:
            # runs of one query stop once they add up to `budget`: the last one may take up to `limit`;
            # opening a build's store (loading kg.ttl into memory) comes before the first query
            if not parent.poll(budget + limit + (600 if current is None else 0)):
                break
            try:
                msg = parent.recv()
            except EOFError:
                break
            if msg[0] == "start":
                current = msg[1]
                continue
            out.append(msg[1:])
            todo.pop(0)
            current = None
            print(f"  oxigraph {msg[1]}: p50 {msg[2]:.2f} ms, p95 {msg[3]:.2f} ms, {msg[4]} run(s)")
        proc.kill()
        proc.join()
        if todo:  # the first query left did not finish in time (or the child died on it)
            name = todo.pop(0)[0]
            out.append((name, limit * 1000, limit * 1000, 0))
            print(f"  oxigraph {name}: over {limit:.0f} s, stopped")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000", help="comma-separated corpus sizes in articles")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes for the parallel runs")
    ap.add_argument("--repeats", type=int, default=20, help="runs per query for p50/p95")
    ap.add_argument("--rdflib-limit", type=float, default=120.0,
                    help="seconds allowed to rdflib's engine per query (0 skips it); '>limit' is printed past it")
    ap.add_argument("--rdflib-max-triples", type=int, default=3_000_000,
                    help="skip rdflib's engine on graphs larger than this (its memory store needs ~3 GB a million triples)")
    ap.add_argument("--query-budget", type=float, default=60.0,
                    help="seconds of runs per query in Oxigraph; slow queries run fewer than --repeats times")
    ap.add_argument("--query-limit", type=float, default=300.0,
                    help="seconds after which one Oxigraph query run is stopped and reported as over the limit")
    ap.add_argument("--reuse-build", action="store_true",
                    help="measure queries on the build already in the workdir instead of building again")
    ap.add_argument("--workdir", type=Path, default=None, help="where corpora and builds go (default: a temp dir)")
    args = ap.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    base = args.workdir or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}; workdir {base}")
    for n in (int(x) for x in args.sizes.split(",") if x):
        corpus = base / f"corpus-{n}"
        t = time.perf_counter()
        nbytes = make_corpus(corpus, n)
        print(f"\n== {n} articles, {nbytes / 1e6:.1f} MB (generated in {time.perf_counter() - t:.1f} s)")
        sample = min(n, 2000)
        mb1, a1 = extraction_throughput(corpus, 1, sample)
        mbj, aj = extraction_throughput(corpus, args.jobs, sample)
        print(f"extraction, 1 core:  {mb1:.2f} MB/s, {a1:.0f} articles/s (on {sample} articles; "
              "the build's worker: text stages, then triples, N-Triples, rows and packing)")
        print(f"extraction, {args.jobs} cores: {mbj:.2f} MB/s, {aj:.0f} articles/s (x{mbj / mb1:.2f})")
        stages, counted = stage_times(corpus, min(n, 500))
        print(f"per article, 1 core ({counted} articles): " + ", ".join(f"{k} {v:.2f} ms" for k, v in stages.items())
              + " (pieces: the Turtle and JSON-LD that big builds make; pack: compressing and pickling)")
        out = base / f"build-{n}"
        cmd = [sys.executable, "-m", "kg", "build", str(corpus), "--out", str(out), "--full", "-q",
               "--jobs", str(args.jobs)]
        if args.reuse_build and (out / "kg.ttl").is_file():
            print(f"build: reusing {out}")
        else:
            t = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True)
            build_s = time.perf_counter() - t
            print(f"build: {build_s:.1f} s end to end, peak memory {_peak_rss_mb():.0f} MB (largest process), "
                  f"exit {proc.returncode}")
            for line in proc.stdout.strip().splitlines():
                if line.startswith(("found ", "seconds: ")):
                    print("  " + line)  # what was found; seconds per phase and per export file (graph.html too)
            if proc.returncode not in (0, 3):
                print(proc.stderr[-2000:])
                continue
        from kg.query import open_store

        t = time.perf_counter()
        store = open_store(out)
        t_open = time.perf_counter() - t
        triples = len(store)
        print(f"triples: {triples} (with the ontology); store opened in {t_open:.1f} s")
        lookups = lookup_queries(store)
        del store
        from kg.query import saved_queries

        texts = {**lookups, **{n: q.text for n, q in saved_queries().items()}}
        lat = query_latency_limited(out, texts, args.repeats, args.query_budget, args.query_limit)
        names = [name for name, *_ in lat]
        if args.rdflib_limit <= 0:
            parse, rd = None, {}
            print("rdflib: skipped (--rdflib-limit 0)")
        elif triples > args.rdflib_max_triples:
            parse, rd = None, {}
            print(f"rdflib: skipped, {triples} triples is over --rdflib-max-triples {args.rdflib_max_triples} "
                  "(its memory store would not fit)")
        else:
            parse, rd = rdflib_times(out, {n: texts[n] for n in names}, args.rdflib_limit)
            print(f"rdflib: kg.ttl parsed in {parse:.1f} s" if parse is not None else "rdflib: kg.ttl did not parse")
        w = max([28, *(len(name) for name, *_ in lat)])
        print(f"{'query':{w}} {'p50 ms':>9} {'p95 ms':>9} {'runs':>5} {'rdflib ms':>10} {'ratio':>7}")
        for name, p50, p95, runs in lat:
            r = rd.get(name)
            ratio = f"{r / p50:7.1f}" if r else ("  >" + f"{args.rdflib_limit * 1000 / p50:.0f}" if name in rd else "      -")
            rds = f"{r:10.1f}" if r else (f"{'>' + str(int(args.rdflib_limit)) + 's':>10}" if name in rd else "         -")
            if runs == 0:  # stopped at --query-limit
                over = f">{args.query_limit:.0f}s"
                print(f"{name:{w}} {over:>9} {over:>9} {runs:5d} {rds}       -")
                continue
            print(f"{name:{w}} {p50:9.2f} {p95:9.2f} {runs:5d} {rds} {ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
