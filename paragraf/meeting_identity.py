"""Turning a parsed document into indexed paragraphs: who met, when, which §.

Pure functions: the archive capture's facts and the parse result in,
paragraphs (or the reason there are none) out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace

from paragraf_se.indexer.model import (
    Paragraph,
    ParseResult,
    Provenance,
    SourceRef,
    paragraph_id,
)

# Capture metadata names where each given fact came from ("org_source": "sidecar").
# Captures archived before provenance was recorded say nothing: a crawl's facts
# came from its source's configuration, a local ingest's from the options.
CRAWL_SOURCE = "crawl source"
OPTION = "option"


@dataclass(frozen=True)
class MeetingIdentity:
    """The (organisation, body, date) every paragraph of a document belongs to,
    each with where it came from."""

    org: str
    body: str
    date: dt.date
    org_from: Provenance | None = None
    body_from: Provenance | None = None
    date_from: Provenance | None = None
    # The document's own warnings about facts that a given fact replaced: moot.
    moot_warnings: tuple[str, ...] = ()


class IdentityMissing(ValueError):
    """The document does not say which meeting it records, and no option did."""


def resolve_identity(result: ParseResult, facts: Mapping[str, str]) -> MeetingIdentity:
    """Facts given with the capture (options, sidecar, manifest, crawler) win over
    the document's own.

    Raises :class:`IdentityMissing` naming what is unknown and how to supply it.
    """
    meeting = result.meeting
    default_source = CRAWL_SOURCE if facts.get("source_name") else OPTION

    def given(name: str) -> tuple[str, Provenance | None]:
        value = (facts.get(name) or "").strip()
        if not value:
            return "", None
        source = (facts.get(f"{name}_source") or "").strip() or default_source
        return value, Provenance(source, (facts.get(f"{name}_printed") or "").strip())

    org, org_from = given("org")
    body, body_from = given("body")
    raw_date, date_from = given("date")
    date: dt.date | None = None
    if raw_date:
        try:
            date = dt.date.fromisoformat(raw_date)
        except ValueError as err:
            raise IdentityMissing(f"invalid date {raw_date!r}: use YYYY-MM-DD") from err
    moot: list[str] = []
    for label, value, doc_from in (("organisation", org, meeting.org_from),
                                   ("body", body, meeting.body_from),
                                   ("meeting date", date, meeting.date_from)):
        if value and doc_from is not None and doc_from.warning:
            moot.append(f"{label}: {doc_from.warning}")
    if not org:
        org, org_from = meeting.org or "", meeting.org_from
    if not body:
        body, body_from = meeting.body or "", meeting.body_from
    if date is None:
        date, date_from = meeting.date, meeting.date_from
    missing = [
        f"{what} (use --{opt})"
        for what, opt, value in (("organisation", "org", org), ("body", "body", body),
                                 ("meeting date", "date", date))
        if not value
    ]
    if missing:
        raise IdentityMissing("could not read " + ", ".join(missing) + " from the document")
    assert date is not None
    return MeetingIdentity(org, body, date, org_from, body_from, date_from, tuple(moot))


def build_paragraphs(
    result: ParseResult, identity: MeetingIdentity, source: SourceRef
) -> tuple[list[Paragraph], list[str]]:
    """Paragraphs with stable ids; a § printed twice is kept once, with a warning."""
    facts = replace(result.meeting, org=None, body=None, date=None,
                    org_from=identity.org_from, body_from=identity.body_from,
                    date_from=identity.date_from, warnings=())
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
