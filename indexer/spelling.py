"""'Menade du …?': spelling suggestions from the index's own vocabulary.

Bounded by input and by time: the query is cut as the parser cuts it, at
most ``MAX_WORDS`` unknown words are looked at, words longer than
``MAX_WORD_CHARS`` are left alone, and the search's :class:`Budget` gives
suggestions a short deadline. Candidates come from a per-index cache of the
vocabulary bucketed by first letter and length (only words within two
letters of the typed length can be two edits away), and distances are
computed by RapidFuzz in C, a whole bucket per call: Whoosh's pure-Python
scan cost ~100 µs a term and seconds per query.

Engine-neutral: the vocabulary comes from the search's
:class:`~indexer.engine.ReadView` (``words_starting``, ``frequency``).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from paragraf_se.indexer.budget import SUGGEST_SECONDS, Budget
from paragraf_se.indexer.engine import ReadView
from paragraf_se.indexer.query import MAX_QUERY_CHARS

SUGGEST_BELOW = 3  # suggest when a search finds fewer paragraphs than this
MAX_WORDS = 8  # unknown words looked up per query
MAX_WORD_CHARS = 40  # longer "words" are not typos of indexed words
MAX_DISTANCE = 2
MAX_BUCKET_TERMS = 200_000  # terms read per first letter
CACHED_BUCKETS = 64
_WORD = re.compile(r"\w+", re.UNICODE)
# Field syntax and operators are kept as typed; only plain words are corrected.
_KEEP = re.compile(r'\w+:("[^"]*"|\S+)|"[^"]*"|\bOR\b|\bNOT\b|-\S+|\S+\*', re.UNICODE)


class _Buckets:
    """Per view version and first letter: the vocabulary by word length."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[Hashable, dict[int, list[str]]] = OrderedDict()

    def get(self, view: ReadView, key: Hashable, first: str) -> dict[int, list[str]]:
        with self._lock:
            found = self._items.get((key, first))
            if found is not None:
                self._items.move_to_end((key, first))
                return found
        by_length: dict[int, list[str]] = {}
        for i, word in enumerate(view.words_starting(first)):
            if i >= MAX_BUCKET_TERMS:
                break
            by_length.setdefault(len(word), []).append(word)
        with self._lock:
            self._items[(key, first)] = by_length
            while len(self._items) > CACHED_BUCKETS:
                self._items.popitem(last=False)
        return by_length


_BUCKETS = _Buckets()


def suggest(view: ReadView, query: str, budget: Budget | None = None) -> str | None:
    """The query with unknown words replaced by the closest indexed word, or None."""
    query = query[:MAX_QUERY_CHARS]  # the words the search used, no more
    budget = budget or Budget()
    stop = budget.stopper(SUGGEST_SECONDS)
    state = _State(view, stop, budget)
    out: list[str] = []
    pos = 0
    for m in _KEEP.finditer(query):
        out.append(_WORD.sub(state.fix, query[pos:m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(_WORD.sub(state.fix, query[pos:]))
    return "".join(out) if state.changed else None


class _State:
    def __init__(self, view: ReadView, stop: Callable[[], bool], budget: Budget) -> None:
        self.view = view
        self.key = view.version
        self.stop = stop
        self.budget = budget
        self.looked_up = 0
        self.changed = False

    def fix(self, m: re.Match[str]) -> str:
        word = m.group(0)
        lower = word.lower()
        if not 4 <= len(lower) <= MAX_WORD_CHARS or lower.isdigit():
            return word
        if self.looked_up >= MAX_WORDS or self.stop():
            self.budget.note("suggestions")
            return word
        if self.view.frequency(lower):
            return word
        self.looked_up += 1
        found = self._closest(lower)
        if found:
            self.changed = True
            return found
        return word

    def _closest(self, word: str) -> str | None:
        # Same first letter: most misspellings keep it, and it bounds the scan.
        by_length = _BUCKETS.get(self.view, self.key, word[0])
        candidates = [w for n in range(len(word) - MAX_DISTANCE, len(word) + MAX_DISTANCE + 1)
                      for w in by_length.get(n, ())]
        if not candidates or self.stop():
            return None
        close = process.extract(word, candidates, scorer=DamerauLevenshtein.distance,
                                score_cutoff=MAX_DISTANCE, limit=20)
        close = [(dist, cand) for cand, dist, _ in close if cand != word]
        if not close:
            return None
        nearest = min(dist for dist, _ in close)
        freq = self.view.frequency
        # The nearest words, the most frequent of them (then alphabetical).
        return min((-freq(cand), cand)
                   for dist, cand in close if dist == nearest)[1]
