"""The writer half of the engine protocol, backed by PostgreSQL.

With ``--database``, ingest, crawl and rebuild write paragraphs here instead
of into a local index; serving nodes pick them up from the change log.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence

import psycopg

from paragraf_se.db import paragraph_store
from paragraf_se.indexer.engine import IndexChange
from paragraf_se.indexer.model import Paragraph


class PgParagraphWriter:
    """Paragraph writes into the store of record, each source in one transaction."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    @contextlib.contextmanager
    def batch(self, max_documents: int = 0, *, procs: int = 1) -> Iterator[None]:
        # Every source is already its own transaction, committed before the
        # next is parsed; there is nothing to group.
        yield

    def has_uncommitted(self) -> bool:
        """Never: each source is committed before the next one is parsed."""
        return False

    def commit_pending(self) -> None:
        """Nothing waits (see :meth:`has_uncommitted`)."""

    def replace_source(self, url: str, paragraphs: Sequence[Paragraph]) -> IndexChange:
        """Make the store hold exactly ``paragraphs`` from ``url`` (see paragraph_store)."""
        return paragraph_store.replace_source(self.conn, url, paragraphs)

    def add_many(self, paragraphs: Iterable[Paragraph], *, procs: int = 1) -> int:
        """Write paragraphs as they are (an import or rebuild)."""
        return paragraph_store.add_many(self.conn, paragraphs)

    def get(self, paragraph_id: str) -> Paragraph | None:
        return paragraph_store.fetch(self.conn, [paragraph_id]).get(paragraph_id)

    def count(self) -> int:
        return paragraph_store.count(self.conn)

    def id_count(self, paragraph_id: str) -> int:
        """1 when the store holds ``paragraph_id`` (ids are its primary key), else 0."""
        return int(self.get(paragraph_id) is not None)

    def all(self) -> Iterator[Paragraph]:
        """Every paragraph in the store."""
        return paragraph_store.iter_all(self.conn)

    def close(self) -> None:
        self.conn.close()
