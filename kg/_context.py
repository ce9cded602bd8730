"""Which park a passage is about: shared by coreference (extract) and host finding (relate)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ParkSighting:
    """A park named (or referred to) at a position in an article."""

    sentence: int
    block: int
    pos: int
    key: str
    top_level: bool
    name: str
    explicit: bool
    admin: bool = False  # named as its administration (X管委会与…签署): a party more than a place


def context_park(
    sightings: Sequence[ParkSighting],
    sentence: int,
    block: int,
    pos: int,
    compatible: tuple[str, ...] | None = None,
    window: int = 3,
) -> str:
    """The park a passage is about, or ''.

    Candidates are top-level parks seen before the position: first in the same
    sentence, then in the same block, then in the ``window`` blocks before it
    (the most often seen wins, the latest breaks ties), then the article's most
    often seen park. ``compatible`` keeps only parks whose name ends with one of
    those suffixes.
    """

    def ok(s: ParkSighting) -> bool:
        if compatible is not None:
            # 保税区 alone means a bonded zone, not a 综合保税区 (a different kind with its own short name).
            return s.name.endswith(compatible) and not (compatible == ("保税区",) and s.name.endswith("综合保税区"))
        return s.top_level

    before = [s for s in sightings if ok(s) and (s.sentence, s.pos) < (sentence, pos)]
    same_sentence = [s for s in before if s.sentence == sentence]
    if same_sentence:
        return _latest_place(same_sentence)
    same_block = [s for s in before if s.block == block]
    if same_block:
        return _latest_place(same_block)
    recent = [s for s in before if block - window <= s.block < block]
    if recent:
        return _most_seen(recent)
    everywhere = [s for s in sightings if ok(s)]
    if everywhere:
        return _most_seen(everywhere)
    return ""


def _latest_place(sightings: Sequence[ParkSighting]) -> str:
    """The latest park named as a place; the latest named at all when each is named as its administration
    (落户知识城的项目包括：广州开发区管委会与…签署…；X项目: X goes to 知识城)."""
    places = [s for s in sightings if not s.admin]
    return (places or list(sightings))[-1].key


def _most_seen(sightings: Sequence[ParkSighting]) -> str:
    counts = Counter(s.key for s in sightings)
    last = {s.key: i for i, s in enumerate(sightings)}
    return max(counts, key=lambda k: (counts[k], last[k]))
