"""The one search function every adapter (CLI, JSON API, web UI) calls.

``SearchRequest`` is what a user asked for; ``SearchResult`` is what they get.
Both are engine-neutral so another engine (PostgreSQL) can stand behind the
same function.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Protocol

from paragraf_se.indexer.budget import Budget
from paragraf_se.indexer.model import Paragraph
from paragraf_se.indexer.query import ParsedQuery, parse_query

SORTS = ("relevance", "newest", "oldest")
MODES = ("stemmed", "exact")
MAX_PAGE_SIZE = 100
MAX_PAGE = 1000


class InvalidRequest(ValueError):
    """A search parameter out of range; adapters answer it with 400."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message


@dataclass(frozen=True)
class SearchRequest:
    """A validated search: query text, filters, order and page."""

    q: str = ""
    orgs: tuple[str, ...] = ()
    bodies: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = "relevance"
    mode: str = "stemmed"
    page: int = 1
    size: int = 10

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise InvalidRequest("sort", f"must be one of {', '.join(SORTS)}")
        if self.mode not in MODES:
            raise InvalidRequest("mode", f"must be one of {', '.join(MODES)}")
        if not 1 <= self.size <= MAX_PAGE_SIZE:
            raise InvalidRequest("size", f"must be between 1 and {MAX_PAGE_SIZE}")
        if not 1 <= self.page <= MAX_PAGE:
            raise InvalidRequest("page", f"must be between 1 and {MAX_PAGE}")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InvalidRequest("from", "must not be after 'to'")


@dataclass(frozen=True)
class FacetValue:
    value: str  # display value: "Kommunstyrelsen", "2017"
    count: int
    key: str = ""  # filter key (slug) when it differs from value


MATCH_ALL = "all"
MATCH_PARTIAL = "partial"


@dataclass(frozen=True)
class Hit:
    paragraph: Paragraph
    snippet: str  # HTML: matches in <mark>, everything else escaped
    score: float = 0.0
    match: str = MATCH_ALL  # "all": every word of the query; "partial": some of them
    matched_terms: tuple[str, ...] = ()  # the query's words (clauses) this paragraph has
    decision_kind: str = ""  # indexer.decision_kind: beslut, bordlagt, återremiss, ...


@dataclass(frozen=True)
class SearchResult:
    """One page of a search.

    ``total`` counts the paragraphs with every word of the query (and the
    facets count those); when they do not fill the first page, the page
    continues with paragraphs that have some of the words (``match ==
    "partial"`` hits, most words first), and ``partial_total`` counts all of
    those. When no paragraph has every word, ``relaxed`` is set and ``total``
    counts the paragraphs with any word, as before.
    """

    total: int
    page: int
    size: int
    hits: tuple[Hit, ...]
    facets: dict[str, tuple[FacetValue, ...]] = field(default_factory=dict)
    notices: tuple[str, ...] = ()  # Swedish messages for the user
    suggestion: str | None = None  # "Menade du …?"
    relaxed: bool = False  # no paragraph had every word; these have some
    partial_total: int = 0  # paragraphs with some but not all words (see above)
    # The search's bounds cut it (a prefix stood for too many words, or time
    # ran out): not every match may be counted; a notice says so in Swedish.
    limited: bool = False


    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


class SearchEngine(Protocol):
    """What the search function needs from an index engine."""

    def execute(self, request: SearchRequest, parsed: ParsedQuery,
                budget: Budget | None = None) -> SearchResult: ...


def search(engine: SearchEngine, request: SearchRequest,
           budget: Budget | None = None) -> SearchResult:
    """Run a search: parse the query language, then let the engine answer.

    ``budget`` bounds the optional work (prefix expansion, suggestions) in
    time and size, and lets a caller cancel it (see :mod:`indexer.budget`);
    a fresh default budget is used when none is given.
    """
    budget = budget or Budget()
    budget.check()  # the client may have left while the request waited
    parsed = parse_query(request.q)
    result = engine.execute(request, parsed, budget)
    if parsed.notices:
        return replace(result, notices=parsed.notices + result.notices)
    return result
