"""Every ingested document's parse status (ok / warnings / failed, with reasons).

Kept in ``<data>/parse-status.sqlite`` beside the archive: the archive says
what was fetched, this says what became of it, for ``/api/documents``.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from paragraf_se.readonly_sqlite import connect_readonly
from paragraf_se.settings import DataDir

STATUSES = ("ok", "warnings", "failed")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    capture_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    status TEXT NOT NULL,
    messages TEXT NOT NULL,
    paragraphs INTEGER NOT NULL,
    parsed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_status ON documents (status, parsed_at);
"""


@dataclass(frozen=True)
class DocumentStatus:
    capture_id: str
    source: str
    status: str
    messages: tuple[str, ...]
    paragraphs: int
    parsed_at: dt.datetime


def status_path(data_root: Path) -> Path:
    """Where a data directory keeps the log (named by :class:`DataDir`)."""
    return DataDir(data_root).parse_status


class ParseStatusLog:
    """The latest parse outcome per archived capture."""

    def __init__(self, path: Path,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode = WAL")
            # No fsync per record: a status is re-derived by parsing the archived
            # original again; power loss may lose the last few.
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute("PRAGMA busy_timeout = 10000")
            self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error):
            # A full disk or a read-only mount: listing must still work.
            self._db = connect_readonly(path, _SCHEMA)

    def record(self, capture_id: str, source: str, status: str, messages: tuple[str, ...],
               paragraphs: int) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (capture_id) DO "
                "UPDATE SET status = excluded.status, messages = excluded.messages, "
                "paragraphs = excluded.paragraphs, parsed_at = excluded.parsed_at",
                (capture_id, source, status, json.dumps(list(messages), ensure_ascii=False),
                 paragraphs, self._clock().isoformat()))

    def forget(self, capture_id: str) -> None:
        """Drop a capture's row (it was removed from publication)."""
        with self._lock:
            self._db.execute("DELETE FROM documents WHERE capture_id = ?", (capture_id,))

    def retain(self, capture_ids: set[str]) -> int:
        """Drop every row whose capture is not in ``capture_ids`` (after a restore)."""
        with self._lock:
            rows = self._db.execute("SELECT capture_id FROM documents").fetchall()
            gone = [(cid,) for (cid,) in rows if cid not in capture_ids]
            self._db.executemany("DELETE FROM documents WHERE capture_id = ?", gone)
        return len(gone)

    def get(self, capture_id: str) -> DocumentStatus | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM documents WHERE capture_id = ?",
                                   (capture_id,)).fetchone()
        return _status(row) if row else None

    def list(self, status: str | None = None, *, offset: int = 0,
             limit: int = 50) -> tuple[int, list[DocumentStatus]]:
        """(total, one page) of documents, newest parse first, optionally by status."""
        where, args = ("WHERE status = ?", (status,)) if status else ("", ())
        with self._lock:
            total = self._db.execute(f"SELECT count(*) FROM documents {where}", args
                                     ).fetchone()[0]
            rows = self._db.execute(
                f"SELECT * FROM documents {where} ORDER BY parsed_at DESC, capture_id "
                "LIMIT ? OFFSET ?", (*args, limit, offset)).fetchall()
        return int(total), [_status(r) for r in rows]

    def counts(self) -> dict[str, int]:
        with self._lock:
            rows = self._db.execute(
                "SELECT status, count(*) FROM documents GROUP BY status").fetchall()
        return {s: 0 for s in STATUSES} | {str(s): int(n) for s, n in rows}

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _status(row: tuple) -> DocumentStatus:
    capture_id, source, status, messages, paragraphs, parsed_at = row
    return DocumentStatus(capture_id, source, status, tuple(json.loads(messages)),
                          int(paragraphs), dt.datetime.fromisoformat(parsed_at))
