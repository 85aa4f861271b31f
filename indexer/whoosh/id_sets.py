"""Which paragraph ids an index holds, answered from per-segment sets.

Writing a source first asks, for each of its paragraphs, whether the index
already has it (most of a bulk import: no). Whoosh answers a term lookup
through every segment's on-disk hash table, a few file reads each; with the
tens of segments a long import accumulates that was the importing
process's largest cost. A segment never changes once written, so its ids
are read once into a set and the question becomes set lookups. Deleted
documents keep their terms: a "yes" here still needs the stored document.
"""

from __future__ import annotations

from collections.abc import Iterable


class IdSets:
    """The ``id`` terms of each segment of the readers it is asked about, cached."""

    def __init__(self, field: str = "id") -> None:
        self._field = field
        self._by_segment: dict[str, frozenset[bytes]] = {}

    def possibly_present(self, reader, pids: Iterable[str]) -> set[str]:
        """The ids of ``pids`` that some segment of ``reader`` has a term for."""
        sets = []
        current: dict[str, frozenset[bytes]] = {}
        for leaf, _offset in reader.leaf_readers():
            segment = leaf.segment()
            key = segment.segment_id() if segment is not None else str(id(leaf))
            ids = self._by_segment.get(key)
            if ids is None:
                ids = (frozenset(leaf.lexicon(self._field))
                       if self._field in leaf.indexed_field_names() else frozenset())
            current[key] = ids
            sets.append(ids)
        self._by_segment = current  # segments merged away are forgotten
        return {pid for pid in pids if any(pid.encode("utf-8") in s for s in sets)}
