"""The archive catalog in PostgreSQL: the same methods as ``archive.catalog.Catalog``.

With ``--database``, several crawl and parse processes (possibly on several
machines over shared storage) use one catalog. The archive itself is
unchanged: it appends records to WARC files of its own (see the shared mode
of ``archive.store.Archive``) and commits a row here only after the fsync.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg.types.json import Jsonb

from paragraf_se.archive.catalog import (
    Location,
    Removal,
    StoredCapture,
    Visit,
    metadata_tuple,
)
from paragraf_se.archive.model import Capture

_COLUMNS = ("id, source, sha256, content_type, fetched_at, kind, warc_file, warc_offset,"
            " warc_length, size, status, metadata, record_id, payload_digest")
_JOINED = ", ".join(f"c.{name.strip()}" for name in _COLUMNS.split(","))


def _capture(row: tuple) -> StoredCapture:
    (cid, source, sha256, content_type, fetched_at, kind, warc_file, offset, length, size,
     status, metadata, record_id, payload_digest) = row
    capture = Capture(id=cid, source=source, sha256=sha256, content_type=content_type,
                      fetched_at=fetched_at.astimezone(dt.UTC), kind=kind, warc_file=warc_file,
                      offset=offset, length=length, size=size, status=status,
                      metadata=metadata_tuple(metadata or {}))
    return StoredCapture(capture, record_id, payload_digest)


class PgCatalog:
    """Thread-safe catalog over one autocommit connection; writes inside :meth:`transaction`."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self._conn = conn
        self._lock = threading.RLock()

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One PostgreSQL transaction: commit on success, roll back on error."""
        with self._lock, self._conn.transaction():
            yield

    def get(self, capture_id: str) -> StoredCapture | None:
        """The capture with this id, or None."""
        with self._lock:
            row = self._conn.execute(f"SELECT {_COLUMNS} FROM captures WHERE id = %s",
                                     (capture_id,)).fetchone()
        return _capture(row) if row else None

    def insert_capture(self, capture: Capture, *, record_id: str, payload_digest: str) -> None:
        """Add a new capture row (inside a transaction).

        Two writers archiving the same bytes from the same URL at once both
        write a record; the first row wins and the other record is an orphan
        nothing refers to, as after a crash.
        """
        self._conn.execute(
            f"INSERT INTO captures ({_COLUMNS}) VALUES"
            " (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (id) DO NOTHING",
            (capture.id, capture.source, capture.sha256, capture.content_type,
             capture.fetched_at, capture.kind, capture.warc_file, capture.offset,
             capture.length, capture.size, capture.status, Jsonb(capture.meta()), record_id,
             payload_digest))

    def set_metadata(self, capture_id: str, metadata: Mapping[str, str]) -> None:
        """Replace a capture's metadata (inside a transaction)."""
        self._conn.execute("UPDATE captures SET metadata = %s WHERE id = %s",
                           (Jsonb(dict(metadata)), capture_id))

    def add_visit(self, visit: Visit, location: Location | None = None) -> None:
        """Log that a source was seen; ``location`` is the WARC record it wrote, if any."""
        self._conn.execute(
            "INSERT INTO visits (source, fetched_at, status, capture_id, revisit, etag,"
            " last_modified, warc_file, warc_offset, warc_length)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (visit.source, visit.fetched_at, visit.status, visit.capture_id, visit.revisit,
             visit.etag, visit.last_modified, location.warc_file if location else None,
             location.offset if location else None, location.length if location else None))

    def captures(self, source_prefix: str | None = None, *,
                 include_removed: bool = False) -> list[Capture]:
        """All captures, or those whose source starts with the prefix, by (fetched_at, id).

        The shared catalog has no removals yet, so ``include_removed`` changes nothing.
        """
        query = f"SELECT {_COLUMNS} FROM captures"
        params: tuple[object, ...] = ()
        if source_prefix is not None:
            query += " WHERE left(source, %s) = %s"  # not LIKE: URLs are full of % and _
            params = (len(source_prefix), source_prefix)
        with self._lock:
            rows = self._conn.execute(query + " ORDER BY fetched_at, id", params).fetchall()
        return [_capture(row).capture for row in rows]

    def latest(self, source: str) -> StoredCapture | None:
        """The capture the newest visit of ``source`` saw (what the source holds now)."""
        with self._lock:
            row = self._conn.execute(
                f"SELECT {_JOINED} FROM visits AS v JOIN captures AS c ON c.id = v.capture_id"
                " WHERE v.source = %s ORDER BY v.fetched_at DESC, v.id DESC LIMIT 1",
                (source,)).fetchone()
            if row is None:
                row = self._conn.execute(
                    f"SELECT {_COLUMNS} FROM captures WHERE source = %s"
                    " ORDER BY fetched_at DESC, id DESC LIMIT 1", (source,)).fetchone()
        return _capture(row) if row else None

    def validators(self, source: str) -> tuple[str | None, str | None]:
        """(etag, last_modified) of the newest successful (2xx or 304) visit."""
        with self._lock:
            row = self._conn.execute(
                "SELECT etag, last_modified FROM visits WHERE source = %s"
                " AND ((status BETWEEN 200 AND 299) OR status = 304)"
                " ORDER BY fetched_at DESC, id DESC LIMIT 1", (source,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def validators_after(self, source: str, etag: str | None, last_modified: str | None
                         ) -> tuple[str | None, str | None]:
        """Validators to log for a 304 that sent these (possibly none) itself."""
        previous_etag, previous_last_modified = self.validators(source)
        return etag or previous_etag, last_modified or previous_last_modified

    def visits(self, source: str) -> list[Visit]:
        """Every visit of ``source``, oldest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT source, fetched_at, status, capture_id, revisit, etag, last_modified"
                " FROM visits WHERE source = %s ORDER BY fetched_at, id", (source,)).fetchall()
        return [Visit(r[0], r[1].astimezone(dt.UTC), r[2], r[3], r[4], r[5], r[6])
                for r in rows]

    def add_removal(self, removal: Removal, location: Location | None = None) -> None:
        """Not offered yet: the shared catalog has no tombstones table."""
        raise NotImplementedError(
            "removing a capture from the shared (PostgreSQL) archive is not supported yet")

    def removal(self, capture_id: str) -> Removal | None:
        """No capture of the shared catalog is removed (it has no tombstones yet)."""
        return None

    def removals(self, capture_id: str | None = None) -> list[Removal]:
        """None yet (see :meth:`removal`)."""
        return []

    def count(self) -> int:
        """Number of captures."""
        with self._lock:
            return int(self._conn.execute("SELECT count(*) FROM captures").fetchone()[0])

    def committed_size(self, warc_file: str) -> int | None:
        """Bytes of ``warc_file`` known to hold committed records, None if unknown."""
        with self._lock:
            row = self._conn.execute("SELECT committed_size FROM warc_files WHERE name = %s",
                                     (warc_file,)).fetchone()
        return int(row[0]) if row else None

    def set_committed_size(self, warc_file: str, size: int) -> None:
        """Record that ``warc_file`` is intact up to ``size`` (inside a transaction)."""
        self._conn.execute(
            "INSERT INTO warc_files (name, committed_size) VALUES (%s, %s)"
            " ON CONFLICT (name) DO UPDATE SET committed_size = excluded.committed_size",
            (warc_file, size))

    def backup_to(self, dest: Path) -> dict[str, int]:
        """Not offered: back up PostgreSQL with its own tools (pg_dump, pgBackRest)."""
        raise NotImplementedError(
            "the shared catalog lives in PostgreSQL: back it up with pg_dump or pgBackRest")

    def clear(self) -> None:
        """Not offered: a shared catalog is never rebuilt from one process's view."""
        raise NotImplementedError("the shared catalog is not rebuilt from WARC files")
