"""Finding paragraph (§) headers and telling them from references and agendas.

A header starts a line: "§ 35 Title", "§ 31" (title on the next line),
"KS § 1   DNR:KU/2007.9", "Kf §12", "§ 3 a", "§ 246 Ärendenummer SLK-2024-00078",
"§ 13 1360/22", "§ 240 Diarienummer 00910/20241.1.2". One grammar reads them all:

    [body prefix] § number [letter] [[label] case identifier [code]] [title]

where the title may instead start on a later line (see ``paragraphs``) and the
case identifier is read by :func:`~.diarienummer.header_case`.
References ("enligt § 63", "den 9 november 2020, § 63,", "KS § 437 06-12-13") and
the ärendelista at the top of a protocol must not start paragraphs.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from paragraf_se.indexer.parsing.diarienummer import header_case
from paragraf_se.indexer.parsing.lines import Line

_HEADER = re.compile(
    r"^(?:[•·\-–*]\s*)?"
    r"(?:(?P<prefix>[A-ZÅÄÖ]{1,6}(?:-[A-ZÅÄÖ]{1,4})?|[A-ZÅÄÖ][a-zåäö]{1,2})\.?\s*)?"
    r"§(?!\s*§)\s*(?P<num>\d{1,4})(?!\d)"
    r"(?:\s?(?P<letter>[a-h])(?![\wåäöÅÄÖ]))?"
    r"(?P<rest>.*)$"
)
_DATE_START = re.compile(r"^\d{2,4}-\d{2}-\d{2}")
_TITLE_START = re.compile(r"^[\"'”“«(\[]?[A-ZÅÄÖÉÜ0-9]")


@dataclass(frozen=True)
class Header:
    """A line that starts a paragraph; ``title`` is what follows the number
    on that line once diarienummer are removed (may be empty)."""

    index: int  # position in the line list
    number: str  # "42", "3 a"
    title: str
    rest: str  # everything after the number, diarienummer included
    case: str | None = None  # the case identifier printed in the header
    code: str | None = None  # a classification code printed with it

    @property
    def key(self) -> tuple[int, str]:
        num, _, letter = self.number.partition(" ")
        return int(num), letter


def match_header(text: str) -> tuple[str, str] | None:
    """``(number, rest)`` if ``text`` looks like a paragraph header line."""
    if "§" not in text:
        return None  # most lines: asked of every line, several times
    match = _HEADER.match(text)
    if not match:
        return None
    rest = match["rest"]
    if rest and not rest[0].isspace():
        return None  # "§ 63," or "§ 12." are references
    rest = rest.strip()
    if rest and not _TITLE_START.match(rest):
        return None  # "§ 150 och den 6 mars", "§ 558 i ärende ..."
    if _DATE_START.match(rest):
        return None  # "KS § 437 06-12-13" cites another meeting's paragraph
    number = str(int(match["num"]))
    if match["letter"]:
        number = f"{number} {match['letter']}"
    return number, rest


def find_headers(lines: list[Line]) -> list[Header]:
    """Header candidates in document order (before agenda and order checks)."""
    return list(_headers(lines))


def first_header(lines: list[Line]) -> Header | None:
    """The first header candidate, where the front page ends; what
    ``find_headers(lines)[0]`` is, without reading the rest of the document."""
    return next(_headers(lines), None)


def _headers(lines: list[Line]) -> Iterator[Header]:
    for index, line in enumerate(lines):
        matched = match_header(line.text)
        if not matched:
            continue
        number, rest = matched
        parts = header_case(rest)
        if not parts.title and not _title_follows(lines, index):
            continue
        yield Header(index, number, parts.title, rest, parts.case, parts.code)


def _title_follows(lines: list[Line], index: int) -> bool:
    """A bare "§ 31" needs a title-like line after it (within a few lines)."""
    for line in lines[index + 1:index + 8]:
        if line.text:
            return bool(_TITLE_START.match(line.text)) and match_header(line.text) is None
    return False


def select_headers(lines: list[Line], candidates: list[Header]) -> list[Header]:
    """Drop agenda entries and in-text references, keep the real paragraphs.

    An ärendelista repeats the paragraph numbers without bodies, so for every
    number the occurrence with the most text under it wins. Numbers increase
    through a protocol, so the longest increasing run is kept, which discards
    stray references that happened to start a line.
    """
    if not candidates:
        return []
    sizes = _body_sizes(lines, candidates)
    best: dict[tuple[int, str], int] = {}
    for position, header in enumerate(candidates):
        current = best.get(header.key)
        if current is None or sizes[position] >= sizes[current]:
            best[header.key] = position
    unique = [candidates[p] for p in sorted(best.values())]
    return _longest_increasing(unique)


def _body_sizes(lines: list[Line], candidates: list[Header]) -> list[int]:
    ends = [c.index for c in candidates[1:]] + [len(lines)]
    return [
        sum(len(line.text) for line in lines[c.index + 1:end])
        for c, end in zip(candidates, ends, strict=True)
    ]


def _longest_increasing(headers: list[Header]) -> list[Header]:
    """Longest strictly increasing subsequence by (number, letter), O(n log n)."""
    tails: list[tuple[int, str]] = []
    tail_pos: list[int] = []
    previous: list[int] = [-1] * len(headers)
    for position, header in enumerate(headers):
        slot = bisect.bisect_left(tails, header.key)
        if slot == len(tails):
            tails.append(header.key)
            tail_pos.append(position)
        else:
            tails[slot] = header.key
            tail_pos[slot] = position
        previous[position] = tail_pos[slot - 1] if slot else -1
    chain = []
    position = tail_pos[-1] if tail_pos else -1
    while position != -1:
        chain.append(headers[position])
        position = previous[position]
    return chain[::-1]
