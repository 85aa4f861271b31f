"""Answering one search from one Whoosh searcher: the engine's :class:`ReadView`.

A view holds one pooled searcher for one request, so every step of a search
(the page, the relaxed retry, suggestions) reads one generation. Totals,
facets and scores come from one NumPy evaluation over cached postings
(:mod:`indexer.whoosh.evaluator`); Whoosh's own matchers are the fallback.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterator
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq

from paragraf_se.indexer.analysis import stem
from paragraf_se.indexer.budget import Budget
from paragraf_se.indexer.engine import MATCH_ALL, MATCH_PARTIAL, Hit, SearchRequest, SearchResult
from paragraf_se.indexer.query import ParsedQuery
from paragraf_se.indexer.snippets import make_snippet, snippet_text
from paragraf_se.indexer.whoosh.evaluator import Evaluator, Matches, top
from paragraf_se.indexer.whoosh.facet_columns import FacetCache, count_facets
from paragraf_se.indexer.whoosh.partial_matches import clause_sets, partial_matches, terms_of
from paragraf_se.indexer.whoosh.priors import PriorCache
from paragraf_se.indexer.whoosh.query_compile import compile_query
from paragraf_se.indexer.whoosh.schema import EXACT_FIELD, from_stored, with_decision
from paragraf_se.indexer.whoosh.searcher_pool import reader_key


@dataclass(frozen=True)
class SearchParts:
    """What every view of one index shares: its analysis flags and per-generation caches."""

    compounds: bool  # compound parts are searchable
    grams: bool  # the index has the common-grams field (older ones answer phrases by positions)
    evaluator: Evaluator
    facet_cache: FacetCache
    prior_cache: PriorCache


class WhooshView:
    """One searcher of a Whoosh index, answering the engine-neutral ReadView."""

    def __init__(self, parts: SearchParts, searcher) -> None:
        self._s = searcher
        self._compounds = parts.compounds
        self._grams = parts.grams
        self._evaluator = parts.evaluator
        self._facets = parts.facet_cache
        self._priors = parts.prior_cache

    @property
    def version(self) -> Hashable:
        return reader_key(self._s)

    def frequency(self, word: str) -> int:
        return int(self._s.reader().frequency(EXACT_FIELD, word) or 0)

    def words_starting(self, prefix: str) -> Iterator[str]:
        for btext in self._s.reader().expand_prefix(EXACT_FIELD, prefix):
            yield btext.decode("utf-8") if isinstance(btext, bytes) else btext

    def ordered_docnums(self, request: SearchRequest, parsed: ParsedQuery,
                        budget: Budget) -> list[int]:
        compiled = compile_query(request, parsed, decompound=self._compounds, grams=self._grams)
        query = compiled.query
        if compiled.filter is not None:
            query = wq.And([query, compiled.filter])
        # The evaluator bounds prefix expansion as a search does (Whoosh's own
        # Prefix expands to every matching term); exports get more time.
        matches = self._evaluator.evaluate(self._s, query, budget)
        if matches is not None:
            if request.sort == "relevance" and compiled.has_text:
                order = np.lexsort((matches.ids, -matches.scores))
                return [int(d) for d in matches.ids[order]]
            return [int(d) for d in self._date_order(matches.ids, request, all_of=True)]
        if request.sort == "relevance" and compiled.has_text:
            results = self._s.search(query, limit=None)
        else:
            results = self._s.search(query, limit=None, sortedby="date",
                               reverse=request.sort != "oldest")
        return [docnum for _, docnum in results.top_n]


    def run(self, request: SearchRequest, parsed: ParsedQuery,
            budget: Budget | None = None, *,
            words_of: ParsedQuery | None = None) -> SearchResult:
        """One page of ``parsed``'s matches.

        ``words_of`` is set when ``parsed`` is the any-word relaxation of the
        query typed: every hit is then a partial match, and ``words_of`` has
        each of its words (and compound parts) as a clause of its own.
        """
        compiled = compile_query(request, parsed, decompound=self._compounds, grams=self._grams)
        query = compiled.query
        if compiled.filter is not None:
            query = wq.And([query, compiled.filter])
        limit = request.page * request.size
        start = (request.page - 1) * request.size
        scored = request.sort == "relevance" and compiled.has_text
        page: list[tuple[int, float]]
        # One evaluation over cached postings gives the exact total, the facet
        # counts and the scores (see indexer.whoosh.evaluator); Whoosh's own matchers
        # are the fallback for what it cannot evaluate.
        budget = budget or Budget()
        matches = self._evaluator.evaluate(self._s, query, budget)
        budget.check()
        priors = self._priors.priors(self._s) if scored else None
        if matches is not None:
            docnums = matches.ids
            if scored:
                if priors is not None and len(docnums):
                    # A decision ranks above paragraphs that only postpone,
                    # refer back or note the same matter (indexer.whoosh.priors).
                    matches = Matches(docnums, matches.scores * priors[docnums])
                page = top(matches, start, limit)
        else:
            docnums = np.fromiter(self._s.docs_for_query(query), dtype=np.int64)
            if scored:
                results = self._s.search(query, limit=limit)
                # islice, not list(): Results.__len__ would count every match again.
                page = [(r.docnum, float(r.score or 0.0))
                        for r in itertools.islice(results, start, limit)]
        facets = count_facets(self._facets.columns(self._s), docnums)
        if not scored:
            page = [(int(d), 0.0) for d in self._date_order(docnums, request)[start:limit]]
        # The words as typed: the relaxed query has the same words as one clause.
        typed = compiled if words_of is None else compile_query(
            request, words_of, decompound=self._compounds, grams=self._grams)
        # Each clause is evaluated on its own only when a short first page is to
        # be continued, or to tell which words each any-word hit has: a full
        # match has every clause by definition, so a full page costs nothing more.
        continues = (words_of is None and len(compiled.clauses) > 1 and request.page == 1
                     and 0 < len(docnums) < request.size)
        sets = None
        if compiled.has_text and (continues or (words_of is not None and page)):
            sets = clause_sets(self._evaluator, self._s, typed, budget)
        partial: list[tuple[int, float]] = []
        partial_total = 0
        if continues and sets is not None:
            dates = self._facets.date_keys(self._s) if request.sort != "relevance" else None
            partial, partial_total = partial_matches(
                self._evaluator, self._s, compiled, sets, docnums, request.size - len(page),
                priors=priors, dates=dates, newest_first=request.sort != "oldest",
                budget=budget)
        every_clause = tuple(text for text, _ in typed.clauses)
        is_match = typed.matcher(str.lower if request.mode == "exact" else stem)
        kinds = self._priors.kinds(self._s, [d for d, _ in page + partial])
        hits = []
        for i, (docnum, score) in enumerate(page + partial):
            budget.check()  # highlighting long paragraphs is work too
            p = from_stored(self._s.stored_fields(docnum))
            # The decision is inside the text already: a snippet must not repeat it;
            # case-number lines and headings are left out of it.
            text = snippet_text(with_decision(p), p.title)
            is_partial = words_of is not None or i >= len(page)
            terms = terms_of(sets, docnum) if is_partial else every_clause
            hits.append(Hit(p, make_snippet(text, is_match), score,
                            MATCH_PARTIAL if is_partial else MATCH_ALL, terms, kinds[i]))
        return SearchResult(len(docnums), request.page, request.size, tuple(hits), facets,
                            partial_total=partial_total)

    def _date_order(self, docnums: np.ndarray, request: SearchRequest, *,
                    all_of: bool = False) -> np.ndarray:
        """The matches of one page's reach (or ``all_of`` them), newest (or oldest) first."""
        limit = len(docnums) if all_of else request.page * request.size
        if not len(docnums):
            return docnums
        keys = self._facets.date_keys(self._s)[docnums].astype(np.int64)
        if request.sort != "oldest":
            keys = -keys
        # Ties (one meeting) broken by document number: unique keys keep every
        # page consistent with the others.
        keys = keys * (int(docnums.max()) + 1) + docnums
        if len(docnums) > limit:
            part = np.argpartition(keys, limit - 1)[:limit]
            docnums, keys = docnums[part], keys[part]
        return docnums[np.argsort(keys)]

