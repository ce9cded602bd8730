"""Broken and hostile input (issue 6): keep working, lose nothing, let nothing in.

Each test runs real builds (``python -m kg build`` in a subprocess, or the click
command in-process) on files made in ``tmp_path`` and checks what lands in the
exports, what is reported, and the exit code.
"""

from __future__ import annotations

import csv
import io
import json
import os
import queue
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic, to_isomorphic
from rdflib.namespace import RDF, RDFS, SKOS

from kg.cli import cli
from kg.export import (
    COOPERATION_COLUMNS,
    ENTITY_COLUMNS,
    INVESTMENT_COLUMNS,
    OUTBOUND_COLUMNS,
    STATISTIC_COLUMNS,
    entity_rows,
    export,
    to_jsonld,
    to_turtle,
    write_csv,
)
from kg.namespaces import KG
from tests.conftest import ARTICLES, ROOT

EXPORTS = ("kg.ttl", "kg.jsonld", "entities.csv", "investments.csv", "cooperations.csv", "outbound.csv",
           "statistics.csv", "graph.html")
CSV_HEADERS = {"entities.csv": ENTITY_COLUMNS, "investments.csv": INVESTMENT_COLUMNS,
               "cooperations.csv": COOPERATION_COLUMNS, "outbound.csv": OUTBOUND_COLUMNS,
               "statistics.csv": STATISTIC_COLUMNS}
BUNDLED = sorted(p.name for p in ARTICLES.glob("*.txt"))
# Hidden files a build may leave in OUT: the cache folder and the temp files of a killed write_exports.
HIDDEN_OK = re.compile(r"\.cache|\.(?:" + "|".join(re.escape(n) for n in EXPORTS) + r")\.[^/]+\.tmp")


def _kg_build(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m kg build ARGS`` as a user runs it, from the project folder."""
    return subprocess.run([sys.executable, "-m", "kg", "build", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, env={**os.environ, **(env or {})})


def _cli_build(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["build", *map(str, args)])
    return result.exit_code, result.output


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {n: (folder / n).read_bytes() for n in EXPORTS}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _copy_articles(dest: Path, names: list[str]) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(ARTICLES / "index.csv", dest / "index.csv")
    for n in names:
        shutil.copy(ARTICLES / n, dest / n)
        (dest / n).chmod(0o644)
    return dest


def _article_encodings(ttl: Path) -> dict[str, str]:
    g = Graph().parse(ttl, format="turtle")
    return {str(g.value(a, KG.fileName)): str(g.value(a, KG.encoding)) for a in g.subjects(RDF.type, KG.Article)}


def _reports(stderr: str) -> list[tuple[str, str, str]]:
    """(kind, file name, reason) of every "skipped …"/"failed …" line; the exception type is masked."""
    out = []
    for line in stderr.splitlines():
        m = re.fullmatch(r"(skipped|failed) (.+?): (.+)", line)
        if m:
            reason = re.sub(r"\((?:RuntimeError|OSError|FileNotFoundError): ", "(<error>: ", m.group(3))
            out.append((m.group(1), Path(m.group(2)).name, reason))
    return sorted(out)


def _parses(name: str, data: bytes) -> bool:
    """A complete export file of its kind: Turtle and JSON-LD parse, a CSV has its header and full rows."""
    text = data.decode("utf-8")
    if name == "kg.ttl":
        return len(Graph().parse(data=text, format="turtle")) > 0
    if name == "kg.jsonld":
        json.loads(text)
        return len(Graph().parse(data=text, format="json-ld")) > 0
    if name.endswith(".csv"):
        rows = list(csv.reader(io.StringIO(text)))
        return rows[0] == CSV_HEADERS[name] and all(len(r) == len(rows[0]) for r in rows) and text.endswith("\n")
    return text.rstrip().endswith("</html>")


# --------------------------------------------------------------------------- a folder of hostile files
GB_TEXT = "2024年5月6日 苏州讯\n德国博世在苏州工业园区投资5亿元建设新能源汽车部件工厂，项目预计明年投产。\n"
BIG5_TEXT = "2024年5月6日 無錫訊\n德國博世在無錫高新區投資3億美元建設研發中心，這是博世在華東的重要佈局。\n"
UTF16_TEXT = "2024年5月6日\n日本电装在无锡高新区投资2亿元建设汽车零部件工厂。\n"
NAMED_TEXT = "2024年5月6日\n法国施耐德电气在苏州工业园区投资4亿元建设智能配电工厂。\n"
LATIN1_NAMED_TEXT = "2024年5月6日\n瑞士罗氏在苏州工业园区投资6亿元建设诊断试剂工厂。\n"
HTML_PAGE = """<!doctype html><html><head><title>页面标题</title>
<style>.x { color: red } /* 样式里的罗氏在苏州工业园区投资88亿美元 */</style></head>
<body><script>var s = "阿斯利康在无锡高新区投资99亿美元";</script>
<![if !supportLists]><![endif]><![foo bar]>
<p>2024年5月6日</p><p>美国通用电气在无锡高新区投资1亿美元建设航空发动机部件工厂。</p>
<noscript>罗氏在苏州工业园区投资77亿美元</noscript></body></html>
"""


def _hostile_folder(root: Path) -> tuple[Path, list[tuple[str, str, str]], str]:
    """Good and bad article files; returns the folder, the expected reports and how the unreadable case is made."""
    src = root / "in"
    src.mkdir()
    for n in BUNDLED[:1] + BUNDLED[2:3]:
        shutil.copy(ARTICLES / n, src / n)
    (src / "empty.txt").write_bytes(b"")
    rnd = random.Random(6)
    (src / "binary.txt").write_bytes(bytes(rnd.randrange(256) for _ in range(3000)) + b"\x00" * 64
                                     + bytes(rnd.randrange(256) for _ in range(3000)))
    (src / "gb.txt").write_bytes(GB_TEXT.encode("gb18030"))
    (src / "big5.txt").write_bytes(BIG5_TEXT.encode("big5"))
    (src / "utf16.txt").write_bytes(UTF16_TEXT.encode("utf-16"))  # with a BOM
    (src / "page.html").write_text(HTML_PAGE, encoding="utf-8")
    (src / "新 文章 一.txt").write_text(NAMED_TEXT, encoding="utf-8")
    # A file name in Latin-1, not UTF-8 ("été"): Python holds it with surrogates, which cannot go into RDF or CSV.
    with open(os.fsencode(src) + b"/latin1 \xe9t\xe9.txt", "wb") as f:
        f.write(LATIN1_NAMED_TEXT.encode("utf-8"))
    with (src / "huge.txt").open("wb") as f:  # 100 MB of real Chinese text, default --max-size is 20 MB
        block = ("苏州工业园区投资" * 4096).encode("utf-8")  # 96 KiB
        for _ in range(100 * 2**20 // len(block)):
            f.write(block)
        f.write(b"\n" * (100 * 2**20 - f.tell()))
    (src / "loop_a.txt").symlink_to("loop_b.txt")
    (src / "loop_b.txt").symlink_to("loop_a.txt")
    expected = [
        ("skipped", "binary.txt", "binary file (NUL bytes), not text"),
        ("skipped", "empty.txt", "empty file"),
        ("skipped", "huge.txt", "too large (100.0 MB > limit 20 MB; see --max-size)"),
        ("skipped", "loop_a.txt", "cannot resolve path (<error>: symlink loop or dangling link)"),
        ("skipped", "loop_b.txt", "cannot resolve path (<error>: symlink loop or dangling link)"),
    ]
    if os.geteuid() != 0:
        (src / "secret.txt").write_text(NAMED_TEXT, encoding="utf-8")
        (src / "secret.txt").chmod(0)
        expected.append(("skipped", "secret.txt", "cannot read (Permission denied)"))
        how = "chmod 000"
    else:
        # root reads a chmod 000 file, so use what even root cannot read as an article: a FIFO (opening it
        # would block until a writer comes, the build must not hang) and a link to nowhere.
        os.mkfifo(src / "pipe.txt")
        (src / "dangling.txt").symlink_to("nowhere.txt")
        expected += [("skipped", "dangling.txt", "cannot resolve path (<error>: symlink loop or dangling link)"),
                     ("skipped", "pipe.txt", "not a regular file")]
        how = "FIFO and dangling link (running as root: chmod 000 does not stop root)"
    return src, sorted(expected), how


@pytest.mark.slow
def test_robustness_hostile_folder_builds_good_files_and_reports_each_bad_one(tmp_path) -> None:
    src, expected_reports, how = _hostile_folder(tmp_path)
    out = tmp_path / "out"
    proc = _kg_build(src, "--out", out, "--jobs", "2")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 3, output
    assert "Traceback" not in output and "Error" not in proc.stdout, output
    assert _reports(proc.stderr) == expected_reports, (how, output)
    assert _article_encodings(out / "kg.ttl") == {
        BUNDLED[0]: "utf-8", BUNDLED[2]: "utf-8", "gb.txt": "gb18030", "big5.txt": "big5", "utf16.txt": "utf-16",
        "page.html": "utf-8", "新 文章 一.txt": "utf-8", "latin1 \\xe9t\\xe9.txt": "utf-8"}
    mine = {(r["article"], r["investor"], r["host"], r["amount"], r["currency"])
            for r in _rows(out / "investments.csv") if r["article"] not in BUNDLED}
    assert mine == {
        ("gb.txt", "博世", "苏州工业园区", "500000000", "CNY"),
        ("big5.txt", "博世", "无锡国家高新技术产业开发区", "300000000", "USD"),
        ("utf16.txt", "电装公司", "无锡国家高新技术产业开发区", "200000000", "CNY"),
        ("page.html", "通用电气", "无锡国家高新技术产业开发区", "100000000", "USD"),
        ("新 文章 一.txt", "施耐德电气", "苏州工业园区", "400000000", "CNY"),
        ("latin1 \\xe9t\\xe9.txt", "罗氏", "苏州工业园区", "600000000", "CNY"),
    }
    # Nothing from <script>, <style>, <noscript> or <title> reaches the graph.
    data = "".join((out / n).read_text(encoding="utf-8") for n in EXPORTS if n != "graph.html")
    page_html = (out / "graph.html").read_text(encoding="utf-8")  # has scripts of its own, so only the text
    leaked = [w for w in ("99亿", "9900000000", "88亿", "8800000000", "77亿", "7700000000", "样式")
              if w in data + page_html]
    leaked += [w for w in ("var s", "color: red", "supportLists", "foo bar") if w in data]
    assert leaked == []
    g = Graph().parse(out / "kg.ttl", format="turtle")
    page = next(a for a in g.subjects(KG.fileName, Literal("page.html")))
    assert str(g.value(page, URIRef("https://schema.org/name"))) == "页面标题"  # the title names the article …
    quotes = [str(q) for d in g.subjects(URIRef("http://www.w3.org/ns/prov#entity"), page) for q in g.objects(d, KG.quote)]
    assert (len(quotes) > 0, [q for q in quotes if "页面标题" in q]) == (True, [])  # … but is not article text


# --------------------------------------------------------------------------- kill -9 in the middle of a build
class _Build:
    """A ``kg build`` in its own process group (workers included), with its stderr lines as they come."""

    def __init__(self, *args: str | Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "kg", "build", *map(str, args)], cwd=ROOT,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                     start_new_session=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.put(line)

    def wait_for_line(self, prefix: str, timeout: float = 300) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=0.01)
            except queue.Empty:
                if self.proc.poll() is not None and self.lines.empty():
                    return False
                continue
            self.seen.append(line)
            if line.startswith(prefix):
                return True
        return False

    def kill(self) -> int:
        """SIGKILL the whole group (the build and its workers), then reap it; returns its exit status."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        code = self.proc.wait(timeout=60)
        self._reader.join(timeout=10)
        assert self.proc.stderr is not None
        self.proc.stderr.close()
        return code


def _wait_until(cond, timeout: float = 120) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.0005)
    return False


@pytest.mark.slow
def test_robustness_kill_mid_build_leaves_each_export_old_or_new(tmp_path) -> None:
    """SIGKILL a build at many moments: each export stays the old file or becomes the complete new one."""
    out, reference = tmp_path / "out", tmp_path / "reference"
    old_src = _copy_articles(tmp_path / "old", BUNDLED[:2])
    first = _kg_build(old_src, "--out", out, "--jobs", "1")
    assert first.returncode == 0, first.stderr
    whole = _kg_build(ARTICLES, "--out", reference, "--jobs", "2")  # the new version, built without interruption
    assert whole.returncode == 0, whole.stderr
    old, new = _snapshot(out), _snapshot(reference)
    assert [n for n in ("kg.ttl", "kg.jsonld", "entities.csv", "investments.csv") if old[n] == new[n]] == []
    assert [n for n in EXPORTS if not (_parses(n, old[n]) and _parses(n, new[n]))] == []

    def tmp_files() -> set[str]:
        return {p.name for p in out.iterdir() if p.name.endswith(".tmp")}

    def replaced_any(before: dict[str, int]) -> bool:
        return any((out / n).stat().st_ino != ino for n, ino in before.items())

    states = []
    bad: list[tuple[str, str]] = []
    moments = [("after 0.2 s", 0.2), ("after 0.5 s", 0.5), ("after 1 s", 1.0), ("reading", 0.0), ("reading", 0.8),
               ("processed", 0.0), ("building the graph", 0.0), ("writing exports", 0.0),
               ("temp file staged", 0.0), ("first file replaced", 0.0), ("writing exports", 0.05)]
    for i, (moment, delay) in enumerate(moments):
        stale = tmp_files()
        inodes = {n: (out / n).stat().st_ino for n in EXPORTS}
        build = _Build(ARTICLES, "--out", out, "--jobs", "2" if i % 2 else "1")
        if moment.startswith("after"):
            time.sleep(delay)
        elif moment == "temp file staged":
            assert build.wait_for_line("writing exports"), build.seen
            _wait_until(lambda b=build, old_tmp=stale: bool(tmp_files() - old_tmp) or b.proc.poll() is not None)
        elif moment == "first file replaced":
            assert build.wait_for_line("writing exports"), build.seen
            _wait_until(lambda b=build, ino=inodes: replaced_any(ino) or b.proc.poll() is not None)
        else:
            assert build.wait_for_line(moment), build.seen
            time.sleep(delay)
        code = build.kill()
        names = {p.name for p in out.iterdir()}
        hidden_bad = sorted(n for n in names if n.startswith(".") and not HIDDEN_OK.fullmatch(n))
        assert (sorted(n for n in names if not n.startswith(".")), hidden_bad) == (sorted(EXPORTS), []), moment
        got = {n: (out / n).read_bytes() for n in EXPORTS}
        bad += [(moment, n) for n in EXPORTS if got[n] not in (old[n], new[n])]
        states.append((moment, code, "".join("N" if got[n] == new[n] != old[n] else "o" for n in EXPORTS)))
    assert bad == [], states
    # The killed builds may leave hidden temp files; the next build neither trips over them nor exports them.
    final = _kg_build(ARTICLES, "--out", out)
    assert final.returncode == 0, final.stdout + final.stderr
    assert "Traceback" not in final.stderr, final.stderr
    assert _snapshot(out) == new
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == sorted(EXPORTS)
    print("kill moments (exit code, o=old/N=new per export):", states)


# --------------------------------------------------------------------------- IRIs, curation, incremental, reproducible
EXTRA_ARTICLE = "2025年3月1日\n德国凯傲集团宣布在苏州工业园区投资3亿欧元建设智能物流设备工厂。\n"


@pytest.mark.slow
def test_robustness_iris_stay_when_an_article_is_added_and_curation_is_untouched(tmp_path, bundled_build) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "900_kion.txt").write_text(EXTRA_ARTICLE, encoding="utf-8")
    curation = ROOT / "data" / "curation.toml"
    before = (curation.read_bytes(), curation.stat().st_mtime_ns)
    code, output = _cli_build(ARTICLES, extra, "--out", tmp_path / "b", "--jobs", "1")
    assert code == 0, output
    assert (curation.read_bytes(), curation.stat().st_mtime_ns) == before
    a = {r["iri"]: (r["type"], r["label_zh"], r["country"]) for r in _rows(bundled_build / "entities.csv")}
    b = {r["iri"]: (r["type"], r["label_zh"], r["country"]) for r in _rows(tmp_path / "b" / "entities.csv")}
    assert {iri: b.get(iri) for iri in a} == a
    assert {iri: b[iri] for iri in set(b) - set(a)} == {
        "https://w3id.org/sino-foreign-kg/id/company/kion": ("Company", "凯傲集团", "DE")}
    # Facts of the bundled articles keep their IRIs too.
    fact_iris = {name: {r["iri"] for r in _rows(folder / name) if r.get("article", "") in BUNDLED}
                 for folder in (bundled_build,) for name in ("investments.csv", "cooperations.csv")}
    fact_iris_b = {name: {r["iri"] for r in _rows(tmp_path / "b" / name) if r.get("article", "") in BUNDLED}
                   for name in ("investments.csv", "cooperations.csv")}
    assert fact_iris_b == fact_iris


@pytest.mark.slow
def test_robustness_incremental_build_equals_full_build(tmp_path) -> None:
    src = _copy_articles(tmp_path / "src", BUNDLED[:3])
    inc, full = tmp_path / "inc", tmp_path / "full"
    code, output = _cli_build(src, "--out", inc, "--jobs", "1")
    assert code == 0, output
    _copy_articles(src, BUNDLED[3:])
    code, output = _cli_build(src, "--out", inc, "--jobs", "1")
    assert code == 0, output
    assert "read 5 article(s) (3 unchanged)" in output, output
    code, output = _cli_build(src, "--out", full, "--full", "--jobs", "1")
    assert code == 0, output
    assert "read 5 article(s) (0 unchanged)" in output, output
    assert isomorphic(Graph().parse(inc / "kg.ttl", format="turtle"), Graph().parse(full / "kg.ttl", format="turtle"))
    assert isomorphic(Graph().parse(inc / "kg.jsonld", format="json-ld"),
                      Graph().parse(full / "kg.jsonld", format="json-ld"))
    assert [n for n in EXPORTS if (inc / n).read_bytes() != (full / n).read_bytes()] == []


@pytest.mark.slow
def test_robustness_two_builds_in_two_processes_are_byte_identical(tmp_path) -> None:
    """Separate processes with different hash seeds: no set or dict order may leak into the files."""
    for seed in ("1", "2"):
        proc = _kg_build(ARTICLES, "--out", tmp_path / seed, "--jobs", "2", env={"PYTHONHASHSEED": seed})
        assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [n for n in EXPORTS if (tmp_path / "1" / n).read_bytes() != (tmp_path / "2" / n).read_bytes()] == []


@pytest.mark.slow
def test_robustness_corrupt_cache_is_rebuilt_not_fatal(tmp_path, bundled_build) -> None:
    out = tmp_path / "out"
    shutil.copytree(bundled_build, out)
    cache = out / ".cache" / "articles.sqlite"
    data = cache.read_bytes()
    cache.write_bytes(data[: len(data) // 2])  # a cache cut short (disk full, copied while written)
    code, output = _cli_build(ARTICLES, "--out", out, "--jobs", "1")
    assert code == 0, output
    assert "read 5 article(s) (0 unchanged)" in output, output
    assert _snapshot(out) == _snapshot(bundled_build)


@pytest.mark.slow
def test_robustness_damaged_cache_row_is_processed_again(tmp_path, bundled_build) -> None:
    import sqlite3

    out = tmp_path / "out"
    shutil.copytree(bundled_build, out)
    with sqlite3.connect(out / ".cache" / "articles.sqlite") as db:
        (path,) = db.execute("SELECT path FROM articles ORDER BY path LIMIT 1").fetchone()
        db.execute("UPDATE articles SET data = ? WHERE path = ?", (b"not a pickle", path))
    code, output = _cli_build(ARTICLES, "--out", out, "--jobs", "1")
    assert code == 0, output
    assert "read 5 article(s) (5 unchanged)" in output, output  # the row looked valid until it was read
    assert _snapshot(out) == _snapshot(bundled_build)


@pytest.mark.slow
def test_robustness_damaged_frame_in_a_cache_row_is_processed_again(tmp_path, bundled_build) -> None:
    import pickle
    import sqlite3
    from dataclasses import replace

    out = tmp_path / "out"
    shutil.copytree(bundled_build, out)
    with sqlite3.connect(out / ".cache" / "articles.sqlite") as db:
        (path, blob) = db.execute("SELECT path, data FROM articles ORDER BY path LIMIT 1").fetchone()
        res = pickle.loads(blob)
        frame = bytearray(res.rdf[0])
        frame[len(frame) // 2] ^= 0x5A  # one flipped byte inside the compressed N-Triples: the row still unpickles
        damaged = pickle.dumps(replace(res, rdf=(bytes(frame), *res.rdf[1:])))
        db.execute("UPDATE articles SET data = ? WHERE path = ?", (damaged, path))
    code, output = _cli_build(ARTICLES, "--out", out, "--jobs", "1")
    assert code == 0, output
    assert _snapshot(out) == _snapshot(bundled_build)


# --------------------------------------------------------------------------- escaping and round trips
FORMULA_ARTICLE = ("2024年5月6日，博世、=cmd、+甲乙、-丙丁、@戊己、庚\"辛、壬'癸、<a>b、x>y等企业在苏州工业园区投资5亿元。\n")


@pytest.mark.slow
def test_robustness_formula_like_names_are_defused_in_csv_and_exact_in_rdf(tmp_path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "formula.txt").write_text(FORMULA_ARTICLE, encoding="utf-8")
    code, output = _cli_build(src, "--out", tmp_path / "out", "--jobs", "1")
    assert code == 0, output
    out = tmp_path / "out"
    ttl = Graph().parse(out / "kg.ttl", format="turtle")
    jl = Graph().parse(out / "kg.jsonld", format="json-ld")
    assert to_isomorphic(ttl) == to_isomorphic(jl)
    labels = {str(s): str(ttl.value(s, SKOS.prefLabel)) for s in ttl.subjects(KG.recognisedBy, KG.Pattern)}
    # The extractor picks these up as company names from the list (A、B、C等); they reach the graph verbatim …
    assert {"=cmd", "+甲乙", "-丙丁", "@戊己", '庚"辛', "壬'癸"} <= set(labels.values()), labels
    # … and every CSV cell that a spreadsheet would run as a formula is prefixed with '.
    cells = {r["iri"]: r["label_zh"] for r in _rows(out / "entities.csv") if r["recognised_by"] == "Pattern"}
    assert cells == {iri: ("'" + lab if lab[0] in "=+-@" else lab) for iri, lab in labels.items()}


HOSTILE_STRINGS = ["=cmd|' /C calc'!A0", "+1", "-2", "@SUM(1)", '"', '他说"你好"', "it's", "德国<http://x.org/a>集团",
                   "line one\nline two\r\nthree", "\t=1+1", "\\u0041 \\n not escapes", "a\"\"\"b'''c", "<>&;#x41;"]


def _hostile_graph() -> Graph:
    ex = Namespace("https://w3id.org/sino-foreign-kg/id/company/")
    g = Graph()
    g.bind("kg", KG)
    for i, s in enumerate(HOSTILE_STRINGS):
        node = ex[f"x-hostile-{i}"]
        g.add((node, RDF.type, KG.Company))
        g.add((node, RDFS.label, Literal(s, lang="zh-Hans")))
        g.add((node, SKOS.prefLabel, Literal(s, lang="zh-Hans")))
        g.add((node, SKOS.altLabel, Literal(s + " 别名", lang="zh-Hans")))
        g.add((node, KG.city, Literal(s)))
    return g


def test_robustness_exporters_defuse_formulas_and_round_trip_hostile_strings(tmp_path) -> None:
    g = _hostile_graph()
    rows = list(csv.DictReader(io.StringIO(write_csv(entity_rows(g), ENTITY_COLUMNS))))
    by_iri = {r["iri"].rsplit("-", 1)[1]: (r["label_zh"], r["aliases"]) for r in rows}
    assert by_iri == {str(i): ("'" + s if s[0] in "=+-@\t" else s, ("'" + s if s[0] in "=+-@\t" else s) + " 别名")
                      for i, s in enumerate(HOSTILE_STRINGS)}
    for text, fmt in ((to_turtle(g), "turtle"), (to_jsonld(g), "json-ld"), (export(g, "nt"), "nt")):
        back = Graph().parse(data=text, format=fmt)
        assert to_isomorphic(back) == to_isomorphic(g), fmt
        assert sorted(str(o) for o in back.objects(None, KG.city)) == sorted(HOSTILE_STRINGS), fmt
    export(g, "ttl", tmp_path / "g.ttl")
    assert to_isomorphic(Graph().parse(tmp_path / "g.ttl", format="turtle")) == to_isomorphic(g)
