"""Partial matches: paragraphs with some of the query's words, to continue a short page.

A query is a conjunction of clauses (a word, "a OR b", a phrase). When fewer
paragraphs than a page have every clause, the page goes on with paragraphs
that have some of them: most clauses first, then by score (or date). Each
clause is evaluated on its own by the NumPy evaluator over cached postings,
so this costs about what the same words joined by OR would.
"""

from __future__ import annotations

import numpy as np

from paragraf_se.indexer.budget import Budget
from paragraf_se.indexer.query import Clause, ParsedQuery
from paragraf_se.indexer.whoosh.evaluator import Evaluator, Matches
from paragraf_se.indexer.whoosh.query_compile import CompiledQuery

ClauseSets = list[tuple[str, Matches]]


def clause_sets(evaluator: Evaluator, searcher, compiled: CompiledQuery,
                budget: Budget | None = None) -> ClauseSets | None:
    """Each positive clause (as typed) with its matches; None when one cannot be evaluated.

    ``budget`` is the search's: its prefixes stand for the same terms here.
    """
    out = []
    for text, q in compiled.clauses:
        m = evaluator.evaluate(searcher, q, budget)
        if m is None:
            return None
        out.append((text, m))
    return out


def partial_matches(
    evaluator: Evaluator, searcher, compiled: CompiledQuery, sets: ClauseSets,
    full: np.ndarray, room: int, *, priors: np.ndarray | None = None,
    dates: np.ndarray | None = None, newest_first: bool = True,
    budget: Budget | None = None,
) -> tuple[list[tuple[int, float]], int]:
    """The best ``room`` paragraphs with some but not all clauses, and how many there are.

    Ordered by the number of clauses they have, then by summed score times
    the decision prior, or by date when ``dates`` (date rank per document)
    is given. The query's filters and negated clauses hold for them too;
    ``full`` (the complete matches) is left out.
    """
    if not sets:
        return [], 0
    ids = np.concatenate([m.ids for _, m in sets])
    if not len(ids):
        return [], 0
    scores = np.concatenate([m.scores for _, m in sets])
    unique, inverse = np.unique(ids, return_inverse=True)
    counts = np.bincount(inverse)
    summed = np.bincount(inverse, weights=scores).astype(np.float32)
    keep = (counts < len(sets)) & ~np.isin(unique, full, assume_unique=True)
    for q, wanted in ((compiled.filter, True), (compiled.negative, False)):
        if q is None:
            continue
        m = evaluator.evaluate(searcher, q, budget)
        if m is None:
            return [], 0
        keep &= np.isin(unique, m.ids, assume_unique=True) == wanted
    unique, counts, summed = unique[keep], counts[keep], summed[keep]
    if priors is not None and len(unique):
        summed = summed * priors[unique]
    if dates is None:
        second = -summed.astype(np.float64)
    else:
        second = dates[unique].astype(np.float64)
        if newest_first:
            second = -second
    order = np.lexsort((unique, second, -counts))[:max(0, room)]
    return [(int(unique[i]), float(summed[i])) for i in order], len(unique)


def each_word(relaxed: ParsedQuery) -> ParsedQuery:
    """An any-word query's alternatives as clauses of their own, to tell which a hit has."""
    first, *negated = relaxed.clauses
    words = tuple(dict.fromkeys(first.alternatives))
    return ParsedQuery((*(Clause((t,)) for t in words), *negated), relaxed.filters)


def terms_of(sets: ClauseSets | None, docnum: int) -> tuple[str, ...]:
    """The clauses (as typed) whose matches include ``docnum``."""
    if not sets:
        return ()
    out = []
    for text, m in sets:
        i = int(np.searchsorted(m.ids, docnum))
        if i < len(m.ids) and m.ids[i] == docnum:
            out.append(text)
    return tuple(out)
