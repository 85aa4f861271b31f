"""The permalink registry: every paragraph id ever issued, where it went, or that it is gone.

Permalinks promise stability, but protocols get re-published: a body is
renamed (so the readable path and the id change), or a paragraph vanishes from
a corrected protocol. The index only knows what is there *now*; this small
SQLite file under the data directory remembers the past, so an old link
answers 301 to its new place or 410 with a page saying what was removed.

Tables::

    issued      id → permalink, org, body, date, number, title, source, first/last seen
    redirects   old id → new id (and the new permalink)
    tombstones  id → permalink, title, citation, removed_at, source

Writes come from the pipeline (:meth:`PermalinkRegistry.record`); reads from
the web app (:meth:`PermalinkRegistry.resolve`). Each call opens its own
connection, so the registry is safe to share between threads.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from paragraf_se.indexer.model import Paragraph, paragraph_id, permalink_path
from paragraf_se.readonly_sqlite import connect_readonly
from paragraf_se.settings import DataDir

MAX_HOPS = 10  # a rename of a rename of ... ; a cycle must not loop forever

SCHEMA = """
CREATE TABLE IF NOT EXISTS issued (
    id TEXT PRIMARY KEY, permalink TEXT NOT NULL, org TEXT NOT NULL, body TEXT NOT NULL,
    date TEXT NOT NULL, number TEXT NOT NULL, title TEXT NOT NULL, source TEXT NOT NULL,
    first_seen TEXT NOT NULL, last_seen TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS redirects (
    old_id TEXT PRIMARY KEY, new_id TEXT NOT NULL, new_permalink TEXT NOT NULL,
    created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tombstones (
    id TEXT PRIMARY KEY, permalink TEXT NOT NULL, title TEXT NOT NULL, citation TEXT NOT NULL,
    removed_at TEXT NOT NULL, source TEXT NOT NULL);
"""


def registry_path(data_root: Path) -> Path:
    """Where a data directory keeps its registry (named by :class:`DataDir`)."""
    return DataDir(data_root).permalinks


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Tombstone:
    """A paragraph that was published and later removed from its protocol."""

    id: str
    permalink: str
    title: str
    citation: str
    removed_at: str  # ISO 8601 UTC
    source: str  # the URL of the protocol it disappeared from


@dataclass(frozen=True)
class Resolution:
    """What an id that the index does not hold stands for now.

    ``kind`` is "moved" (``new_id``/``new_permalink`` set), "gone"
    (``tombstone`` set) or "unknown" (never issued).
    """

    kind: str
    new_id: str | None = None
    new_permalink: str | None = None
    tombstone: Tombstone | None = None


@dataclass(frozen=True)
class RecordReport:
    """What one :meth:`PermalinkRegistry.record` call changed."""

    issued: int = 0
    redirected: tuple[tuple[str, str], ...] = ()  # (old id, new id)
    tombstoned: tuple[str, ...] = ()


class PermalinkRegistry:
    """A SQLite registry of issued ids, redirects and tombstones."""

    def __init__(self, path: Path, clock: Callable[[], dt.datetime] = _utc_now) -> None:
        self.path = path
        self.clock = clock
        self._readonly = False
        self._lock = threading.RLock()
        self._db: sqlite3.Connection | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.executescript(SCHEMA)
        except (OSError, sqlite3.Error):
            # A full disk or a read-only mount: permalinks must still resolve.
            self.close()
            self._readonly = True

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if self._readonly:
            with closing(connect_readonly(self.path, SCHEMA)) as db, db:
                yield db
            return
        # One connection per registry, kept open: opening and closing one per
        # record (and a rollback journal's fsyncs per commit) dominated a bulk
        # import. WAL without an fsync per commit: a killed process loses
        # nothing committed; power loss may lose the last records, which the
        # next ingest of those documents writes again.
        with self._lock:
            if self._db is None:
                db = sqlite3.connect(self.path, timeout=30.0, check_same_thread=False)
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = NORMAL")
                self._db = db
            with self._db:
                yield self._db

    def close(self) -> None:
        """Close the registry's connection (it reopens when used again)."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def _now(self) -> str:
        return self.clock().astimezone(dt.UTC).isoformat(timespec="seconds")

    # -- writing -----------------------------------------------------------

    def record(
        self, source: str, current: Iterable[Paragraph], deleted: Iterable[Paragraph]
    ) -> RecordReport:
        """Record one indexing of ``source``.

        ``current`` are the paragraphs the source holds now (all issued);
        ``deleted`` left the index entirely. A deleted paragraph whose date and
        number reappear under a new id from the same source was renamed
        (organisation or body): its old id redirects to the new one. Any other
        deleted paragraph gets a tombstone.
        """
        now = self._now()
        current = list(current)
        by_place = {(p.date, _norm(p.number)): p for p in current}
        redirected: list[tuple[str, str]] = []
        tombstoned: list[str] = []
        with self._connect() as db:
            # One statement per table for the whole document (a bulk import
            # records thousands of paragraphs a minute).
            db.executemany(
                "INSERT INTO issued VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE"
                " SET title=excluded.title, source=excluded.source,"
                " last_seen=excluded.last_seen",
                [(p.id, p.permalink, p.org, p.body, p.date.isoformat(), p.number, p.title,
                  source, now, now) for p in current],
            )
            # Back again (a correction undone): no longer gone or moved.
            ids = [(p.id,) for p in current]
            db.executemany("DELETE FROM tombstones WHERE id = ?", ids)
            db.executemany("DELETE FROM redirects WHERE old_id = ?", ids)
            for old in deleted:
                successor = by_place.get((old.date, _norm(old.number)))
                if successor is not None and successor.id != old.id:
                    self._redirect(db, old.id, successor.id, successor.permalink, now)
                    redirected.append((old.id, successor.id))
                else:
                    db.execute(
                        "INSERT OR REPLACE INTO tombstones VALUES (?,?,?,?,?,?)",
                        (old.id, old.permalink, old.title, old.citation, now, source),
                    )
                    tombstoned.append(old.id)
        return RecordReport(len(current), tuple(redirected), tuple(tombstoned))

    def _redirect(self, db: sqlite3.Connection, old_id: str, new_id: str, new_permalink: str,
                  now: str) -> None:
        db.execute("INSERT OR REPLACE INTO redirects VALUES (?,?,?,?)",
                   (old_id, new_id, new_permalink, now))
        db.execute("DELETE FROM tombstones WHERE id = ?", (old_id,))

    def alias_body(self, org: str, old_body: str, new_body: str) -> int:
        """Redirect every issued paragraph of ``old_body`` to the same § under ``new_body``.

        For a rename the automatic detection cannot see (the old protocols are
        not re-published). Only targets that were issued get a redirect;
        returns how many were added.
        """
        now = self._now()
        added = 0
        with self._connect() as db:
            rows = db.execute("SELECT id, org, date, number FROM issued").fetchall()
            issued = {row[0] for row in rows}
            for pid, p_org, raw_date, number in rows:
                date = dt.date.fromisoformat(raw_date)
                if pid != paragraph_id(org, old_body, date, number):
                    continue
                new_id = paragraph_id(p_org, new_body, date, number)
                if new_id in issued and new_id != pid:
                    link = permalink_path(p_org, new_body, date, number)
                    self._redirect(db, pid, new_id, link, now)
                    added += 1
        return added

    # -- reading -----------------------------------------------------------

    def resolve(self, pid: str) -> Resolution:
        """Follow redirects from an id the index does not hold (at most MAX_HOPS)."""
        with self._connect() as db:
            target = follow_redirects(pid, lambda old: db.execute(
                "SELECT new_id, new_permalink FROM redirects WHERE old_id = ?",
                (old,)).fetchone())
            if target is not None:
                return Resolution("moved", new_id=target[0], new_permalink=target[1])
            row = db.execute("SELECT id, permalink, title, citation, removed_at, source"
                             " FROM tombstones WHERE id = ?", (pid,)).fetchone()
        if row is not None:
            return Resolution("gone", tombstone=Tombstone(*row))
        return Resolution("unknown")

    def issued_count(self) -> int:
        with self._connect() as db:
            return int(db.execute("SELECT count(*) FROM issued").fetchone()[0])


def follow_redirects(pid: str, lookup: Callable[[str], tuple[str, str] | None]
                     ) -> tuple[str, str] | None:
    """The last (new id, new permalink) of ``pid``'s chain of redirects, or None.

    ``lookup`` answers one hop; at most MAX_HOPS are followed and a cycle stops.
    """
    target: tuple[str, str] | None = None
    seen = {pid}
    current = pid
    for _ in range(MAX_HOPS):
        row = lookup(current)
        if row is None or row[0] in seen:
            break
        target = (row[0], row[1])
        current = row[0]
        seen.add(current)
    return target


def _norm(number: str) -> str:
    # "3a" and "3 a" are the same §, as in paragraph ids.
    return "".join(number.split()).casefold()
