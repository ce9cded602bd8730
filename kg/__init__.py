"""Knowledge graph of Sino-foreign industrial cooperation, built from Chinese news and policy articles.

The pipeline, stage by stage::

    >>> from kg.read import read_article
    >>> from kg.segment import segment
    >>> from kg.extract import extract_mentions
    >>> from kg.relate import relate
    >>> from kg.build import build_graph

or all at once with :func:`build_corpus` (what ``kg build`` runs).
"""

from kg.analyze import links, to_networkx
from kg.build import build_graph
from kg.corpus import build_corpus
from kg.errors import (
    AmbiguousEntity,
    ExportError,
    GazetteerError,
    InputError,
    KGError,
    OntologyError,
    QueryError,
)
from kg.export import write_exports
from kg.extract import extract_mentions
from kg.gazetteer import load as load_gazetteer
from kg.model import Article, ArticleResult, Entity, EntityType, Fact, Mention, Sentence
from kg.pipeline import process
from kg.query import load_graph, run_sparql, saved_queries
from kg.read import read_article, read_articles
from kg.relate import collect_entities
from kg.segment import normalise
from kg.visualize import render_html

__version__ = "0.1.0"

__all__ = [
    "AmbiguousEntity",
    "Article",
    "ArticleResult",
    "Entity",
    "EntityType",
    "ExportError",
    "Fact",
    "GazetteerError",
    "InputError",
    "KGError",
    "Mention",
    "OntologyError",
    "QueryError",
    "Sentence",
    "build_corpus",
    "build_graph",
    "collect_entities",
    "extract_mentions",
    "links",
    "load_gazetteer",
    "load_graph",
    "normalise",
    "process",
    "read_article",
    "read_articles",
    "render_html",
    "run_sparql",
    "saved_queries",
    "to_networkx",
    "write_exports",
]
