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
from paragraf_se.indexer.facets import build_column
from paragraf_se.indexer.schema import DECISION_KIND_FIELD


class PriorCache:
    """The prior of every document number, per index generation."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._gen: object = None
        self._priors: np.ndarray | None = None

    def priors(self, searcher) -> np.ndarray | None:
        """Multipliers by document number, or None for an index without the column
        (made before decision kinds were indexed; ``index --rebuild`` adds them)."""
        reader = searcher.reader()
        if DECISION_KIND_FIELD not in reader.schema:
            return None
        gen = (reader.generation(), reader.doc_count_all())
        with self._lock:
            if gen != self._gen:
                column = build_column(reader, DECISION_KIND_FIELD)
                table = np.array([prior(v) for v in column.values], dtype=np.float32)
                self._priors = (table[column.codes] if len(column.codes)
                                else np.ones(0, dtype=np.float32))
                self._gen = gen
            return self._priors


def kinds_of(searcher, docnums: np.ndarray) -> list[str]:
    """The stored decision kind of each document number ("" when not indexed)."""
    reader = searcher.reader()
    if DECISION_KIND_FIELD not in reader.schema or not len(docnums):
        return [""] * len(docnums)
    column = reader.column_reader(DECISION_KIND_FIELD)
    out = []
    for d in docnums:
        raw = column[int(d)]
        out.append(raw.decode("utf-8") if isinstance(raw, bytes) else str(raw or ""))
    return out
