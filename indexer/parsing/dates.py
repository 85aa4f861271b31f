"""Swedish-aware date finding and parsing.

Protocols write dates as ISO ("2017-08-21") or in prose ("måndagen den 8 januari
2007", "den 21 augusti kl. 13:00", "8 jan. 2007"). Prose dates often omit the
year, which is then implied by the meeting; callers pass it as ``default_year``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from dateutil import parser as dateutil_parser

_MONTHS = (
    ("jan", "januari"), ("feb", "februari"), ("mar", "mars"), ("apr", "april"),
    ("maj",), ("jun", "juni"), ("jul", "juli"), ("aug", "augusti"),
    ("sep", "sept", "september"), ("okt", "oktober"), ("nov", "november"),
    ("dec", "december"),
)
_WEEKDAYS = (
    ("mån", "måndag", "måndagen"), ("tis", "tisdag", "tisdagen"),
    ("ons", "onsdag", "onsdagen"), ("tors", "torsdag", "torsdagen"),
    ("fre", "fredag", "fredagen"), ("lör", "lördag", "lördagen"),
    ("sön", "söndag", "söndagen"),
)


class SwedishParserInfo(dateutil_parser.parserinfo):
    """dateutil vocabulary for Swedish month and weekday names."""

    MONTHS = [tuple(names) for names in _MONTHS]  # type: ignore[assignment]  # noqa: RUF012
    WEEKDAYS = [tuple(names) for names in _WEEKDAYS]  # type: ignore[assignment]  # noqa: RUF012
    JUMP = [" ", ".", ",", ";", "-", "/", "'", "den", "kl", "e", "a"]  # noqa: RUF012

    def __init__(self) -> None:
        super().__init__(dayfirst=True, yearfirst=False)


_INFO = SwedishParserInfo()

_MONTH_WORD = "|".join(
    sorted((name for names in _MONTHS for name in names), key=len, reverse=True)
)
_WEEKDAY_WORD = r"(?:mån|tis|ons|tors|fre|lör|sön)dag(?:en)?"
# Both patterns start with what the regex engine can skip ahead to in C (a
# character, a digit). A pattern that starts with a lookbehind or with optional
# words is tried at every position of the text, and find_dates runs over the
# first 400 lines of every protocol (meeting._implied_year): that made it the
# parser's largest cost. What comes before is checked once that is found.
#
# ISO, (?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-]), found at its first hyphen
# (a literal is the fastest to skip to); the year is read by a lookbehind, so
# the match starts at the hyphen and the date at group 1.
_ISO = re.compile(r"-(?<=(?<![\d-])(\d{4})-)(\d{2})-(\d{2})(?![\d-])")
# Prose, from the day on: \b(\d{1,2}) with the \b checked after the first digit
# (a digit is a word character, so \b before it means no word character before it).
_PROSE_DAY = re.compile(
    rf"(\d(?<!\w\d)\d?)(?::[ae])?(?:\s*[-–]\s*\d{{1,2}})?"
    rf"\s+({_MONTH_WORD})\b\.?(?:\s+(\d{{4}})\b)?",
    re.IGNORECASE,
)
# The words a prose date may start with before its day, "[weekday] [den] 8 januari":
# found by looking back from the day (see _prose_start).
_DEN = re.compile(r"\bden", re.IGNORECASE)
_WEEKDAY = re.compile(rf"\b{_WEEKDAY_WORD}", re.IGNORECASE)
_DEN_LENGTHS = (3,)
_WEEKDAY_LENGTHS = (9, 8, 7, 6)  # "torsdagen" .. "måndag", longest (leftmost start) first


@dataclass(frozen=True)
class FoundDate:
    """A date found in text; ``has_year`` is False when the year was implied."""

    date: dt.date
    start: int
    end: int
    has_year: bool


def parse_swedish_date(text: str, default_year: int | None = None) -> dt.date | None:
    """Parse one date written in Swedish or ISO form, or return None.

    ``default_year`` supplies the year of prose dates like "den 21 augusti".
    """
    found = find_dates(text, default_year=default_year)
    return found[0].date if found else None


def find_dates(text: str, default_year: int | None = None) -> list[FoundDate]:
    """All dates in ``text`` in order. Prose dates without a year and without a
    ``default_year`` are skipped rather than guessed."""
    found: list[FoundDate] = []
    for match in _ISO.finditer(text):
        try:
            date = dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            continue
        found.append(FoundDate(date, match.start(1), match.end(), True))
    # What finditer over the whole prose pattern would give: the next match is
    # searched from where the previous one ended, and its start may not lie before.
    position = 0
    while (match := _PROSE_DAY.search(text, position)) is not None:
        start = _prose_start(text, match.start(), position)
        position = match.end()
        year = int(match[3]) if match[3] else default_year
        if year is None:
            continue
        date = _parse_day_month(match[1], match[2], year)
        if date is not None:
            found.append(FoundDate(date, start, match.end(), bool(match[3])))
    found.sort(key=lambda f: f.start)
    return found


def _prose_start(text: str, day: int, floor: int) -> int:
    """Where the prose date whose day is at ``day`` starts: at the "den" and the
    weekday before the day when they are there ("måndagen den 8 januari"), as the
    pattern ``(?:\\bWEEKDAY\\s+)?(?:\\bden\\s+)?\\b`` would match them; never
    before ``floor``, where the search for this date began."""
    start = _word_before(text, day, floor, _DEN, _DEN_LENGTHS)
    return _word_before(text, start, floor, _WEEKDAY, _WEEKDAY_LENGTHS)


def _word_before(text: str, end: int, floor: int, word: re.Pattern[str],
                 lengths: tuple[int, ...]) -> int:
    """The start of ``word`` when it stands before ``end`` with whitespace between
    (``\\s`` is ``str.isspace``), else ``end``. The word's regex has no
    variable-width part but its alternatives, so ``lengths`` are all it can span;
    under IGNORECASE a letter matches one character, so lengths do not change."""
    gap = end
    while gap > floor and text[gap - 1].isspace():
        gap -= 1
    if gap == end:
        return end
    for length in lengths:
        if gap - length >= floor and word.fullmatch(text, gap - length, gap):
            return gap - length
    return end


# dateutil takes ~50 µs a date, and a protocol repeats its few dates (the
# meeting's, the next one's) throughout: the answers are remembered.
@functools.lru_cache(maxsize=4096)
def _parse_day_month(day: str, month: str, year: int) -> dt.date | None:
    """Let dateutil resolve the Swedish month name (and reject "31 februari")."""
    try:
        parsed = dateutil_parser.parse(
            f"{day} {month.rstrip('.')}", parserinfo=_INFO, default=dt.datetime(year, 1, 1)
        )
    except (ValueError, OverflowError):
        return None
    return parsed.date()
