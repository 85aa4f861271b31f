"""Evaluating a Whoosh query tree with NumPy over cached postings.

Whoosh walks every match through Python matcher objects, once to score and
once more to count: a common word in a large archive cost hundreds of
milliseconds. Here each term's postings (document numbers and term
frequencies) are read as arrays -- from the segment's sidecar when the bulk
writer made one, else decoded block by block -- cached per segment and per
index generation, and a query is set algebra on arrays: OR is a union with summed
scores, AND an intersection, NOT a difference; BM25F is computed from the
cached field-length arrays. One evaluation gives the exact total, every
match for the facet counts, and the scores for the top N.

Phrases that common-grams cannot answer, and any node this module does not
know, fall back to Whoosh for their set of documents; :func:`evaluate`
returns None when a query cannot be evaluated at all.
"""

from __future__ import annotations

import itertools
import math
import threading
import zlib
from bisect import bisect_left
from collections import OrderedDict
from dataclasses import dataclass
from pickle import loads

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.util.numeric import byte_to_length

from paragraf_se.indexer.budget import Budget
from paragraf_se.indexer.whoosh.postings_sidecar import sidecar_of
from paragraf_se.indexer.whoosh.searcher_pool import reader_key

K1 = 1.2
B = 0.75
MAX_EXPANSION = 1000  # terms a prefix or range may stand for
POSTINGS_CACHE_BYTES = 128 * 1024 * 1024  # per generation, live documents only
SEGMENT_CACHE_BYTES = 256 * 1024 * 1024  # per segment, shared across generations

_BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)
_EMPTY_IDS = np.empty(0, dtype=np.int64)
_EMPTY_SCORES = np.empty(0, dtype=np.float32)


@dataclass(frozen=True)
class Matches:
    """Sorted unique document numbers and their scores."""

    ids: np.ndarray
    scores: np.ndarray

    @staticmethod
    def empty() -> Matches:
        return Matches(_EMPTY_IDS, _EMPTY_SCORES)


class Unsupported(Exception):
    """A query node this evaluator does not handle."""


class GenerationData:
    """Everything cached for one index generation: live docs, lengths, postings."""

    def __init__(self, searcher) -> None:
        # Only arrays are kept: file reads always go through the calling
        # thread's own searcher (Whoosh readers are not thread-safe).
        reader = searcher.reader()
        self.doc_count_all = reader.doc_count_all()
        self.doc_count = max(1, reader.doc_count())
        # From each segment's deletion set: asking every document whether it
        # is deleted cost a Python call per document on each new generation.
        live = np.ones(self.doc_count_all, dtype=bool)
        for leaf, offset in reader.leaf_readers():
            if leaf.has_deletions():
                deleted = np.fromiter(leaf.deleted_docs_set, dtype=np.int64)
                live[offset + deleted] = False
        self.live = live
        self._lengths: dict[str, np.ndarray] = {}
        self._avgdl: dict[str, float] = {}
        self._postings: OrderedDict[tuple[str, bytes], tuple[np.ndarray, np.ndarray]] = (
            OrderedDict())
        self._postings_bytes = 0
        self._lock = threading.Lock()

    # -- cached per-generation arrays ------------------------------------

    def lengths(self, reader, field: str) -> np.ndarray:
        with self._lock:
            cached = self._lengths.get(field)
        if cached is not None:
            return cached
        parts = [_SEGMENTS.lengths(leaf, field) for leaf, _offset in reader.leaf_readers()]
        lengths = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
        with self._lock:
            self._lengths[field] = lengths
        return lengths

    def avgdl(self, searcher, field: str) -> float:
        with self._lock:
            if field not in self._avgdl:
                self._avgdl[field] = searcher.avg_field_length(field) or 1.0
            return self._avgdl[field]

    def postings(self, reader, field: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
        key = (field, btext)
        with self._lock:
            hit = self._postings.get(key)
            if hit is not None:
                self._postings.move_to_end(key)
                return hit
        ids, tfs = _read_postings(reader, field, btext)
        keep = self.live[ids] if len(ids) else np.zeros(0, dtype=bool)
        value = (ids[keep], tfs[keep])
        with self._lock:
            self._postings[key] = value
            self._postings_bytes += value[0].nbytes + value[1].nbytes
            while self._postings_bytes > POSTINGS_CACHE_BYTES and len(self._postings) > 1:
                _, (old_ids, old_tfs) = self._postings.popitem(last=False)
                self._postings_bytes -= old_ids.nbytes + old_tfs.nbytes
        return value

    def idf(self, reader, field: str, btext: bytes) -> float:
        df = reader.doc_frequency(field, btext)
        return math.log(self.doc_count_all / (df + 1)) + 1


class SegmentCache:
    """Decoded arrays per segment, shared by every generation that has the segment.

    Segments never change once written (deletions live in the generation),
    so a commit that adds one small segment leaves the decoded postings and
    field lengths of all the others valid: only the new segment is read.
    """

    def __init__(self, max_bytes: int = SEGMENT_CACHE_BYTES) -> None:
        self._max_bytes = max_bytes
        self._bytes = 0
        self._items: OrderedDict[tuple, np.ndarray | tuple[np.ndarray, np.ndarray]] = (
            OrderedDict())
        self._lock = threading.Lock()

    def _get(self, key: tuple):
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def _put(self, key: tuple, value, nbytes: int) -> None:
        with self._lock:
            if key in self._items:
                return
            self._items[key] = value
            self._bytes += nbytes
            while self._bytes > self._max_bytes and len(self._items) > 1:
                _, old = self._items.popitem(last=False)
                self._bytes -= _nbytes(old)

    def postings(self, leaf, field: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
        """Segment-local (document numbers, term frequencies) of a term."""
        key = ("p", _segment_id(leaf), field, btext)
        hit = self._get(key) if key[1] else None
        if hit is not None:
            return hit
        sidecar = sidecar_of(leaf)
        found = None
        if sidecar is not None:
            try:
                found = sidecar.postings(field, btext)
            except OSError:
                # Its file moved or vanished (an index swapped in under a
                # long-running reader): Whoosh's postings still answer.
                found = None
        if found is None:
            found = _decode_postings(leaf, field, btext)
        if key[1]:
            self._put(key, found, _nbytes(found))
        return found

    def vocabulary(self, leaf, field: str, head: bytes) -> list[bytes]:
        """The segment's terms of ``field`` that start with ``head``, sorted.

        ``head`` is a term's first two bytes: small enough to read at once,
        so a prefix's terms are then a bisect in a cached list instead of a
        binary search through Whoosh's terms file per prefix and segment.
        """
        key = ("v", _segment_id(leaf), field, head)
        hit = self._get(key) if key[1] else None
        if hit is not None:
            return hit.terms
        terms = _Terms(list(leaf.expand_prefix(field, head)))
        if key[1]:
            self._put(key, terms, terms.nbytes)
        return terms.terms

    def lengths(self, leaf, field: str) -> np.ndarray:
        """Approximate field length of every document of a segment (Whoosh's length byte)."""
        key = ("l", _segment_id(leaf), field)
        hit = self._get(key) if key[1] else None
        if hit is not None:
            return hit
        n = leaf.doc_count_all()
        perdoc = getattr(leaf, "_perdoc", None)
        column = perdoc._cached_reader(f"_{field}_len", LENGTHS_COLUMN) if perdoc else None
        if column is None:
            lengths = np.zeros(n, dtype=np.float32)
        else:
            raw = np.fromiter((column[i] or 0 for i in range(n)), dtype=np.uint8, count=n)
            lengths = _BYTE_TO_LENGTH[raw]
        if key[1]:
            self._put(key, lengths, lengths.nbytes)
        return lengths


class _Terms:
    """A sorted list of term bytes with its approximate size, for the cache."""

    def __init__(self, terms: list[bytes]) -> None:
        self.terms = terms
        self.nbytes = sum(len(t) for t in terms) + 56 * len(terms)


def _nbytes(value) -> int:
    if isinstance(value, tuple):
        return sum(v.nbytes for v in value)
    return value.nbytes


def _segment_id(leaf) -> str | None:
    segment = leaf.segment() if hasattr(leaf, "segment") else None
    return segment.segment_id() if segment is not None else None


_SEGMENTS = SegmentCache()


def _read_postings(reader, field: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    """All (document number, term frequency) of a term, over every segment."""
    id_parts: list[np.ndarray] = []
    tf_parts: list[np.ndarray] = []
    for leaf, offset in reader.leaf_readers():
        if (field, btext) not in leaf:
            continue
        ids, tfs = _SEGMENTS.postings(leaf, field, btext)
        id_parts.append(ids + offset)
        tf_parts.append(tfs)
    if not id_parts:
        return _EMPTY_IDS, _EMPTY_SCORES
    return np.concatenate(id_parts), np.concatenate(tf_parts)


def _decode_postings(leaf, field: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    m = leaf.postings(field, btext)
    if isinstance(m, W3LeafMatcher) and not m._byteids:
        return _read_blocks(m)
    pairs = [(i, w) for i, w in m.items_as("weight")]
    return (np.array([i for i, _ in pairs], dtype=np.int64),
            np.array([w for _, w in pairs], dtype=np.float32))


def _read_blocks(m: W3LeafMatcher) -> tuple[np.ndarray, np.ndarray]:
    # Whoosh 3 postings: blocks of up to 128, each a pickled (delta-coded ids,
    # weights, values) tuple, zlib-compressed when large. Decoding whole blocks
    # with NumPy instead of stepping a matcher posting by posting.
    ids_out: list[np.ndarray] = []
    tfs_out: list[np.ndarray] = []
    while True:
        if m._data is None:
            raw = m._postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
            m._data = loads(zlib.decompress(raw) if m._compression else raw)
        deltas, weights = m._data[0], m._data[1]
        ids = np.cumsum(np.asarray(deltas, dtype=np.int64))
        ids_out.append(ids)
        if weights is None:
            tfs_out.append(np.ones(len(ids), dtype=np.float32))
        elif isinstance(weights, float):
            tfs_out.append(np.full(len(ids), weights, dtype=np.float32))
        else:
            tfs_out.append(np.asarray(weights, dtype=np.float32))
        if m._lastblock:
            break
        m._goto(m._nextoffset)
    return np.concatenate(ids_out), np.concatenate(tfs_out)


class Evaluator:
    """Keeps one :class:`GenerationData` per index generation."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: object = None
        self._data: GenerationData | None = None

    def data(self, searcher) -> GenerationData:
        key = reader_key(searcher)  # not the generation: a rebuild repeats it
        with self._lock:
            if key != self._key or self._data is None:
                self._data = GenerationData(searcher)
                self._key = key
            return self._data

    def evaluate(self, searcher, q: wq.Query, budget: Budget | None = None) -> Matches | None:
        """All matches of ``q`` with BM25F scores, or None when unsupported.

        ``budget`` bounds prefix and range expansion over the whole query;
        what it cut is noted in it.
        """
        data = self.data(searcher)
        budget = budget or Budget()
        try:
            if budget.prefix_caps is None:
                budget.allot_expansions(_prefix_demands(searcher.reader(), q, budget))
            return _eval(data, searcher, q, budget)
        except Unsupported:
            return None


def _prefixes_of(q: wq.Query) -> list[wq.Prefix]:
    """The prefix nodes of a query tree."""
    if isinstance(q, wq.Prefix):
        return [q]
    return [p for sub in q.children() for p in _prefixes_of(sub)]


def _prefix_demands(reader, q: wq.Query, budget: Budget) -> dict[tuple[str, bytes], int]:
    """How many terms each (field, prefix) of the query stands for, at most MAX_EXPANSION + 1.

    Counted from the cached vocabularies (a bisect per segment), summed over
    segments: an upper bound when segments share terms, which is all the
    allotment needs.
    """
    demands: dict[tuple[str, bytes], int] = {}
    for p in _prefixes_of(q):
        budget.check()
        btext = reader.schema[p.fieldname].to_bytes(p.text)
        key = (p.fieldname, btext)
        if key in demands:
            continue
        if len(btext) < 2 or budget.expired():  # not worth counting (or no time): many
            demands[key] = MAX_EXPANSION + 1
            continue
        n = 0
        for leaf, _offset in reader.leaf_readers():
            lo, hi = _prefix_range(_SEGMENTS.vocabulary(leaf, p.fieldname, btext[:2]), btext)
            n += hi - lo
        demands[key] = min(n, MAX_EXPANSION + 1)
    return demands


def _prefix_range(vocab: list[bytes], btext: bytes) -> tuple[int, int]:
    """Where the terms starting with ``btext`` are in a sorted vocabulary."""
    lo = bisect_left(vocab, btext)
    # No UTF-8 text holds the byte 0xff: every term with the prefix sorts below this.
    return lo, bisect_left(vocab, btext + b"\xff", lo)


def _eval(data: GenerationData, searcher, q: wq.Query, budget: Budget) -> Matches:
    budget.check()  # the client may be gone: every node is a place to stop
    if isinstance(q, wq.Term):
        return _term(data, searcher, q.fieldname, q.text, q.boost)
    if isinstance(q, wq.Or):
        return _union([_eval(data, searcher, sub, budget) for sub in q.subqueries])
    if isinstance(q, wq.And):
        return _intersection([_eval(data, searcher, sub, budget) for sub in q.subqueries])
    if isinstance(q, wq.AndNot):
        pos = _eval(data, searcher, q.a, budget)
        neg = _eval(data, searcher, q.b, budget)
        keep = ~np.isin(pos.ids, neg.ids, assume_unique=True)
        return Matches(pos.ids[keep], pos.scores[keep])
    if isinstance(q, wq.Every):
        ids = np.flatnonzero(data.live).astype(np.int64)
        return Matches(ids, np.zeros(len(ids), dtype=np.float32))
    if q is wq.NullQuery:
        return Matches.empty()
    if isinstance(q, wq.Prefix):  # constant score, like Whoosh's
        ids = _union_of_terms(data, searcher.reader(), q.fieldname,
                              _prefix_terms(searcher.reader(), q, budget), budget)
        return Matches(ids, np.full(len(ids), float(q.boost), dtype=np.float32))
    if isinstance(q, wq.MultiTerm):  # TermRange, Wildcard: constant score
        terms = []
        reader = searcher.reader()
        # Date ranges are filters the user set: bounded by MAX_EXPANSION only.
        # What a typed prefix stands for also counts against the query's budget.
        typed = not isinstance(q, wq.TermRange)
        for i, btext in enumerate(q._btexts(reader)):
            if i >= MAX_EXPANSION:
                break
            if typed and not budget.take_expansion():
                budget.note("expansion")
                break
            if typed and budget.expired():
                budget.note("time")
                break
            terms.append(btext)
        parts = []
        for bt in terms:
            # Decoding cold posting lists is the slow part: check the clock here too.
            budget.check()
            if typed and budget.expired():
                budget.note("time")
                break
            parts.append(data.postings(reader, q.fieldname, bt)[0])
        ids = np.unique(np.concatenate(parts)) if parts else _EMPTY_IDS
        return Matches(ids, np.full(len(ids), float(q.boost), dtype=np.float32))
    if isinstance(q, wq.Phrase):
        ids = np.fromiter(searcher.docs_for_query(q), dtype=np.int64)
        ids.sort()
        words = _intersection([_term(data, searcher, q.fieldname, w, q.boost)
                               for w in q.words])
        scores = np.zeros(len(ids), dtype=np.float32)
        _, in_ids, in_words = np.intersect1d(ids, words.ids, assume_unique=True,
                                             return_indices=True)
        scores[in_ids] = words.scores[in_words]
        return Matches(ids, scores)
    raise Unsupported(type(q).__name__)


def _prefix_terms(reader, q: wq.Prefix, budget: Budget) -> list[bytes]:
    """The index terms a typed prefix stands for, within the query's allowance.

    The alphabetically first terms, at most the prefix's fair share of the
    query's allowance (:meth:`Budget.allot_expansions`) and ``MAX_EXPANSION``;
    found by bisecting each segment's cached vocabulary. A cut is noted in
    the budget (the search then says so). The same prefix asked again with the
    same budget (a clause evaluated on its own) gets the same terms.
    """
    btext = reader.schema[q.fieldname].to_bytes(q.text)
    key = (q.fieldname, btext)
    known = budget.expansions.get(key)
    if known is not None:
        return known
    allotted = (budget.prefix_caps or {}).get(key, MAX_EXPANSION)
    cap = min(MAX_EXPANSION, allotted, budget.expansion_left)
    over = False
    found: set[bytes] = set()
    for leaf, _offset in reader.leaf_readers():
        budget.check()
        if budget.expired():
            budget.note("time")
            over = True
            break
        if len(btext) < 2:
            # A one-letter prefix: only its first terms are wanted, never the
            # whole letter's vocabulary.
            first = list(itertools.islice(leaf.expand_prefix(q.fieldname, btext), cap + 1))
        else:
            vocab = _SEGMENTS.vocabulary(leaf, q.fieldname, btext[:2])
            lo, hi = _prefix_range(vocab, btext)
            first = vocab[lo:min(hi, lo + cap + 1)]
        over = over or len(first) > cap
        found.update(first[:cap])
    terms = sorted(found)
    if len(terms) > cap:
        terms, over = terms[:cap], True
    budget.expansion_left -= len(terms)
    if over:
        budget.note("expansion")
    budget.expansions[key] = terms
    return terms


def _union_of_terms(data: GenerationData, reader, field: str, terms: list[bytes],
                    budget: Budget) -> np.ndarray:
    """The sorted documents having any of ``terms``: one mask, no sort of the parts."""
    if not terms:
        return _EMPTY_IDS
    mask = np.zeros(data.doc_count_all, dtype=bool)
    for bt in terms:
        # Decoding cold posting lists is the slow part: check here too.
        budget.check()
        if budget.expired():
            budget.note("time")
            break
        mask[data.postings(reader, field, bt)[0]] = True
    return np.flatnonzero(mask).astype(np.int64)


def _term(data: GenerationData, searcher, field: str, text, boost: float) -> Matches:
    reader = searcher.reader()
    fieldobj = reader.schema[field]
    btext = fieldobj.to_bytes(text) if isinstance(text, str) else text
    ids, tfs = data.postings(reader, field, btext)
    if not len(ids):
        return Matches.empty()
    if not fieldobj.scorable:
        return Matches(ids, np.zeros(len(ids), dtype=np.float32))
    dl = data.lengths(reader, field)[ids]
    norm = K1 * ((1 - B) + B * dl / data.avgdl(searcher, field))
    scores = (data.idf(reader, field, btext) * boost) * (tfs * (K1 + 1)) / (tfs + norm)
    return Matches(ids, scores.astype(np.float32))


def _union(parts: list[Matches]) -> Matches:
    parts = [p for p in parts if len(p.ids)]
    if not parts:
        return Matches.empty()
    if len(parts) == 1:
        return parts[0]
    ids = np.concatenate([p.ids for p in parts])
    scores = np.concatenate([p.scores for p in parts])
    span = int(ids.max()) + 1
    if span <= 4 * len(ids):
        # Dense (many broad alternatives: "ab* OR ad* OR ..."): sum per document
        # number without sorting the parts.
        summed = np.bincount(ids, weights=scores, minlength=span)
        unique = np.flatnonzero(np.bincount(ids, minlength=span))
        return Matches(unique.astype(np.int64), summed[unique].astype(np.float32))
    unique, inverse = np.unique(ids, return_inverse=True)
    return Matches(unique, np.bincount(inverse, weights=scores).astype(np.float32))


def _intersection(parts: list[Matches]) -> Matches:
    if not parts or any(not len(p.ids) for p in parts):
        return Matches.empty()
    parts = sorted(parts, key=lambda p: len(p.ids))
    ids, scores = parts[0].ids, parts[0].scores
    for p in parts[1:]:
        ids, left, right = np.intersect1d(ids, p.ids, assume_unique=True, return_indices=True)
        scores = scores[left] + p.scores[right]
        if not len(ids):
            break
    return Matches(ids, scores)


def top(matches: Matches, start: int, limit: int) -> list[tuple[int, float]]:
    """The ``start:limit`` slice of matches by score, ties by document number."""
    n = len(matches.ids)
    if not n or start >= n:
        return []
    scores, ids = matches.scores, matches.ids
    if n > limit:
        part = np.argpartition(-scores, limit - 1)[:limit]
        scores, ids = scores[part], ids[part]
    order = np.lexsort((ids, -scores))[start:limit]
    return [(int(ids[i]), float(scores[i])) for i in order]
