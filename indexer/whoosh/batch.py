"""Index changes waiting for one commit of :meth:`WhooshIndex.batch`."""

from __future__ import annotations

from dataclasses import dataclass, field

from paragraf_se.indexer.model import Paragraph
from paragraf_se.indexer.whoosh.bulk_stream import SegmentStream


@dataclass
class PendingBatch:
    """Index changes waiting for one commit."""

    max_documents: int
    procs: int = 1  # bulk-writer processes per commit
    pending: dict[str, Paragraph] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)
    sources: int = 0
    # Source URL -> ids pending with it (at some point): finding a source's
    # pending paragraphs must not scan every pending paragraph per document.
    by_url: dict[str, set[str]] = field(default_factory=dict)
    # Ids the lookups found in the index, and the index identity they saw:
    # if no other writer committed since, only these need deleting at the
    # flush (a deletion costs ~0.25 ms; a bulk import of new documents has none).
    in_index: set[str] = field(default_factory=set)
    seen: tuple | None = None
    # With procs > 1, once the batch is big enough: bulk-writer processes that
    # analyse pending paragraphs as they come and live until the batch ends.
    stream: SegmentStream | None = None
    streamed: dict[str, int] = field(default_factory=dict)  # id -> its sequence number
    superseded: list[int] = field(default_factory=list)  # streamed copies no longer pending

    def put(self, p: Paragraph) -> None:
        self.pending[p.id] = p
        self.deleted.discard(p.id)
        for src in p.sources:
            self.by_url.setdefault(src.url, set()).add(p.id)
        if self.stream is not None:
            self._stream(p)

    def drop(self, pid: str) -> None:
        """``pid`` leaves the index at the commit (and any pending version of it)."""
        self.pending.pop(pid, None)
        self.deleted.add(pid)
        if pid in self.streamed:
            self.superseded.append(self.streamed.pop(pid))

    def _stream(self, p: Paragraph) -> None:
        old = self.streamed.get(p.id)
        if old is not None:
            self.superseded.append(old)
        self.streamed[p.id] = self.stream.add(p)

    def start_stream(self, stream: SegmentStream) -> None:
        """Send every pending paragraph to ``stream``, and every later one as it comes."""
        self.stream = stream
        for p in self.pending.values():
            self._stream(p)
