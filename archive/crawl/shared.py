"""A crawl run whose tasks come from a frontier shared by several worker processes.

The single-process :class:`CrawlRun` loads the pending tasks into per-host
queues and paces hosts with its own clock. Several workers (possibly on
several machines) cannot do that: each would fetch every URL, and each
would keep its own distance to a host. Here the shared frontier is the
authority for both:

* a task is *leased* from the frontier when a fetch thread is free (the
  frontier hands each pending URL to one worker; a lease that its worker
  stops renewing expires and goes to another);
* before a fetch starts, its host's next slot is *claimed* in the frontier,
  atomically across all workers; the fetch thread sleeps until that slot.
  Slots of one host are ``delay`` apart whoever claims them, so request
  starts to a host keep the delay across workers;
* what a fetch leads to is queued in the shared frontier by ``complete``
  (in the same transaction that closes the task), where any worker may
  lease it; the run ends when no task of the source is pending or leased.

The frontier is any object with the methods of :class:`SharedFrontier`
(the PostgreSQL one is ``paragraf.db.frontier.PgFrontier``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Protocol
from urllib.parse import urlsplit

from paragraf_se.archive.crawl.engine import CrawlReport, CrawlRun
from paragraf_se.archive.crawl.frontier import Task
from paragraf_se.archive.fetch import FetchResult

log = logging.getLogger("paragraf.crawl")
POLL_SECONDS = 0.2  # how often to look again while other workers hold every task


class SharedFrontier(Protocol):
    """What a shared frontier offers beyond the single-process one."""

    def begin(self, source: str, seeds: Iterable[Task], *, restart: bool = False) -> bool: ...
    def known(self, source: str) -> list[str]: ...
    def finish(self, source: str) -> None: ...
    def complete(self, source: str, url: str, state: str, *, reason: str | None = None,
                 new_tasks: Iterable[Task] = (), capture_id: str | None = None) -> None: ...
    def handed_off(self, capture_id: str) -> bool: ...

    def lease(self, source: str, *, busy_hosts: Sequence[str] = ()) -> Task | None:
        """A pending (or expired) task of ``source`` not on ``busy_hosts``, now ours."""

    def claim_host(self, host: str, delay: float) -> float:
        """Reserve the host's next start slot; seconds to wait until it."""

    def outstanding(self, source: str) -> int:
        """Tasks of ``source`` pending or leased by any worker."""

    def release(self, source: str) -> None:
        """Give back this worker's unfinished leases of ``source`` (on exit)."""


class SharedCrawlRun(CrawlRun):
    """One worker's part of a run of one source on a shared frontier."""

    frontier: SharedFrontier  # type: ignore[assignment]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._waits: dict[str, float] = {}

    @property
    def queued(self) -> int:
        """URLs this worker holds (the rest of the frontier belongs to all workers)."""
        return sum(self._in_flight.values())

    def run(self) -> CrawlReport:
        """Take part in the run until no task of the source is pending or leased."""
        resumed = self._begin()
        log.info("start source=%s kind=%s shared=1 resumed=%s", self.source.name,
                 self.strategy.kind, resumed)
        try:
            self._loop()
        finally:
            # Leases of fetches we will not finish go back at once, not at expiry.
            self.frontier.release(self.source.name)
        left = self.frontier.outstanding(self.source.name)
        if left == 0:
            self.frontier.finish(self.source.name)
        return self._report(resumed, left)

    def _push(self, task: Task) -> None:
        # New tasks are already in the shared frontier (queued by complete()).
        pass

    def _next_ready(self) -> tuple[Task | None, float]:
        busy = [host for host, n in self._in_flight.items()
                if n >= self.limits.concurrency_per_host]
        task = self.frontier.lease(self.source.name, busy_hosts=busy)
        if task is None:
            if self.frontier.outstanding(self.source.name) == 0:
                return None, float("inf")  # done, once our own fetches are
            return None, POLL_SECONDS
        if self.robots.allowed(task.url):
            host = urlsplit(task.url).netloc
            delay = max(self.limits.delay, self.robots.crawl_delay(task.url) or 0.0)
            self._waits[task.url] = self.frontier.claim_host(host, delay)
        return task, 0.0

    def _timed_fetch(self, task: Task, validators: tuple[str | None, str | None]
                     ) -> tuple[FetchResult, float]:
        wait = self._waits.pop(task.url, 0.0)
        if wait > 0:
            self._sleep(wait)  # until the host slot claimed across all workers
        return super()._timed_fetch(task, validators)
