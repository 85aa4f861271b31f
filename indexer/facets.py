"""Facet counts from per-generation cached columns.

Whoosh's ``groupedby`` visits every match through Python objects; instead the
org/body/year value of every document is cached once per index generation as
a NumPy code array, and counting a result set is one ``bincount``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from indexer.search import FacetValue
from indexer.slug import slugify

FACET_FIELDS = ("org", "body", "year")


@dataclass(frozen=True)
class Column:
    codes: np.ndarray  # int32 code per document number
    values: tuple[str, ...]  # code -> value


def build_column(reader, field: str) -> Column:
    """Read a sortable field's column for every document into codes."""
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

    def columns(self, searcher) -> dict[str, Column]:
        reader = searcher.reader()
        gen = (reader.generation(), reader.doc_count_all())
        with self._lock:
            if gen != self._gen:
                self._columns = {f: build_column(reader, f) for f in FACET_FIELDS}
                self._gen = gen
            return self._columns


def count_facets(
    columns: dict[str, Column], docnums: np.ndarray
) -> dict[str, tuple[FacetValue, ...]]:
    """Counts per value over the matching documents, most frequent first."""
    out: dict[str, tuple[FacetValue, ...]] = {}
    for field, col in columns.items():
        counts = np.bincount(col.codes[docnums], minlength=len(col.values)) if len(
            docnums
        ) else np.zeros(len(col.values), dtype=np.int64)
        pairs = [(col.values[i], int(c)) for i, c in enumerate(counts) if c]
        if field == "year":
            pairs.sort(key=lambda vc: vc[0], reverse=True)
        else:
            pairs.sort(key=lambda vc: (-vc[1], vc[0]))
        out[field] = tuple(
            FacetValue(v, c, v if field == "year" else slugify(v)) for v, c in pairs
        )
    return out
