"""The lookups a page and its JSON twin share: a paragraph (or where it went), a
meeting, a case, the date an original was archived, the organisations and bodies.

Each returns what was found or raises :mod:`web_common.errors`' NotFound/Gone,
so the page and the API answer the same request the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from paragraf_se.archive.errors import ArchiveError
from paragraf_se.indexer.cases import Case, find_case
from paragraf_se.indexer.engine import BodySummary, EngineReader
from paragraf_se.indexer.model import Paragraph, meeting_id
from paragraf_se.indexer.slug import slugify
from paragraf_se.web_common.errors import Gone, NotFound
from paragraf_se.web_common.urls import body_search_path

MAX_CASE_CHARS = 200  # longer "diarienummer" are not looked up


@dataclass(frozen=True)
class Moved:
    """The paragraph has a new id (its protocol was re-published): answer 301."""

    new_id: str
    new_permalink: str


def paragraph_or_moved(index: EngineReader, permalinks: Any, pid: str) -> Paragraph | Moved:
    """The paragraph with id ``pid``, or where it moved; NotFound or Gone otherwise."""
    p = index.get(pid)
    if p is not None:
        return p
    found = permalinks.resolve(pid)
    if found.kind == "moved":
        return Moved(found.new_id, found.new_permalink)
    if found.kind == "gone":
        t = found.tombstone
        raise Gone(f"paragraph {pid} ({t.citation}) was removed from its protocol "
                   f"on {t.removed_at}", what="Paragrafen", tombstone=t)
    raise NotFound(f"no paragraph with id {pid!r}", what="Paragrafen")


def meeting_paragraphs(index: EngineReader, org: str, body: str, date: str) -> list[Paragraph]:
    """A meeting's paragraphs in § order, from the parts of its URL; NotFound when none."""
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        day = None
    paragraphs = index.meeting(meeting_id(org, body, day)) if day is not None else []
    if not paragraphs:
        raise NotFound(f"no meeting with id {f'{org}/{body}/{date}'[:80]!r}",
                       what="Sammanträdet")
    return paragraphs


def case_of(index: EngineReader, diarienummer: str) -> Case:
    """The ärende of a diarienummer across bodies; NotFound when no paragraph has it."""
    case = find_case(index, diarienummer) if len(diarienummer) <= MAX_CASE_CHARS else None
    if case is None:
        raise NotFound(f"no paragraph has the diarienummer {diarienummer[:80]!r}",
                       what="Ärendet")
    return case


def archived_on(archive: Any, p: Paragraph) -> dt.date | None:
    """The date the original of ``p``'s text was archived; None when it cannot be read
    (a citation without the date beats no page)."""
    try:
        return archive.get(p.source.capture_id).fetched_at.date()
    except ArchiveError:
        return None


def organisations(summaries: list[BodySummary]) -> list[dict[str, Any]]:
    """Organisations with their bodies, each with paragraph counts and year spans."""
    orgs: dict[str, dict[str, Any]] = {}
    for s in summaries:
        org = orgs.setdefault(s.org, {
            "org": s.org, "key": slugify(s.org), "paragraphs": 0,
            "first_year": s.first_year, "last_year": s.last_year, "bodies": [],
        })
        org["paragraphs"] += s.paragraphs
        org["first_year"] = min(org["first_year"], s.first_year)
        org["last_year"] = max(org["last_year"], s.last_year)
        org["bodies"].append({
            "body": s.body, "key": slugify(s.body), "paragraphs": s.paragraphs,
            "first_year": s.first_year, "last_year": s.last_year,
            "search_url": body_search_path(s.org, s.body),
        })
    return list(orgs.values())
