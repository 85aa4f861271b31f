"""Turning a parsed document into indexed paragraphs: who met, when, which §.

Pure functions: the archive capture's facts and the parse result in,
paragraphs (or the reason there are none) out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace

from paragraf_se.indexer.model import Paragraph, ParseResult, SourceRef, paragraph_id


@dataclass(frozen=True)
class MeetingIdentity:
    """The (organisation, body, date) every paragraph of a document belongs to."""

    org: str
    body: str
    date: dt.date


class IdentityMissing(ValueError):
    """The document does not say which meeting it records, and no option did."""


def resolve_identity(result: ParseResult, facts: Mapping[str, str]) -> MeetingIdentity:
    """Facts given with the capture (CLI options, crawler) win over the document's own.

    Raises :class:`IdentityMissing` naming what is unknown and how to supply it.
    """
    org = (facts.get("org") or "").strip() or (result.meeting.org or "")
    body = (facts.get("body") or "").strip() or (result.meeting.body or "")
    date: dt.date | None = None
    raw_date = (facts.get("date") or "").strip()
    if raw_date:
        try:
            date = dt.date.fromisoformat(raw_date)
        except ValueError as err:
            raise IdentityMissing(f"invalid date {raw_date!r}: use YYYY-MM-DD") from err
    date = date or result.meeting.date
    missing = [
        f"{what} (use --{opt})"
        for what, opt, value in (("organisation", "org", org), ("body", "body", body),
                                 ("meeting date", "date", date))
        if not value
    ]
    if missing:
        raise IdentityMissing("could not read " + ", ".join(missing) + " from the document")
    assert date is not None
    return MeetingIdentity(org, body, date)


def build_paragraphs(
    result: ParseResult, identity: MeetingIdentity, source: SourceRef
) -> tuple[list[Paragraph], list[str]]:
    """Paragraphs with stable ids; a § printed twice is kept once, with a warning."""
    facts = replace(result.meeting, org=None, body=None, date=None)
    out: list[Paragraph] = []
    seen: set[str] = set()
    warnings: list[str] = []
    for pp in result.paragraphs:
        pid = paragraph_id(identity.org, identity.body, identity.date, pp.number)
        if pid in seen:
            warnings.append(f"§ {pp.number} appears twice; the first is kept")
            continue
        seen.add(pid)
        page = pp.pages[0] if pp.pages else None
        out.append(
            Paragraph(
                id=pid,
                org=identity.org,
                body=identity.body,
                date=identity.date,
                number=pp.number,
                title=pp.title,
                text=pp.text,
                sources=(SourceRef(source.capture_id, source.url, source.sha256,
                                   source.content_type, page),),
                decision=pp.decision,
                sections=pp.sections,
                diarienummer=pp.diarienummer,
                classification_codes=pp.classification_codes,
                pages=pp.pages,
                meeting=facts,
                ocr=bool(set(pp.pages) & set(result.ocr_pages)),
            )
        )
    return out, warnings
