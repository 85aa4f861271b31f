"""The SQLite catalog of the archive: which captures exist and where their bytes are.

The catalog is the truth about what the archive holds: a WARC record only
counts once its catalog row is committed. Everything in here can be rebuilt
from the WARC files (see ``Archive.rebuild_catalog``) except the visits of
re-ingested local files, which write no WARC record.

Tables: ``captures`` (one row per distinct (source, payload)), ``visits``
(every time a source was seen, with the validators for conditional
requests) and ``warc_files`` (how many bytes of each WARC file are
committed, so a torn tail can be found without rescanning whole files).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from paragraf_se.archive.model import Capture

SCHEMA_VERSION = 1
DECLARED_CONTENT_TYPE = "declared_content_type"  # metadata key: Content-Type as declared

_CAPTURE_ID_RE = re.compile(r"[0-9a-f]{20}")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS captures (
    id TEXT PRIMARY KEY CHECK (length(id) = 20),
    source TEXT NOT NULL,
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    content_type TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('response', 'resource')),
    warc_file TEXT NOT NULL,
    warc_offset INTEGER NOT NULL CHECK (warc_offset >= 0),
    warc_length INTEGER NOT NULL CHECK (warc_length > 0),
    size INTEGER NOT NULL CHECK (size >= 0),
    status INTEGER,
    metadata TEXT NOT NULL DEFAULT '{}',
    record_id TEXT NOT NULL,
    payload_digest TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS captures_source ON captures (source);
CREATE INDEX IF NOT EXISTS captures_sha256 ON captures (sha256);
CREATE INDEX IF NOT EXISTS captures_fetched ON captures (fetched_at, id);
CREATE TABLE IF NOT EXISTS visits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    status INTEGER,
    capture_id TEXT REFERENCES captures (id),
    revisit INTEGER NOT NULL CHECK (revisit IN (0, 1)),
    etag TEXT,
    last_modified TEXT,
    warc_file TEXT,
    warc_offset INTEGER,
    warc_length INTEGER
);
CREATE INDEX IF NOT EXISTS visits_source ON visits (source, fetched_at);
CREATE INDEX IF NOT EXISTS visits_capture ON visits (capture_id);
CREATE TABLE IF NOT EXISTS removals (
    capture_id TEXT PRIMARY KEY REFERENCES captures (id),
    removed_at TEXT NOT NULL,
    removed_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    warc_file TEXT,
    warc_offset INTEGER,
    warc_length INTEGER
);
CREATE TABLE IF NOT EXISTS warc_files (
    name TEXT PRIMARY KEY,
    committed_size INTEGER NOT NULL CHECK (committed_size >= 0)
);
"""

_CAPTURE_FIELDS = (
    "id",
    "source",
    "sha256",
    "content_type",
    "fetched_at",
    "kind",
    "warc_file",
    "warc_offset",
    "warc_length",
    "size",
    "status",
    "metadata",
    "record_id",
    "payload_digest",
)
_CAPTURE_COLUMNS = ", ".join(_CAPTURE_FIELDS)
_NOT_REMOVED = "id NOT IN (SELECT capture_id FROM removals)"
_JOINED_COLUMNS = ", ".join(f"c.{field}" for field in _CAPTURE_FIELDS)


@dataclass(frozen=True)
class Visit:
    """One time a source was seen: a new capture, a revisit, a 304 or a re-ingest."""

    source: str
    fetched_at: dt.datetime
    status: int | None
    capture_id: str | None
    revisit: bool
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Removal:
    """A capture withdrawn from publication: the tombstone's audit entry."""

    capture_id: str
    source: str
    removed_at: dt.datetime
    removed_by: str
    reason: str


@dataclass(frozen=True)
class StoredCapture:
    """A capture plus the WARC facts needed to write revisit records against it."""

    capture: Capture
    record_id: str
    payload_digest: str


@dataclass(frozen=True)
class Location:
    """Where a WARC record sits: file name, byte offset and length."""

    warc_file: str
    offset: int
    length: int


def capture_id(source: str, sha256: str) -> str:
    """The stable id of the capture of bytes with digest ``sha256`` from ``source``."""
    return hashlib.sha256(f"{source}\n{sha256}".encode()).hexdigest()[:20]


def is_capture_id(value: object) -> bool:
    """True for well-formed capture ids (20 lowercase hex digits), whatever their origin."""
    return isinstance(value, str) and _CAPTURE_ID_RE.fullmatch(value) is not None


def timestamp(when: dt.datetime) -> str:
    """Fixed-width UTC ISO text, so that SQL string order is time order."""
    return when.astimezone(dt.UTC).isoformat(timespec="microseconds")


def metadata_json(metadata: Mapping[str, str]) -> str:
    """Canonical JSON of a metadata mapping (sorted keys)."""
    return json.dumps(dict(metadata), sort_keys=True, ensure_ascii=False)


def metadata_tuple(metadata: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """Metadata as the sorted pairs a frozen ``Capture`` holds."""
    return tuple(sorted((str(key), str(value)) for key, value in metadata.items()))


def _connect_readonly(path: Path) -> sqlite3.Connection:
    """A connection that never writes: read-only, else immutable (see :class:`Catalog`)."""
    if not path.is_file():
        raise sqlite3.OperationalError(f"no catalog at {path}")
    uri = Path(path).resolve().as_uri()
    error: sqlite3.Error | None = None
    for mode in ("mode=ro", "mode=ro&immutable=1"):
        db = sqlite3.connect(f"{uri}?{mode}", uri=True, isolation_level=None,
                             check_same_thread=False)
        try:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return db
        except sqlite3.Error as exc:  # e.g. the -shm file cannot be created
            error = exc
            db.close()
    assert error is not None
    raise error


def _capture(row: sqlite3.Row) -> StoredCapture:
    capture = Capture(
        id=row["id"],
        source=row["source"],
        sha256=row["sha256"],
        content_type=row["content_type"],
        fetched_at=dt.datetime.fromisoformat(row["fetched_at"]),
        kind=row["kind"],
        warc_file=row["warc_file"],
        offset=row["warc_offset"],
        length=row["warc_length"],
        size=row["size"],
        status=row["status"],
        metadata=metadata_tuple(json.loads(row["metadata"])),
    )
    return StoredCapture(capture, row["record_id"], row["payload_digest"])


def _visit(row: sqlite3.Row) -> Visit:
    return Visit(
        source=row["source"],
        fetched_at=dt.datetime.fromisoformat(row["fetched_at"]),
        status=row["status"],
        capture_id=row["capture_id"],
        revisit=bool(row["revisit"]),
        etag=row["etag"],
        last_modified=row["last_modified"],
    )


class Catalog:
    """Thread-safe access to ``catalog.sqlite``; writes happen inside :meth:`transaction`."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        """Open (creating if needed) the catalog; ``readonly`` writes nothing at all.

        Read-only is for a full disk or a read-only mount: SQLite's read-only
        mode, or, where even that needs a file it cannot create, its
        ``immutable`` mode, which reads the database file alone.
        """
        # One connection shared by the threads of a web server: the lock
        # keeps a reader from seeing another thread's uncommitted rows.
        self._lock = threading.RLock()
        self.readonly = readonly
        if readonly:
            self._db = _connect_readonly(path)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA busy_timeout = 10000")
            if not self._db.execute("SELECT 1 FROM sqlite_master WHERE name = 'removals'"
                                    ).fetchone():
                # A catalog from before removals existed: an empty stand-in in memory.
                self._db.execute("PRAGMA temp_store = MEMORY")
                self._db.execute("CREATE TEMP TABLE removals (capture_id TEXT PRIMARY KEY,"
                                 " removed_at TEXT, removed_by TEXT, reason TEXT,"
                                 " warc_file TEXT, warc_offset INTEGER, warc_length INTEGER)")
            return
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA busy_timeout = 10000")
        self._db.execute("PRAGMA journal_mode = WAL")
        # FULL: a committed capture must survive power loss, not only a crash.
        self._db.execute("PRAGMA synchronous = FULL")
        self._db.execute("PRAGMA foreign_keys = ON")
        with self.transaction():
            # Statement by statement: executescript() would commit our transaction.
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        """Close the connection; the catalog is unusable afterwards."""
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the catalog's write lock; commit on success, roll back on error."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def get(self, capture_id: str) -> StoredCapture | None:
        """The capture with this id, or None."""
        with self._lock:
            row = self._db.execute(
                f"SELECT {_CAPTURE_COLUMNS} FROM captures WHERE id = ?", (capture_id,)
            ).fetchone()
        return _capture(row) if row else None

    def insert_capture(self, capture: Capture, *, record_id: str, payload_digest: str) -> None:
        """Add a new capture row (call inside a transaction)."""
        self._db.execute(
            f"INSERT INTO captures ({_CAPTURE_COLUMNS})"
            f" VALUES ({', '.join('?' for _ in _CAPTURE_FIELDS)})",
            (
                capture.id,
                capture.source,
                capture.sha256,
                capture.content_type,
                timestamp(capture.fetched_at),
                capture.kind,
                capture.warc_file,
                capture.offset,
                capture.length,
                capture.size,
                capture.status,
                metadata_json(capture.meta()),
                record_id,
                payload_digest,
            ),
        )

    def set_metadata(self, capture_id: str, metadata: Mapping[str, str]) -> None:
        """Replace a capture's metadata (call inside a transaction)."""
        self._db.execute(
            "UPDATE captures SET metadata = ? WHERE id = ?", (metadata_json(metadata), capture_id)
        )

    def add_visit(self, visit: Visit, location: Location | None = None) -> None:
        """Log that a source was seen; ``location`` is the WARC record it wrote, if any."""
        self._db.execute(
            "INSERT INTO visits (source, fetched_at, status, capture_id, revisit, etag,"
            " last_modified, warc_file, warc_offset, warc_length) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                visit.source,
                timestamp(visit.fetched_at),
                visit.status,
                visit.capture_id,
                int(visit.revisit),
                visit.etag,
                visit.last_modified,
                location.warc_file if location else None,
                location.offset if location else None,
                location.length if location else None,
            ),
        )

    def captures(self, source_prefix: str | None = None, *,
                 include_removed: bool = False) -> list[Capture]:
        """Captures (not removed ones unless asked), optionally by source prefix, by time."""
        query = f"SELECT {_CAPTURE_COLUMNS} FROM captures WHERE 1"
        params: tuple[object, ...] = ()
        if not include_removed:
            query += f" AND {_NOT_REMOVED}"
        if source_prefix is not None:
            # substr, not LIKE: URLs are full of "%" and "_".
            query += " AND substr(source, 1, ?) = ?"
            params = (len(source_prefix), source_prefix)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY fetched_at, id", params).fetchall()
        return [_capture(row).capture for row in rows]

    def latest(self, source: str) -> StoredCapture | None:
        """The capture the newest visit of ``source`` saw (what the source holds now)."""
        with self._lock:
            row = self._db.execute(
                f"SELECT {_JOINED_COLUMNS} FROM visits AS v"
                " JOIN captures AS c ON c.id = v.capture_id WHERE v.source = ?"
                " AND c.id NOT IN (SELECT capture_id FROM removals)"
                " ORDER BY v.fetched_at DESC, v.id DESC LIMIT 1",
                (source,),
            ).fetchone()
            if row is None:
                row = self._db.execute(
                    f"SELECT {_CAPTURE_COLUMNS} FROM captures WHERE source = ?"
                    f" AND {_NOT_REMOVED} ORDER BY fetched_at DESC, id DESC LIMIT 1",
                    (source,),
                ).fetchone()
        return _capture(row) if row else None

    def validators(self, source: str) -> tuple[str | None, str | None]:
        """(etag, last_modified) of the newest successful (2xx or 304) visit."""
        with self._lock:
            row = self._db.execute(
                "SELECT etag, last_modified FROM visits WHERE source = ?"
                " AND ((status BETWEEN 200 AND 299) OR status = 304)"
                " ORDER BY fetched_at DESC, id DESC LIMIT 1",
                (source,),
            ).fetchone()
        return (row["etag"], row["last_modified"]) if row else (None, None)

    def validators_after(
        self, source: str, etag: str | None, last_modified: str | None
    ) -> tuple[str | None, str | None]:
        """Validators to log for a 304 that sent these (possibly none) itself.

        A 304 need not repeat the validators; then the previous ones still hold.
        """
        previous_etag, previous_last_modified = self.validators(source)
        return etag or previous_etag, last_modified or previous_last_modified

    def visits(self, source: str) -> list[Visit]:
        """Every visit of ``source``, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT source, fetched_at, status, capture_id, revisit, etag, last_modified"
                " FROM visits WHERE source = ? ORDER BY fetched_at, id",
                (source,),
            ).fetchall()
        return [_visit(row) for row in rows]

    def add_removal(self, removal: Removal, location: Location | None = None) -> None:
        """Record a tombstone (call inside a transaction); the first one for a capture stays."""
        self._db.execute(
            "INSERT OR IGNORE INTO removals (capture_id, removed_at, removed_by, reason,"
            " warc_file, warc_offset, warc_length) VALUES (?,?,?,?,?,?,?)",
            (removal.capture_id, timestamp(removal.removed_at), removal.removed_by,
             removal.reason, location.warc_file if location else None,
             location.offset if location else None, location.length if location else None),
        )

    def removal(self, capture_id: str) -> Removal | None:
        """The tombstone of a capture, or None while it is published."""
        found = self.removals(capture_id)
        return found[0] if found else None

    def removals(self, capture_id: str | None = None) -> list[Removal]:
        """Every tombstone (or one capture's), oldest first."""
        where, params = ("WHERE r.capture_id = ?", (capture_id,)) if capture_id else ("", ())
        with self._lock:
            rows = self._db.execute(
                "SELECT r.capture_id, c.source, r.removed_at, r.removed_by, r.reason"
                f" FROM removals AS r JOIN captures AS c ON c.id = r.capture_id {where}"
                " ORDER BY r.removed_at, r.capture_id", params).fetchall()
        return [Removal(r[0], r[1], dt.datetime.fromisoformat(r[2]), r[3], r[4]) for r in rows]

    def count(self) -> int:
        """Number of captures."""
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM captures").fetchone()[0])

    def committed_size(self, warc_file: str) -> int | None:
        """Bytes of ``warc_file`` known to hold committed records, None if unknown."""
        with self._lock:
            row = self._db.execute(
                "SELECT committed_size FROM warc_files WHERE name = ?", (warc_file,)
            ).fetchone()
        return int(row[0]) if row else None

    def set_committed_size(self, warc_file: str, size: int) -> None:
        """Record that ``warc_file`` is intact up to ``size`` (call inside a transaction)."""
        self._db.execute(
            "INSERT INTO warc_files (name, committed_size) VALUES (?, ?)"
            " ON CONFLICT (name) DO UPDATE SET committed_size = excluded.committed_size",
            (warc_file, size),
        )

    def backup_to(self, dest: Path) -> dict[str, int]:
        """Copy the catalog with SQLite's online backup; returns committed WARC sizes."""
        with self._lock:
            target = sqlite3.connect(dest)
            try:
                self._db.backup(target)
            finally:
                target.close()
            rows = self._db.execute("SELECT name, committed_size FROM warc_files").fetchall()
        return {str(r[0]): int(r[1]) for r in rows}

    def clear(self) -> None:
        """Delete every row (call inside a transaction), before a rebuild."""
        for table in ("removals", "visits", "captures", "warc_files"):
            self._db.execute(f"DELETE FROM {table}")
