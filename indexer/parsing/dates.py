"""Swedish-aware date finding and parsing.

Protocols write dates as ISO ("2017-08-21") or in prose ("måndagen den 8 januari
2007", "den 21 augusti kl. 13:00", "8 jan. 2007"). Prose dates often omit the
year, which is then implied by the meeting; callers pass it as ``default_year``.
"""

from __future__ import annotations

import datetime as dt
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
_ISO = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")
_PROSE = re.compile(
    rf"(?:\b{_WEEKDAY_WORD}\s+)?(?:\bden\s+)?\b(\d{{1,2}})(?::[ae])?(?:\s*[-–]\s*\d{{1,2}})?"
    rf"\s+({_MONTH_WORD})\b\.?(?:\s+(\d{{4}})\b)?",
    re.IGNORECASE,
)


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
        found.append(FoundDate(date, match.start(), match.end(), True))
    for match in _PROSE.finditer(text):
        year = int(match[3]) if match[3] else default_year
        if year is None:
            continue
        date = _parse_day_month(match[1], match[2], year)
        if date is not None:
            found.append(FoundDate(date, match.start(), match.end(), bool(match[3])))
    found.sort(key=lambda f: f.start)
    return found


def _parse_day_month(day: str, month: str, year: int) -> dt.date | None:
    """Let dateutil resolve the Swedish month name (and reject "31 februari")."""
    try:
        parsed = dateutil_parser.parse(
            f"{day} {month.rstrip('.')}", parserinfo=_INFO, default=dt.datetime(year, 1, 1)
        )
    except (ValueError, OverflowError):
        return None
    return parsed.date()
