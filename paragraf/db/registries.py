"""Permalinks and parse status in PostgreSQL, with the interfaces of the SQLite registries.

With ``--database`` every writer records permalinks (issued ids, redirects of
renamed bodies, tombstones of removed paragraphs) and parse status here, so
every serving node answers 301/410 and lists documents the same way.
Connections are opened per call from a URL: these are rare paths (an id the
index does not hold, the documents page), and a short connection cannot be
left broken by a database restart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import psycopg
from psycopg.types.json import Jsonb

from paragraf_se.db.connection import connect
from paragraf_se.indexer.model import Paragraph, paragraph_id, permalink_path
from paragraf_se.parse_status import STATUSES, DocumentStatus
from paragraf_se.permalinks import RecordReport, Resolution, Tombstone, follow_redirects


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _norm(number: str) -> str:
    return "".join(number.split()).casefold()


class PgPermalinkRegistry:
    """Issued ids, redirects and tombstones in the shared database."""

    def __init__(self, url: str, clock: Callable[[], dt.datetime] = _utc_now) -> None:
        self.url = url
        self.clock = clock

    def record(self, source: str, current: Iterable[Paragraph],
               deleted: Iterable[Paragraph]) -> RecordReport:
        """Record one indexing of ``source`` (see PermalinkRegistry.record)."""
        now = self.clock()
        current = list(current)
        by_place = {(p.date, _norm(p.number)): p for p in current}
        redirected: list[tuple[str, str]] = []
        tombstoned: list[str] = []
        with connect(self.url) as conn, conn.transaction():
            for p in current:
                conn.execute(
                    """INSERT INTO permalinks VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)
                       ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title,
                           source = EXCLUDED.source, last_seen = EXCLUDED.last_seen""",
                    (p.id, p.permalink, p.org, p.body, p.date, p.number, p.title, source,
                     now, now))
                conn.execute("DELETE FROM permalink_tombstones WHERE id = %s", (p.id,))
                conn.execute("DELETE FROM permalink_redirects WHERE old_id = %s", (p.id,))
            for old in deleted:
                successor = by_place.get((old.date, _norm(old.number)))
                if successor is not None and successor.id != old.id:
                    self._redirect(conn, old.id, successor.id, successor.permalink, now)
                    redirected.append((old.id, successor.id))
                else:
                    conn.execute(
                        """INSERT INTO permalink_tombstones VALUES (%s,%s,%s,%s,%s,%s)
                           ON CONFLICT (id) DO UPDATE SET removed_at = EXCLUDED.removed_at,
                               source = EXCLUDED.source""",
                        (old.id, old.permalink, old.title, old.citation, now, source))
                    tombstoned.append(old.id)
        return RecordReport(len(current), tuple(redirected), tuple(tombstoned))

    @staticmethod
    def _redirect(conn: psycopg.Connection, old_id: str, new_id: str, new_permalink: str,
                  now: dt.datetime) -> None:
        conn.execute(
            """INSERT INTO permalink_redirects VALUES (%s,%s,%s,%s) ON CONFLICT (old_id)
               DO UPDATE SET new_id = EXCLUDED.new_id, new_permalink = EXCLUDED.new_permalink,
                   created_at = EXCLUDED.created_at""", (old_id, new_id, new_permalink, now))
        conn.execute("DELETE FROM permalink_tombstones WHERE id = %s", (old_id,))

    def alias_body(self, org: str, old_body: str, new_body: str) -> int:
        """Redirect every issued paragraph of ``old_body`` to the same § under ``new_body``."""
        now = self.clock()
        added = 0
        with connect(self.url) as conn, conn.transaction():
            rows = conn.execute("SELECT id, org, date, number FROM permalinks").fetchall()
            issued = {row[0] for row in rows}
            for pid, p_org, date, number in rows:
                if pid != paragraph_id(org, old_body, date, number):
                    continue
                new_id = paragraph_id(p_org, new_body, date, number)
                if new_id in issued and new_id != pid:
                    self._redirect(conn, pid, new_id,
                                   permalink_path(p_org, new_body, date, number), now)
                    added += 1
        return added

    def resolve(self, pid: str) -> Resolution:
        """Follow redirects from an id the index does not hold (at most MAX_HOPS)."""
        with connect(self.url) as conn:
            target = follow_redirects(pid, lambda old: conn.execute(
                "SELECT new_id, new_permalink FROM permalink_redirects WHERE old_id = %s",
                (old,)).fetchone())
            if target is not None:
                return Resolution("moved", new_id=target[0], new_permalink=target[1])
            row = conn.execute("SELECT id, permalink, title, citation, removed_at, source "
                               "FROM permalink_tombstones WHERE id = %s", (pid,)).fetchone()
        if row is not None:
            pid_, link, title, citation, removed_at, source = row
            return Resolution("gone", tombstone=Tombstone(
                pid_, link, title, citation,
                removed_at.astimezone(dt.UTC).isoformat(timespec="seconds"), source))
        return Resolution("unknown")

    def issued_count(self) -> int:
        with connect(self.url) as conn:
            return int(conn.execute("SELECT count(*) FROM permalinks").fetchone()[0])

    def close(self) -> None:
        """Nothing held open: connections are per call."""


class PgParseStatusLog:
    """The latest parse outcome per archived capture, in the shared database."""

    def __init__(self, url: str,
                 clock: Callable[[], dt.datetime] = _utc_now) -> None:
        self.url = url
        self._clock = clock

    def record(self, capture_id: str, source: str, status: str, messages: tuple[str, ...],
               paragraphs: int) -> None:
        with connect(self.url) as conn:
            conn.execute(
                """INSERT INTO documents VALUES (%s,%s,%s,%s,%s,%s) ON CONFLICT (capture_id)
                   DO UPDATE SET status = EXCLUDED.status, messages = EXCLUDED.messages,
                       paragraphs = EXCLUDED.paragraphs, parsed_at = EXCLUDED.parsed_at""",
                (capture_id, source, status, Jsonb(list(messages)), paragraphs, self._clock()))

    def get(self, capture_id: str) -> DocumentStatus | None:
        with connect(self.url) as conn:
            row = conn.execute("SELECT * FROM documents WHERE capture_id = %s",
                               (capture_id,)).fetchone()
        return _status(row) if row else None

    def list(self, status: str | None = None, *, offset: int = 0,
             limit: int = 50) -> tuple[int, list[DocumentStatus]]:
        """(total, one page) of documents, newest parse first, optionally by status."""
        where, args = ("WHERE status = %s", (status,)) if status else ("", ())
        with connect(self.url) as conn:
            total = conn.execute(f"SELECT count(*) FROM documents {where}", args).fetchone()[0]
            rows = conn.execute(
                f"SELECT * FROM documents {where} ORDER BY parsed_at DESC, capture_id "
                "LIMIT %s OFFSET %s", (*args, limit, offset)).fetchall()
        return int(total), [_status(r) for r in rows]

    def counts(self) -> dict[str, int]:
        with connect(self.url) as conn:
            rows = conn.execute("SELECT status, count(*) FROM documents GROUP BY status"
                                ).fetchall()
        return {s: 0 for s in STATUSES} | {str(s): int(n) for s, n in rows}

    def close(self) -> None:
        """Nothing held open: connections are per call."""


def _status(row: tuple) -> DocumentStatus:
    capture_id, source, status, messages, paragraphs, parsed_at = row
    return DocumentStatus(capture_id, source, status, tuple(messages), int(paragraphs),
                          parsed_at)
