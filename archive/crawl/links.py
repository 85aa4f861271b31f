"""The ``links`` kind: follow in-scope links from start URLs, keep HTML pages and PDFs.

Covers the plain CMS pages (Sitevision and the like) that list protocol
PDFs. Links are followed only from HTML pages, only on the allowed hosts,
and only when they match the source's include patterns (if any) and none of
its exclude patterns. Start URLs are always fetched. PDFs get the role
``protocol`` (the parser reads body and date from the document itself);
HTML pages get ``page`` and are archived but not parsed as protocols.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from paragraf_se.archive.crawl.engine import CrawlRun, Strategy
from paragraf_se.archive.crawl.frontier import Task
from paragraf_se.archive.crawl.html import parse_html
from paragraf_se.archive.fetch import FetchResult
from paragraf_se.archive.sniff import DOCX, HTML, PDF, sniff

SOURCE_KIND = "links"
KEPT_TYPES = frozenset({HTML, PDF, DOCX})
# Links that are certainly not pages or documents: not worth a request.
_SKIP_SUFFIX = re.compile(
    r"\.(?:jpe?g|png|gif|svg|webp|ico|css|js|mjs|woff2?|ttf|eot|mp[34]|mov|avi|zip|rar|7z|"
    r"xml|rss|atom|ics|json|xlsx?|pptx?)$", re.IGNORECASE)
_PDF_HINT = re.compile(r"(?:\.pdf|pdf)$", re.IGNORECASE)


class LinksStrategy(Strategy):
    """Breadth-first over in-scope links, bounded by depth, patterns and trap defences."""

    kind = SOURCE_KIND

    def seeds(self) -> list[Task]:
        return [Task(url, "page", 0) for url in self.source.start_urls]

    def keep(self, task: Task, content_type: str) -> bool:
        return content_type in KEPT_TYPES

    def handle(self, task: Task, result: FetchResult, run: CrawlRun) -> None:
        # The role follows what the bytes are, whatever the link looked like.
        if result.ok:
            kind = sniff(result.body, result.header("Content-Type"))
            role = "protocol" if kind == PDF else "page" if kind == HTML else "document"
            task = Task(task.url, role, task.depth, task.meta)
        run.handle_document(task, result)

    def follow(self, task: Task, body: bytes, base_url: str, declared: str | None,
               run: CrawlRun) -> None:
        for link in parse_html(body, base_url, declared).links:
            if _SKIP_SUFFIX.search(urlsplit(link).path):
                continue
            role = "protocol" if _PDF_HINT.search(urlsplit(link).path) else "page"
            run.discover(link, role, task.depth + 1)
