"""Build a ParsedParagraph from the lines between two headers."""

from __future__ import annotations

import re

from paragraf_se.indexer.model import ParsedParagraph
from paragraf_se.indexer.parsing.diarienummer import find_diarienummer
from paragraf_se.indexer.parsing.headers import Header, match_header
from paragraf_se.indexer.parsing.lines import Line
from paragraf_se.indexer.parsing.sections import classify_heading, split_sections, tidy

_MAX_TITLE_LINES = 6
_MAX_BLANKS_BEFORE_TITLE = 6
# A line ending a sentence is body text, not a wrapped title; "m.m." and
# "m.fl." end titles legitimately.
_SENTENCE_END = re.compile(r"(?<!\bm\.m)(?<!\bm\.fl)(?<!\bbl\.a)[.!?]$")
# "Dnr KS 2021/233" under a title is the case number, never more title.
_DNR_LINE = re.compile(r"^(?:dnr|diarienr|diarienummer|ärendenummer|ärendenr)\b\.?[\s:]",
                       re.IGNORECASE)
_CONTINUES = re.compile(r"(?:\b(?:och|av|om|för|i|med|till|den|det|de|på|samt|från|inom)|[-–,])$")


def build_paragraph(lines: list[Line], header: Header, end: int) -> ParsedParagraph:
    """The paragraph whose header is ``header`` and whose text ends before ``end``."""
    title_lines, body_start = _title_block(lines, header, end)
    title = " ".join(" ".join(title_lines).split())
    body = [line.text for line in lines[body_start:end]]
    text = tidy("\n".join(body))
    sections = split_sections(body)
    decision = "\n\n".join(s.text for s in sections if s.kind == "beslut" and s.text)
    pages = sorted({
        line.page for line in [lines[header.index], *lines[header.index + 1:end]]
        if line.page and line.text
    })
    head = "\n".join([header.rest, title, text])
    return ParsedParagraph(
        number=header.number,
        title=title,
        text=text,
        decision=decision,
        sections=sections,
        diarienummer=find_diarienummer(head),
        pages=tuple(pages),
    )


def _title_block(lines: list[Line], header: Header, end: int) -> tuple[list[str], int]:
    """Title lines and the index where the body starts.

    The title is on the header line or the next non-blank line, and continues
    over the following lines (no blank between) until a blank line or a section
    heading; a block that reads like sentences is body text after its first line.
    """
    position = header.index + 1
    block: list[str] = [header.title] if header.title else []
    if not block:
        blanks = 0
        while position < end and not lines[position].text and blanks < _MAX_BLANKS_BEFORE_TITLE:
            position, blanks = position + 1, blanks + 1
        if position >= end or not lines[position].text or classify_heading(lines[position].text):
            return [], position
        block.append(lines[position].text)
        position += 1
    first_end = position
    ended_by_heading = False
    while position < end and lines[position].text and len(block) < _MAX_TITLE_LINES + 1:
        text = lines[position].text
        if classify_heading(text):
            ended_by_heading = True
            break
        if match_header(text) or _DNR_LINE.match(text):
            break
        block.append(text)
        position += 1
    if len(block) > _MAX_TITLE_LINES or (
        not ended_by_heading and _reads_like_sentences(block[1:])
    ):
        return _first_line_title(block, first_end, lines, end)
    return block, position


def _reads_like_sentences(continuation: list[str]) -> bool:
    return any(_SENTENCE_END.search(text) for text in continuation)


def _first_line_title(
    block: list[str], first_end: int, lines: list[Line], end: int
) -> tuple[list[str], int]:
    """The first line is the title, plus lines it visibly continues into."""
    title = [block[0]]
    position = first_end
    while (position < end and _CONTINUES.search(title[-1]) and lines[position].text
           and not _SENTENCE_END.search(lines[position].text) and len(title) < _MAX_TITLE_LINES):
        title.append(lines[position].text)
        position += 1
    return title, position
