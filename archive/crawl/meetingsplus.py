"""The ``meetingsplus`` kind: Formpipe Meetings Plus sites, for the crawl engine.

Walks ``/committees`` → body pages → meeting pages → the "Öppna protokoll" PDF
and agenda attachments; the engine archives each with metadata (org, body,
date, role). Body name and date come from the URL where it tells them, else
from the page itself (opaque meeting slugs such as ``kommunfullmaktige-98710``).

URL shapes (relative to the ``committees`` segment, wherever it sits)::

    committees                                   index
    committees/<body>                            body-page
    committees/<body>/<meeting>                  meeting-page
    committees/<body>/<meeting>/protocol/<file>  protocol
    committees/<body>/<meeting>/agenda/<file>    attachment
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from paragraf_se.archive.crawl.engine import CrawlRun, Strategy
from paragraf_se.archive.crawl.frontier import Task
from paragraf_se.archive.crawl.html import parse_html

SOURCE_KIND = "meetingsplus"
_ISO_DATE = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)")


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
        """Fill in body name and date from the page itself where the URL did not tell."""
        if task.role not in ("body-page", "meeting-page"):
            return task
        page = parse_html(body, base_url, declared)
        facts = task.facts()
        if task.role == "body-page":
            found = {"body": page.heading}
        else:
            date = _ISO_DATE.search(page.text)
            found = {
                "body": facts.get("body") or (
                    _ISO_DATE.sub("", page.heading).strip() if page.heading else None),
                "date": facts.get("date") or (date.group(1) if date else None),
            }
        facts.update((k, v) for k, v in found.items() if v)
        return Task(task.url, task.role, task.depth, tuple(sorted(facts.items())))

    def follow(self, task: Task, body: bytes, base_url: str, declared: str | None,
               run: CrawlRun) -> None:
        facts = task.facts()
        for link in parse_html(body, base_url, declared).links:
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
