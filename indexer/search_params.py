"""Reading a :class:`SearchRequest` from URL query parameters (shared by API and UI)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from paragraf_se.indexer.search import MAX_PAGE_SIZE, InvalidRequest, SearchRequest

KNOWN_PARAMS = frozenset(
    {"q", "org", "body", "year", "from", "to", "sort", "mode", "page", "size", "format",
     "group"}
)


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
        try:
            value = int(raw)
        except ValueError:
            raise InvalidRequest(name, f"must be a whole number, not {raw[:40]!r}") from None
        if not low <= value <= high:
            raise InvalidRequest(name, f"must be between {low} and {high}")
        return value

    def date(name: str) -> dt.date | None:
        raw = one(name)
        if raw is None:
            return None
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise InvalidRequest(name, "must be a date YYYY-MM-DD") from None

    years: list[int] = []
    for raw in get_list("year"):
        if not raw.strip():
            continue
        if not raw.strip().isdigit() or not 1000 <= int(raw) <= 2999:
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
