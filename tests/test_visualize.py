"""kg.visualize and `kg viz`: the self-contained network page, its filters, its escaping, and a real browser."""

from __future__ import annotations

import os
import random
import re
import shutil
import struct
import subprocess
import sys
import zlib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from rdflib import RDF, SKOS, Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV

from kg.cli import cli
from kg.errors import AmbiguousEntity, QueryError
from kg.export import cooperation_rows, entity_rows, investment_rows, outbound_rows
from kg.namespaces import ID, KG, SCHEMA, WD, cooperation_kind, kind_term
from kg.query import load_graph
from kg.visualize import render_html
from tests.conftest import add_entity as _add_entity

CHROMIUM = Path("/usr/bin/chromium")
HOSTILE_IMG = "<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">"
HOSTILE_SCRIPT = "</script><script>document.body.setAttribute('data-pwned','script')</script>"


# ---------------------------------------------------------------- helpers


class _Tags(HTMLParser):
    """Start tags with their attributes, and the text of <title>, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def _tags(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser


def _data(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)
    assert m is not None, "the page embeds no kg-data element"
    import json

    return json.loads(m.group(1))


def _ids(page: str) -> set[str]:
    return {n["id"] for n in _data(page)["nodes"]}


def _kinds(page: str) -> list[str]:
    return sorted(e["kgKind"] for e in _data(page)["edges"])


def _id(key: str) -> str:
    return str(ID[key])


# ---------------------------------------------------------------- a small graph, built by hand


def _add_fact(g: Graph, key: str, cls: URIRef, quote_text: str, file_name: str, **props: URIRef) -> URIRef:
    s, ev, art = ID[key], ID[key + "#evidence"], ID["article/" + file_name.split(".")[0]]
    g.add((s, RDF.type, cls))
    for name, value in props.items():
        g.add((s, KG[name], value))
    g.add((s, PROV.qualifiedDerivation, ev))
    g.add((ev, PROV.entity, art))
    g.add((ev, KG.quote, Literal(quote_text)))
    g.add((art, KG.fileName, Literal(file_name)))
    return s


def _toy_graph(company_zh: str = "西门子", park_zh: str = "苏州工业园区", quote_text: str = "西门子在苏州工业园区投资。",
               file_name: str = "a.txt") -> Graph:
    """Siemens (DE, machinery) → SIP; AstraZeneca (GB) → BioBAY (sub-park of SIP, biotech ⊂ pharma);
    Bosch (DE) → Wuxi park; Wuxi park → GB (outbound); a university partners with SIP."""
    g = Graph()
    for code, zh, en, qid in (("CN", "中国", "China", "Q148"), ("DE", "德国", "Germany", "Q183"),
                              ("GB", "英国", "United Kingdom", "Q145")):
        c = _add_entity(g, f"country/{code}", KG.Country, zh, en)
        g.add((c, KG.isoCode, Literal(code)))
        g.add((c, OWL.sameAs, WD[qid]))
    for key, zh, en in (("machinery", "装备制造", "Machinery"), ("pharma", "生物医药", "Pharmaceuticals"),
                        ("biotech", "生物技术", "Biotechnology")):
        s = _add_entity(g, f"sector/{key}", KG.Sector, zh, en)
        g.add((s, SKOS.notation, Literal(key)))
    g.add((ID["sector/biotech"], SKOS.broader, ID["sector/pharma"]))
    sip = _add_entity(g, "park/sip", KG.Park, park_zh, "Suzhou Industrial Park", "CN")
    g.add((sip, SKOS.altLabel, Literal("苏州园区", lang="zh-Hans")))
    biobay = _add_entity(g, "park/biobay", KG.Park, "生物纳米园", "BioBAY", "CN")
    g.add((biobay, SCHEMA.containedInPlace, sip))
    wx = _add_entity(g, "park/wx", KG.Park, "无锡高新区", "Wuxi New District", "CN")
    siemens = _add_entity(g, "company/siemens", KG.Company, company_zh, "Siemens", "DE", "machinery")
    g.add((siemens, OWL.sameAs, WD["Q81230"]))
    az = _add_entity(g, "company/az", KG.Company, "阿斯利康", "AstraZeneca", "GB", "pharma")
    bosch = _add_entity(g, "company/bosch", KG.Company, "博世", "Bosch", "DE", "machinery")
    uni = _add_entity(g, "institution/uni", KG.Institution, "苏州大学", "Soochow University", "CN")
    inv = _add_fact(g, "investment/1", KG.Investment, quote_text, file_name, investor=siemens, host=sip,
                    sector=ID["sector/machinery"], amount=ID["investment/1#amount"])
    amt = ID["investment/1#amount"]
    g.add((amt, SCHEMA.value, Literal("1000000000.0")))
    g.add((amt, SCHEMA.currency, Literal("USD")))
    g.add((amt, KG.qualifier, kind_term("over")))
    assert inv is not None
    _add_fact(g, "investment/2", KG.Investment, "阿斯利康落户生物纳米园。", "b.txt", investor=az, host=biobay,
              sector=ID["sector/biotech"])
    _add_fact(g, "investment/3", KG.Investment, "博世投资无锡高新区。", "b.txt", investor=bosch, host=wx,
              sector=ID["sector/machinery"])
    out = _add_fact(g, "outbound/1", KG.OutboundInvestment, "无锡高新区对英国投资。", "c.txt", investor=wx,
                    host=ID["country/GB"])
    g.add((out, RDF.type, KG.Investment))
    coop = _add_fact(g, "cooperation/1", KG.Cooperation, "苏州大学与苏州工业园区合作。", "c.txt",
                     cooperationKind=cooperation_kind("partnership"))
    g.add((coop, KG.party, uni))
    g.add((coop, KG.party, sip))
    return g


@pytest.fixture(scope="module")
def toy() -> Graph:
    return _toy_graph()


@pytest.fixture(scope="module")
def bundled(bundled_build: Path) -> Graph:
    """The graph of data/articles, built once per session (tests/conftest.py) and read back from kg.ttl."""
    return load_graph(bundled_build)


@pytest.fixture(scope="module")
def bundled_page(bundled: Graph) -> str:
    return render_html(bundled)


# ---------------------------------------------------------------- the page works offline


def test_visualize_page_loads_nothing_from_the_network(bundled_page: str) -> None:
    parsed = _tags(bundled_page)
    urls = [v for _, attrs in parsed.tags for k, v in attrs.items() if k in ("src", "href")]
    assert [u for u in urls if re.match(r"\s*(https?:)?//", u, re.I)] == []
    # the same check on the raw text, so markup inside scripts or comments cannot hide one
    assert re.findall(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", bundled_page, re.I) == []
    assert re.findall(r"""url\(\s*["']?\s*(?:https?:)?//|@import""", bundled_page, re.I) == []
    assert [t for t, attrs in parsed.tags if t == "link" or (t == "script" and "src" in attrs)] == []
    assert [attrs.get("type", "") for t, attrs in parsed.tags if t == "script"] == ["", "application/json", ""]
    assert "vis-network" in bundled_page and "new vis.Network(" in bundled_page  # inlined, not fetched


def test_visualize_nodes_and_edges_match_the_exported_tables(bundled: Graph, bundled_page: str) -> None:
    inv, out, coop = investment_rows(bundled), outbound_rows(bundled), cooperation_rows(bundled)
    ends = ({r["investor_iri"] for r in inv} | {r["host_iri"] for r in inv} | {r["from_iri"] for r in out}
            | {r["to_iri"] for r in out} | {r["a_iri"] for r in coop} | {r["b_iri"] for r in coop})
    parent = {r["iri"]: r["part_of"] for r in entity_rows(bundled) if r["part_of"]}
    expected, todo = set(ends), sorted(ends)
    while todo:
        up = parent.get(todo.pop())
        if up and up not in expected:
            expected.add(up)
            todo.append(up)
    assert _ids(bundled_page) == expected
    sub_parks = sum(1 for child in expected if child in parent)
    assert _kinds(bundled_page) == sorted(["investment"] * len(inv) + ["outbound"] * len(out)
                                          + ["cooperation"] * len(coop) + ["part_of"] * sub_parks)
    types = {r["iri"]: ("JointPlatform" if r["kind"] == "platform" else r["type"]) for r in entity_rows(bundled)}
    assert {n["id"]: n["kgType"] for n in _data(bundled_page)["nodes"]} == {i: types[i] for i in expected}


def test_visualize_edges_carry_amounts_and_evidence(bundled: Graph, bundled_page: str) -> None:
    edges = {e["iri"]: e for e in _data(bundled_page)["edges"] if e["kgKind"] == "investment"}
    rows = investment_rows(bundled)
    assert {r["iri"]: [{"quote": r["evidence"], "file": r["article"]}] for r in rows} == \
        {i: e["evidence"] for i, e in edges.items()}
    with_amount = [r for r in rows if r["amount"] and r["currency"]]
    assert with_amount, "the bundled articles state amounts"
    for r in with_amount:
        assert re.fullmatch(rf"投资 (超|约|不足)?[0-9.]+(万亿|亿|万)? {r['currency']}", edges[r["iri"]]["label"])
    wikidata = {r["iri"]: r["wikidata"].rsplit("/", 1)[-1] for r in entity_rows(bundled) if r["wikidata"]}
    nodes = _ids(bundled_page)
    shown = {n["id"]: n["wikidata"] for n in _data(bundled_page)["nodes"] if n["wikidata"]}
    assert shown and shown == {i: q for i, q in wikidata.items() if i in nodes}
    assert all(re.fullmatch(r"Q\d+", q) for q in shown.values())


def test_visualize_toy_graph_labels_tooltips_and_legend(toy: Graph) -> None:
    data = _data(render_html(toy))
    edges = {(e["from"].rsplit("/", 1)[-1], e["to"].rsplit("/", 1)[-1]): e for e in data["edges"]}
    assert {k: e["label"] for k, e in edges.items()} == {
        ("siemens", "sip"): "投资 超10亿 USD", ("az", "biobay"): "投资", ("bosch", "wx"): "投资",
        ("wx", "GB"): "对外投资", ("uni", "sip"): "业务合作", ("biobay", "sip"): "属于"}
    assert edges[("siemens", "sip")]["evidence"] == [{"quote": "西门子在苏州工业园区投资。", "file": "a.txt"}]
    assert edges[("siemens", "sip")]["arrows"] == "to" and edges[("uni", "sip")]["arrows"] == ""
    siemens = next(n for n in data["nodes"] if n["id"] == _id("company/siemens"))
    assert siemens["title"].splitlines() == ["西门子", "Siemens", "企业 Company", "国家/地区 Country: DE",
                                             "Wikidata: Q81230", "1 条关系 links"]
    assert (siemens["kgType"], siemens["shape"], siemens["wikidata"]) == ("Company", "diamond", "Q81230")
    assert [(t["key"], t["count"]) for t in data["types"]] == [
        ("Park", 3), ("Company", 3), ("Institution", 1), ("Country", 1), ("Agreement", 0), ("JointPlatform", 0)]
    assert [c["code"] for c in data["countries"]] == ["CN", "DE", "GB"]
    assert [(s["key"], s["covers"]) for s in data["sectors"]] == [  # pharma is offered as biotech's broader sector
        ("biotech", ["biotech"]), ("machinery", ["machinery"]), ("pharma", ["biotech", "pharma"])]
    sizes = {n["id"]: n["size"] for n in data["nodes"]}
    assert sizes[_id("park/sip")] > sizes[_id("company/siemens")]  # size grows with degree


# ---------------------------------------------------------------- focus, depth, country, sector


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({}, {"company/siemens", "park/sip", "company/az", "park/biobay", "company/bosch", "park/wx", "country/GB",
          "institution/uni"}),
    ({"focus": "Siemens"}, {"company/siemens", "park/sip"}),
    ({"focus": "西门子", "depth": 0}, {"company/siemens"}),
    ({"focus": "siemens", "depth": 2}, {"company/siemens", "park/sip", "park/biobay", "institution/uni"}),
    ({"focus": _id("company/siemens"), "depth": 3}, {"company/siemens", "park/sip", "park/biobay",
                                                     "institution/uni", "company/az"}),
    ({"focus": "苏州园区"}, {"park/sip", "company/siemens", "park/biobay", "institution/uni"}),
    ({"country": "DE"}, {"company/siemens", "park/sip", "company/bosch", "park/wx"}),
    ({"country": "gb"}, {"company/az", "park/biobay", "park/sip", "park/wx", "country/GB"}),
    ({"country": "英国"}, {"company/az", "park/biobay", "park/sip", "park/wx", "country/GB"}),
    ({"sector": "pharma"}, {"company/az", "park/biobay", "park/sip"}),
    ({"sector": "Machinery"}, {"company/siemens", "park/sip", "company/bosch", "park/wx"}),
    ({"sector": "生物技术"}, {"company/az", "park/biobay", "park/sip"}),
    ({"country": "DE", "sector": "machinery", "focus": "Bosch"}, {"company/bosch", "park/wx"}),
])
def test_visualize_filters_select_nodes(toy: Graph, kwargs: dict, expected: set[str]) -> None:
    page = render_html(toy, **kwargs)
    assert _ids(page) == {_id(k) for k in expected}
    edges = _data(page)["edges"]
    assert {e["from"] for e in edges} | {e["to"] for e in edges} <= _ids(page)


def test_visualize_filters_keep_sub_park_links(toy: Graph) -> None:
    data = _data(render_html(toy, country="GB"))
    assert sorted((e["kgKind"], e["from"], e["to"]) for e in data["edges"]) == sorted([
        ("investment", _id("company/az"), _id("park/biobay")), ("outbound", _id("park/wx"), _id("country/GB")),
        ("part_of", _id("park/biobay"), _id("park/sip"))])
    assert data["filter"] == {"focus": "", "depth": 1, "country": "GB", "sector": ""}
    assert _data(render_html(toy, sector="生物医药"))["filter"]["sector"] == "pharma"


def test_visualize_focus_on_bundled_graph(bundled: Graph, bundled_page: str) -> None:
    sip = next(r["iri"] for r in entity_rows(bundled) if r["label_zh"] == "苏州工业园区")
    full = _data(bundled_page)["edges"]
    neighbours = {e["to"] for e in full if e["from"] == sip} | {e["from"] for e in full if e["to"] == sip}
    page = render_html(bundled, focus="苏州工业园区", depth=1)
    assert _ids(page) == neighbours | {sip}
    assert len(neighbours) >= 10


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"focus": "Siemen"}, QueryError, r"no entity matches 'Siemen'; close matches: .*siemens"),
    ({"focus": "西门"}, QueryError, r"close matches: 西门子"),
    ({"focus": "Zzyzx Holdings"}, QueryError, r"no entity matches 'Zzyzx Holdings'; none of the \d+ known names"),
    ({"country": "XX"}, QueryError, r"no country matches 'XX'.*ISO codes in the graph: CN, DE, GB$"),
    ({"sector": "mining"}, QueryError, r"no sector matches 'mining'.*sectors: biotech, machinery, pharma$"),
    ({"focus": "Siemens", "depth": -1}, QueryError, r"depth must be 0 or more, not -1"),
])
def test_visualize_bad_filters_raise_with_choices(toy: Graph, kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        render_html(toy, **kwargs)


def test_visualize_ambiguous_focus_lists_candidates(toy: Graph) -> None:
    g = Graph()
    for t in toy:
        g.add(t)
    g.add((ID["company/bosch"], SKOS.altLabel, Literal("西子", lang="zh-Hans")))
    g.add((ID["company/siemens"], SKOS.altLabel, Literal("西子", lang="zh-Hans")))
    with pytest.raises(AmbiguousEntity, match=r"entity '西子' matches 2 entities: 博世 <.*bosch>; 西门子 <"):
        render_html(g, focus="西子")


# ---------------------------------------------------------------- escaping


def test_visualize_hostile_names_stay_text() -> None:
    g = _toy_graph(company_zh=HOSTILE_IMG, park_zh=HOSTILE_SCRIPT, quote_text=HOSTILE_SCRIPT + HOSTILE_IMG,
                   file_name="x.txt" + HOSTILE_IMG)
    page = render_html(g, title="KG " + HOSTILE_SCRIPT)
    for payload in (HOSTILE_IMG, HOSTILE_SCRIPT, "<img", "<script>document", "</script><script>"):
        assert payload not in page
    parsed = _tags(page)
    assert [t for t, _ in parsed.tags if t in ("img", "script")] == ["script", "script", "script"]
    assert parsed.title == "KG " + HOSTILE_SCRIPT  # escaped in the source, shown as text
    data = _data(page)
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes[_id("company/siemens")]["zh"] == HOSTILE_IMG
    assert nodes[_id("park/sip")]["zh"] == HOSTILE_SCRIPT
    edge = next(e for e in data["edges"] if e["from"] == _id("company/siemens"))
    assert edge["evidence"] == [{"quote": HOSTILE_SCRIPT + HOSTILE_IMG, "file": "x.txt" + HOSTILE_IMG}]
    # the application script builds the side panel with textContent, never with markup
    script = re.findall(r"<script>(.*?)</script>", page, re.S)[-1]
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script and "document.write" not in script


# ---------------------------------------------------------------- determinism and size


def test_visualize_build_page_equals_render_and_is_stable(bundled_build: Path, bundled_page: str) -> None:
    assert (bundled_build / "graph.html").read_text(encoding="utf-8") == bundled_page
    code = ("import sys; from kg.query import load_graph; from kg.visualize import render_html; "
            "sys.stdout.buffer.write(render_html(load_graph(sys.argv[1])).encode('utf-8'))")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    other = subprocess.run([sys.executable, "-c", code, str(bundled_build)], capture_output=True, env=env,
                           timeout=120, check=True)
    assert other.stdout.decode("utf-8") == bundled_page


def test_visualize_same_graph_in_another_order_gives_same_bytes(toy: Graph) -> None:
    shuffled = Graph()
    triples = sorted(toy, key=str)
    random.Random(3).shuffle(triples)
    for t in triples:
        shuffled.add(t)
    assert render_html(shuffled) == render_html(toy)


def _synthetic(n_companies: int, n_parks: int, seed: int = 1) -> Graph:
    rng = random.Random(seed)
    g = Graph()
    parks = [_add_entity(g, f"park/p{i}", KG.Park, f"园区{i}", f"Park {i}") for i in range(n_parks)]
    for i in range(n_companies):
        c = _add_entity(g, f"company/c{i}", KG.Company, f"公司{i}", f"Company {i}")
        for j in range(1 + (i % 3 == 0)):
            inv = ID[f"investment/{i}-{j}"]
            g.add((inv, RDF.type, KG.Investment))
            g.add((inv, KG.investor, c))
            g.add((inv, KG.host, parks[min(int(rng.paretovariate(1.2)) - 1, n_parks - 1)]))
    return g


def test_visualize_large_graph_is_laid_out_and_labels_wait_for_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    import kg.visualize

    # above the limit (2,000 edges by default) edge labels are not measured up front
    monkeypatch.setattr(kg.visualize, "_EDGE_LABEL_LIMIT", 500)
    data = _data(render_html(_synthetic(900, 40)))
    assert len(data["nodes"]) > 900 and len(data["edges"]) == 1200
    assert data["edgeLabels"] == "selection"
    assert [e for e in data["edges"] if "label" in e] == []
    positions = {(n["x"], n["y"]) for n in data["nodes"]}
    assert len(positions) == len(data["nodes"])  # no two nodes on top of each other
    assert data["options"]["physics"] == {"enabled": False}


# ---------------------------------------------------------------- kg viz


def test_visualize_cli_writes_a_page(bundled_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "sip.html"
    r = CliRunner().invoke(cli, ["viz", "--graph", str(bundled_build), "--focus", "苏州工业园区", "--depth", "1",
                                 "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert f"wrote {out}" in r.output
    page = out.read_text(encoding="utf-8")
    assert page == render_html(load_graph(bundled_build), focus="苏州工业园区", depth=1)
    assert _data(page)["filter"]["focus"].endswith("/park/suzhou-industrial-park")


def test_visualize_cli_stdout_and_errors(bundled_build: Path) -> None:
    run = CliRunner().invoke
    r = run(cli, ["viz", "--graph", str(bundled_build), "--country", "DE", "--out", "-"])
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("<!doctype html>") and r.stdout.rstrip().endswith("</html>")
    assert _data(r.stdout)["filter"]["country"] == "DE"
    r = run(cli, ["viz", "--graph", str(bundled_build), "--focus", "苏州工业园", "--out", "-"])
    assert r.exit_code == 0, r.output  # an alias
    r = run(cli, ["viz", "--graph", str(bundled_build), "--focus", "苏州工业", "--out", "-"])
    assert r.exit_code == 1
    assert "Error: QueryError: no entity matches '苏州工业'; close matches: " in r.output and "苏州工业园区" in r.output
    r = run(cli, ["viz", "--graph", str(bundled_build)])
    assert r.exit_code == 2 and "Missing option '--out'" in r.output
    r = run(cli, ["viz", "--graph", str(bundled_build), "--depth", "-1", "--out", "-"])
    assert r.exit_code == 2 and "Invalid value for '--depth'" in r.output
    r = run(cli, ["viz", "--help"])
    assert r.exit_code == 0 and "Examples:" in r.output
    assert r.output.splitlines()[2].strip() == "Write the graph as one interactive HTML page that opens without a network."


# ---------------------------------------------------------------- a real browser


def _chromium(url: str, tmp: Path, *args: str, budget_ms: int = 8000, size: str = "1000,700") -> str:
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp / 'profile'}", "--hide-scrollbars", f"--window-size={size}",
           f"--virtual-time-budget={budget_ms}", *args, url]
    done = subprocess.run(cmd, capture_output=True, timeout=180)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-2000:]
    shutil.rmtree(tmp / "profile", ignore_errors=True)
    return done.stdout.decode("utf-8")


def _png_rgb(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB rows of an 8-bit, non-interlaced RGB or RGBA PNG (pure Python, no Pillow)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw, stride, rows = zlib.decompress(idat), width * channels, []
    prev = bytearray(stride)
    for y in range(height):
        ftype, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line) if channels == 3 else bytes(v for k, v in enumerate(line) if k % 4 != 3))
        prev = line
    return width, height, rows


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (Debian packages chromium and "
                                                  "fonts-wqy-zenhei) to open the page in a real browser")
def test_visualize_browser_draws_the_bundled_graph(bundled_page: str, tmp_path: Path) -> None:
    page = tmp_path / "graph.html"
    page.write_text(bundled_page, encoding="utf-8")
    dom = _chromium(page.as_uri(), tmp_path, "--dump-dom")
    status = re.search(r'<span id="kg-status" ([^>]*)>([^<]*)</span>', dom)
    assert status is not None, dom[-3000:]
    attrs = dict(re.findall(r'(data-[a-z]+)="([^"]*)"', status.group(1)))
    n_nodes, n_edges = len(_data(bundled_page)["nodes"]), len(_data(bundled_page)["edges"])
    assert (attrs["data-state"], attrs["data-nodes"], attrs["data-edges"]) == ("drawn", str(n_nodes), str(n_edges))
    assert status.group(2) == f"{n_nodes} / {n_nodes} 个节点 nodes · {n_edges} / {n_edges} 条关系 links"
    assert re.search(r'<div id="kg-network"><div class="vis-network"[^>]*><canvas', dom)
    shot = tmp_path / "shot.png"
    _chromium(page.as_uri(), tmp_path, f"--screenshot={shot}")
    width, height, rows = _png_rgb(shot.read_bytes())
    assert (width, height) == (1000, 700)
    # the drawing area right of the legend: count pixels that are not the white background
    left = 260
    inked = sum(1 for row in rows[60:] for x in range(left, width)
                if max(abs(row[3 * x + k] - 255) for k in range(3)) > 40)
    assert inked > 0.01 * (width - left) * (height - 60)
    colours = {(row[3 * x] // 16, row[3 * x + 1] // 16, row[3 * x + 2] // 16) for row in rows[60:]
               for x in range(left, width)}
    assert (0x00 // 16, 0x9E // 16, 0x73 // 16) in colours  # a park (green) node was drawn
    assert (0x00 // 16, 0x72 // 16, 0xB2 // 16) in colours  # a company (blue) node was drawn


def _most_common(values: list[str]) -> str:
    return max(sorted(set(values)), key=values.count)


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (Debian packages chromium and "
                                                  "fonts-wqy-zenhei) to open the page in a real browser")
@pytest.mark.parametrize("view", ["country", "sector", "hide"])
def test_visualize_browser_filters_agree_with_python(bundled: Graph, bundled_page: str, tmp_path: Path,
                                                     view: str) -> None:
    """The page's own filters (set from the URL) show what render_html draws for the same filter."""
    data = _data(bundled_page)
    if view == "country":
        code = _most_common([c for e in data["edges"] for c in e["countries"] if c != "CN"])
        expected = _data(render_html(bundled, country=code))
        fragment = f"country={code}"
    elif view == "sector":
        key = _most_common([k for e in data["edges"] for k in e["sectors"]])
        expected = _data(render_html(bundled, sector=key))
        fragment = f"sector={key}"
    else:
        companies = {n["id"] for n in data["nodes"] if n["kgType"] == "Company"}
        expected = {"nodes": [n for n in data["nodes"] if n["id"] not in companies],
                    "edges": [e for e in data["edges"] if not {e["from"], e["to"]} & companies]}
        fragment = "hide=Company"
    page = tmp_path / "graph.html"
    page.write_text(bundled_page, encoding="utf-8")
    dom = _chromium(page.as_uri() + "#" + fragment, tmp_path, "--dump-dom")
    status = re.search(r'<span id="kg-status" [^>]*data-nodes="(\d+)" data-edges="(\d+)"', dom)
    assert status is not None, dom[-3000:]
    assert (int(status.group(1)), int(status.group(2))) == (len(expected["nodes"]), len(expected["edges"]))
    assert 0 < len(expected["nodes"]) < len(data["nodes"])


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (Debian packages chromium and "
                                                  "fonts-wqy-zenhei) to open the page in a real browser")
def test_visualize_browser_runs_no_injected_script(tmp_path: Path) -> None:
    g = _toy_graph(company_zh=HOSTILE_IMG, park_zh=HOSTILE_SCRIPT, quote_text=HOSTILE_SCRIPT + HOSTILE_IMG,
                   file_name="x.txt" + HOSTILE_IMG)
    page = tmp_path / "hostile.html"
    page.write_text(render_html(g, title="KG " + HOSTILE_SCRIPT), encoding="utf-8")
    # the search in the URL selects the hostile company, so the side panel shows its name and evidence
    dom = _chromium(page.as_uri() + "#search=" + quote("<img src=x"), tmp_path, "--dump-dom")
    assert 'data-state="drawn"' in dom, dom[-3000:]
    assert re.search(r"<body[^>]*data-pwned", dom) is None
    assert "<img" not in dom.lower()
    panel = re.search(r'<aside id="kg-panel">(.*?)</aside>', dom, re.S)
    assert panel is not None, "the side panel did not open"
    assert "<h2>&lt;img src=x onerror=\"document.body.setAttribute('data-pwned','img')\"&gt;</h2>" in panel.group(1)
    assert "&lt;/script&gt;&lt;script&gt;document.body.setAttribute" in panel.group(1)
    assert "<cite>x.txt&lt;img src=x onerror=" in panel.group(1)
    assert re.search(r"<title>KG &lt;/script&gt;&lt;script&gt;", dom)
