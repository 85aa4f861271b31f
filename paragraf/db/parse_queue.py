"""The parse queue in PostgreSQL: archived captures waiting to be parsed and indexed.

Crawl workers put captures here in the transaction that closes their
frontier row. Parse workers (``paragraf worker parse``, or a crawl process
after each source) lease one capture at a time with ``FOR UPDATE SKIP
LOCKED``, parse it and write its paragraphs, then mark it taken. A worker
that dies leaves a lease that expires; the capture is parsed again by
another (replacing a source's paragraphs is idempotent).
"""

from __future__ import annotations

import psycopg

from paragraf_se.archive.sniff import PDF

# A capture whose parse worker died this many times is not handed out again
# (it is more likely what kills them); it stays in the queue for a person.
MAX_ATTEMPTS = 3


class ParseQueue:
    """One worker's handle on the queue (its leases are renewed by a LeaseKeeper)."""

    def __init__(self, conn: psycopg.Connection, worker: str, lease_seconds: float) -> None:
        self._conn = conn
        self.worker = worker
        self.lease_seconds = lease_seconds

    def lease(self) -> str | None:
        """The next capture to parse, leased to us; meeting pages before PDFs.

        Order matters as on one machine: a protocol PDF indexed after the
        meeting page of the same meeting has its text win for shared §§.
        """
        row = self._conn.execute(
            """WITH candidate AS (
                   SELECT q.capture_id FROM parse_queue AS q
                   JOIN captures AS c ON c.id = q.capture_id
                   WHERE q.taken_at IS NULL AND q.attempts < %(max)s
                     AND (q.lease_until IS NULL OR q.lease_until < clock_timestamp())
                   ORDER BY c.content_type = %(pdf)s, q.seq LIMIT 1
                   FOR UPDATE OF q SKIP LOCKED)
               UPDATE parse_queue AS q SET leased_by = %(worker)s, attempts = q.attempts + 1,
                   lease_until = clock_timestamp() + make_interval(secs => %(lease)s)
               FROM candidate WHERE q.capture_id = candidate.capture_id
               RETURNING q.capture_id""",
            {"pdf": PDF, "worker": self.worker, "lease": self.lease_seconds,
             "max": MAX_ATTEMPTS}).fetchone()
        return row[0] if row else None

    def done(self, capture_id: str) -> None:
        """The capture's paragraphs are written: never hand it out again (until re-queued)."""
        self._conn.execute(
            "UPDATE parse_queue SET taken_at = now(), leased_by = NULL, lease_until = NULL"
            " WHERE capture_id = %s AND leased_by = %s", (capture_id, self.worker))

    def waiting(self) -> int:
        """Captures still to parse: unleased, or leased by a worker that may still be alive."""
        return int(self._conn.execute(
            "SELECT count(*) FROM parse_queue WHERE taken_at IS NULL AND (attempts < %s"
            " OR lease_until >= clock_timestamp())", (MAX_ATTEMPTS,)).fetchone()[0])
