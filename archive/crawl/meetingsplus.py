"""Crawler for Formpipe Meetings Plus sites.

Walks ``/committees`` → body pages → meeting pages → the "Öppna protokoll" PDF
and agenda attachments, storing every successful response in the archive with
metadata (org, body, date, role). Re-crawls send conditional requests from the
archive's validators; a 304 reuses the archived page to find its links, so an
unchanged site costs one small request per page and stores nothing new.

URL shapes (relative to the ``committees`` segment, wherever it sits)::

    committees                                   index
    committees/<body>                            body-page
    committees/<body>/<meeting>                  meeting-page
    committees/<body>/<meeting>/protocol/<file>  protocol
    committees/<body>/<meeting>/agenda/<file>    attachment
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from archive.crawl.engine import CrawlRun, Strategy
from archive.crawl.frontier import Task
from archive.crawl.robots import RobotsPolicy
from archive.crawl.urls import canonical_url, origin
from archive.fetch import Fetcher, FetchResult
from archive.store import Archive

SOURCE_KIND = "meetingsplus"
_ISO_DATE = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)")
_HTML_ROLES = ("index", "body-page", "meeting-page")


@dataclass(frozen=True)
class CrawlReport:
    """What a crawl did. ``captures`` are ids of new or changed captures (to parse)."""

    fetched: int
    new: int
    unchanged: int
    failed: tuple[tuple[str, str], ...]
    captures: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...] = ()  # (url, reason): robots.txt, limits


@dataclass(frozen=True)
class _Task:
    url: str
    role: str
    body: str | None = None
    date: str | None = None


def classify(url: str) -> str | None:
    """The role of a Meetings Plus URL by its path shape, or None if not one we follow."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    if "committees" not in segments:
        return None
    rest = segments[segments.index("committees") + 1:]
    if not rest:
        return "index"
    if len(rest) == 1:
        return "body-page"
    if len(rest) == 2:
        return "meeting-page"
    if len(rest) == 4 and rest[2] == "protocol":
        return "protocol"
    if len(rest) == 4 and rest[2] == "agenda":
        return "attachment"
    return None


def _slug_date(url: str) -> str | None:
    segments = [s for s in urlsplit(url).path.split("/") if s]
    match = _ISO_DATE.search(segments[-1]) if segments else None
    return match.group(1) if match else None


_Page = tuple[str | None, str | None, list[str]]


def parse_page(body: bytes, base_url: str) -> _Page:
    """(h1 heading, first ISO date in the main text, absolute link targets) of an HTML page."""
    try:
        doc = lxml.html.document_fromstring(body)
    except (etree.ParserError, ValueError):
        return None, None, []
    base = doc.find(".//base[@href]")
    if base is not None:
        base_url = urljoin(base_url, base.get("href", ""))
    h1 = doc.find(".//h1")
    heading = " ".join(h1.text_content().split()) if h1 is not None else None
    main = doc.find(".//main")
    match = _ISO_DATE.search((main if main is not None else doc).text_content())
    links = [
        urljoin(base_url, a.get("href", "").strip())
        for a in doc.iter("a")
        if a.get("href", "").strip() and not a.get("href", "").startswith(("#", "mailto:"))
    ]
    return heading, match.group(1) if match else None, links


class _Crawl:
    """State of one crawl run (queue, seen set, counters)."""

    def __init__(self, org: str, archive: Archive, fetcher: Fetcher, robots: RobotsPolicy,
                 hosts: set[str]) -> None:
        self.org = org
        self.archive = archive
        self.fetcher = fetcher
        self.robots = robots
        self.hosts = hosts
        self.queue: deque[_Task] = deque()
        self.seen: set[str] = set()
        self.fetched = self.new = self.unchanged = 0
        self.failed: list[tuple[str, str]] = []
        self.skipped: list[tuple[str, str]] = []
        self.captures: list[str] = []

    def enqueue(self, url: str, role: str, body: str | None, date: str | None) -> None:
        url = canonical_url(url)
        if url in self.seen or origin(url) not in self.hosts:
            return
        self.seen.add(url)
        self.queue.append(_Task(url, role, body, date))

    def metadata(self, task: _Task) -> dict[str, str]:
        meta = {"org": self.org, "role": task.role, "source_kind": SOURCE_KIND}
        if task.body:
            meta["body"] = task.body
        if task.date:
            meta["date"] = task.date
        return meta

    def visit(self, task: _Task) -> None:
        """Fetch one URL, archive it and queue what it links to."""
        etag, last_modified = self.archive.validators(task.url)
        result = self.fetcher.fetch(task.url, etag=etag, last_modified=last_modified)
        self.fetched += 1
        try:
            if result.not_modified:
                self._not_modified(task, result)
            elif not result.ok:
                self.failed.append((task.url, result.error or f"HTTP {result.status}"))
            else:
                self._store(task, result)
        except ValueError as exc:  # the archive refused malformed input
            self.failed.append((task.url, f"not archived: {exc}"))

    def _not_modified(self, task: _Task, result: FetchResult) -> None:
        capture = self.archive.record_not_modified(
            task.url, request_headers=result.request_headers, headers=result.headers
        )
        if capture is None:
            self.failed.append((task.url, "304 Not Modified but never archived"))
            return
        self.unchanged += 1
        if task.role in _HTML_ROLES:
            # The archived copy is what the server just confirmed; its links still hold.
            page = parse_page(self.archive.read(capture.id), task.url)
            self._follow(self._enrich(task, page), page)

    def _store(self, task: _Task, result: FetchResult) -> None:
        page = parse_page(result.body, result.final_url) if task.role in _HTML_ROLES else None
        if page is not None:
            task = self._enrich(task, page)
        stored = self.archive.store_response(
            task.url, status=result.status, headers=result.headers, body=result.body,
            request_headers=result.request_headers, metadata=self.metadata(task),
        )
        if stored.new:
            self.new += 1
            self.captures.append(stored.capture.id)
        else:
            self.unchanged += 1
        if page is not None:
            self._follow(task, page)

    @staticmethod
    def _enrich(task: _Task, page: _Page) -> _Task:
        """Fill in body name and date from the page itself where the URL did not tell."""
        heading, text_date, _ = page
        if task.role == "body-page" and heading:
            return replace(task, body=heading)
        if task.role == "meeting-page":
            body = task.body or (_ISO_DATE.sub("", heading).strip() if heading else None)
            return replace(task, body=body or None, date=task.date or text_date)
        return task

    def _follow(self, task: _Task, page: _Page) -> None:
        for link in page[2]:
            role = classify(link)
            if task.role == "index" and role == "body-page":
                self.enqueue(link, role, None, None)
            elif task.role == "body-page" and role == "meeting-page":
                self.enqueue(link, role, task.body, _slug_date(link))
            elif task.role == "meeting-page" and role in ("protocol", "attachment"):
                self.enqueue(link, role, task.body, task.date)


def crawl_meetingsplus(
    start_urls: Iterable[str],
    *,
    org: str,
    archive: Archive,
    fetcher: Fetcher,
    max_pages: int = 1000,
    delay: float = 0.0,
    user_agent: str = "Paragraf",
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> CrawlReport:
    """Crawl Meetings Plus sites from ``/committees``, body or meeting page URLs.

    Stays on the start URLs' hosts, honours robots.txt (``user_agent`` is the
    token matched against it), waits ``delay`` seconds (or the site's
    Crawl-delay, if longer) between requests and stops after ``max_pages``
    fetches, reporting the rest as skipped.
    """
    starts = [canonical_url(u) for u in start_urls]
    robots = RobotsPolicy(fetcher, user_agent)
    crawl = _Crawl(org, archive, fetcher, robots, {origin(u) for u in starts})
    for url in starts:
        role = classify(url)
        if role is None:
            crawl.failed.append((url, "not a Meetings Plus committees URL"))
            continue
        crawl.enqueue(url, role, None, _slug_date(url) if role == "meeting-page" else None)
    last_start: float | None = None
    while crawl.queue:
        task = crawl.queue.popleft()
        if crawl.fetched >= max_pages:
            crawl.skipped.append((task.url, f"max_pages ({max_pages}) reached"))
            continue
        if not robots.allowed(task.url):
            crawl.skipped.append((task.url, "disallowed by robots.txt"))
            continue
        wait = max(delay, robots.crawl_delay(task.url) or 0.0)
        if last_start is not None and wait > 0:
            remaining = last_start + wait - clock()
            if remaining > 0:
                sleep(remaining)
        last_start = clock()
        crawl.visit(task)
    return CrawlReport(
        fetched=crawl.fetched, new=crawl.new, unchanged=crawl.unchanged,
        failed=tuple(crawl.failed), captures=tuple(crawl.captures),
        skipped=tuple(crawl.skipped),
    )


class MeetingsPlusStrategy(Strategy):
    """The ``meetingsplus`` kind for the crawl engine (see the module docstring for shapes).

    Depth is structural here (index → body → meeting → document), so links
    are only followed along that structure; year tabs of body pages
    (``/committees/<body>?year=2021``) count as body pages.
    """

    kind = SOURCE_KIND

    def seeds(self) -> list[Task]:
        tasks = []
        for url in self.source.start_urls:
            role = classify(url) or "index"
            date = _slug_date(url) if role == "meeting-page" else None
            tasks.append(Task(url, role, 0, (("date", date),) if date else ()))
        return tasks

    def expects_pdf(self, task: Task) -> bool:
        return task.role in ("protocol", "attachment")

    def enrich(self, task: Task, body: bytes, base_url: str, declared: str | None) -> Task:
        page = parse_page(body, base_url)
        old = _Task(task.url, task.role, task.facts().get("body"), task.facts().get("date"))
        new = _Crawl._enrich(old, page)
        facts = {**task.facts(), **{k: v for k, v in (("body", new.body), ("date", new.date))
                                    if v}}
        return Task(task.url, task.role, task.depth, tuple(sorted(facts.items())))

    def follow(self, task: Task, body: bytes, base_url: str, declared: str | None,
               run: CrawlRun) -> None:
        facts = task.facts()
        for link in parse_page(body, base_url)[2]:
            role = classify(link)
            depth = task.depth + 1
            if task.role == "index" and role == "body-page":
                run.discover(link, role, depth)
            elif task.role == "body-page" and role == "body-page" and urlsplit(link).query:
                if urlsplit(link).path == urlsplit(task.url).path:
                    run.discover(link, role, depth)  # a year tab of the same body
            elif task.role == "body-page" and role == "meeting-page":
                meta = {k: v for k, v in (("body", facts.get("body")),
                                          ("date", _slug_date(link))) if v}
                run.discover(link, role, depth, meta)
            elif task.role == "meeting-page" and role in ("protocol", "attachment"):
                meta = {k: facts[k] for k in ("body", "date") if facts.get(k)}
                run.discover(link, role, depth, meta)
