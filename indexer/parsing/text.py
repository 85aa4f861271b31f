"""The text parser: page texts in, meeting facts and paragraphs out.

PDF and HTML parsing end here after extracting their text.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter

from paragraf_se.indexer.model import MeetingInfo, ParsedParagraph, ParseResult
from paragraf_se.indexer.parsing.furniture import remove_furniture, repeated_band_lines
from paragraf_se.indexer.parsing.headers import (
    find_headers,
    first_header,
    match_header,
    select_headers,
)
from paragraf_se.indexer.parsing.lines import Line, rejoin_hyphenated, to_lines
from paragraf_se.indexer.parsing.meeting import extract_meeting
from paragraf_se.indexer.parsing.paragraphs import build_paragraph
from paragraf_se.indexer.parsing.sections import classify_heading

NO_PARAGRAPHS = "no § paragraphs found"
_AGENDA_NUMBER = re.compile(r"^(?:[•·]\s*)?\d{1,3}\.?$")


def parse_pages(pages: list[str], *, paged: bool, web: bool = False) -> ParseResult:
    """Parse a document given as the text of its pages.

    ``paged`` says the pages are real (PDF, form feeds), so paragraphs get page
    numbers and running headers can be found by repetition. ``web`` marks a
    meeting web page, where numbered agenda items follow the paragraphs.
    """
    raw = to_lines(pages, paged=paged)
    if not any(line.text for line in raw):
        return ParseResult(MeetingInfo(), (), status="failed",
                           messages=("empty document: no text found",))
    first = first_header(raw)
    meeting = extract_meeting(raw, first.index if first else len(raw))
    lines = _clean(raw, len(pages), meeting)
    headers = select_headers(lines, find_headers(lines))
    ends = [h.index for h in headers[1:]] + [len(lines)] if headers else []
    if web or _looks_like_web_page(raw):
        ends = [_agenda_item_start(lines, h.index, end) for h, end in zip(headers, ends,
                                                                          strict=True)]
    built = [build_paragraph(lines, header, end)
             for header, end in zip(headers, ends, strict=True)]
    paragraphs = tuple(b.paragraph for b in built)
    messages = (*_check(meeting, paragraphs), *(w for b in built for w in b.warnings))
    return ParseResult(meeting, paragraphs, status="warnings" if messages else "ok",
                       messages=messages)


def _looks_like_web_page(raw: list[Line]) -> bool:
    """Text saved from a meeting page starts with its skip link."""
    first = next((line.text for line in raw if line.text), "")
    return first.casefold() == "hoppa över navigering"


def _agenda_item_start(lines: list[Line], start: int, end: int) -> int:
    """Where the next numbered agenda item ("5" then "Övriga frågor") begins.

    On meeting pages paragraphs sit inside agenda items, so the items after the
    last paragraph would otherwise be read as its text.
    """
    for index in range(start + 2, end):
        if _AGENDA_NUMBER.match(lines[index].text):
            following = next((line.text for line in lines[index + 1:end] if line.text), "")
            if following and not _AGENDA_NUMBER.match(following):
                return index
    return end


def _clean(raw: list[Line], page_count: int, meeting: MeetingInfo) -> list[Line]:
    """Remove furniture, then rejoin words hyphenated across line ends."""
    standalone = Counter(line.text for line in raw)
    names = tuple(n for n in (meeting.org, meeting.body) if n and standalone[n] >= 2)
    lines = remove_furniture(raw, repeated_band_lines(raw, page_count), names)
    return rejoin_hyphenated(lines, _structural)


def _structural(text: str) -> bool:
    """A paragraph header or section heading: never the end of a hyphenated word."""
    return bool(match_header(text) or classify_heading(text))


def _check(meeting: MeetingInfo, paragraphs: tuple[ParsedParagraph, ...]) -> tuple[str, ...]:
    """Messages for things that look off; empty when all is well."""
    if not paragraphs:
        return (NO_PARAGRAPHS,)
    messages = []
    numbers = [int(p.number.split(" ")[0]) for p in paragraphs]
    for before, after in itertools.pairwise(numbers):
        if after > before + 1:
            messages.append(f"paragraph numbers jump from § {before} to § {after}")
    for paragraph in paragraphs:
        if not paragraph.title:
            messages.append(f"§ {paragraph.number} has no title")
    if meeting.paragraph_range:
        low, _, high = meeting.paragraph_range.partition("–")
        if (int(low), int(high)) != (numbers[0], numbers[-1]):
            messages.append(
                f"front page says §§ {meeting.paragraph_range} but found "
                f"§§ {numbers[0]}–{numbers[-1]}"
            )
    if meeting.date is None:
        messages.append("meeting date not found")
    messages.extend(meeting.warnings)
    return tuple(messages)
