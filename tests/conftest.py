"""Shared fixtures: the bundled corpus built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "data" / "articles"
UNSEEN = ROOT / "tests" / "data" / "unseen"


@pytest.fixture(scope="session")
def gazetteer():
    from kg.gazetteer import default

    return default()


@pytest.fixture(scope="session")
def bundled_build(tmp_path_factory) -> Path:
    """data/articles built into a fresh folder (with graph.html), as `kg build` does."""
    from kg.corpus import build_corpus

    out = tmp_path_factory.mktemp("bundled")
    report = build_corpus([ARTICLES], out, jobs=1)
    assert report.articles == 5 and not report.skipped and not report.failed
    return out


@pytest.fixture(scope="session")
def bundled_graph(bundled_build):
    from kg.query import load_graph

    return load_graph(bundled_build)


def sentences(text: str, article_id: str = "t", date: str = ""):
    from kg.model import Article
    from kg.segment import segment

    return segment(Article(id=article_id, path=f"{article_id}.txt", text=text, date=date))


def add_entity(g, key: str, cls, zh: str, en: str = "", country: str | None = None, sector: str | None = None):
    """Add a labelled entity to a hand-built graph (tests of analysis and visualisation); returns its IRI."""
    from rdflib import RDF, SKOS, Literal

    from kg.namespaces import ID, KG

    s = ID[key]
    g.add((s, RDF.type, cls))
    g.add((s, SKOS.prefLabel, Literal(zh, lang="zh-Hans")))
    if en:
        g.add((s, SKOS.prefLabel, Literal(en, lang="en")))
    if country:
        g.add((s, KG.country, ID[f"country/{country}"]))
    if sector:
        g.add((s, KG.sector, ID[f"sector/{sector}"]))
    return s
