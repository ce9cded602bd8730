"""The runner: read → segment → extract → relate, one article at a time. Nothing else."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from kg.errors import KGError
from kg.extract import extract_mentions
from kg.gazetteer import Gazetteer
from kg.model import Article, ArticleResult, Mention, Sentence
from kg.read import Skipped
from kg.relate import collect_entities, relate
from kg.segment import segment


@dataclass(frozen=True)
class Failed:
    """An article that was read but could not be processed."""

    path: str
    reason: str


def _check(value: object, expected: type | tuple[type, ...], stage: str, article: Article) -> None:
    if not isinstance(value, expected):
        raise KGError(f"stage {stage} returned {type(value).__name__} for article {article.id}, expected {expected}")


def no_tick(stage: str) -> None:
    """The default stage clock: stages pass unwatched (``kg.bench`` passes one that times them)."""


def process(article: Article, gaz: Gazetteer, tick: Callable[[str], None] = no_tick) -> ArticleResult:
    """Run the text stages on one article; ``tick(stage)`` is called as each stage ends."""
    stage = "segment"
    try:
        sentences: list[Sentence] = segment(article)
        _check(sentences, list, stage, article)
        tick(stage)
        stage = "extract"
        mentions: list[Mention] = extract_mentions(sentences, gaz, article.date)
        _check(mentions, list, stage, article)
        tick(stage)
        stage = "relate"
        facts = relate(article, sentences, mentions, gaz)
        entities = collect_entities(article, sentences, mentions, facts, gaz)
        tick(stage)
    except KGError:
        raise
    except Exception as err:  # wrap with the stage and article, as spaCy's E109 does
        raise KGError(f"stage {stage} failed on article {article.id} ({article.path}): {type(err).__name__}: {err}") from err
    return ArticleResult(article=article, entities=tuple(entities), facts=tuple(facts), mentions=len(mentions))


def run(items: Iterable[Article | Skipped], gaz: Gazetteer) -> Iterator[ArticleResult | Skipped | Failed]:
    """Process articles in order; a failing article yields ``Failed`` and the run goes on."""
    for item in items:
        if isinstance(item, Skipped):
            yield item
            continue
        try:
            yield process(item, gaz)
        except KGError as err:
            yield Failed(item.path, str(err))
