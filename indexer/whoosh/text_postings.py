"""Postings of a segment's analysed text fields, gathered as columns of word ids.

The bulk writer used to analyse each field value into (term, frequency,
weight, positions) tuples and append every posting to per-term arrays: a
few dict and list operations per token, in Python, for ~450 tokens a
paragraph. Here a document costs only C-level work: the tokenizer's
``findall``, one dict lookup per word (a word not seen before in this
segment is analysed once, in ``__missing__``) and an ``array.extend`` of
word ids. Every :data:`DIGEST_DOCUMENTS` documents the word columns are
turned into postings with NumPy: compound parts and stems are gathered from
per-word tables, occurrences are sorted by term (stably, so documents and
positions stay in order), runs become postings and positions become
Whoosh's encoded values. At the end each field's postings are sorted by
term once more and handed out in the lexicon's byte order.

The fields handled are the project's own: stemmed text
(:class:`~indexer.analysis.SwedishTokenizer` with positions), exact words
(``RegexTokenizer | LowercaseFilter`` with positions) and common-grams
(:class:`~indexer.analysis.CommonGramsTokenizer` with frequencies). The
result is byte for byte what ``FieldType.index`` gives; ``tests/test_bulk_writer.py``
compares whole segments with Whoosh's own writer.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from pickle import dumps

import numpy as np
from whoosh import formats
from whoosh.analysis import IDTokenizer, LowercaseFilter, RegexTokenizer
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.system import pack_uint
from whoosh.util.numeric import _length_byte_cache

from paragraf_se.indexer.analysis import (
    STOPWORDS,
    TOKEN_PATTERN,
    CommonGramsTokenizer,
    SwedishTokenizer,
    analyse_word,
    gram,
)

STEMMED, EXACT, GRAMS, WHOLE = "stemmed", "exact", "grams", "whole"
# Documents between digests: the word columns of this many documents become
# postings at once (NumPy's per-call cost spread, temporaries kept small).
DIGEST_DOCUMENTS = 1000
_LENGTH_BYTES = np.asarray(_length_byte_cache, dtype=np.int64)
_MAX_LENGTH = 106374  # whoosh.util.numeric.length_to_byte: 255 from here on


def is_exact_analyzer(analyzer) -> bool:
    """True for the exact-words analyzer (``RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter``)."""
    items = getattr(analyzer, "items", None)
    return (isinstance(analyzer, CompositeAnalyzer) and len(items) == 2
            and type(items[0]) is RegexTokenizer and type(items[1]) is LowercaseFilter
            and items[0].expression.pattern == TOKEN_PATTERN.pattern
            and not items[0].gaps)


def text_kind(field) -> str | None:
    """Which of the handled kinds ``field`` is, or None for the generic path."""
    fmt = field.format
    analyzer = getattr(field, "analyzer", None)
    if type(fmt) is formats.Positions:
        if type(analyzer) is SwedishTokenizer:
            return STEMMED
        if is_exact_analyzer(analyzer):
            return EXACT
    elif type(fmt) is formats.Frequency and type(analyzer) is CommonGramsTokenizer:
        return GRAMS
    elif type(fmt) is formats.Existence and type(analyzer) is IDTokenizer:
        return WHOLE  # ID fields: the whole value is the one term
    return None


def _one_position(pos: int) -> bytes:
    # formats.Positions.encode([pos]): most terms occur once in a field value.
    return pack_uint(1) + dumps([pos], 2)


def _packed(n: int) -> bytes:
    # formats.Frequency's value for a term seen n times.
    return pack_uint(n)


def length_bytes(lengths: np.ndarray) -> np.ndarray:
    """``whoosh.util.numeric.length_to_byte`` of each length, vectorised."""
    out = np.searchsorted(_LENGTH_BYTES, lengths, side="left")
    out[lengths >= _MAX_LENGTH] = 255
    return out.astype(np.uint8)


class _Words(dict):
    """Lowercased word -> word id, with what the analysis of each word gives.

    A word not seen before in the segment is analysed once, when it is first
    looked up: its stem and compound parts' stems (as term ids of the shared
    stemmed-term table), whether it is a stopword, and its stem alone (for
    common-grams).
    """

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.stems: _Terms = _Terms()
        self.stem_ptr = array("q", [0])  # word id -> start in stem_flat
        self.stem_flat = array("I")  # stemmed-term ids of each word, in order
        self.first_stem = array("I")  # word id -> term id of its own stem
        self.stop = array("B")  # word id -> 1 for a stopword

    def __missing__(self, word: str) -> int:
        wid = self[word] = len(self.words)
        self.words.append(word)
        terms = analyse_word(word)
        ids = [self.stems[t] for t in terms]
        self.stem_flat.extend(ids)
        self.stem_ptr.append(len(self.stem_flat))
        self.first_stem.append(ids[0])
        self.stop.append(word in STOPWORDS)
        return wid


class _Raw(dict):
    """Word as printed -> word id of its lowercase form (saves a ``lower()`` per token)."""

    def __init__(self, words: _Words) -> None:
        super().__init__()
        self._words = words

    def __missing__(self, raw: str) -> int:
        wid = self[raw] = self._words[raw.lower()]
        return wid


class _Terms(dict):
    """Term text -> term id, ids in order of first use."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def __missing__(self, text: str) -> int:
        tid = self[text] = len(self.texts)
        self.texts.append(text)
        return tid


@dataclass
class _Column:
    """One field's undigested word ids and the postings digested so far."""

    kind: str
    terms: _Terms | None  # a WHOLE field's own values; words are shared by the others
    wids: array  # word ids of the documents since the last digest
    counts: array  # words per document (parallel to docs)
    docs: array  # document numbers with a value of this field since the last digest
    lengths: array  # docnum -> field length (terms) of every document digested
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]  # term, doc, freq, value


@dataclass(frozen=True)
class FieldPostings:
    """One field's postings, sorted by term then document."""

    terms: list[bytes]  # term text of each term id
    order: list[int]  # term ids in the byte order of their texts
    starts: np.ndarray  # term id -> first posting (len(terms) + 1 entries)
    docs: np.ndarray  # uint32 document numbers
    freqs: np.ndarray  # term frequency per posting
    values: np.ndarray  # object array of encoded values

    def by_term(self) -> Iterator[tuple[bytes, int, int]]:
        """(term bytes, first posting, end) in the lexicon's order."""
        starts = self.starts.tolist()
        terms = self.terms
        for tid in self.order:
            lo, hi = starts[tid], starts[tid + 1]
            if hi > lo:
                yield terms[tid], lo, hi


class TextPostings:
    """The handled text fields of one segment being built."""

    def __init__(self, fields: dict[str, str]) -> None:
        """``fields``: field name -> kind (:func:`text_kind`)."""
        self.words = _Words()
        self._raw = _Raw(self.words)
        self._grams = _Terms()
        self._gram_ids: dict[int, int] = {}  # (stem id << 32 | stem id) -> gram term id
        self._columns = {name: _Column(kind, _Terms() if kind == WHOLE else None, array("I"),
                                       array("I"), array("I"), array("I"), [])
                         for name, kind in fields.items()}
        self._pending = 0  # documents since the last digest
        self._last: tuple[str | None, array] = (None, array("I"))  # the last value added
        self._pending_tokens = 0  # tokens added since the last digest
        self._digested = 0  # postings digested so far

    @property
    def buffered(self) -> int:
        """Postings so far: exact for digested documents, their tokens (an upper
        bound) for the rest. What a writer sizes its segments by."""
        return self._digested + self._pending_tokens

    def __contains__(self, name: str) -> bool:
        return name in self._columns

    def add(self, name: str, docnum: int, value: str) -> None:
        """Add ``value`` as field ``name`` of document ``docnum`` (docnums ascending)."""
        column = self._columns[name]
        if column.terms is not None:
            column.wids.append(column.terms[value])
            column.counts.append(1)
            column.docs.append(docnum)
            self._pending_tokens += 1
            return
        if value is self._last[0]:
            # The same text in a second field (exact words and grams): tokenized once.
            wids = self._last[1]
        else:
            wids = array("I", map(self._raw.__getitem__, TOKEN_PATTERN.findall(value)))
            self._last = (value, wids)
        column.wids.extend(wids)
        n = len(wids)
        column.counts.append(n)
        column.docs.append(docnum)
        self._pending_tokens += n

    def end_document(self) -> None:
        """Call after each document: digests the columns every so many documents."""
        self._pending += 1
        self._last = (None, self._last[1])
        if self._pending >= DIGEST_DOCUMENTS:
            self.digest()

    def digest(self) -> None:
        """Turn the word columns gathered so far into postings."""
        self._pending = 0
        self._pending_tokens = 0
        for column in self._columns.values():
            if column.docs:
                self._digest(column)

    def lengths(self, name: str, doccount: int) -> np.ndarray:
        """Each document's length of field ``name`` (number of terms; 0 without it)."""
        self.digest()
        lengths = np.zeros(doccount, dtype=np.int64)
        got = np.frombuffer(self._columns[name].lengths, dtype=np.uint32)
        lengths[:len(got)] = got
        return lengths

    def postings(self, name: str) -> FieldPostings | None:
        """Field ``name``'s postings sorted by term, ``None`` when it has none.

        The field's buffers are released: call once, after :meth:`lengths`.
        """
        self.digest()
        column = self._columns.pop(name)
        if not column.parts:
            return None
        tids, docs, freqs, values = (np.concatenate(a) for a in zip(*column.parts, strict=True))
        column.parts.clear()
        # Parts are in document order: a stable sort by term keeps each term's
        # postings in document order.
        order = np.argsort(tids, kind="stable")
        tids = tids[order]
        texts = column.terms.texts if column.terms is not None else self._term_texts(column.kind)
        starts = np.searchsorted(tids, np.arange(len(texts) + 1), side="left")
        encoded = [t.encode("utf-8") for t in texts]
        return FieldPostings(encoded, sorted(range(len(encoded)), key=encoded.__getitem__),
                             starts, docs[order], freqs[order], values[order])

    def _term_texts(self, kind: str) -> list[str]:
        if kind == STEMMED:
            return self.words.stems.texts
        if kind == EXACT:
            return self.words.words
        return self._grams.texts

    # -- digesting ---------------------------------------------------------------

    def _digest(self, column: _Column) -> None:
        wids = np.frombuffer(column.wids, dtype=np.uint32).astype(np.int64)
        counts = np.frombuffer(column.counts, dtype=np.uint32).astype(np.int64)
        docs = np.frombuffer(column.docs, dtype=np.uint32).astype(np.int64)
        word_doc = np.repeat(docs, counts)
        # Position of each word in its document's value.
        firsts = np.repeat(np.cumsum(counts) - counts, counts)
        word_pos = np.arange(len(wids), dtype=np.int64) - firsts
        if column.kind == STEMMED:
            tids, occ_doc, occ_pos = self._stem_occurrences(wids, word_doc, word_pos)
        elif column.kind == EXACT:
            tids, occ_doc, occ_pos = wids, word_doc, word_pos
        elif column.kind == WHOLE:  # the "word ids" are the field's own term ids
            tids, occ_doc, occ_pos = wids, word_doc, None
        else:
            tids, occ_doc = self._gram_occurrences(wids, word_doc)
            occ_pos = None
        # Documents arrive in order: lengths up to the last one digested.
        first, last = int(docs[0]), int(docs[-1])
        if len(column.lengths) < first:
            column.lengths.frombytes(bytes(4 * (first - len(column.lengths))))
        column.lengths.frombytes(np.bincount(occ_doc - first, minlength=last - first + 1)
                                 .astype(np.uint32).tobytes())
        column.wids, column.counts, column.docs = array("I"), array("I"), array("I")
        if len(tids):
            part = self._runs(tids, occ_doc, occ_pos)
            self._digested += len(part[0])
            column.parts.append(part)

    def _stem_occurrences(self, wids: np.ndarray, word_doc: np.ndarray, word_pos: np.ndarray
                          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each word's stem and compound parts' stems, at the word's position."""
        ptr = np.frombuffer(self.words.stem_ptr, dtype=np.int64)
        flat = np.frombuffer(self.words.stem_flat, dtype=np.uint32)
        n_terms = ptr[wids + 1] - ptr[wids]
        which = np.repeat(np.arange(len(wids)), n_terms)
        # Offset of each occurrence within its word's run of terms.
        offset = np.arange(len(which)) - np.repeat(np.cumsum(n_terms) - n_terms, n_terms)
        tids = flat[ptr[wids][which] + offset].astype(np.int64)
        return tids, word_doc[which], word_pos[which]

    def _gram_occurrences(self, wids: np.ndarray, word_doc: np.ndarray
                          ) -> tuple[np.ndarray, np.ndarray]:
        """Grams of adjacent words of one document where either is a stopword."""
        if len(wids) < 2:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        stop = np.frombuffer(self.words.stop, dtype=np.uint8)[wids].astype(bool)
        keep = (stop[:-1] | stop[1:]) & (word_doc[:-1] == word_doc[1:])
        first = np.frombuffer(self.words.first_stem, dtype=np.uint32).astype(np.int64)
        keys = (first[wids[:-1][keep]] << 32) | first[wids[1:][keep]]
        unique, inverse = np.unique(keys, return_inverse=True)
        ids = self._gram_ids
        stems = self.words.stems.texts
        gram_ids = np.empty(len(unique), dtype=np.int64)
        for i, key in enumerate(unique.tolist()):
            gid = ids.get(key)
            if gid is None:
                gid = ids[key] = self._grams[gram(stems[key >> 32], stems[key & 0xFFFFFFFF])]
            gram_ids[i] = gid
        return gram_ids[inverse.reshape(-1)], word_doc[:-1][keep]

    @staticmethod
    def _runs(tids: np.ndarray, docs: np.ndarray, pos: np.ndarray | None
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Postings (term, doc, frequency, value) of occurrences in document order."""
        order = np.argsort(tids, kind="stable")
        t = tids[order]
        d = docs[order]
        n = len(t)
        change = np.ones(n, dtype=bool)
        change[1:] = (t[1:] != t[:-1]) | (d[1:] != d[:-1])
        starts = np.flatnonzero(change)
        freqs = np.diff(np.append(starts, n))
        if pos is None:
            values = _table(_PACKED, _packed, freqs)
        else:
            p = pos[order]
            values = _table(_ONE_POSITION, _one_position, p[starts])
            multi = np.flatnonzero(freqs > 1)
            if len(multi):
                # Positions as deltas from the previous position of the same posting.
                deltas = p.copy()
                deltas[1:] -= p[:-1]
                deltas[starts] = p[starts]
                dl = deltas.tolist()
                encoded = [pack_uint(f) + dumps(dl[s:s + f], 2) for s, f in
                           zip(starts[multi].tolist(), freqs[multi].tolist(), strict=True)]
                values[multi] = np.fromiter(encoded, dtype=object, count=len(encoded))
        return (t[starts].astype(np.uint32), d[starts].astype(np.uint32),
                freqs.astype(np.uint32), values)


# Encoded values by number, as object arrays grown on demand: a posting's
# value is then one fancy-indexing lookup instead of a Python call.
_ONE_POSITION: list[np.ndarray] = [np.empty(0, dtype=object)]
_PACKED: list[np.ndarray] = [np.empty(0, dtype=object)]


def _table(holder: list[np.ndarray], encode, numbers: np.ndarray) -> np.ndarray:
    """``encode(n)`` for each of ``numbers`` (a new object array)."""
    table = holder[0]
    top = int(numbers.max()) + 1 if len(numbers) else 0
    if top > len(table):
        size = max(top, 2 * len(table), 1024)
        grown = np.empty(size, dtype=object)
        grown[:len(table)] = table
        grown[len(table):] = np.fromiter((encode(i) for i in range(len(table), size)),
                                         dtype=object, count=size - len(table))
        table = holder[0] = grown
    return table[numbers]
