"""Snippets: the best short window of a text, matches in <mark>, the rest escaped.

A pure function over stored text, so it costs the same whatever the engine,
and is bounded: only the first ``SCAN_CHARS`` characters are examined.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape

from paragraf_se.indexer.analysis import TOKEN_PATTERN
from paragraf_se.indexer.parsing.diarienummer import find_diarienummer
from paragraf_se.indexer.parsing.sections import classify_heading

SCAN_CHARS = 20_000
DEFAULT_WIDTH = 220


# A line that only names the case: "Dnr BUN-2023-00412", "§ 3 Ärendenummer SLK-2023-00877",
# "Diarienummer: KS 2021/233".
_CASE_LABEL = re.compile(
    r"^(?:§\s*\d+\s*[a-z]?\s+)?(?:dnr|diarienr|diarienummer|ärendenummer|ärendenr|ärende\s*nr)\b",
    re.IGNORECASE,
)
_PARAGRAPH_SIGN = re.compile(r"^§\s*\d+\s*[a-z]?\s*$", re.IGNORECASE)
_LEFTOVER = re.compile(r"[\W_]*")


def snippet_text(text: str, title: str = "") -> str:
    """The running text a snippet is cut from: no case-number lines, no section
    headings ("Sammanfattning", "Kommunstyrelsens beslut"), no repeated title,
    and the lines of each block joined into sentences (hard breaks of a PDF
    undone, a word hyphenated at a line end rejoined).

    Blocks are kept apart by a blank line, so a heading never runs into the
    text it headed. Only the first ``SCAN_CHARS`` characters are read.
    """
    plain_title = " ".join(title.split()).casefold()
    blocks: list[list[str]] = [[]]
    for raw in text[:SCAN_CHARS].splitlines():
        line = " ".join(raw.split())
        if not line:
            if blocks[-1]:
                blocks.append([])
            continue
        if _skip_line(line, plain_title):
            if blocks[-1]:
                blocks.append([])
            continue
        current = blocks[-1]
        if current and current[-1].endswith("-") and line[:1].islower():
            current[-1] = current[-1][:-1] + line  # "för-" + "skolan"
        else:
            current.append(line)
    return "\n\n".join(" ".join(b) for b in blocks if b)


def _skip_line(line: str, plain_title: str) -> bool:
    if len(line) > 120:
        return False
    if classify_heading(line) or _PARAGRAPH_SIGN.match(line):
        return True
    if plain_title and line.casefold() == plain_title:
        return True
    if _CASE_LABEL.match(line):
        return True
    # A line of nothing but diarienummer ("KS 2021/233, KS 2021/240").
    found = find_diarienummer(line)
    rest = line
    for dnr in found:
        rest = rest.replace(dnr, " ")
    return bool(found) and _LEFTOVER.fullmatch(rest) is not None


def make_snippet(text: str, is_match: Callable[[str], bool], width: int = DEFAULT_WIDTH) -> str:
    """Return HTML: the window of ``text`` (about ``width`` chars) with most matches.

    ``is_match`` gets each lowercased word of the text and says whether the
    query matched it (after stemming, prefix expansion, ...).
    """
    scanned = text[:SCAN_CHARS]
    spans = [
        (m.start(), m.end())
        for m in TOKEN_PATTERN.finditer(scanned)
        if is_match(m.group(0).lower())
    ]
    start, end = _best_window(scanned, spans, width)
    out: list[str] = []
    if start > 0:
        out.append("… ")
    pos = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(escape(scanned[pos:s]))
        out.append(f"<mark>{escape(scanned[s:e])}</mark>")
        pos = e
    out.append(escape(scanned[pos:end]))
    if end < len(text):
        out.append(" …")
    return " ".join("".join(out).split())


def _best_window(text: str, spans: list[tuple[int, int]], width: int) -> tuple[int, int]:
    if not spans:
        return 0, _word_end(text, min(len(text), width))
    best_i, best_count, j = 0, 0, 0
    for i, (s, _) in enumerate(spans):
        while j < len(spans) and spans[j][1] - s <= width:
            j += 1
        if j - i > best_count:
            best_i, best_count = i, j - i
    first = spans[best_i][0]
    # Some context before the first match, cut at a word boundary.
    start = max(0, first - width // 4)
    if start > 0:
        space = text.find(" ", start, first)
        start = space + 1 if space != -1 else first
    return start, _word_end(text, min(len(text), start + width))


def _word_end(text: str, end: int) -> int:
    if end >= len(text):
        return len(text)
    space = text.rfind(" ", 0, end)
    return space if space > 0 else end
