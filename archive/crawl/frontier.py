"""The persistent crawl frontier: what each source still has to fetch, and hand-offs.

One SQLite file (``crawl-state.sqlite`` beside the archive) so that a crawl
killed at any moment resumes where it stopped instead of starting over.

Tables:

``frontier``  one row per (source, URL) ever queued in the current run of
              that source: ``pending`` until the archive has committed what
              the fetch returned, then ``done``/``failed``/``skipped``. A row
              is marked done only *after* the archive commit, so a crash in
              between refetches the URL (the archive turns that into a
              revisit) and never loses a capture.
``handoff``   captures the crawl produced that the next stage (parse and
              index) has not taken yet. Inserted in the same transaction
              that marks the frontier row done.
``runs``      per source: whether its last run finished.

A source whose last run finished starts afresh (the frontier is cleared and
re-seeded, which is how a re-crawl finds new meetings); one with pending
rows resumes them.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS frontier (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    url TEXT NOT NULL,
    role TEXT NOT NULL,
    depth INTEGER NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'done', 'failed', 'skipped')),
    reason TEXT,
    UNIQUE (source, url)
);
CREATE INDEX IF NOT EXISTS frontier_state ON frontier (source, state, seq);
CREATE TABLE IF NOT EXISTS handoff (
    capture_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    seq INTEGER NOT NULL,
    taken INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS runs (
    source TEXT PRIMARY KEY,
    finished INTEGER NOT NULL DEFAULT 0
);
"""


@dataclass(frozen=True)
class Task:
    """One URL to fetch for a source, with what the crawl knows about it."""

    url: str  # canonical; the frontier key
    role: str
    depth: int = 0
    meta: tuple[tuple[str, str], ...] = ()

    def facts(self) -> dict[str, str]:
        return dict(self.meta)


def _meta(pairs: Iterable[tuple[str, str]]) -> str:
    return json.dumps(dict(pairs), sort_keys=True, ensure_ascii=False)


class Frontier:
    """Crawl state for every source in one SQLite file; safe to use from one thread at a time."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA busy_timeout = 10000")
        self._db.execute("PRAGMA journal_mode = WAL")
        # NORMAL survives a killed process (WAL); only power loss may lose the
        # last commits, which merely refetches a few URLs.
        self._db.execute("PRAGMA synchronous = NORMAL")
        with self._lock:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def _tx(self, statements: list[tuple[str, tuple[object, ...]]]) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for sql, params in statements:
                    self._db.execute(sql, params)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def begin(self, source: str, seeds: Iterable[Task], *, restart: bool = False) -> bool:
        """Start a run of ``source``; returns True when it resumes an unfinished one."""
        with self._lock:
            row = self._db.execute(
                "SELECT finished FROM runs WHERE source = ?", (source,)).fetchone()
            pending = self._db.execute(
                "SELECT count(*) FROM frontier WHERE source = ? AND state = 'pending'",
                (source,)).fetchone()[0]
        resume = row is not None and not row[0] and pending > 0 and not restart
        statements: list[tuple[str, tuple[object, ...]]] = [
            ("INSERT INTO runs (source, finished) VALUES (?, 0)"
             " ON CONFLICT (source) DO UPDATE SET finished = 0", (source,)),
        ]
        if not resume:
            statements.append(("DELETE FROM frontier WHERE source = ?", (source,)))
            statements.extend(self._insert(source, t) for t in seeds)
        self._tx(statements)
        return resume

    @staticmethod
    def _insert(source: str, task: Task) -> tuple[str, tuple[object, ...]]:
        return ("INSERT OR IGNORE INTO frontier (source, url, role, depth, meta)"
                " VALUES (?, ?, ?, ?, ?)",
                (source, task.url, task.role, task.depth, _meta(task.meta)))

    def finish(self, source: str) -> None:
        """Mark the run of ``source`` finished: the next run starts afresh."""
        self._tx([("UPDATE runs SET finished = 1 WHERE source = ?", (source,))])

    def known(self, source: str) -> list[str]:
        """Every URL queued in the current run (for de-duplication and trap counters)."""
        with self._lock:
            rows = self._db.execute("SELECT url FROM frontier WHERE source = ?", (source,))
            return [r[0] for r in rows.fetchall()]

    def pending(self, source: str) -> list[Task]:
        """Tasks still to fetch, in the order they were queued."""
        with self._lock:
            rows = self._db.execute(
                "SELECT url, role, depth, meta FROM frontier WHERE source = ?"
                " AND state = 'pending' ORDER BY seq", (source,)).fetchall()
        return [Task(u, r, d, tuple(sorted(json.loads(m).items()))) for u, r, d, m in rows]

    def add(self, source: str, tasks: Iterable[Task]) -> None:
        """Queue tasks (already de-duplicated by the caller; duplicates are ignored here too)."""
        statements = [self._insert(source, t) for t in tasks]
        if statements:
            self._tx(statements)

    def complete(self, source: str, url: str, state: str, *, reason: str | None = None,
                 new_tasks: Iterable[Task] = (), capture_id: str | None = None) -> None:
        """Close a task and, atomically, queue what it led to and hand off its capture."""
        statements: list[tuple[str, tuple[object, ...]]] = [
            ("UPDATE frontier SET state = ?, reason = ? WHERE source = ? AND url = ?",
             (state, reason, source, url)),
        ]
        statements.extend(self._insert(source, t) for t in new_tasks)
        if capture_id is not None:
            statements.append((
                # Upsert: content that changes back to an earlier version is
                # handed off again, as the index holds the other version.
                "INSERT INTO handoff (capture_id, source, seq) VALUES"
                " (?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM handoff))"
                " ON CONFLICT (capture_id) DO UPDATE SET taken = 0, seq = excluded.seq",
                (capture_id, source)))
        self._tx(statements)

    def handed_off(self, capture_id: str) -> bool:
        """Whether this capture was ever handed off (taken or not)."""
        with self._lock:
            return self._db.execute(
                "SELECT 1 FROM handoff WHERE capture_id = ?", (capture_id,)).fetchone() is not None

    def untaken(self) -> list[str]:
        """Capture ids handed off but not yet taken by the next stage, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT capture_id FROM handoff WHERE taken = 0 ORDER BY seq").fetchall()
        return [r[0] for r in rows]

    def take(self, capture_id: str) -> None:
        """The next stage has finished with this capture."""
        self._tx([("UPDATE handoff SET taken = 1 WHERE capture_id = ?", (capture_id,))])
