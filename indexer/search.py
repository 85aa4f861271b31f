"""The one search function every adapter (CLI, JSON API, web UI) calls, and its policy.

The policy here is the engine's neighbour, not its part, so every engine
gets it for free: the query language is parsed once; results are cached per
engine and view version; when no paragraph has every word the words are
tried as alternatives (with a Swedish notice saying so); when little is
found a spelling suggestion is made from the engine's own vocabulary; a
search cut short by its budget says so. The types are in
:mod:`indexer.engine`.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from dataclasses import replace

from paragraf_se.indexer.budget import EXPORT_SECONDS, Budget
from paragraf_se.indexer.compounds import split_cached
from paragraf_se.indexer.engine import EngineReader, ReadView, SearchRequest, SearchResult
from paragraf_se.indexer.model import Paragraph
from paragraf_se.indexer.query import Clause, ParsedQuery, Term, parse_query
from paragraf_se.indexer.result_cache import ResultCache
from paragraf_se.indexer.spelling import SUGGEST_BELOW, suggest

RELAXED_NOTICE = ("Ingen paragraf innehöll alla orden. Visar paragrafer som "
                  "innehåller något av dem.")
CUT_NOTICE = ("Sökningen var för omfattande och begränsades (till exempel ord* "
              "som passar väldigt många ord); alla träffar kanske inte visas.")

# One result cache per engine object, dropped with it.
_CACHES: weakref.WeakKeyDictionary[object, ResultCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def _cache_of(engine: EngineReader) -> ResultCache:
    with _CACHES_LOCK:
        cache = _CACHES.get(engine)
        if cache is None:
            cache = _CACHES[engine] = ResultCache()
        return cache


def search(engine: EngineReader, request: SearchRequest,
           budget: Budget | None = None) -> SearchResult:
    """Run a search: parse the query language, then answer it from one engine view.

    ``budget`` bounds the optional work (prefix expansion, suggestions) in
    time and size, and lets a caller cancel it (see :mod:`indexer.budget`);
    a fresh default budget is used when none is given.
    """
    budget = budget or Budget()
    budget.check()  # the client may have left while the request waited
    parsed = parse_query(request.q)
    cache = _cache_of(engine)
    with engine.view() as view:
        key = (view.version, request)
        result = cache.get(key)
        if result is None:
            result = _answer(view, request, parsed, budget, engine.compounds)
            if "time" not in budget.cut:  # a result cut short by the clock may differ next time
                cache.put(key, result)
    if parsed.notices:
        return replace(result, notices=parsed.notices + result.notices)
    return result


def _answer(view: ReadView, request: SearchRequest, parsed: ParsedQuery, budget: Budget,
            compounds: bool) -> SearchResult:
    result = view.run(request, parsed, budget)
    notices: list[str] = []
    relaxed_used = False
    split = compounds and request.mode != "exact"
    budget.check()
    if result.total == 0 and can_relax(parsed, split) and not budget.expired():
        relaxed = relax(parsed, split)
        result = view.run(request, relaxed, budget, words_of=each_word(relaxed))
        relaxed_used = result.total > 0
        if relaxed_used:
            notices.append(RELAXED_NOTICE)
    suggestion = None
    if result.total < SUGGEST_BELOW and parsed.positive and not budget.expired():
        suggestion = suggest(view, request.q, budget)
    budget.check()  # suggestions stop quietly when the client is gone: stop here
    limited = "expansion" in budget.cut or "time" in budget.cut
    if limited:
        notices.append(CUT_NOTICE)
    if notices or suggestion:
        result = replace(result, notices=result.notices + tuple(notices),
                         suggestion=suggestion, relaxed=relaxed_used, limited=limited)
    return result


def export_matches(engine: EngineReader, request: SearchRequest,
                   budget: Budget | None = None) -> Iterator[Paragraph]:
    """Every paragraph a search matches, in its order (for exports), lazily.

    Falls back to any-word matching exactly as :func:`search` does. ``budget``
    (default ``EXPORT_SECONDS``) bounds it; cancelled, the next row raises
    ``SearchCancelled``.
    """
    budget = budget or Budget(EXPORT_SECONDS)
    parsed = parse_query(request.q)
    matches = engine.iter_matches(request, parsed, budget)
    first = next(matches, None)
    if first is not None:
        yield first
        yield from matches
        return
    split = engine.compounds and request.mode != "exact"
    if can_relax(parsed, split):
        yield from engine.iter_matches(request, relax(parsed, split), budget)


def can_relax(parsed: ParsedQuery, compounds: bool) -> bool:
    """Relaxing helps when there is more than one word (or compound part) to try."""
    return bool(parsed.positive) and len(relax(parsed, compounds).clauses[0].alternatives) > 1


def relax(parsed: ParsedQuery, compounds: bool = True) -> ParsedQuery:
    """Every positive word, and each part of a compound word, as one alternative."""
    terms: list[Term] = []
    for c in parsed.positive:
        for t in c.alternatives:
            terms.append(t)
            if compounds and t.kind == "word":
                terms.extend(Term(part) for part in split_cached(t.text.lower())[:2])
    return ParsedQuery(
        (Clause(tuple(terms)), *(c for c in parsed.clauses if c.negated)),
        parsed.filters,
    )


def each_word(relaxed: ParsedQuery) -> ParsedQuery:
    """An any-word query's alternatives as clauses of their own, to tell which a hit has."""
    first, *negated = relaxed.clauses
    words = tuple(dict.fromkeys(first.alternatives))
    return ParsedQuery((*(Clause((t,)) for t in words), *negated), relaxed.filters)
