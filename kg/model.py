"""Typed values passed between the pipeline stages (frozen dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class EntityType(str, Enum):
    """Kinds of things the graph holds."""

    PARK = "Park"
    COMPANY = "Company"
    INSTITUTION = "Institution"
    COUNTRY = "Country"
    AGREEMENT = "Agreement"


class Source(str, Enum):
    """How a mention was recognised."""

    GAZETTEER = "gazetteer"
    PATTERN = "pattern"
    COREFERENCE = "coreference"
    CURATION = "curation"


@dataclass(frozen=True)
class Article:
    """One source file, as read.

    ``text`` is the original text after decoding (evidence is quoted from it);
    ``date`` is ISO 8601 with the precision known (``2024``, ``2024-09`` or
    ``2024-09-20``) or empty.
    """

    id: str
    path: str
    text: str
    title: str = ""
    date: str = ""
    publisher: str = ""
    script: str = ""
    encoding: str = "utf-8"


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article, normalised for matching.

    ``norm`` is Simplified, NFKC-folded text with PDF line breaks, doubled
    headlines and placeholders removed; ``offsets[i]`` is the position in
    ``Article.text`` of ``norm[i]``. ``block`` numbers paragraphs, so that
    later stages can look back for the park a paragraph is about.
    """

    article_id: str
    index: int
    block: int
    norm: str
    offsets: tuple[int, ...]
    original: str
    start: int
    end: int
    date_hint: str = ""

    def span(self, i: int, j: int) -> tuple[int, int]:
        """Original character offsets of ``norm[i:j]``."""
        if not self.offsets:
            return (self.start, self.start)
        j = max(i + 1, j)
        return (self.offsets[i], self.offsets[min(j, len(self.offsets)) - 1] + 1)


@dataclass(frozen=True)
class Mention:
    """A name, amount or date found in a sentence (offsets into ``norm``)."""

    article_id: str
    sentence: int
    start: int
    end: int
    surface: str
    kind: str  # an EntityType value, "amount", "date" or "country_short"
    key: str = ""  # gazetteer key, or a normalised name for pattern entities
    source: Source = Source.GAZETTEER
    country: str = ""
    data: tuple[tuple[str, str], ...] = ()

    def get(self, name: str, default: str = "") -> str:
        for k, v in self.data:
            if k == name:
                return v
        return default


@dataclass(frozen=True)
class Entity:
    """A thing the graph will hold one node for."""

    key: str
    type: EntityType
    label_zh: str
    label_en: str = ""
    label_hant: str = ""
    country: str = ""
    aliases: tuple[str, ...] = ()
    source: Source = Source.GAZETTEER
    kind: str = ""
    parent: str = ""  # containing park or parent group (an entity key)
    sector: str = ""
    wikidata: str = ""
    city: str = ""
    province: str = ""
    evidence: Evidence | None = None  # where a name found by pattern was first read
    partners: tuple[str, ...] = ()  # a joint venture's shareholders (entity keys), from the gazetteer


@dataclass(frozen=True)
class Evidence:
    """Where a fact was read: the article and the original sentence span."""

    article_id: str
    start: int
    end: int
    quote: str


@dataclass(frozen=True)
class Amount:
    """A sum of money in units of an ISO 4217 currency."""

    value: str  # decimal string, exact
    currency: str
    qualifier: str = "exact"  # exact|over|about|total|cumulative|agreed|under


@dataclass(frozen=True)
class Fact:
    """A relation between entities, with its evidence.

    ``kind`` is ``investment``, ``outbound``, ``cooperation``, ``part_of``,
    ``subsidiary`` or ``statistic``; ``parties`` holds entity keys in the
    order the kind defines (investor, host / a, b / part, whole).
    """

    kind: str
    parties: tuple[str, ...]
    evidence: Evidence
    amount: Amount | None = None
    sectors: tuple[str, ...] = ()
    date: str = ""
    status: str = ""
    activity: str = ""
    detail: str = ""  # cooperation kind, statistic name …
    agreement: str = ""  # entity key of an agreement or platform
    extra: tuple[tuple[str, str], ...] = field(default=())


@dataclass(frozen=True)
class ArticleResult:
    """What the text stages produced for one article."""

    article: Article
    entities: tuple[Entity, ...]
    facts: tuple[Fact, ...]
    mentions: int = 0
