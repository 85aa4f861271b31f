"""The engine boundary: the types a search speaks and what any engine must do.

Everything here is engine-neutral. :class:`EngineReader` is what searching
and the pages need, :class:`EngineWriter` what ingest, rebuild, sync and
backup need; :class:`Engine` is both. The Whoosh engine
(:mod:`indexer.whoosh`) is one implementation; policy every engine gets for
free (relaxing to any word, spelling suggestions, result caching) lives in
:mod:`indexer.search` and :mod:`indexer.spelling`, and the replace-source
rule (the approved PDF's text wins) in :mod:`indexer.source_replace`.
``tests/test_engine_conformance.py`` pins what an engine must answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from paragraf_se.indexer.budget import Budget
from paragraf_se.indexer.facets import BY_NAME, BY_REQUEST_NAME, FACETS, FacetValueError
from paragraf_se.indexer.model import Paragraph
from paragraf_se.indexer.query import ParsedQuery

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


FacetFilters = tuple[tuple[str, tuple[object, ...]], ...]


@dataclass(frozen=True, init=False)
class SearchRequest:
    """A validated search: query text, facet filters, dates, order and page.

    Facet filters are keyed by facet name (``filters``); each facet of
    :data:`indexer.facets.FACETS` is also a keyword and an attribute by its
    ``request_name`` (``orgs=``, ``bodies=``, ``years=``), so a new facet needs
    no change here.
    """

    q: str
    filters: FacetFilters
    date_from: dt.date | None
    date_to: dt.date | None
    sort: str
    mode: str
    page: int
    size: int

    def __init__(self, q: str = "", *, filters: FacetFilters | dict = (),
                 date_from: dt.date | None = None, date_to: dt.date | None = None,
                 sort: str = "relevance", mode: str = "stemmed", page: int = 1,
                 size: int = 10, **facet_values: tuple) -> None:
        chosen = dict(filters)
        for request_name, values in facet_values.items():
            facet = BY_REQUEST_NAME.get(request_name)
            if facet is None:
                raise TypeError(f"SearchRequest got an unknown keyword {request_name!r}")
            chosen[facet.name] = values
        unknown = set(chosen) - set(BY_NAME)
        if unknown:
            raise InvalidRequest(sorted(unknown)[0], "is not a facet")
        normal: list[tuple[str, tuple[object, ...]]] = []
        for facet in FACETS:  # declaration order: equal requests compare (and cache) equal
            values = chosen.get(facet.name) or ()
            try:
                parsed = tuple(facet.parse(v) for v in values)
            except FacetValueError as err:
                raise InvalidRequest(facet.name, str(err)) from None
            if parsed:
                normal.append((facet.name, parsed))
        for name, value in (("q", q), ("filters", tuple(normal)), ("date_from", date_from),
                            ("date_to", date_to), ("sort", sort), ("mode", mode),
                            ("page", page), ("size", size)):
            object.__setattr__(self, name, value)
        self._validate()

    def _validate(self) -> None:
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

    def values(self, facet: str) -> tuple[object, ...]:
        """The filter values of one facet (by facet name), empty when unfiltered."""
        return dict(self.filters).get(facet, ())

    def __getattr__(self, name: str) -> tuple[object, ...]:
        # request.orgs, request.years ...: each facet by its request name.
        facet = BY_REQUEST_NAME.get(name)
        if facet is None:
            raise AttributeError(name)
        return self.values(facet.name)

    @property
    def narrowed(self) -> bool:
        """True when any facet or date filter narrows the search."""
        return bool(self.filters or self.date_from or self.date_to)


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


@dataclass(frozen=True)
class BodySummary:
    """One body of one organisation: how many paragraphs, over which years."""

    org: str
    body: str
    paragraphs: int
    first_year: int
    last_year: int


@dataclass(frozen=True)
class IndexChange:
    """What one write did to the index.

    The detail fields say which paragraphs appeared and which left the index
    entirely (no source left), for the permalink registry; they are left out
    of equality so counts compare as before.
    """

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    added_ids: tuple[str, ...] = field(default=(), compare=False)
    deleted: tuple[Paragraph, ...] = field(default=(), compare=False)


class ReadView(Protocol):
    """One consistent view of an engine's paragraphs (one generation), for one search.

    Everything a search's policy asks during one request goes through one
    view, so the answer never mixes two generations.
    """

    @property
    def version(self) -> Hashable:
        """Changes whenever the paragraphs may have (a commit, a rebuild, a restore)."""

    def run(self, request: SearchRequest, parsed: ParsedQuery, budget: Budget, *,
            words_of: ParsedQuery | None = None) -> SearchResult:
        """One page of ``parsed``'s matches with facets over all of them.

        ``words_of`` is set when ``parsed`` is the any-word relaxation of the
        query typed: every hit is then a partial match, and ``words_of`` has
        each word as a clause of its own (to tell which words a hit has).
        """

    def frequency(self, word: str) -> int:
        """How often the unstemmed, lowercased ``word`` occurs (0: not in the vocabulary)."""

    def words_starting(self, prefix: str) -> Iterator[str]:
        """The unstemmed vocabulary starting with ``prefix``, in sorted order."""


class EngineReader(Protocol):
    """The reading half: what searches and pages ask of an engine."""

    compounds: bool  # compound parts are searchable (False: the plain-Snowball baseline)

    def view(self) -> AbstractContextManager[ReadView]:
        """A consistent view for one search (see :class:`ReadView`)."""

    def count(self) -> int:
        """How many paragraphs the engine holds."""

    def get(self, paragraph_id: str) -> Paragraph | None:
        """One paragraph by id."""

    def meeting(self, meeting_id: str) -> list[Paragraph]:
        """A meeting's paragraphs in § order."""

    def by_case(self, diarienummer: str) -> list[Paragraph]:
        """Every paragraph carrying ``diarienummer`` (compared as :func:`cases.normalise_dnr`)."""

    def bodies(self) -> list[BodySummary]:
        """Every (organisation, body) with its paragraph count and year span."""

    def iter_matches(self, request: SearchRequest, parsed: ParsedQuery,
                     budget: Budget | None = None) -> Iterator[Paragraph]:
        """Every paragraph ``parsed`` matches, in the request's order, one at a time.

        ``budget`` bounds the evaluation; once cancelled, the next row raises
        ``SearchCancelled``.
        """

    def all(self) -> Iterator[Paragraph]:
        """Every paragraph, in no particular order."""

    def id_count(self, paragraph_id: str) -> int:
        """How many live copies carry this id (exactly one when healthy)."""

    def word_matcher(self, q: str, mode: str = "stemmed") -> Callable[[str], bool] | None:
        """Which lowercased words the search ``q`` matches, by this engine's analysis.

        For marking a search's matches in a whole paragraph; None when ``q``
        has no words to mark.
        """


class EngineWriter(Protocol):
    """The writing half: what ingest, rebuild, index sync and backup ask of an engine."""

    def replace_source(self, url: str, paragraphs: Sequence[Paragraph]) -> IndexChange:
        """Make the engine hold exactly ``paragraphs`` from source ``url`` (see source_replace)."""

    def batch(self, max_documents: int = ..., *, procs: int = 1) -> AbstractContextManager[None]:
        """Group replace_source calls into few commits."""

    def has_uncommitted(self) -> bool:
        """True while changes wait in the current batch."""

    def commit_pending(self) -> None:
        """Commit the current batch's waiting changes now."""

    def add_many(self, paragraphs: Iterable[Paragraph], *, procs: int = 1) -> int:
        """Bulk-load paragraphs into an engine being rebuilt; returns the generation."""

    def apply(self, upserts: Iterable[Paragraph], deletes: Sequence[str],
              before_commit: Callable[[int], None] | None = None, *, procs: int = 1,
              upserts_deleted: bool = False) -> int:
        """Write exact versions (a replica's path, no source merging); returns the generation.

        ``upserts`` may be an iterator when ``deletes`` already names every id
        it holds (``upserts_deleted=True``): a node streams large change sets.
        """

    def compact(self, before_commit: Callable[[int], None] | None = None,
                **policy: int) -> int | None:
        """Merge the index's small pieces, without stopping writes for long.

        Returns the new generation, or None when nothing needed merging.
        """

    def generation(self) -> int:
        """The committed generation (grows with every commit)."""

    def snapshot(self, dest: Path) -> int:
        """Copy one consistent generation's files to ``dest``; returns the file count."""


class Engine(EngineReader, EngineWriter, Protocol):
    """A whole engine: both halves, and closing it."""

    def close(self) -> None:
        """Release files and threads."""
