"""What surrounds a paragraph: its neighbours in the protocol and its case's trail.

Shared by the JSON API and the paragraph page, so both show the same things.
"""

from __future__ import annotations

from dataclasses import dataclass

from paragraf_se.indexer.cases import trail
from paragraf_se.indexer.engine import EngineReader
from paragraf_se.indexer.model import Paragraph

MAX_TRAIL = 50  # a diarienummer on hundreds of paragraphs is a list, not a trail


@dataclass(frozen=True)
class ParagraphContext:
    """The previous and next § of the same meeting and the same-diarienummer trail."""

    previous: Paragraph | None
    next: Paragraph | None
    trail: tuple[Paragraph, ...]  # other paragraphs sharing a diarienummer, oldest first


def paragraph_context(index: EngineReader, p: Paragraph) -> ParagraphContext:
    """Look up ``p``'s neighbours and trail in the index."""
    siblings = index.meeting(p.meeting_id)
    ids = [s.id for s in siblings]
    i = ids.index(p.id) if p.id in ids else -1
    previous = siblings[i - 1] if i > 0 else None
    following = siblings[i + 1] if 0 <= i < len(siblings) - 1 else None
    return ParagraphContext(previous, following, case_trail(index, p))


def case_trail(index: EngineReader, p: Paragraph) -> tuple[Paragraph, ...]:
    """Other paragraphs with any of ``p``'s diarienummer, across bodies, by date."""
    return trail(index, p, MAX_TRAIL)
