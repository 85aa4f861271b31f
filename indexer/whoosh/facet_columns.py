"""Facet counts from per-generation cached columns.

Whoosh's ``groupedby`` visits every match through Python objects; instead the
org/body/year value of every document is cached once per index generation as
a NumPy code array, and counting a result set is one ``bincount``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from paragraf_se.indexer.engine import FacetValue
from paragraf_se.indexer.facets import BY_NAME, FACETS
from paragraf_se.indexer.whoosh.schema import FACET_COLUMN_FIELDS
from paragraf_se.indexer.whoosh.searcher_pool import reader_key

# Facet name -> column field, in the declaration order of indexer.facets.FACETS.
FACET_FIELDS = {f.name: FACET_COLUMN_FIELDS[f.name] for f in FACETS}
CACHED_FIELDS = (*dict.fromkeys((*FACET_FIELDS.values(), "date")),)


@dataclass(frozen=True)
class Column:
    codes: np.ndarray  # int32 code per document number
    values: tuple[str, ...]  # code -> value

    def sort_keys(self) -> np.ndarray:
        """Per document, the rank of its value in sorted order (ISO dates sort as text)."""
        rank = np.empty(len(self.values), dtype=np.int32)
        rank[np.argsort(np.array(self.values, dtype=object))] = np.arange(len(self.values))
        return rank[self.codes] if len(self.codes) else self.codes


def build_column(reader, field: str) -> Column:
    """Read a sortable field's column for every document into codes."""
    return _read_column(reader, field)


class SegmentColumns:
    """Columns read per segment and kept while the segment is in the index.

    Segments never change once written (deletions do not touch columns), so
    a new generation reads only its new segments: a node that commits a few
    paragraphs every second would otherwise read every document's values
    again on the first search after each commit (seconds at 50,000 paragraphs,
    the larger part of its commit-to-searchable lag). The whole index's
    column is the segments' columns concatenated, with the same codes
    :func:`build_column` gives (values numbered in order of first appearance).
    """

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], Column] = {}

    def column(self, reader, field: str) -> Column:
        """``build_column(reader, field)``, reading only segments not seen before."""
        if reader.doc_count_all() == 0:
            return Column(np.empty(0, dtype=np.int32), ())
        parts = []
        present = set()
        for leaf, _offset in reader.leaf_readers():
            segment = getattr(leaf, "_segment", None)
            if segment is None:  # not a segment reader: nothing to key on
                return _read_column(reader, field)
            key = (segment.segment_id(), field)
            present.add(key)
            part = self._cache.get(key)
            if part is None:
                part = self._cache[key] = _read_column(leaf, field)
            parts.append(part)
        for key in [k for k in self._cache if k[1] == field and k not in present]:
            del self._cache[key]
        return _concat(parts)


def _concat(parts: list[Column]) -> Column:
    table: dict[str, int] = {}
    codes = []
    for part in parts:
        remap = np.array([table.setdefault(v, len(table)) for v in part.values], dtype=np.int32)
        codes.append(remap[part.codes] if len(part.codes) else part.codes)
    return Column(np.concatenate(codes) if codes else np.empty(0, dtype=np.int32),
                  tuple(table))


def _read_column(reader, field: str) -> Column:
    if reader.doc_count_all() == 0:
        # Whoosh's reader of an empty index has no columns at all.
        return Column(np.empty(0, dtype=np.int32), ())
    column = reader.column_reader(field)
    table: dict[str, int] = {}
    codes = np.empty(reader.doc_count_all(), dtype=np.int32)
    for docnum, raw in enumerate(column):
        value = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
        codes[docnum] = table.setdefault(value, len(table))
    return Column(codes, tuple(table))


class FacetCache:
    """Columns per index generation, shared by every searcher thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._gen: object = None
        self._columns: dict[str, Column] = {}
        self._date_keys: np.ndarray = np.empty(0, dtype=np.int32)
        self._segments = SegmentColumns()

    def _refresh(self, searcher) -> None:
        reader = searcher.reader()
        gen = reader_key(searcher)  # not the generation: a rebuild repeats it
        if gen != self._gen:
            self._columns = {f: self._segments.column(reader, f) for f in CACHED_FIELDS}
            self._date_keys = self._columns["date"].sort_keys()
            self._gen = gen

    def columns(self, searcher) -> dict[str, Column]:
        """The facet columns of the searcher's generation."""
        with self._lock:
            self._refresh(searcher)
            return {name: self._columns[field] for name, field in FACET_FIELDS.items()}

    def date_keys(self, searcher) -> np.ndarray:
        """Per document number, its meeting date's rank: for sorting by date."""
        with self._lock:
            self._refresh(searcher)
            return self._date_keys


def count_facets(
    columns: dict[str, Column], docnums: np.ndarray
) -> dict[str, tuple[FacetValue, ...]]:
    """Counts per value over the matching documents, most frequent first."""
    out: dict[str, tuple[FacetValue, ...]] = {}
    for name, col in columns.items():
        facet = BY_NAME[name]
        counts = np.bincount(col.codes[docnums], minlength=len(col.values)) if len(
            docnums
        ) else np.zeros(len(col.values), dtype=np.int64)
        pairs = [(col.values[i], int(c)) for i, c in enumerate(counts) if c]
        if facet.by_count:
            pairs.sort(key=lambda vc: (-vc[1], vc[0]))
        else:
            pairs.sort(key=lambda vc: vc[0], reverse=True)
        out[name] = tuple(FacetValue(v, c, facet.key(v)) for v, c in pairs)
    return out
