"""Per-document ranking priors: a decision ranks above a postponement of it.

Every paragraph's decision kind (:mod:`indexer.decision_kind`) is indexed as
a sortable column; once per index generation the column becomes an array of
multipliers, and scoring a query multiplies its matches' BM25F scores by
their priors: one gather and one multiply per query.
"""

from __future__ import annotations

import threading

import numpy as np

from paragraf_se.indexer.decision_kind import prior
from paragraf_se.indexer.whoosh.facet_columns import Column, SegmentColumns
from paragraf_se.indexer.whoosh.schema import DECISION_KIND_FIELD


class PriorCache:
    """The prior (and the kind) of every document number, per index generation."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._gen: object = None
        self._priors: np.ndarray | None = None
        self._column: Column | None = None
        self._segments = SegmentColumns()  # a new generation reads only new segments

    def _refresh(self, reader) -> None:
        gen = (reader.generation(), reader.doc_count_all())
        if gen != self._gen:
            column = self._segments.column(reader, DECISION_KIND_FIELD)
            table = np.array([prior(v) for v in column.values], dtype=np.float32)
            self._priors = (table[column.codes] if len(column.codes)
                            else np.ones(0, dtype=np.float32))
            self._column = column
            self._gen = gen

    def priors(self, searcher) -> np.ndarray | None:
        """Multipliers by document number, or None for an index without the column
        (made before decision kinds were indexed; ``index --rebuild`` adds them)."""
        reader = searcher.reader()
        if DECISION_KIND_FIELD not in reader.schema:
            return None
        with self._lock:
            self._refresh(reader)
            return self._priors

    def kinds(self, searcher, docnums) -> list[str]:
        """The decision kind of each document number ("" for an index without them)."""
        reader = searcher.reader()
        if DECISION_KIND_FIELD not in reader.schema:
            return [""] * len(docnums)
        with self._lock:
            self._refresh(reader)
            column = self._column
        assert column is not None
        return [column.values[column.codes[int(d)]] for d in docnums]
