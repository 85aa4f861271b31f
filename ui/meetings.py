"""What a meeting page shows besides its paragraphs: the originals and the body's other meetings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from paragraf_se.archive.errors import ArchiveError
from paragraf_se.indexer.engine import SearchRequest
from paragraf_se.indexer.model import Paragraph, SourceRef
from paragraf_se.indexer.search import search


@dataclass(frozen=True)
class Original:
    """One archived original of the meeting (the protocol PDF, the meeting's web page)."""

    source: SourceRef  # a PDF's page is 1: the link opens the protocol at its start
    archived: dt.date | None


def originals(paragraphs: list[Paragraph], archive) -> list[Original]:
    """Every distinct original the meeting's paragraphs came from, PDFs first."""
    seen: dict[str, SourceRef] = {}
    for p in paragraphs:
        for src in p.sources:
            seen.setdefault(src.capture_id, src)
    out = []
    for src in sorted(seen.values(), key=lambda s: (s.content_type != "application/pdf", s.url)):
        try:
            archived = archive.get(src.capture_id).fetched_at.date()
        except ArchiveError:
            archived = None
        page = 1 if src.content_type == "application/pdf" else None
        out.append(Original(replace(src, page=page), archived))
    return out


def neighbour(index, p: Paragraph, *, later: bool) -> Paragraph | None:
    """A paragraph of the body's previous (or next) meeting, found by the one search function."""
    day = dt.timedelta(days=1)
    request = SearchRequest(
        orgs=(p.org_slug,), bodies=(p.body_slug,),
        date_from=p.date + day if later else None, date_to=None if later else p.date - day,
        sort="oldest" if later else "newest", size=1)
    hits = search(index, request).hits
    return hits[0].paragraph if hits else None
