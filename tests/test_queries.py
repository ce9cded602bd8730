"""Every saved competency query runs on the bundled build and returns its documented rows."""

from __future__ import annotations

import pytest

from kg.query import open_store, resolve_query, run_query, saved_queries

EXPECTED = {
    # query name: (column that identifies a row, values that must be among the rows)
    "investors_by_park": ("investor", {"罗氏诊断", "丹纳赫", "硕腾", "参天制药", "博世", "阿斯利康", "辉瑞", "村田制作所"}),
    "parks_by_country": ("country", {"CH", "US", "JP", "DE", "GB"}),
    "sectors_by_country": ("sector", {"生物医药", "医疗器械与诊断", "汽车及零部件"}),
    "amounts_since": ("investor", {"阿斯利康", "博世", "参天制药"}),
    "agreements_of_party": ("party", {"无锡交响音乐厅", "英国皇家爱乐乐团"}),
    "platform_partners": ("partner", {"无锡国家高新技术产业开发区", "英国商业贸易部", "商务部投资促进事务局"}),
    "evidence_of_fact": ("article", {"000_41590e798816935a.txt", "001_7ec756358fadecaf.txt", "002_0bafd40c7c1bd641.txt",
                                     "004_74b43fd459f24e21.txt"}),
    "subparks": ("subpark", {"无锡高新区综合保税区", "中国物联网国际创新园"}),
    "outbound_investments": ("to", {"英国", "比利时", "德国", "韩国", "新加坡"}),
    "institutions_by_park": ("institution", {"商务部投资促进事务局"}),
    "shared_investors": ("park_b", {"金光科技产业园"}),
    "totals_by_country_park": ("country", {"CH", "DE", "GB", "JP", "US"}),
    "review_pattern_entities": ("label", {"星湾工业坊", "金光科技产业园"}),
    "evidence_of_total": ("investor", {"硕腾", "丹纳赫"}),
}
# the summary-cube queries and the queries that count the investments themselves
CUBE_QUERIES = ("totals_by_country_park", "parks_by_country", "sectors_by_country")
for _name in CUBE_QUERIES:
    EXPECTED[f"{_name}_from_facts"] = EXPECTED[_name]


def test_queries_all_documented() -> None:
    saved = saved_queries()
    assert sorted(saved) == sorted(EXPECTED)
    assert all(q.question.endswith("?") or "every" in q.question or "Who" in q.question for q in saved.values())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_queries_return_documented_rows(name: str, bundled_build) -> None:
    store = open_store(bundled_build)
    res = run_query(store, resolve_query(name))
    col, must = EXPECTED[name]
    values = {row[res.variables.index(col)] for row in res.rows}
    assert must <= values, (name, sorted(values))


def _decimal_rows(rows) -> list[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    """Rows with numbers compared as numbers (an engine may write 300000000.0 or 300000000), unbound as ''."""
    from decimal import Decimal, InvalidOperation

    def norm(v: object) -> str:
        text = "" if v is None else str(v)
        try:
            return str(Decimal(text).normalize())
        except InvalidOperation:
            return text

    return [tuple(norm(v) for v in row) for row in rows]


@pytest.fixture(scope="module")
def unseen_build(tmp_path_factory):  # type: ignore[no-untyped-def]
    from pathlib import Path

    from kg.corpus import build_corpus

    out = tmp_path_factory.mktemp("unseen")
    build_corpus([Path(__file__).parent / "data" / "unseen" / "articles"], out, html=False)
    return out


@pytest.mark.parametrize("name", CUBE_QUERIES)
def test_queries_cube_gives_the_figures_of_the_facts(name: str, bundled_build, unseen_build) -> None:
    """The cube's rows are the rows of the query over the investments (in another order: largest first)."""
    for build in (bundled_build, unseen_build):
        store = open_store(build)
        cube = run_query(store, resolve_query(name))
        facts = run_query(store, resolve_query(f"{name}_from_facts"))
        assert cube.variables == facts.variables
        assert len(cube.rows) > 3
        assert sorted(_decimal_rows(cube.rows)) == sorted(_decimal_rows(facts.rows)), (name, build)


def test_queries_cube_observations_trace_to_their_investments(bundled_build) -> None:
    """Each observation links to the investments it counts, and each of those to its sentence."""
    store = open_store(bundled_build)
    res = run_query(store, """
        SELECT ?o ?n (COUNT(DISTINCT ?inv) AS ?linked) (COUNT(DISTINCT ?quote) AS ?quotes) WHERE {
          ?o qb:dataSet/qb:structure kg:HostCountryStructure ; kg:investmentCount ?n ; prov:wasDerivedFrom ?inv .
          ?inv a kg:Investment ; prov:qualifiedDerivation/kg:quote ?quote .
        } GROUP BY ?o ?n""")
    assert len(res.rows) > 10
    for _o, n, linked, quotes in res.rows:
        assert int(n) == int(linked) and int(quotes) >= 1


def test_queries_evidence_of_total_adds_up_to_its_row(bundled_build) -> None:
    """The investments behind one row of totals_by_country_park sum to that row's total, each with its sentence."""
    from decimal import Decimal

    store = open_store(bundled_build)
    totals = run_query(store, resolve_query("totals_by_country_park"))
    row = next(r for r in totals.rows if r[0] == "苏州工业园区" and r[1] == "US")
    ev = run_query(store, resolve_query("evidence_of_total"))
    usd = [Decimal(r[ev.variables.index("usd")]) for r in ev.rows if r[ev.variables.index("usd")]]
    assert sum(usd) == Decimal(row[2]) and len(usd) == int(row[3])
    assert all(r[ev.variables.index("quote")] and r[ev.variables.index("article")] for r in ev.rows)


# rdflib's engine takes 10-20 s on these three (Oxigraph: milliseconds)
_SLOW_IN_RDFLIB = {"amounts_since", "evidence_of_fact", "shared_investors"}


@pytest.fixture(scope="module")
def rdflib_graph(bundled_build):  # type: ignore[no-untyped-def]
    from pathlib import Path

    from rdflib import Graph

    g = Graph().parse(bundled_build / "kg.ttl", format="turtle")
    return g.parse(Path(__file__).resolve().parent.parent / "ontology" / "kg.ttl", format="turtle")


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in _SLOW_IN_RDFLIB else n
                                  for n in sorted(EXPECTED)])
def test_queries_give_the_same_rows_in_another_engine(name: str, bundled_build, rdflib_graph) -> None:
    """Saved queries are portable SPARQL: rdflib's engine, which keeps language tags as written
    (zh-Hans) where Oxigraph lower-cases them, finds the same rows."""
    from kg.query import with_prefixes

    text = resolve_query(name)
    ox_rows = sorted(_decimal_rows(run_query(open_store(bundled_build), text).rows))
    rd_rows = sorted(_decimal_rows(rdflib_graph.query(with_prefixes(text))))
    assert ox_rows and rd_rows == ox_rows
