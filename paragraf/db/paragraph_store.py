"""Paragraphs in PostgreSQL, every change recorded in the ordered change log.

The store has the same write semantics as the embedded index
(``replace_source``: a source's paragraphs replace what it had before, a
paragraph shared by two sources keeps both and shows the better one's text),
so a node that replays the change log into its own index ends with exactly
the paragraphs an embedded deployment would have.

Ordering: a change-log row's ``seq`` comes from a sequence, and sequences do
not follow commit order. Writers therefore take one advisory lock just before
they append to the log and hold it to commit, so rows become visible in
``seq`` order and a reader that has seen ``seq`` N has seen every row below N.
Only the tail of each write transaction is serialised.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import psycopg
from psycopg.types.json import Jsonb

from paragraf_se.indexer.engine import IndexChange
from paragraf_se.indexer.model import Paragraph
from paragraf_se.indexer.serialize import paragraph_from_dict, paragraph_to_dict
from paragraf_se.indexer.source_replace import plan_replace

NOTIFY_CHANNEL = "paragraf_changes"
_LOG_LOCK = 0x50415242  # advisory lock key that orders change-log appends


@dataclass(frozen=True)
class Change:
    """One change-log row."""

    seq: int
    paragraph_id: str
    op: str  # "upsert" | "delete"


def _lock_ids(conn: psycopg.Connection, ids: Iterable[str]) -> None:
    # Per-paragraph transaction locks, taken in a fixed order so two writers
    # sharing paragraphs cannot deadlock, and a merge never races an insert.
    for pid in sorted(set(ids)):
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (pid,))


def _load(conn: psycopg.Connection, ids: Sequence[str]) -> dict[str, Paragraph]:
    rows = conn.execute("SELECT doc FROM paragraphs WHERE id = ANY(%s)", (list(ids),)).fetchall()
    return {p.id: p for p in (paragraph_from_dict(r[0]) for r in rows)}


def _ids_of_source(conn: psycopg.Connection, url: str) -> list[str]:
    rows = conn.execute("SELECT paragraph_id FROM paragraph_sources WHERE url = %s", (url,))
    return [r[0] for r in rows.fetchall()]


def _write(conn: psycopg.Connection, p: Paragraph) -> None:
    conn.execute(
        """INSERT INTO paragraphs (id, org, body, date, number, primary_capture, doc, updated_seq)
           VALUES (%s, %s, %s, %s, %s, %s, %s, 0)
           ON CONFLICT (id) DO UPDATE SET org = EXCLUDED.org, body = EXCLUDED.body,
               date = EXCLUDED.date, number = EXCLUDED.number,
               primary_capture = EXCLUDED.primary_capture, doc = EXCLUDED.doc""",
        (p.id, p.org, p.body, p.date, p.number, p.source.capture_id,
         Jsonb(paragraph_to_dict(p))))
    conn.execute("DELETE FROM paragraph_sources WHERE paragraph_id = %s", (p.id,))
    conn.cursor().executemany(
        "INSERT INTO paragraph_sources (paragraph_id, url) VALUES (%s, %s) ON CONFLICT DO NOTHING",
        [(p.id, s.url) for s in p.sources])


_WRITE_MANY = """
    INSERT INTO paragraphs (id, org, body, date, number, primary_capture, doc, updated_seq)
    SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::date[], %s::text[],
                         %s::text[], %s::jsonb[], %s::bigint[])
    ON CONFLICT (id) DO UPDATE SET org = EXCLUDED.org, body = EXCLUDED.body,
        date = EXCLUDED.date, number = EXCLUDED.number,
        primary_capture = EXCLUDED.primary_capture, doc = EXCLUDED.doc"""


def _write_many(conn: psycopg.Connection, paragraphs: Sequence[Paragraph]) -> None:
    """:func:`_write` for many distinct paragraphs in a constant number of statements.

    One statement per row made an import round-trip-bound (about 400 §/s).
    """
    conn.execute(_WRITE_MANY, (
        [p.id for p in paragraphs], [p.org for p in paragraphs], [p.body for p in paragraphs],
        [p.date for p in paragraphs], [p.number for p in paragraphs],
        [p.source.capture_id for p in paragraphs],
        [Jsonb(paragraph_to_dict(p)) for p in paragraphs], [0] * len(paragraphs)))
    ids = [p.id for p in paragraphs]
    conn.execute("DELETE FROM paragraph_sources WHERE paragraph_id = ANY(%s)", (ids,))
    pairs = [(p.id, s.url) for p in paragraphs for s in p.sources]
    conn.execute(
        """INSERT INTO paragraph_sources (paragraph_id, url)
           SELECT * FROM unnest(%s::text[], %s::text[]) ON CONFLICT DO NOTHING""",
        ([pid for pid, _ in pairs], [url for _, url in pairs]))


def _append_log(conn: psycopg.Connection, ops: Sequence[tuple[str, str]]) -> int | None:
    """Append (paragraph_id, op) rows in the given order; returns the last seq.

    A constant number of statements whatever the batch size. A node applies
    a transaction's rows together and reads each paragraph's current row, so
    only the order between transactions matters, which the lock gives.
    """
    if not ops:
        return None
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOG_LOCK,))
    rows = conn.execute(
        """INSERT INTO change_log (paragraph_id, op)
           SELECT pid, op FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS t(pid, op, n)
           ORDER BY n
           RETURNING seq, paragraph_id, op""",
        ([pid for pid, _ in ops], [op for _, op in ops])).fetchall()
    newest: dict[str, int] = {}
    for seq, pid, op in rows:
        if op == "upsert" and seq > newest.get(pid, 0):
            newest[pid] = seq
    if newest:
        conn.execute(
            """UPDATE paragraphs p SET updated_seq = u.seq
               FROM unnest(%s::text[], %s::bigint[]) AS u(id, seq) WHERE p.id = u.id""",
            (list(newest), list(newest.values())))
    last = max(r[0] for r in rows)
    conn.execute("SELECT pg_notify(%s, %s)", (NOTIFY_CHANNEL, str(last)))
    return last


def replace_source(conn: psycopg.Connection, url: str,
                   paragraphs: Sequence[Paragraph]) -> IndexChange:
    """Make the store hold exactly ``paragraphs`` from source ``url``, in one transaction."""
    with conn.transaction():
        before = _ids_of_source(conn, url)
        _lock_ids(conn, [*before, *(p.id for p in paragraphs)])
        before = _ids_of_source(conn, url)  # again, now that the ids are locked
        current = _load(conn, [*before, *(p.id for p in paragraphs)])
        plan = plan_replace(url, paragraphs, current,
                            (current[pid] for pid in before if pid in current))
        ops: list[tuple[str, str]] = []
        for p in plan.writes:
            _write(conn, p)
            ops.append((p.id, "upsert"))
        for old in plan.deletes:
            conn.execute("DELETE FROM paragraphs WHERE id = %s", (old.id,))
            ops.append((old.id, "delete"))
        _append_log(conn, ops)
    return plan.change


def add_many(conn: psycopg.Connection, paragraphs: Iterable[Paragraph],
             batch_size: int = 1000) -> int:
    """Insert or overwrite paragraphs as they are (an import), logging each one."""
    count = 0
    batch: list[Paragraph] = []

    def flush() -> None:
        # The last version of an id repeated within one batch wins, as row by row.
        distinct = list({p.id: p for p in batch}.values())
        with conn.transaction():
            _write_many(conn, distinct)
            _append_log(conn, [(p.id, "upsert") for p in batch])
        batch.clear()

    for p in paragraphs:
        batch.append(p)
        count += 1
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return count


def head(conn: psycopg.Connection) -> int:
    """The newest change-log position (0 for an empty log)."""
    return conn.execute("SELECT coalesce(max(seq), 0) FROM change_log").fetchone()[0]


def changes_since(conn: psycopg.Connection, seq: int, limit: int) -> list[Change]:
    """Up to ``limit`` change-log rows after ``seq``, in order."""
    rows = conn.execute(
        "SELECT seq, paragraph_id, op FROM change_log WHERE seq > %s ORDER BY seq LIMIT %s",
        (seq, limit)).fetchall()
    return [Change(*r) for r in rows]


def fetch(conn: psycopg.Connection, ids: Sequence[str]) -> dict[str, Paragraph]:
    """The current version of each id that still exists."""
    return _load(conn, ids)


def count(conn: psycopg.Connection) -> int:
    """How many paragraphs the store holds."""
    return conn.execute("SELECT count(*) FROM paragraphs").fetchone()[0]


def iter_all(conn: psycopg.Connection, chunk: int = 2000) -> Iterator[Paragraph]:
    """Every paragraph in id order, read in chunks (keyset paging, no long cursor)."""
    last = ""
    while True:
        rows = conn.execute("SELECT id, doc FROM paragraphs WHERE id > %s ORDER BY id LIMIT %s",
                            (last, chunk)).fetchall()
        if not rows:
            return
        for _, doc in rows:
            yield paragraph_from_dict(doc)
        last = rows[-1][0]


def iter_in_log_order(conn: psycopg.Connection, chunk: int = 2000) -> Iterator[Paragraph]:
    """Every paragraph in the order of its last change (ingest order), streamed.

    A node's index built in this order has its documents in the order an
    embedded index written by the same ingest has them: meetings together,
    rather than scattered by id hash, which keeps posting lists as compact.
    A server-side cursor (one sort, rows fetched ``chunk`` at a time); the
    caller holds the transaction it lives in.
    """
    with conn.cursor(name="paragraphs_in_log_order") as cur:
        cur.itersize = chunk
        cur.execute("SELECT doc FROM paragraphs ORDER BY updated_seq, id")
        for (doc,) in cur:
            yield paragraph_from_dict(doc)
