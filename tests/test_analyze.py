"""kg.analyze and `kg links`: link tables, roll-ups and network measures.

Exact arithmetic is checked on a small graph built by hand; real facts on the
bundled articles, built once for this module.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import RDF, SKOS, XSD, Graph, Literal, URIRef

from kg import analyze
from kg._cli_links import _width
from kg.analyze import (
    betweenness_centrality,
    country_park_flows,
    degree_centrality,
    ego_network,
    find_entity,
    find_park,
    links,
    rates_note,
    shared_investor_parks,
    shared_investors,
    shortest_path,
    to_networkx,
)
from kg.build import Rates
from kg.cli import cli
from kg.errors import AmbiguousEntity, QueryError
from kg.export import investment_rows
from kg.namespaces import ID, KG, SCHEMA
from tests.conftest import add_entity

ROOT = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------- a graph built by hand
#
#   park/p 甲园 ⊃ park/s 乙园 ⊃ park/t 丙园;   park/q 丁园 stands alone
#   company/a (US)  → p: pharma, 100 USD;  → s: pharma, 1000 CNY = 139 USD
#   company/b (DE)  → t: energy + pharma, 50 EUR = 54 USD;  → q: environment (narrower than energy), no amount
#   company/c (CN)  → p: energy, 10 USD
#   company/d (US)  → q: pharma, 7 XYZ (no rate)
#   company/e (US)  no link; shares the alias "ACME" with company/a

P, S, T, Q = (str(ID[f"park/{k}"]) for k in "pstq")
A, B, C, D, E = (str(ID[f"company/{k}"]) for k in "abcde")


def _hand_graph() -> Graph:
    g = Graph()

    def entity(key: str, cls: URIRef, zh: str, en: str = "", country: str = "") -> URIRef:
        return add_entity(g, key, cls, zh, en, country)

    for code, zh in (("US", "美国"), ("DE", "德国"), ("CN", "中国")):
        g.add((entity(f"country/{code}", KG.Country, zh), KG.isoCode, Literal(code)))
    entity("park/p", KG.Park, "甲园", "Park P")
    g.add((entity("park/s", KG.Park, "乙园", "Park S"), SCHEMA.containedInPlace, ID["park/p"]))
    g.add((entity("park/t", KG.Park, "丙园"), SCHEMA.containedInPlace, ID["park/s"]))
    entity("park/q", KG.Park, "丁园", "Park Q")
    g.add((entity("company/a", KG.Company, "甲公司", "Alpha", "US"), SKOS.altLabel, Literal("ACME", lang="en")))
    entity("company/b", KG.Company, "乙公司", "Beta", "DE")
    entity("company/c", KG.Company, "丙公司", "", "CN")
    entity("company/d", KG.Company, "丁公司", "Delta", "US")
    g.add((entity("company/e", KG.Company, "戊公司", "Epsilon", "US"), SKOS.altLabel, Literal("ACME", lang="en")))
    for key, zh, en in (("pharma", "生物医药", "Biopharmaceuticals"), ("energy", "能源", "Energy"),
                        ("environment", "节能环保", "Environment")):
        s = entity(f"sector/{key}", KG.Sector, zh, en)
        g.add((s, SKOS.notation, Literal(key)))
    g.add((ID["sector/environment"], SKOS.broader, ID["sector/energy"]))

    def invest(n: int, investor: str, host: str, sectors: list[str], value: str = "", currency: str = "",
               usd: str = "") -> None:
        s = ID[f"investment/{n}"]
        g.add((s, RDF.type, KG.Investment))
        g.add((s, KG.investor, URIRef(investor)))
        g.add((s, KG.host, URIRef(host)))
        for sec in sectors:
            g.add((s, KG.sector, ID[f"sector/{sec}"]))
        if value:
            a = URIRef(f"{s}#amount")
            g.add((s, KG.amount, a))
            g.add((a, RDF.type, SCHEMA.MonetaryAmount))
            g.add((a, SCHEMA.value, Literal(value, datatype=XSD.decimal)))
            g.add((a, SCHEMA.currency, Literal(currency)))
            if usd:
                g.add((a, KG.amountUSD, Literal(usd, datatype=XSD.decimal)))
                g.add((a, KG.rateSource, Literal(f"2024: test rate for {currency}")))

    invest(1, A, P, ["pharma"], "100", "USD", "100")
    invest(2, A, S, ["pharma"], "1000", "CNY", "139")
    invest(3, B, T, ["energy", "pharma"], "50", "EUR", "54")
    invest(4, B, Q, ["environment"])
    invest(5, C, P, ["energy"], "10", "USD", "10")
    invest(6, D, Q, ["pharma"], "7", "XYZ")
    return g


RATES = Rates(usd_per_unit={"USD": Decimal(1), "CNY": Decimal("0.1389"), "EUR": Decimal("1.082")},
              source={"CNY": "table CNY", "EUR": "table EUR"})


@pytest.fixture(scope="module")
def hand() -> Graph:
    return _hand_graph()


def _pick(records: list[dict], *fields: str) -> list[tuple]:
    return [tuple(r[f] for f in fields) for r in records]


def test_analyze_links_by_investor_one_row_per_investor_park_sector(hand: Graph) -> None:
    rows = links(hand, rates=RATES)
    assert _pick(rows, "investor", "park", "sector", "investments", "usd_known", "amount_usd", "currencies") == [
        ("丁公司", "丁园", "pharma", 1, 0, None, "XYZ"),
        ("乙公司", "丁园", "environment", 1, 0, None, ""),
        ("乙公司", "丙园", "energy", 1, 1, 54, "EUR"),
        ("乙公司", "丙园", "pharma", 1, 1, 54, "EUR"),
        ("甲公司", "乙园", "pharma", 1, 1, 139, "CNY"),
        ("甲公司", "甲园", "pharma", 1, 1, 100, "USD"),
        ("丙公司", "甲园", "energy", 1, 1, 10, "USD"),
    ]


def test_analyze_links_record_fields(hand: Graph) -> None:
    rows = links(hand, park="甲园", sector="pharma", rates=RATES)
    assert rows == [{
        "investor_iri": A, "investor": "甲公司", "investor_en": "Alpha", "country": "US",
        "park_iri": P, "park": "甲园", "park_en": "Park P", "host_type": "Park", "via": "乙园",
        "sector": "pharma", "sector_zh": "生物医药", "sector_en": "Biopharmaceuticals",
        "investments": 2, "usd_known": 2, "amount_usd": 239, "currencies": "CNY|USD",
        "usd_note": "USD amounts: 1 CNY = 0.1389 USD (2024: test rate for CNY); other amounts were stated in USD. "
                    "Amounts are summed as stated (over, about, total, cumulative alike).",
    }, {
        "investor_iri": B, "investor": "乙公司", "investor_en": "Beta", "country": "DE",
        "park_iri": P, "park": "甲园", "park_en": "Park P", "host_type": "Park", "via": "丙园",
        "sector": "pharma", "sector_zh": "生物医药", "sector_en": "Biopharmaceuticals",
        "investments": 1, "usd_known": 1, "amount_usd": 54, "currencies": "EUR",
        "usd_note": "USD amounts: 1 EUR = 1.082 USD (2024: test rate for EUR). "
                    "Amounts are summed as stated (over, about, total, cumulative alike).",
    }]


def test_analyze_links_park_filter_counts_subparks_transitively(hand: Graph) -> None:
    fields = ("investor", "sector", "via", "investments", "amount_usd")
    assert _pick(links(hand, park="Park P", rates=RATES), *fields) == [
        ("甲公司", "pharma", "乙园", 2, 239),
        ("乙公司", "energy", "丙园", 1, 54),
        ("乙公司", "pharma", "丙园", 1, 54),
        ("丙公司", "energy", "", 1, 10),
    ]
    assert _pick(links(hand, park="Park P", include_subparks=False, rates=RATES), *fields) == [
        ("甲公司", "pharma", "", 1, 100),
        ("丙公司", "energy", "", 1, 10),
    ]
    assert _pick(links(hand, park=S, rates=RATES), *fields) == [
        ("甲公司", "pharma", "", 1, 139),
        ("乙公司", "energy", "丙园", 1, 54),
        ("乙公司", "pharma", "丙园", 1, 54),
    ]


def test_analyze_links_by_park_rolls_up_the_hierarchy(hand: Graph) -> None:
    fields = ("park", "investors", "investments", "usd_known", "amount_usd", "via")
    assert _pick(links(hand, by="park", rates=RATES), *fields) == [
        ("甲园", 3, 4, 4, 303, "丙园|乙园"),
        ("乙园", 2, 2, 2, 193, "丙园"),
        ("丙园", 1, 1, 1, 54, ""),
        ("丁园", 2, 2, 0, None, ""),
    ]
    assert _pick(links(hand, by="park", include_subparks=False, rates=RATES), *fields) == [
        ("乙园", 1, 1, 1, 139, ""),
        ("甲园", 2, 2, 2, 110, ""),
        ("丙园", 1, 1, 1, 54, ""),
        ("丁园", 2, 2, 0, None, ""),
    ]


def test_analyze_links_by_country_and_sector(hand: Graph) -> None:
    assert _pick(links(hand, by="country", rates=RATES), "country", "country_zh", "investors", "parks",
                 "investments", "usd_known", "amount_usd") == [
        ("US", "美国", 2, 3, 3, 2, 239),
        ("DE", "德国", 1, 2, 2, 1, 54),
        ("CN", "中国", 1, 1, 1, 1, 10),
    ]
    assert _pick(links(hand, by="sector", rates=RATES), "sector", "sector_en", "investors", "parks", "investments",
                 "amount_usd") == [
        ("pharma", "Biopharmaceuticals", 3, 4, 4, 293),
        ("energy", "Energy", 2, 2, 2, 64),
        ("environment", "Environment", 1, 1, 1, None),
    ]


def test_analyze_links_filters_by_country_and_sector(hand: Graph) -> None:
    assert _pick(links(hand, by="country", park="甲园", country="us", rates=RATES),
                 "country", "investors", "parks", "investments", "amount_usd") == [("US", 1, 1, 2, 239)]
    # a sector takes in its narrower sectors (environment is under energy), and only matching sectors are listed
    assert _pick(links(hand, sector="能源", rates=RATES), "investor", "park", "sector", "amount_usd") == [
        ("乙公司", "丁园", "environment", None),
        ("乙公司", "丙园", "energy", 54),
        ("丙公司", "甲园", "energy", 10),
    ]
    assert links(hand, country="CN", sector="pharma", rates=RATES) == []


def test_analyze_links_rejects_unknown_choices(hand: Graph) -> None:
    with pytest.raises(QueryError, match=r"unknown roll-up by='city'; valid: investor, park, country, sector"):
        links(hand, by="city")
    with pytest.raises(QueryError, match=r"unknown park '甲圆'; did you mean: 甲园"):
        links(hand, park="甲圆")
    with pytest.raises(QueryError, match=r"unknown country 'FR'"):
        links(hand, country="FR")
    with pytest.raises(QueryError, match=r"unknown sector 'pharmacy'; did you mean: pharma"):
        links(hand, sector="pharmacy")


def test_analyze_rates_note_lists_each_rate_with_its_source(hand: Graph) -> None:
    assert rates_note(hand, rates=RATES) == (
        "USD amounts: 1 CNY = 0.1389 USD (2024: test rate for CNY); 1 EUR = 1.082 USD (2024: test rate for EUR); "
        "other amounts were stated in USD. Amounts are summed as stated (over, about, total, cumulative alike).")
    assert rates_note(hand, ["XYZ"], rates=RATES) == (
        "USD amounts: no rate for XYZ, left out of the USD sums. "
        "Amounts are summed as stated (over, about, total, cumulative alike).")
    assert rates_note(hand, [], rates=RATES) == ""


def test_analyze_to_networkx_nodes_and_edges(hand: Graph) -> None:
    G = to_networkx(hand)
    assert G.nodes[A] == {"type": "Company", "label_zh": "甲公司", "label_en": "Alpha", "country": "US"}
    assert G.nodes[T] == {"type": "Park", "label_zh": "丙园", "label_en": "", "country": ""}
    inv2 = str(ID["investment/2"])
    assert G.get_edge_data(A, S) == {inv2: {
        "relation": "invests", "amount": "1000", "currency": "CNY", "qualifier": "", "amount_usd": 139,
        "sector": "生物医药", "sector_en": "Biopharmaceuticals", "evidence": "", "article": "", "fact": inv2}}
    assert sorted((a, b) for a, b, d in G.edges(data=True) if d["relation"] == "part_of") == sorted([(S, P), (T, S)])


def test_analyze_network_measures_exact(hand: Graph) -> None:
    # C is Chinese, so it does not count as a shared foreign investor
    assert shared_investor_parks(hand) == {(P, S): 1, (Q, T): 1}
    assert shared_investors(hand) == {(P, S): [A], (Q, T): [B]}
    degrees = {A: 2, B: 2, C: 1, D: 1, P: 3, S: 3, T: 2, Q: 2}
    assert degree_centrality(hand) == pytest.approx({n: d / 7 for n, d in degrees.items()})
    assert list(degree_centrality(hand))[:2] == [P, S]
    # pairs of the other 7 nodes whose shortest paths run through each node, out of 21
    through = {S: 12, T: 12, B: 10, P: 6, Q: 6, A: 0, C: 0, D: 0}
    assert betweenness_centrality(hand) == pytest.approx({n: k / 21 for n, k in through.items()})
    assert country_park_flows(hand) == {
        ("US", S): {"investments": 1, "usd_known": 1, "amount_usd": 139, "currencies": "CNY", "investors": 1},
        ("US", P): {"investments": 1, "usd_known": 1, "amount_usd": 100, "currencies": "USD", "investors": 1},
        ("DE", T): {"investments": 1, "usd_known": 1, "amount_usd": 54, "currencies": "EUR", "investors": 1},
        ("CN", P): {"investments": 1, "usd_known": 1, "amount_usd": 10, "currencies": "USD", "investors": 1},
        ("DE", Q): {"investments": 1, "usd_known": 0, "amount_usd": None, "currencies": "", "investors": 1},
        ("US", Q): {"investments": 1, "usd_known": 0, "amount_usd": None, "currencies": "XYZ", "investors": 1},
    }


def test_analyze_paths_and_ego_networks_exact(hand: Graph) -> None:
    assert shortest_path(hand, "Alpha", "丁公司") == [A, S, T, B, Q, D]
    assert sorted(ego_network(hand, "乙园")) == sorted([S, A, P, T])
    assert sorted(ego_network(hand, S, radius=2)) == sorted([S, A, P, T, B, C])
    assert sorted(ego_network(hand, S, radius=0)) == [S]
    with pytest.raises(QueryError, match="no chain of links between 'Alpha' and 'Epsilon'"):
        shortest_path(hand, "Alpha", "Epsilon")
    with pytest.raises(AmbiguousEntity, match="'ACME' matches 2 entities: 甲公司 <.*/company/a>; 戊公司"):
        find_entity(hand, "ACME")
    with pytest.raises(QueryError, match="radius must be 0 or more"):
        ego_network(hand, "乙园", radius=-1)
    assert find_park(hand, "park q") == Q


def test_analyze_cli_table_aligns_cjk_and_prints_the_note(hand: Graph, tmp_path: Path) -> None:
    hand.serialize(tmp_path / "kg.ttl", format="turtle")
    r = CliRunner().invoke(cli, ["links", "--graph", str(tmp_path), "--by", "park"])
    assert r.exit_code == 0, r.output
    assert r.output == (
        "park  english  investors  investments  with USD  USD  incl. sub-parks\n"
        "----  -------  ---------  -----------  --------  ---  ---------------\n"
        "甲园  Park P           3            4         4  303  丙园|乙园\n"
        "乙园  Park S           2            2         2  193  丙园\n"
        "丙园  -                1            1         1   54  -\n"
        "丁园  Park Q           2            2         0    -  -\n"
        "(4 rows)\n"
        "\n"
        "USD amounts: 1 CNY = 0.1389 USD (2024: test rate for CNY); 1 EUR = 1.082 USD (2024: test rate for EUR); "
        "no rate for XYZ, left out of the USD sums; other amounts were stated in USD. "
        "Amounts are summed as stated (over, about, total, cumulative alike).\n"
    )


def test_analyze_cli_by_choices_match_the_library() -> None:
    from kg import _cli_links

    assert _cli_links.BY_CHOICES == analyze.BY_CHOICES


# ---------------------------------------------------------------- the bundled articles

SIP_INVESTORS = {"罗氏诊断": "CH", "丹纳赫": "US", "硕腾": "US", "参天制药": "JP", "博世": "DE"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kg.corpus import build_corpus

    out = tmp_path_factory.mktemp("analyze")
    report = build_corpus([ROOT / "data" / "articles"], out, html=False)
    assert report.articles == 5 and not report.failed
    return out


@pytest.fixture(scope="module")
def g(built: Path) -> Graph:
    from kg.query import load_graph

    return load_graph(built)  # type: ignore[no-any-return]


def test_analyze_links_sip_investors_countries_and_sectors(g: Graph) -> None:
    rows = links(g, by="investor", park="苏州工业园区")
    assert {r["park"] for r in rows} == {"苏州工业园区"}
    assert {r["investor"]: r["country"] for r in rows if r["investor"] in SIP_INVESTORS} == SIP_INVESTORS
    sectors: dict[str, set[str]] = {}
    for r in rows:
        sectors.setdefault(r["investor"], set()).add(r["sector_zh"])
    assert {k: sectors.get(k) for k in SIP_INVESTORS} == {
        "罗氏诊断": {"医疗器械与诊断", "光学与精密仪器"}, "丹纳赫": {"医疗器械与诊断"}, "硕腾": {"生物医药"},
        "参天制药": {"生物医药"}, "博世": {"汽车及零部件"}}
    roche = [r for r in rows if r["investor"] == "罗氏诊断"]
    # 1 billion CHF at the 2024 average rate, in each of its two sectors
    assert _pick(roche, "investor_en", "amount_usd", "currencies") == [("Roche Diagnostics", 1_136_000_000, "CHF")] * 2
    assert "1 CHF = 1.136 USD (2024: annual average 2024 (SNB))" in roche[0]["usd_note"]


def test_analyze_links_park_matches_any_name(g: Graph) -> None:
    by_zh = links(g, park="苏州工业园区")
    assert by_zh != []
    sip = find_park(g, "苏州工业园区")
    assert sip == str(ID["park/suzhou-industrial-park"])
    for name in ("China-Singapore Suzhou Industrial Park", "SIP", "苏州工业园", sip, "park/suzhou-industrial-park"):
        assert links(g, park=name) == by_zh, name


def test_analyze_links_subpark_investments_count_for_the_park(g: Graph) -> None:
    park = "无锡国家高新技术产业开发区"
    murata = [r for r in links(g, park=park) if r["investor"] == "村田制作所"]
    assert _pick(murata, "park", "via", "sector_zh", "amount_usd", "currencies") == [
        (park, "无锡高新区综合保税区", "电子元器件与设备", 694_500_000, "CNY")]
    assert [r for r in links(g, park=park, include_subparks=False) if r["investor"] == "村田制作所"] == []


def test_analyze_links_sip_subparks_count_once_contained(g: Graph) -> None:
    """金光科技产业园 and 星湾工业坊 are parks of their own in the graph; placed inside SIP, their investors count for it."""
    sip, jinguang, xingwan = (URIRef(find_park(g, n)) for n in ("苏州工业园区", "金光科技产业园", "星湾工业坊"))
    g2 = Graph()
    for t in g:
        g2.add(t)
    g2.add((jinguang, SCHEMA.containedInPlace, sip))
    g2.add((xingwan, SCHEMA.containedInPlace, sip))
    direct = {r["investor"] for r in links(g, park="苏州工业园区", include_subparks=False)}
    rows = links(g2, park="苏州工业园区")
    assert {r["investor"] for r in rows} - direct == {"英特诺"}
    assert _pick([r for r in rows if r["investor"] == "英特诺"], "country", "via", "sector_zh") == [
        ("CH", "金光科技产业园", "机械装备制造")]
    assert "金光科技产业园" in {r["via"] for r in rows if r["investor"] == "丹纳赫"}
    assert links(g2, park="苏州工业园区", include_subparks=False) == links(g, park="苏州工业园区", include_subparks=False)


def test_analyze_links_by_country_gb_in_wuxi_in_usd(g: Graph) -> None:
    park = "无锡国家高新技术产业开发区"
    gb = [r for r in links(g, by="country", park=park) if r["country"] == "GB"]
    astrazeneca = sum(int(r["amount_usd"]) for r in investment_rows(g)
                      if r["investor"] == "阿斯利康" and r["host"] == park)
    assert astrazeneca == 1_475_000_000
    assert _pick(gb, "country_zh", "investors", "parks", "investments", "usd_known", "amount_usd", "currencies") == [
        ("英国", 1, 1, 2, 2, astrazeneca, "USD")]


def test_analyze_rates_note_of_the_bundled_build(g: Graph) -> None:
    assert rates_note(g) == (
        "USD amounts: 1 CHF = 1.136 USD (2024: annual average 2024 (SNB)); 1 CNY = 0.1389 USD (2024: annual average "
        "2024, about 7.20 CNY per USD (US Federal Reserve H.10 / PBoC central parity)); other amounts were stated in "
        "USD. Amounts are summed as stated (over, about, total, cumulative alike).")


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def test_analyze_shared_investors_between_sip_and_its_subparks(g: Graph) -> None:
    sip, jinguang, xingwan = (find_park(g, n) for n in ("苏州工业园区", "金光科技产业园", "星湾工业坊"))
    shared = shared_investor_parks(g)
    assert shared[_pair(sip, jinguang)] == 3
    assert shared[_pair(xingwan, sip)] == 2
    names = {find_entity(g, n): n for n in ("丹纳赫", "参天制药", "蔡司")}
    assert shared_investors(g)[_pair(sip, jinguang)] == sorted(names)
    assert list(degree_centrality(g))[0] == sip
    assert list(betweenness_centrality(g))[0] == sip


def test_analyze_shortest_path_and_ego_network(g: Graph) -> None:
    danaher, sip, roche_dx, jinguang = (find_entity(g, n) for n in ("丹纳赫", "苏州工业园区", "Roche Diagnostics",
                                                                   "金光科技产业园"))
    assert shortest_path(g, "丹纳赫", "罗氏诊断") == [danaher, sip, roche_dx]
    assert shortest_path(g, danaher, "金光科技产业园") == [danaher, jinguang]
    ego = ego_network(g, "Danaher")
    assert sorted(ego) == sorted([danaher, sip, jinguang])
    assert sorted((b, d["relation"]) for a, b, d in ego.edges(data=True) if a == danaher) == sorted(
        [(sip, "invests"), (jinguang, "invests")])
    assert roche_dx in ego_network(g, "丹纳赫", radius=2)


def test_analyze_unknown_names_raise_with_suggestions(g: Graph) -> None:
    with pytest.raises(QueryError, match=r"unknown park '苏州工业圆区'; did you mean: 苏州工业园区") as exc:
        links(g, park="苏州工业圆区")
    assert "苏州工业园" in str(exc.value)
    with pytest.raises(QueryError, match=r"unknown entity '丹纳赫集团公司'; did you mean: .*丹纳赫"):
        shortest_path(g, "丹纳赫集团公司", "苏州工业园区")


def test_analyze_cli_links_table_csv_json(built: Path, g: Graph) -> None:
    base = ["links", "--graph", str(built), "--by", "investor", "--park", "苏州工业园区"]
    r = CliRunner().invoke(cli, base)
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert [n for n in SIP_INVESTORS if not any(line.startswith(n + " ") for line in lines)] == []
    assert "USD amounts: 1 CHF = 1.136 USD (2024: annual average 2024 (SNB))" in lines[-1]
    table = lines[:lines.index(f"({len(links(g, park='苏州工业园区'))} rows)")]
    # the last column (USD) is right-aligned: with CJK counted double width every line ends at the same column
    assert {_width(line) for line in table} == {len(table[1])}
    assert next(line for line in table if line.startswith("罗氏诊断")).endswith("1,136,000,000")

    r = CliRunner().invoke(cli, base + ["--format", "csv"])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.output)))
    assert {x["investor"]: x["country"] for x in rows if x["investor"] in SIP_INVESTORS} == SIP_INVESTORS
    assert [x["amount_usd"] for x in rows if x["investor"] == "博世"] == ["1000000000"]

    r = CliRunner().invoke(cli, base + ["--format", "json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == links(g, by="investor", park="苏州工业园区")


def test_analyze_cli_links_measures(built: Path) -> None:
    from kg.query import load_graph

    run = CliRunner().invoke
    r = run(cli, ["links", "--graph", str(built), "--measure", "shared", "--format", "json"])
    assert r.exit_code == 0, r.output
    pairs = {(x["park_a"], x["park_b"]): x["investors"] for x in json.loads(r.output)}
    assert pairs[("苏州工业园区", "金光科技产业园")] == "丹纳赫|参天制药|蔡司"
    r = run(cli, ["links", "--graph", str(built), "--path", "丹纳赫", "罗氏诊断", "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert [x["label"] for x in csv.DictReader(io.StringIO(r.output))] == ["丹纳赫", "苏州工业园区", "罗氏诊断"]
    r = run(cli, ["links", "--graph", str(built), "--ego", "丹纳赫", "--format", "json"])
    assert r.exit_code == 0, r.output
    # Danaher's two investments, plus the sub-park link between its two hosts.
    assert sorted(x["target"] for x in json.loads(r.output)) == ["苏州工业园区", "苏州工业园区", "金光科技产业园"]
    r = run(cli, ["links", "--graph", str(built), "--measure", "flows", "--top", "1"])
    assert r.exit_code == 0, r.output
    flows = country_park_flows(load_graph(built))
    assert r.output.splitlines()[-3:-1] == [f"(1 of {len(flows)} rows)", ""]
    assert r.output.splitlines()[2].split()[:2] == ["GB", "中国"]  # the largest flow: 100 billion CNY


def test_analyze_cli_links_errors(built: Path) -> None:
    run = CliRunner().invoke
    r = run(cli, ["links", "--graph", str(built), "--park", "苏州工业圆区"])
    assert r.exit_code == 1
    assert "Error: QueryError: unknown park '苏州工业圆区'; did you mean: 苏州工业园区" in r.output
    r = run(cli, ["links", "--graph", str(built), "--measure", "degree", "--ego", "丹纳赫"])
    assert r.exit_code == 2
    assert "choose one of --measure, --ego and --path; got --measure and --ego" in r.output
    r = run(cli, ["links", "--graph", str(built), "--measure", "degree", "--park", "苏州工业园区"])
    assert r.exit_code == 2
    assert "--park only apply to the links table, not to --measure" in r.output
    r = run(cli, ["links", "--graph", str(built), "--radius", "2"])
    assert r.exit_code == 2 and "--radius goes with --ego" in r.output
    r = run(cli, ["links", "--graph", str(built), "--by", "city"])
    assert r.exit_code == 2 and "'city' is not one of 'investor', 'park', 'country', 'sector'" in r.output
