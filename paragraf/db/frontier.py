"""The crawl frontier in PostgreSQL, shared by crawl workers on any number of machines.

Same methods as ``archive.crawl.frontier.Frontier`` plus those a shared run
needs (see ``archive.crawl.shared``):

* ``lease``: ``SELECT … FOR UPDATE SKIP LOCKED`` takes the oldest pending
  row of a source (or one whose lease expired: its worker died) and marks
  it leased by this worker until ``now() + lease``. A :class:`LeaseKeeper`
  thread renews this worker's leases every third of that, so a long fetch
  keeps its URL and only a dead (or frozen) worker's URLs move on.
* ``claim_host``: ``UPDATE crawl_hosts SET next_start = greatest(next_start,
  clock_timestamp()) + delay … RETURNING`` reserves the host's next start
  slot; the row lock serialises claims, so slots of one host are ``delay``
  apart whichever worker claims them.
* ``complete``: closes the task, queues what it led to and puts its capture
  on the parse queue, in one transaction.

A run of a source is open while any of its rows is pending or leased; a
worker that starts then joins it, one that starts later begins a new run
(clears the source's rows and seeds it again), as the single-machine
frontier does.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

import psycopg
from psycopg.types.json import Jsonb

from paragraf_se.archive.crawl.frontier import Task
from paragraf_se.db.connection import connect

log = logging.getLogger("paragraf.crawl")
DEFAULT_LEASE_SECONDS = 60.0
# A URL whose worker died this many times is not handed out again: it is
# more likely to be what kills workers than bad luck.
MAX_ATTEMPTS = 3


def worker_id() -> str:
    """host:pid:random, unique per process and readable in ``frontier.leased_by``."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def _meta(task: Task) -> Jsonb:
    return Jsonb(dict(task.meta))


class LeaseKeeper:
    """A thread renewing every lease one worker holds (frontier and parse queue)."""

    def __init__(self, url: str, worker: str, lease_seconds: float) -> None:
        self._conn = connect(url)
        self._worker = worker
        self._lease = lease_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lease-keeper", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._lease / 3):
            try:
                for table in ("frontier", "parse_queue"):
                    state = "state = 'leased'" if table == "frontier" else "taken_at IS NULL"
                    self._conn.execute(
                        f"UPDATE {table} SET lease_until = clock_timestamp()"
                        f" + make_interval(secs => %s) WHERE leased_by = %s AND {state}",
                        (self._lease, self._worker))
            except psycopg.Error as exc:
                # The next round tries again; a lease lost meanwhile costs a refetch.
                log.warning("lease-renewal-failed worker=%s error=%r", self._worker, str(exc))

    def close(self) -> None:
        """Stop renewing (the leases then expire unless released)."""
        self._stop.set()
        self._thread.join(timeout=10)
        self._conn.close()


class PgFrontier:
    """One worker's handle on the shared frontier; use from one thread (plus its keeper)."""

    shared = True

    def __init__(self, url: str, *, worker: str | None = None,
                 lease_seconds: float = DEFAULT_LEASE_SECONDS) -> None:
        self.worker = worker or worker_id()
        self.lease_seconds = lease_seconds
        self._conn = connect(url)
        self._lock = threading.Lock()
        self._keeper = LeaseKeeper(url, self.worker, lease_seconds)

    def close(self) -> None:
        """Stop renewing leases and close the connections."""
        self._keeper.close()
        self._conn.close()

    # -- the single-process frontier's methods -----------------------------

    def begin(self, source: str, seeds: Iterable[Task], *, restart: bool = False) -> bool:
        """Join the open run of ``source`` (True) or start a new one from ``seeds`` (False)."""
        with self._lock, self._conn.transaction():
            # One worker at a time decides whether a run is open.
            self._conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 7))",
                               (f"crawl:{source}",))
            open_rows = self._conn.execute(
                "SELECT count(*) FROM frontier WHERE source = %s"
                " AND state IN ('pending', 'leased')", (source,)).fetchone()[0]
            resume = open_rows > 0 and not restart
            if not resume:
                self._conn.execute("DELETE FROM frontier WHERE source = %s", (source,))
                self._insert(source, list(seeds))
        return resume

    def _insert(self, source: str, tasks: Sequence[Task]) -> None:
        if not tasks:
            return
        with self._conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO frontier (source, url, host, role, depth, meta)"
                " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (source, url) DO NOTHING",
                [(source, t.url, urlsplit(t.url).netloc, t.role, t.depth, _meta(t))
                 for t in tasks])

    def finish(self, source: str) -> None:
        """Nothing to record: a run with no open rows is finished by definition."""

    def known(self, source: str) -> list[str]:
        """Every URL queued in the current run (for de-duplication and trap counters)."""
        with self._lock:
            rows = self._conn.execute("SELECT url FROM frontier WHERE source = %s", (source,))
            return [r[0] for r in rows.fetchall()]

    def pending(self, source: str) -> list[Task]:
        """Tasks no worker has leased yet, in queue order."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT url, role, depth, meta FROM frontier WHERE source = %s"
                " AND state = 'pending' ORDER BY seq", (source,)).fetchall()
        return [Task(u, r, d, tuple(sorted(m.items()))) for u, r, d, m in rows]

    def add(self, source: str, tasks: Iterable[Task]) -> None:
        """Queue tasks; ones already queued in this run are ignored."""
        with self._lock, self._conn.transaction():
            self._insert(source, list(tasks))

    def complete(self, source: str, url: str, state: str, *, reason: str | None = None,
                 new_tasks: Iterable[Task] = (), capture_id: str | None = None) -> None:
        """Close a task and, atomically, queue what it led to and hand off its capture."""
        with self._lock, self._conn.transaction():
            closed = self._conn.execute(
                "UPDATE frontier SET state = %s, reason = %s, leased_by = NULL,"
                " lease_until = NULL WHERE source = %s AND url = %s"
                " AND state IN ('pending', 'leased')", (state, reason, source, url)).rowcount
            if not closed:
                # Our lease expired and another worker finished the URL first.
                log.warning("complete-late source=%s url=%s worker=%s", source, url, self.worker)
            self._insert(source, list(new_tasks))
            if capture_id is not None:
                # As in the single-machine frontier: content that changes back to
                # an earlier version is handed off again.
                self._conn.execute(
                    "INSERT INTO parse_queue (capture_id, source) VALUES (%s, %s)"
                    " ON CONFLICT (capture_id) DO UPDATE SET taken_at = NULL, leased_by = NULL,"
                    " lease_until = NULL, enqueued_at = now(),"
                    " seq = nextval(pg_get_serial_sequence('parse_queue', 'seq'))",
                    (capture_id, source))

    def handed_off(self, capture_id: str) -> bool:
        """Whether this capture was ever put on the parse queue."""
        with self._lock:
            return self._conn.execute("SELECT 1 FROM parse_queue WHERE capture_id = %s",
                                      (capture_id,)).fetchone() is not None

    # -- what a shared run adds ---------------------------------------------

    def lease(self, source: str, *, busy_hosts: Sequence[str] = ()) -> Task | None:
        """The oldest pending (or expired) task of ``source`` off ``busy_hosts``, leased to us."""
        with self._lock, self._conn.transaction():
            self._conn.execute(
                "UPDATE frontier SET state = 'failed', leased_by = NULL, lease_until = NULL,"
                " reason = 'its worker was lost ' || attempts || ' times'"
                " WHERE source = %s AND state = 'leased' AND lease_until < clock_timestamp()"
                " AND attempts >= %s", (source, MAX_ATTEMPTS))
            row = self._conn.execute(
                """WITH candidate AS (
                       SELECT seq FROM frontier
                       WHERE source = %(source)s AND NOT (host = ANY(%(busy)s))
                         AND (state = 'pending'
                              OR (state = 'leased' AND lease_until < clock_timestamp()))
                       ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED)
                   UPDATE frontier AS f SET state = 'leased', leased_by = %(worker)s,
                       lease_until = clock_timestamp() + make_interval(secs => %(lease)s),
                       attempts = f.attempts + 1
                   FROM candidate WHERE f.seq = candidate.seq
                   RETURNING f.url, f.role, f.depth, f.meta""",
                {"source": source, "busy": list(busy_hosts), "worker": self.worker,
                 "lease": self.lease_seconds}).fetchone()
        if row is None:
            return None
        url, role, depth, meta = row
        return Task(url, role, depth, tuple(sorted(meta.items())))

    def claim_host(self, host: str, delay: float) -> float:
        """Reserve the next start slot of ``host`` for us; seconds until it begins."""
        with self._lock, self._conn.transaction():
            self._conn.execute("INSERT INTO crawl_hosts (host) VALUES (%s)"
                               " ON CONFLICT (host) DO NOTHING", (host,))
            wait = self._conn.execute(
                "UPDATE crawl_hosts SET next_start = greatest(next_start, clock_timestamp())"
                " + make_interval(secs => %(delay)s) WHERE host = %(host)s"
                " RETURNING extract(epoch FROM next_start"
                " - make_interval(secs => %(delay)s) - clock_timestamp())",
                {"host": host, "delay": delay}).fetchone()[0]
        return max(0.0, float(wait))

    def outstanding(self, source: str) -> int:
        """Tasks of ``source`` pending or leased by any worker."""
        with self._lock:
            return int(self._conn.execute(
                "SELECT count(*) FROM frontier WHERE source = %s"
                " AND state IN ('pending', 'leased')", (source,)).fetchone()[0])

    def release(self, source: str) -> None:
        """Give our unfinished leases of ``source`` back to the other workers now."""
        with self._lock:
            self._conn.execute(
                "UPDATE frontier SET state = 'pending', leased_by = NULL, lease_until = NULL,"
                " attempts = greatest(attempts - 1, 0)"
                " WHERE source = %s AND leased_by = %s AND state = 'leased'",
                (source, self.worker))
