"""Running configured sources: the right strategy, fetcher and robots policy for each."""

from __future__ import annotations

import time
from collections.abc import Callable

from paragraf_se.archive.crawl.ciceron import CiceronStrategy
from paragraf_se.archive.crawl.config import CrawlerSettings, SourceConfig
from paragraf_se.archive.crawl.engine import CrawlReport, CrawlRun, Strategy
from paragraf_se.archive.crawl.frontier import Frontier
from paragraf_se.archive.crawl.links import LinksStrategy
from paragraf_se.archive.crawl.meetingsplus import MeetingsPlusStrategy
from paragraf_se.archive.crawl.robots import RobotsPolicy
from paragraf_se.archive.fetch import Fetcher
from paragraf_se.archive.store import Archive


def make_fetcher(source: SourceConfig, settings: CrawlerSettings) -> Fetcher:
    """A fetcher with the source's timeouts, size limit and retry policy."""
    limits = source.limits
    return Fetcher(settings.user_agent_header, connect_timeout=limits.connect_timeout,
                   read_timeout=limits.read_timeout, total_timeout=limits.total_timeout,
                   max_bytes=limits.max_bytes, retries=limits.retries, backoff=limits.backoff,
                   max_redirects=limits.max_redirects, allowed_hosts=source.hosts())


def make_strategy(source: SourceConfig, fetcher: Fetcher) -> Strategy:
    """The strategy implementing ``source.kind``."""
    if source.kind == "meetingsplus":
        return MeetingsPlusStrategy(source)
    if source.kind == "ciceron":
        return CiceronStrategy(source, fetcher)
    if source.kind == "links":
        return LinksStrategy(source)
    raise ValueError(f"unknown source kind {source.kind!r}")


def crawl_source(source: SourceConfig, settings: CrawlerSettings, *, archive: Archive,
                 frontier: Frontier, max_pages: int | None = None, restart: bool = False,
                 progress: Callable[[CrawlRun], None] | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep,
                 run_type: type[CrawlRun] = CrawlRun) -> CrawlReport:
    """Run (or resume) one source to completion or its page budget.

    ``clock`` and ``sleep`` pace requests to one host (injectable for tests).
    ``run_type`` is :class:`SharedCrawlRun` for a frontier shared by workers.
    """
    with make_fetcher(source, settings) as fetcher:
        run = run_type(make_strategy(source, fetcher), archive=archive, frontier=frontier,
                       fetcher=fetcher, robots=RobotsPolicy(fetcher, settings.robots_token),
                       workers=settings.workers, max_pages=max_pages, restart=restart,
                       progress=progress, clock=clock, sleep=sleep)
        return run.run()
