"""The staff page of ingested documents: parse status, reasons, paragraphs, how to re-run."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from paragraf_se.ui import links

PAGE_SIZE = 50
STATUS_LABELS = {"ok": "OK", "warnings": "Med varningar", "failed": "Misslyckades"}
REBUILD = "paragraf index --rebuild"


@dataclass(frozen=True)
class Row:
    doc: object  # paragraf.parse_status.DocumentStatus
    name: str  # file name or web address, never a server path
    rerun: str  # the CLI command that parses this document again


@dataclass(frozen=True)
class Listing:
    status: str | None
    page: int
    total: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    rows: tuple[Row, ...] = ()
    error: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    def url(self, *, status: str | None = "", page: int = 1) -> str:
        """This listing's URL with another status filter or page."""
        chosen = self.status if status == "" else status
        return links.url("/dokument", [("status", chosen or ""),
                                       ("page", str(page) if page > 1 else "")])


def rerun_command(source: str) -> str:
    """How to parse one document again from the command line.

    A local file is ingested again (the options give facts the parser could
    not read); a crawled original is parsed again by rebuilding the index
    from the archive. There is deliberately no write endpoint over HTTP.
    """
    if urlsplit(source).scheme in ("http", "https"):
        return REBUILD
    name = shlex.quote(links.source_label(source))
    return f'paragraf ingest {name} --org "…" --body "…" --date ÅÅÅÅ-MM-DD'


def listing(log, params) -> Listing:
    """One page of the parse-status log, filtered by ``status`` (query parameters)."""
    status = (params.get("status") or "").strip() or None
    raw_page = (params.get("page") or "1").strip()
    if status is not None and status not in STATUS_LABELS:
        return Listing(None, 1, error="Statusen kan vara ok, warnings eller failed.")
    if not raw_page.isdigit() or not 1 <= int(raw_page) <= 100_000:
        return Listing(status, 1, error="Sidnumret måste vara ett heltal från 1.")
    page = int(raw_page)
    total, docs = log.list(status, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    rows = tuple(Row(d, links.source_label(d.source), rerun_command(d.source)) for d in docs)
    return Listing(status, page, total, log.counts(), rows)
