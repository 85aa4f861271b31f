"""The paragraph page's reading view: text reflowed into paragraphs, matches marked.

The stored text is shown as the reader would print it: hard-wrapped lines
joined (``indexer.parsing.reflow``), each block escaped and the search's
matches marked and numbered (``indexer.highlight``), so "Gå till första
träffen" is a plain link to ``#traff-1``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from paragraf_se.indexer.highlight import ANCHOR_PREFIX, Highlighter
from paragraf_se.indexer.model import Paragraph
from paragraf_se.indexer.parsing.reflow import reflow

# A paragraph with at least this many parts gets a table of its sections.
TOC_MIN_PARTS = 3


@dataclass(frozen=True)
class Part:
    """One headed part of the paragraph, ready to render."""

    anchor: str  # "beslut", "avsnitt-2"
    heading: str
    blocks: tuple[str, ...]  # HTML, escaped and marked: one <p> each


@dataclass(frozen=True)
class ReadingView:
    title: str  # HTML, escaped and marked
    decision: Part | None
    parts: tuple[Part, ...]  # the text, after the decision
    matches: int  # marks in decision and text (0 without a query)

    @property
    def first_match(self) -> str | None:
        return f"{ANCHOR_PREFIX}1" if self.matches else None

    @property
    def toc(self) -> tuple[Part, ...]:
        """The parts listed at the top of a long paragraph (none for a short one)."""
        every = ((self.decision,) if self.decision else ()) + self.parts
        return every if len(every) >= TOC_MIN_PARTS else ()


def reading_view(p: Paragraph, is_match: Callable[[str], bool] | None) -> ReadingView:
    """The decision first, then the text's sections (or the whole text), marked."""
    mark = Highlighter(is_match)

    def blocks(text: str) -> tuple[str, ...]:
        return tuple(mark(b) for b in reflow(text))

    title = Highlighter(is_match, anchors=False)(p.title)
    decision = Part("beslut", "Beslut", blocks(p.decision)) if p.decision else None
    if p.sections:
        # Text before the first heading belongs to no section: shown first, untitled.
        lead = _before_first_heading(p)
        shown = [s for s in p.sections if s.kind != "beslut"]
        parts = ((Part("inledning", "Inledning", blocks(lead)),) if lead.strip() else ()) + tuple(
            Part(f"avsnitt-{i}", s.heading, blocks(s.text)) for i, s in enumerate(shown, 1))
    else:
        parts = (Part("avsnitt-1", "", blocks(p.text)),) if p.text.strip() else ()
    return ReadingView(title, decision, parts, mark.count)


def _before_first_heading(p: Paragraph) -> str:
    """The paragraph's text up to its first section heading (empty when it starts with one)."""
    at = p.text.find(p.sections[0].heading)
    lead = p.text[:at] if at > 0 else ""
    # The header's case-number line ("Dnr KS 2023/123") is shown as a link already.
    return "\n".join(line for line in lead.splitlines()
                     if not (len(line) < 80 and any(d in line for d in p.diarienummer)))
