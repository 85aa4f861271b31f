"""Build a ParsedParagraph from the lines between two headers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from paragraf_se.indexer.model import ParsedParagraph
from paragraf_se.indexer.parsing.diarienummer import (
    find_diarienummer,
    header_case,
    strip_diarienummer,
)
from paragraf_se.indexer.parsing.headers import Header, match_header
from paragraf_se.indexer.parsing.lines import Line
from paragraf_se.indexer.parsing.sections import classify_heading, split_sections, tidy

_MAX_TITLE_LINES = 6
_MAX_BLANKS_BEFORE_TITLE = 6
_PAGE_BREAK_BLANKS = 24  # furniture blanked at a page break: footer, header, counter
# A line ending a sentence is body text, not a wrapped title; "m.m." and
# "m.fl." end titles legitimately.
_SENTENCE_END = re.compile(
    r"(?<!\bm\.m)(?<!\bm\.fl)(?<!\bbl\.a)(?<!\bt\.ex)(?<!\bkap)(?<!\bresp)(?<!\bst)(?<!\bp)"
    r"(?<!\bnr)(?<!\bca)(?<!\bjfr)[.!?]$")
# "Dnr KS 2021/233" under a title is the case number, never more title.
_DNR_LINE = re.compile(
    r"^(?:dnr|diarienr|diarienummer|ärendenummer|ärendenr|ärende\s*nr)\b\.?[\s:]", re.IGNORECASE)
_TRAILING_CASE = re.compile(
    r"[\s,;–-]*\(?\s*(?:dnr|diarienr|diarienummer|ärendenummer|ärendenr|ärende\s*nr)\b\.?\s*:?"
    r"\s*[^\s,;()]*\d[^\s()]*\s*\)?$", re.IGNORECASE)
_CONTINUES = re.compile(r"(?:\b(?:och|av|om|för|i|med|till|den|det|de|på|samt|från|inom)|[-–,])$")


# Longer than any printed title (the longest of 2,094 Göteborg titles is 264
# characters): a "title" past this is body text that the title rule ran into.
MAX_TITLE_CHARS = 300


@dataclass(frozen=True)
class Built:
    """A paragraph and what looked wrong while building it (for the status)."""

    paragraph: ParsedParagraph
    warnings: tuple[str, ...] = ()


def build_paragraph(lines: list[Line], header: Header, end: int) -> Built:
    """The paragraph whose header is ``header`` and whose text ends before ``end``."""
    case, code, start = _case_line(lines, header, end)
    title_lines, body_start = _title_block(lines, header, start, end)
    title = " ".join(" ".join(title_lines).split())
    warnings: list[str] = []
    if len(title) > MAX_TITLE_CHARS:
        # Not silently a title: keep the first line when it can be one, and say so.
        first = " ".join(title_lines[0].split()) if title_lines else ""
        warnings.append(f"§ {header.number}: the title ran on for {len(title)} characters "
                        "into what looks like text; kept only its first line")
        title = first if len(first) <= MAX_TITLE_CHARS else ""
        body_start = _after_first_title_line(lines, header, start, end, keep_first=bool(title))
    printed_title, title = title, _strip_trailing_case(title)
    body = [line.text for line in lines[body_start:end]]
    text = tidy("\n".join(body))
    sections = split_sections(body)
    decision = "\n\n".join(s.text for s in sections if s.kind == "beslut" and s.text)
    pages = sorted({
        line.page for line in [lines[header.index], *lines[header.index + 1:end]]
        if line.page and line.text
    })
    head = "\n".join([header.rest, printed_title, text])
    numbers = [n for n in (header.case, case) if n]
    numbers += [n for n in find_diarienummer(head) if n not in numbers]
    codes = tuple(c for c in (header.code, code) if c)
    return Built(ParsedParagraph(
        number=header.number,
        title=title,
        text=text,
        decision=decision,
        sections=sections,
        diarienummer=tuple(dict.fromkeys(numbers)),
        pages=tuple(pages),
        classification_codes=codes,
    ), tuple(warnings))


def _case_line(lines: list[Line], header: Header, end: int) -> tuple[str | None, str | None, int]:
    """A case identifier printed on its own line between a bare header and its
    title ("§ 240" / "Diarienummer 00910/2024" / title). Returns the case, its
    code and where the title search starts."""
    start = header.index + 1
    if header.title or header.case:
        return None, None, start
    position = _skip_blanks(lines, start, end)
    if position >= end:
        return None, None, start
    parts = header_case(lines[position].text)
    if parts.case and not parts.title:
        return parts.case, parts.code, position + 1
    return None, None, start


def _skip_blanks(lines: list[Line], position: int, end: int) -> int:
    """The next non-blank line within reach. Page furniture was blanked, so a
    page break may put many blank lines between a header and its title."""
    page = lines[position - 1].page if position else 0
    following = position
    while following < end and not lines[following].text:
        following += 1
    blanks = following - position
    if following < end and blanks > _MAX_BLANKS_BEFORE_TITLE and (
        lines[following].page == page or blanks > _MAX_BLANKS_BEFORE_TITLE + _PAGE_BREAK_BLANKS
    ):
        return position + _MAX_BLANKS_BEFORE_TITLE
    return following


def _title_block(
    lines: list[Line], header: Header, position: int, end: int
) -> tuple[list[str], int]:
    """Title lines and the index where the body starts.

    The title is on the header line or the next non-blank line, and continues
    over the following lines (no blank between) until a blank line or a section
    heading; a block that reads like sentences is body text after its first line.
    A title wrapped across a page break continues on the next page when its
    line visibly goes on (ends in "för", "och", ...) or the next page starts in
    lower case.
    """
    block: list[str] = [header.title] if header.title else []
    if not block:
        position = _skip_blanks(lines, position, end)
        if position >= end or not lines[position].text or classify_heading(lines[position].text):
            return [], position
        block.append(lines[position].text)
        position += 1
    first_end = position
    ended_by_heading = False
    while position < end and len(block) < _MAX_TITLE_LINES + 1:
        if not lines[position].text:
            resumed = _resume_after_page_break(lines, position, end, block[-1])
            if resumed is None:
                break
            position = resumed
        text = lines[position].text
        if classify_heading(text):
            ended_by_heading = True
            break
        if match_header(text) or _DNR_LINE.match(text):
            break
        block.append(text)
        position += 1
    if len(block) > _MAX_TITLE_LINES or _reads_like_sentences(block[1:]):
        # Right above a heading a title's last line may itself be a sentence
        # ("... i stället för / NN (-). NN (-) har nominerats."); text without
        # blank lines (pypdfium2 keeps none) is told apart by its capital start.
        last = position - 1 if ended_by_heading else None
        return _first_line_title(block, first_end, lines, end, last)
    return block, position


def _resume_after_page_break(
    lines: list[Line], position: int, end: int, last: str
) -> int | None:
    """Where a title cut by a page break goes on, or None when the blank
    lines at ``position`` end it."""
    page = lines[position - 1].page
    following = position
    while following < end and not lines[following].text:
        following += 1
    if following >= end or lines[following].page == page or not page:
        return None
    nxt = lines[following].text
    if _CONTINUES.search(last) or nxt[:1].islower():
        return following
    return None


def _after_first_title_line(
    lines: list[Line], header: Header, start: int, end: int, *, keep_first: bool
) -> int:
    """Where the body starts when only the first title line is kept (or, when
    even that line is too long to be a title, none is)."""
    if header.title:
        return header.index + 1
    return _skip_blanks(lines, start, end) + (1 if keep_first else 0)


def _strip_trailing_case(title: str) -> str:
    """"Budget 2024 (Dnr KS 2023/123)" -> "Budget 2024": a case number printed
    after the title is recorded as a diarienummer, not kept in the title."""
    match = _TRAILING_CASE.search(title) or _trailing_bracketed_case(title)
    if not match:
        return title
    return title[:match.start()].rstrip(" ,;-–")


_BRACKETED = re.compile(r"\s*\(([^()]{4,40})\)$")


def _trailing_bracketed_case(title: str) -> re.Match[str] | None:
    """"Budget 2025 (KS 2023/123)": brackets that hold nothing but a diarienummer."""
    match = _BRACKETED.search(title)
    if match and find_diarienummer(match.group(1)) and not strip_diarienummer(match.group(1)):
        return match
    return None


def _reads_like_sentences(continuation: list[str]) -> bool:
    return any(_ends_sentence(text) for text in continuation)


def _ends_sentence(text: str) -> bool:
    """``_SENTENCE_END.search(text)``, tried only where it can match: its one
    character is the last, or the one before a final newline (``$``); its
    lookbehinds read before the start of the search."""
    return _SENTENCE_END.search(text, max(len(text) - 2, 0)) is not None


def _first_line_title(
    block: list[str], first_end: int, lines: list[Line], end: int, last: int | None = None
) -> tuple[list[str], int]:
    """The first line is the title, plus lines it visibly continues into."""
    title = [block[0]]
    position = first_end
    # Swedish titles are written in sentence case, so a wrapped title line
    # starts in lower case while the text's first sentence starts with a capital.
    while position < end and len(title) < _MAX_TITLE_LINES:
        following = position
        if not lines[position].text:
            resumed = _resume_after_page_break(lines, position, end, title[-1])
            if resumed is None:
                break
            following = resumed
        text = lines[following].text
        if not (_CONTINUES.search(title[-1]) or text[:1].islower()):
            break
        if _ends_sentence(text) and following != last:
            break
        title.append(text)
        position = following + 1
    return title, position
