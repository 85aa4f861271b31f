"""Reading a :class:`SearchRequest` from URL query parameters (shared by API and UI)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from paragraf_se.indexer.search import MAX_PAGE_SIZE, InvalidRequest, SearchRequest

KNOWN_PARAMS = frozenset(
    {"q", "org", "body", "year", "from", "to", "sort", "mode", "page", "size", "format",
     "group"}
)
# ASCII digits only: str.isdigit() and int() accept other scripts' digits
# (and isdigit() superscripts that int() rejects), and int() of a huge digit
# string raises; a bounded ASCII pattern is checked before any conversion.
WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")
YEAR = re.compile(r"[0-9]{4}")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def whole_number(raw: str) -> int | None:
    """``raw`` as a non-negative int when it is 1-9 ASCII digits, else None."""
    return int(raw) if WHOLE_NUMBER.fullmatch(raw) else None


def request_from_params(
    get_list: Callable[[str], list[str]], *, default_size: int = 10
) -> SearchRequest:
    """Build a request from a multi-valued parameter getter (``getlist``).

    Empty values count as absent, so forms that submit blank fields work.
    Raises :class:`InvalidRequest` naming the parameter that is wrong.
    """

    def one(name: str) -> str | None:
        values = [v for v in get_list(name) if v.strip()]
        if len(values) > 1:
            raise InvalidRequest(name, "give it at most once")
        return values[0].strip() if values else None

    def integer(name: str, default: int, low: int, high: int) -> int:
        raw = one(name)
        if raw is None:
            return default
        value = whole_number(raw)
        if value is None:
            raise InvalidRequest(name, f"must be a whole number, not {raw[:40]!r}")
        if not low <= value <= high:
            raise InvalidRequest(name, f"must be between {low} and {high}")
        return value

    def date(name: str) -> dt.date | None:
        raw = one(name)
        if raw is None:
            return None
        try:
            if ISO_DATE.fullmatch(raw):
                return dt.date.fromisoformat(raw)
        except ValueError:
            pass
        raise InvalidRequest(name, f"must be a date YYYY-MM-DD, not {raw[:40]!r}")

    years: list[int] = []
    for raw in get_list("year"):
        if not raw.strip():
            continue
        raw = raw.strip()
        if not YEAR.fullmatch(raw) or not 1000 <= int(raw) <= 2999:
            raise InvalidRequest("year", f"must be a four-digit year, not {raw[:40]!r}")
        years.append(int(raw))
    q = one("q") or ""
    return SearchRequest(
        q=q,
        orgs=tuple(v.strip() for v in get_list("org") if v.strip()),
        bodies=tuple(v.strip() for v in get_list("body") if v.strip()),
        years=tuple(years),
        date_from=date("from"),
        date_to=date("to"),
        sort=one("sort") or "relevance",
        mode=one("mode") or "stemmed",
        page=integer("page", 1, 1, 1000),
        size=integer("size", default_size, 1, MAX_PAGE_SIZE),
    )
