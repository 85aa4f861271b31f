"""The search parameters, declared once, and reading a :class:`SearchRequest` from them.

:data:`SEARCH_PARAMS` is what the JSON API's OpenAPI document, the UI's
filter bar, feeds and exports read; the facet parameters come from
:data:`indexer.facets.FACETS`, so a new facet appears everywhere by itself.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from paragraf_se.indexer.engine import (
    MAX_PAGE,
    MAX_PAGE_SIZE,
    MODES,
    SORTS,
    InvalidRequest,
    SearchRequest,
)
from paragraf_se.indexer.facets import FACETS, Facet, FacetValueError

_STR: dict[str, object] = {"type": "string"}
_DATE: dict[str, object] = {"type": "string", "format": "date"}


@dataclass(frozen=True)
class Param:
    """One URL parameter of a search."""

    name: str
    description: str  # English: OpenAPI and the CLI's help
    schema: dict[str, object] = field(default_factory=lambda: dict(_STR))  # one value's
    label: str = ""  # Swedish name in the UI's filter bar ("" for no entry)
    repeatable: bool = False
    # A filter narrows the result: shown in the filter bar, carried by feeds and exports.
    narrows: bool = False
    facet: Facet | None = None
    default: object = None  # the value when the parameter is absent
    cli_help: str = ""  # English help of the CLI's option, when it differs from description


SEARCH_PARAMS: tuple[Param, ...] = (
    Param("q", "Query text (see /hjalp for the query language)", label="Sökord", narrows=True),
    *(Param(f.name, f.description, dict(f.openapi_schema), label=f.label, repeatable=True,
            narrows=True, facet=f) for f in FACETS),
    Param("from", "Meetings on or after this date", _DATE, label="Från", narrows=True,
          cli_help="only meetings on or after this date"),
    Param("to", "Meetings on or before this date", _DATE, label="Till", narrows=True,
          cli_help="only meetings on or before this date"),
    Param("sort", "Order of hits", {"type": "string", "enum": list(SORTS)}, default=SORTS[0],
          cli_help="order of the hits (default relevance)"),
    Param("mode", "stemmed: inflections and compound parts match; exact: words as written",
          {"type": "string", "enum": list(MODES)}, label="Sökläge", narrows=True,
          default=MODES[0],
          cli_help="stemmed: all word forms (default); exact: the words as typed"),
)
PAGE_PARAMS: tuple[Param, ...] = (
    Param("page", "Page, from 1", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
          default=1, cli_help="page of hits to show (default 1)"),
    Param("size", "Hits per page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
          default=10, cli_help="hits per page (default 10)"),
)
# The parameters that narrow a search, in the order the filter bar shows them.
FILTER_PARAMS: tuple[str, ...] = tuple(p.name for p in SEARCH_PARAMS if p.narrows)
FILTER_LABELS: dict[str, str] = {p.name: p.label for p in SEARCH_PARAMS if p.narrows}

# ASCII digits only: str.isdigit() and int() accept other scripts' digits
# (and isdigit() superscripts that int() rejects), and int() of a huge digit
# string raises; a bounded ASCII pattern is checked before any conversion.
WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")
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

    filters: dict[str, tuple[object, ...]] = {}
    for facet in FACETS:
        try:
            filters[facet.name] = tuple(facet.parse(v.strip()) for v in get_list(facet.name)
                                        if v.strip())
        except FacetValueError as err:
            raise InvalidRequest(facet.name, str(err)) from None
    q = one("q") or ""
    return SearchRequest(
        q=q,
        filters=filters,
        date_from=date("from"),
        date_to=date("to"),
        sort=one("sort") or "relevance",
        mode=one("mode") or "stemmed",
        page=integer("page", 1, 1, MAX_PAGE),
        size=integer("size", default_size, 1, MAX_PAGE_SIZE),
    )
