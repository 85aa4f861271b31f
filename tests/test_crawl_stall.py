"""One slow server cannot stall a crawl: a URL that drips a byte a second, forever.

Real loopback HTTP server and the real crawl engine with the default limits,
except a short total deadline and a short per-host delay so the test is quick.
Assertions are on the order and number of requests the server saw, never on
timings.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import threading
import time
from pathlib import Path

from paragraf_se.archive.crawl.config import CrawlerSettings, Limits, SourceConfig
from paragraf_se.archive.crawl.frontier import Frontier
from paragraf_se.archive.crawl.sources import crawl_source
from paragraf_se.archive.store import Archive
from tests.crawl_sites import RouteHandler, html, serve

PAGES = 28  # + the drip URL, the start page and robots.txt: 31 URLs


class _Events:
    """What the server saw, in order: ("start" | "end", path)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: list[tuple[str, str]] = []

    def add(self, event: str, path: str) -> None:
        with self.lock:
            self.items.append((event, path))

    def index(self, event: str, path: str) -> int:
        return self.items.index((event, path))


def _routes(events: _Events) -> dict[str, object]:
    def drip(handler: RouteHandler) -> None:
        """Headers at once, then one byte a second until the client hangs up."""
        events.add("start", "/drip")
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", "1000000")
        handler.end_headers()
        with contextlib.suppress(OSError):
            while True:
                handler.wfile.write(b"x")
                handler.wfile.flush()
                time.sleep(1.0)
        events.add("end", "/drip")

    def page(handler: RouteHandler) -> None:
        events.add("start", handler.path)
        status, headers, body = html(f"<p>Sida {handler.path}</p>")
        handler.send(status, body, headers)

    # The drip is the first link, so every other page is queued behind it.
    links = "<a href='/drip'>d</a>" + "".join(f"<a href='/sida-{i}'>s</a>"
                                              for i in range(PAGES))
    return {"/start": html(links), "/drip": drip, "*": page}


def test_a_dripping_url_neither_blocks_the_others_nor_is_retried(tmp_path: Path) -> None:
    defaults = Limits()
    # Default retries, backoff and per-host concurrency; only the deadline and the
    # delay are shortened (the delay still spaces request starts on the host).
    limits = dataclasses.replace(defaults, total_timeout=8.0, delay=0.05)
    assert defaults.retries > 0 and defaults.concurrency_per_host >= 2
    events = _Events()
    with serve(_routes(events)) as site, Archive(tmp_path / "archive") as archive:
        frontier = Frontier(tmp_path / "state.sqlite")
        source = SourceConfig(name="drip", organisation="Dropptorp kommun", kind="links",
                              start_urls=(site.url("/start"),), limits=limits)
        try:
            report = crawl_source(source, CrawlerSettings(), archive=archive, frontier=frontier)
        finally:
            frontier.close()
        hits = dict(site.hits)
        # The server notices the hang-up at its next byte; wait for that, not a clock.
        for _ in range(50):
            if ("end", "/drip") in events.items:
                break
            time.sleep(0.1)
    pages = [f"/sida-{i}" for i in range(PAGES)]
    # Requested once: the overrun was not retried, and no page was fetched twice.
    assert hits["/drip"] == 1
    assert all(hits[p] == 1 for p in pages)
    assert sum(hits.values()) == PAGES + 3  # robots.txt, /start, /drip and the pages
    # Every other page was requested after the drip began and before it was cut off.
    drip_start, drip_end = events.index("start", "/drip"), events.index("end", "/drip")
    assert all(drip_start < events.index("start", p) < drip_end for p in pages)
    assert report.fetched == PAGES + 2 and report.left == 0
    assert dict(report.failed) == {"over the total deadline": 1}
    assert report.failures[0][0] == site.url("/drip")
    assert "not retried" in report.failures[0][1]
    assert archive_pages(tmp_path) == PAGES + 1  # the start page and every page, not the drip


def archive_pages(tmp_path: Path) -> int:
    with Archive(tmp_path / "archive") as archive:
        return sum(1 for c in archive.captures() if not c.source.endswith("/drip"))


def test_two_in_flight_still_start_a_crawl_delay_apart(tmp_path: Path) -> None:
    # An injected clock: each request is stamped on arrival with the crawl's own time,
    # which only moves when the engine sleeps to respect the delay.
    now = [1000.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    arrivals: list[tuple[str, float]] = []

    def page(handler: RouteHandler) -> None:
        arrivals.append((handler.path, now[0]))
        status, headers, body = html("<p>Sida</p>")
        handler.send(status, body, headers)

    robots = (200, {"Content-Type": "text/plain"}, b"User-agent: *\nCrawl-delay: 2\n")
    links = "".join(f"<a href='/sida-{i}'>s</a>" for i in range(5))
    routes = {"/robots.txt": robots, "/start": html(links), "*": page}
    limits = dataclasses.replace(Limits(), delay=0.5, total_timeout=10.0)
    assert limits.concurrency_per_host == 2
    with serve(routes) as site, Archive(tmp_path / "archive") as archive:
        frontier = Frontier(tmp_path / "state.sqlite")
        source = SourceConfig(name="paced", organisation="Tallby kommun", kind="links",
                              start_urls=(site.url("/start"),), limits=limits)
        try:
            report = crawl_source(source, CrawlerSettings(), archive=archive,
                                  frontier=frontier, clock=lambda: now[0], sleep=sleep)
        finally:
            frontier.close()
    assert report.fetched == 6 and report.failed == ()
    times = [t for _, t in arrivals]
    assert len(times) == 5
    # robots.txt's Crawl-delay (2 s) wins over the configured delay (0.5 s) between starts.
    assert all(b - a >= 2.0 for a, b in itertools.pairwise(times))
    assert sleeps and all(s <= 2.0 for s in sleeps)
