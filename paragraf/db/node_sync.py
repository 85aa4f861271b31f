"""The serving node's background loop: follow the change log into the local index.

Woken by LISTEN/NOTIFY when a writer commits, and by a poll every few
seconds in case a notification was missed (a restarted server, a replica:
NOTIFY is not replicated, so nodes reading a replica rely on the poll).
When PostgreSQL cannot be reached the local index keeps answering and the
status says how stale it is; the loop reconnects with a capped backoff.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg

from paragraf_se.db import index_sync, paragraph_store
from paragraf_se.db.connection import connect
from paragraf_se.db.errors import DatabaseError
from paragraf_se.indexer.engine import Engine
from paragraf_se.wiring import open_engine

log = logging.getLogger("paragraf.sync")

POLL_S = 2.0
MERGE_POLL_S = 30.0  # the merge thread looks at the segments at least this often
MAX_BACKOFF_S = 30.0


@dataclass(frozen=True)
class SyncStatus:
    """What /readyz reports about a node's index."""

    connected: bool
    position: int  # change-log position the local index contains
    head: int | None  # newest position seen in the database (None: never reached)
    last_contact: float | None  # monotonic time of the last successful read
    error: str | None

    @property
    def lag(self) -> int | None:
        return None if self.head is None else max(0, self.head - self.position)

    def as_dict(self, now: float) -> dict[str, object]:
        out: dict[str, object] = {
            "connected": self.connected, "position": self.position, "head": self.head,
            "lag_changes": self.lag,
            "seconds_since_contact": (None if self.last_contact is None
                                      else round(now - self.last_contact, 1)),
        }
        if self.error:
            out["error"] = self.error
        return out


class NodeSync:
    """Applies the change log to ``index`` in a daemon thread until :meth:`stop`."""

    def __init__(self, index: Engine, index_dir: Path, read_url: str, *,
                 clock: Callable[[], float] = time.monotonic, poll_s: float = POLL_S) -> None:
        self.index = index
        self.index_dir = index_dir
        self.read_url = read_url
        self.clock = clock
        self.poll_s = poll_s
        self._stop = threading.Event()
        self._lock = threading.Lock()
        position = index_sync.read_position(index_dir, index.generation()) or 0
        self._status = SyncStatus(False, position, None, None, None)
        self._thread = threading.Thread(target=self._run, name="paragraf-sync", daemon=True)
        # Merging small segments runs beside the applies, never in their way:
        # an apply commits no merge, so it stays cheap and the lag short.
        self._applied = threading.Event()
        self._merger = threading.Thread(target=self._merge, name="paragraf-merge", daemon=True)

    def start(self) -> NodeSync:
        self._thread.start()
        self._merger.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._applied.set()
        self._thread.join(timeout=10)
        self._merger.join(timeout=30)

    def _merge(self) -> None:
        """Merge small segments after applies, until stopped."""
        while not self._stop.is_set():
            self._applied.wait(MERGE_POLL_S)
            self._applied.clear()
            try:
                while not self._stop.is_set() and index_sync.compact(self.index,
                                                                      self.index_dir):
                    pass
            except Exception:  # a failed merge leaves the index as it was
                log.exception("merging index segments failed; will try again")
                self._stop.wait(MERGE_POLL_S)

    def status(self) -> SyncStatus:
        with self._lock:
            return self._status

    def _set(self, **changes: object) -> None:
        with self._lock:
            self._status = SyncStatus(**{**self._status.__dict__, **changes})

    def _run(self) -> None:
        backoff = 0.5
        while not self._stop.is_set():
            try:
                with connect(self.read_url) as conn:
                    backoff = 0.5
                    self._follow(conn)
            except (DatabaseError, psycopg.Error) as exc:
                self._set(connected=False, error=str(exc).strip().splitlines()[0][:300])
                log.warning("change log unreachable: %s", exc)
                self._stop.wait(backoff)
                backoff = min(MAX_BACKOFF_S, backoff * 2)
            except Exception as exc:  # e.g. a full disk: the thread must not die silently
                self._set(error=f"applying the change log failed: {exc}"[:300])
                log.exception("applying the change log failed; will try again")
                self._stop.wait(backoff)
                backoff = min(MAX_BACKOFF_S, backoff * 2)

    def catch_up(self, conn: psycopg.Connection) -> int:
        """Apply every pending change; returns how many change-log rows were applied."""
        applied = 0
        while not self._stop.is_set():
            result = index_sync.apply_changes(self.index, self.index_dir, conn)
            head = paragraph_store.head(conn)
            self._set(connected=True, position=result.position, head=head,
                      last_contact=self.clock(), error=None)
            applied += result.changes
            if result.changes == 0:
                break
            self._applied.set()
        return applied

    def _follow(self, conn: psycopg.Connection) -> None:
        # A hot standby refuses LISTEN (and NOTIFY is not replicated): poll there.
        standby = conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]
        if not standby:
            conn.execute(f"LISTEN {paragraph_store.NOTIFY_CHANNEL}")
        while not self._stop.is_set():
            self.catch_up(conn)
            if standby:
                self._stop.wait(self.poll_s)
                continue
            # Wait for a notification or the poll interval, whichever comes first.
            for _ in conn.notifies(timeout=self.poll_s, stop_after=1):
                pass


def open_node_index(index_dir: Path, read_url: str) -> Engine:
    """The node's index at start: synced from the database, or as it was when it is away.

    A node whose database is unreachable still serves its last index (stale,
    as the status will say); one with no usable index cannot start without it.
    """
    try:
        with connect(read_url) as conn:
            return index_sync.open_synced(index_dir, conn)
    except (DatabaseError, psycopg.Error) as exc:
        if index_dir.exists():
            index = open_engine(index_dir)
            if index_sync.read_position(index_dir, index.generation()) is not None:
                log.warning("database unreachable at start; serving the local index: %s", exc)
                return index
            index.close()
        raise DatabaseError(
            f"cannot build the node's index: {str(exc).strip().splitlines()[0]}") from exc
