"""The crawl loop shared by every source kind: politeness, bounds, archive, frontier.

A :class:`Strategy` (one per kind) says where to start, how to fetch a task
and what a fetched task leads to. The engine does the rest:

* fetches run on a small thread pool, at most ``concurrency_per_host`` per
  host, request starts ``delay`` seconds apart per host (or robots.txt's
  Crawl-delay, if longer); everything else (archive writes, the frontier,
  link scope) happens on the calling thread, so there is one writer;
* robots.txt is honoured for every URL; ``max_pages`` fetches per run;
* every fetched URL is closed in the frontier only after the archive has
  committed its capture, and new or changed captures are handed off to the
  next stage (parse + index) in the same frontier transaction.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from paragraf_se.archive.crawl.config import Limits, SourceConfig
from paragraf_se.archive.crawl.frontier import Frontier, Task
from paragraf_se.archive.crawl.robots import RobotsPolicy
from paragraf_se.archive.crawl.scope import Scope
from paragraf_se.archive.crawl.urls import canonical_url
from paragraf_se.archive.fetch import Fetcher, FetchResult
from paragraf_se.archive.model import Capture
from paragraf_se.archive.sniff import HTML, PDF, media_type, sniff
from paragraf_se.archive.store import Archive

log = logging.getLogger("paragraf.crawl")
_MAX_FAILURE_EXAMPLES = 50


def failure_reason(result: FetchResult) -> str:
    """A short, countable reason for a failed fetch (details go to the log)."""
    error = result.error or ""
    if error.startswith("deadline"):
        return "over the total deadline"
    if error.startswith("timeout"):
        return "timeout"
    if error.startswith("body too large"):
        return "too large"
    if error.startswith("TooManyRedirects"):
        return "too many redirects"
    if error.startswith(("ConnectError", "ConnectTimeout", "RemoteProtocolError",
                         "ReadError", "NetworkError")):
        return "connection failed"
    if error:
        return error.split(":", 1)[0][:60]
    return f"HTTP {result.status}"


def _canonical_or_as_is(url: str) -> str:
    # A start URL the library refuses is fetched as given: the fetch then fails
    # with a reason in the report, instead of the whole run failing to start.
    try:
        return canonical_url(url)
    except ValueError:
        return url


@dataclass(frozen=True)
class CrawlReport:
    """What one run of one source did."""

    source: str
    fetched: int
    new: int
    unchanged: int
    failed: tuple[tuple[str, int], ...]  # reason → count
    skipped: tuple[tuple[str, int], ...]  # reason → count (robots, traps, scope)
    failures: tuple[tuple[str, str], ...]  # (url, detail), the first few
    left: int  # tasks still pending (max_pages reached or interrupted)
    resumed: bool
    handed_off: int  # captures handed to the next stage

    @property
    def failed_count(self) -> int:
        return sum(n for _, n in self.failed)


@dataclass
class _Outcome:
    state: str = "done"
    reason: str | None = None
    capture_id: str | None = None
    new_tasks: list[Task] = field(default_factory=list)


class Strategy:
    """Per-kind behaviour; the default is a plain GET of the task's URL."""

    kind = "generic"

    def __init__(self, source: SourceConfig) -> None:
        self.source = source

    def seeds(self) -> list[Task]:
        """The tasks a fresh run starts from."""
        raise NotImplementedError

    def fetch(self, task: Task, fetcher: Fetcher, validators: tuple[str | None, str | None]
              ) -> FetchResult:
        """Runs on a worker thread: fetch the task (conditionally when validators are known)."""
        return fetcher.fetch(task.url, etag=validators[0], last_modified=validators[1])

    def expects_pdf(self, task: Task) -> bool:
        """Whether the task's role promises a PDF (so other content is a problem)."""
        return False

    def keep(self, task: Task, content_type: str) -> bool:
        """Whether to archive a successful response of this type."""
        return True

    def enrich(self, task: Task, body: bytes, base_url: str, declared: str | None) -> Task:
        """Facts the page itself tells (body name, date) before it is stored."""
        return task

    def follow(self, task: Task, body: bytes, base_url: str, declared: str | None,
               run: CrawlRun) -> None:
        """Queue what an HTML page links to, through ``run.discover``."""

    def handle(self, task: Task, result: FetchResult, run: CrawlRun) -> None:
        """Main thread: archive the result and queue follow-ups."""
        run.handle_document(task, result)


class CrawlRun:
    """One run of one source against an archive and a frontier."""

    def __init__(self, strategy: Strategy, *, archive: Archive, frontier: Frontier,
                 fetcher: Fetcher, robots: RobotsPolicy, workers: int = 4,
                 max_pages: int | None = None, restart: bool = False,
                 progress: Callable[[CrawlRun], None] | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.strategy = strategy
        self.source = strategy.source
        self.limits: Limits = self.source.limits
        self.archive = archive
        self.frontier = frontier
        self.fetcher = fetcher
        self.robots = robots
        self.workers = max(1, workers)
        self.max_pages = max_pages if max_pages is not None else self.limits.max_pages
        self.restart = restart
        self.progress = progress
        self._clock = clock
        self._sleep = sleep
        self.scope = Scope(self.source.hosts(), self.limits, include=self.source.include,
                           exclude=self.source.exclude)
        self.fetched = self.new = self.unchanged = self.handed_off = 0
        self.failed: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()
        self.failures: list[tuple[str, str]] = []
        self._known: set[str] = set()
        self._queues: dict[str, deque[Task]] = {}
        self._in_flight: Counter[str] = Counter()
        self._next_start: dict[str, float] = {}
        self._outcome = _Outcome()

    @property
    def queued(self) -> int:
        """URLs of this run still waiting or in flight (for progress: fetched/known)."""
        return sum(len(q) for q in self._queues.values()) + sum(self._in_flight.values())

    # -- used by strategies ----------------------------------------------

    def discover(self, url: str, role: str, depth: int, meta: dict[str, str] | None = None,
                 *, trusted: bool = False) -> bool:
        """Queue a URL found on a page if scope and trap defences allow; True if queued."""
        try:
            url = canonical_url(url)
        except ValueError as err:
            self.skipped["malformed URL"] += 1
            log.debug("skip source=%s reason=%r", self.source.name, str(err))
            return False
        if url in self._known:
            return False
        reason = self.scope.reject(url, depth, trusted=trusted)
        if reason is not None:
            self.skipped[reason] += 1
            log.debug("skip source=%s url=%s reason=%r", self.source.name, url, reason)
            return False
        self._known.add(url)
        self._outcome.new_tasks.append(Task(url, role, depth, tuple(sorted((meta or {}).items()))))
        return True

    def fail(self, reason: str, detail: str | None = None) -> None:
        """Close the current task as failed for ``reason``."""
        self._outcome.state, self._outcome.reason = "failed", detail or reason
        self.failed[reason] += 1

    def store(self, task: Task, result: FetchResult) -> Capture | None:
        """Archive a successful response; None if this kind does not keep its type."""
        declared = result.header("Content-Type")
        effective = sniff(result.body, declared)
        meta = {**task.facts(), "role": task.role, "org": self.source.organisation,
                "source_name": self.source.name, "source_kind": self.strategy.kind}
        problem = None
        if self.strategy.expects_pdf(task) and effective != PDF:
            # Archived as what it is (the sniffed type), never parsed as a protocol.
            meta["role"], meta["expected_role"] = "unexpected-content", task.role
            problem = f"not a PDF: {effective} served as {media_type(declared) or 'nothing'}"
        elif not self.strategy.keep(task, effective):
            self.skipped[f"not kept: {effective}"] += 1
            self._outcome.state, self._outcome.reason = "skipped", f"type {effective}"
            return None
        previous = self.archive.latest(task.url)
        stored = self.archive.store_response(
            task.url, status=result.status, headers=result.headers, body=result.body,
            request_headers=result.request_headers, metadata=meta)
        self._count_stored(stored.capture, stored.new, previous)
        if problem:
            self.fail("content type mismatch", problem)
        return stored.capture

    def store_resource(self, task: Task, data: bytes, content_type: str,
                       meta: dict[str, str]) -> Capture:
        """Archive bytes obtained through an API (no plain GET response to keep)."""
        meta = {**meta, "org": self.source.organisation, "source_name": self.source.name,
                "source_kind": self.strategy.kind}
        previous = self.archive.latest(task.url)
        stored = self.archive.store_resource(data, source=task.url, content_type=content_type,
                                             metadata=meta)
        self._count_stored(stored.capture, stored.new, previous)
        return stored.capture

    def _count_stored(self, capture: Capture, new: bool, previous: Capture | None) -> None:
        if new:
            self.new += 1
        else:
            self.unchanged += 1
        changed = previous is None or previous.id != capture.id
        # Also hand off what an earlier, killed run stored but never handed off.
        if changed or not self.frontier.handed_off(capture.id):
            self._outcome.capture_id = capture.id

    def handle_document(self, task: Task, result: FetchResult) -> None:
        """The usual flow: 304 → reuse the archived page; 2xx → store; else fail."""
        if result.not_modified:
            capture = self.archive.record_not_modified(
                task.url, request_headers=result.request_headers, headers=result.headers)
            if capture is None:
                self.fail("304 but never archived")
                return
            self.unchanged += 1
            if not self.frontier.handed_off(capture.id):
                self._outcome.capture_id = capture.id
            if capture.content_type == HTML:
                body = self.archive.read(capture.id)
                declared = capture.meta().get("declared_content_type")
                # The page still tells what it told before (body name, date); links
                # found under it must carry those facts as on a first crawl.
                task = self.strategy.enrich(task, body, task.url, declared)
                self.strategy.follow(task, body, task.url, declared, self)
            return
        if not result.ok:
            self.fail(failure_reason(result), result.error or f"HTTP {result.status}")
            return
        declared = result.header("Content-Type")
        is_html = sniff(result.body, declared) == HTML
        if is_html:
            task = self.strategy.enrich(task, result.body, result.final_url, declared)
        capture = self.store(task, result)
        if capture is not None and is_html:
            self.strategy.follow(task, result.body, result.final_url, declared, self)

    # -- the loop ----------------------------------------------------------

    def _begin(self) -> bool:
        """Seed (or resume) the source in the frontier and learn its known URLs.

        Returns whether an earlier run was resumed.
        """
        seeds = [Task(_canonical_or_as_is(t.url), t.role, t.depth, t.meta)
                 for t in self.strategy.seeds()]
        resumed = self.frontier.begin(self.source.name, seeds, restart=self.restart)
        for url in self.frontier.known(self.source.name):
            self._known.add(url)
            self.scope.remember(url)
        return resumed

    def run(self) -> CrawlReport:
        """Crawl until the frontier is empty, ``max_pages`` is reached or interrupted."""
        resumed = self._begin()
        pending = self.frontier.pending(self.source.name)
        for task in pending:
            self._push(task)
        log.info("start source=%s kind=%s resumed=%s pending=%d", self.source.name,
                 self.strategy.kind, resumed, len(pending))
        self._loop()
        left = sum(len(q) for q in self._queues.values())
        if left == 0:
            self.frontier.finish(self.source.name)
        return self._report(resumed, left)

    def _report(self, resumed: bool, left: int) -> CrawlReport:
        return CrawlReport(
            source=self.source.name, fetched=self.fetched, new=self.new,
            unchanged=self.unchanged, failed=tuple(sorted(self.failed.items())),
            skipped=tuple(sorted(self.skipped.items())),
            failures=tuple(self.failures[:_MAX_FAILURE_EXAMPLES]), left=left,
            resumed=resumed, handed_off=self.handed_off)

    def _push(self, task: Task) -> None:
        self._queues.setdefault(urlsplit(task.url).netloc, deque()).append(task)

    def _next_ready(self) -> tuple[Task | None, float]:
        """A task whose host has a free slot and whose delay has passed, else the wait."""
        now = self._clock()
        wait_for = float("inf")
        for host, queue in self._queues.items():
            if not queue or self._in_flight[host] >= self.limits.concurrency_per_host:
                continue
            ready_at = self._next_start.get(host, 0.0)
            if ready_at <= now:
                return queue.popleft(), 0.0
            wait_for = min(wait_for, ready_at - now)
        return None, wait_for

    def _loop(self) -> None:
        futures: dict[Future[tuple[FetchResult, float]], Task] = {}
        with ThreadPoolExecutor(self.workers, thread_name_prefix="crawl") as pool:
            try:
                while True:
                    wait_for = self._submit_ready(pool, futures)
                    if not futures:
                        if wait_for == float("inf") or self.fetched >= self.max_pages:
                            return
                        self._sleep(wait_for)
                        continue
                    timeout = None if wait_for == float("inf") else wait_for
                    done, _ = wait(futures, timeout=timeout, return_when=FIRST_COMPLETED)
                    for future in done:
                        task = futures.pop(future)
                        self._in_flight[urlsplit(task.url).netloc] -= 1
                        result, seconds = future.result()
                        self._finish(task, result, seconds)
            finally:
                for future in futures:
                    future.cancel()

    def _submit_ready(self, pool: ThreadPoolExecutor,
                      futures: dict[Future[tuple[FetchResult, float]], Task]) -> float:
        wait_for = float("inf")
        while len(futures) < self.workers and self.fetched + len(futures) < self.max_pages:
            task, wait_for = self._next_ready()
            if task is None:
                break
            if not self.robots.allowed(task.url):
                self.skipped["disallowed by robots.txt"] += 1
                self.frontier.complete(self.source.name, task.url, "skipped",
                                       reason="disallowed by robots.txt")
                continue
            host = urlsplit(task.url).netloc
            delay = max(self.limits.delay, self.robots.crawl_delay(task.url) or 0.0)
            self._next_start[host] = self._clock() + delay
            self._in_flight[host] += 1
            validators = self.archive.validators(task.url)
            futures[pool.submit(self._timed_fetch, task, validators)] = task
        if self.fetched + len(futures) >= self.max_pages and not futures:
            return float("inf")
        return wait_for

    def _timed_fetch(self, task: Task, validators: tuple[str | None, str | None]
                     ) -> tuple[FetchResult, float]:
        started = time.monotonic()
        result = self.strategy.fetch(task, self.fetcher, validators)
        return result, time.monotonic() - started

    def _finish(self, task: Task, result: FetchResult, seconds: float) -> None:
        self.fetched += 1
        self._outcome = outcome = _Outcome()
        try:
            self.strategy.handle(task, result, self)
        except ValueError as exc:  # the archive refused malformed input, or bad JSON
            self.fail("not archived", f"not archived: {exc}")
        if outcome.state == "failed":
            self.failures.append((task.url, outcome.reason or ""))
        if outcome.capture_id is not None:
            self.handed_off += 1
        self.frontier.complete(self.source.name, task.url, outcome.state,
                               reason=outcome.reason, new_tasks=outcome.new_tasks,
                               capture_id=outcome.capture_id)
        for new_task in outcome.new_tasks:
            self._push(new_task)
        log.info("fetch source=%s url=%s role=%s status=%s bytes=%d ms=%d outcome=%s%s",
                 self.source.name, task.url, task.role, result.status, len(result.body),
                 round(seconds * 1000), outcome.state,
                 f" reason={outcome.reason!r}" if outcome.reason else "")
        if self.progress is not None:
            self.progress(self)
