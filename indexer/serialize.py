"""Paragraphs to and from plain JSON-able dicts (stored in the index, sent by the API)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from paragraf_se.indexer.model import (
    Attendee,
    MeetingInfo,
    Paragraph,
    Provenance,
    Section,
    SourceRef,
)


def source_to_dict(s: SourceRef) -> dict[str, Any]:
    return {
        "capture_id": s.capture_id,
        "url": s.url,
        "sha256": s.sha256,
        "content_type": s.content_type,
        "page": s.page,
    }


def paragraph_to_dict(p: Paragraph) -> dict[str, Any]:
    """Everything needed to rebuild ``p``; also the API's paragraph body."""
    return {
        "id": p.id,
        "org": p.org,
        "body": p.body,
        "date": p.date.isoformat(),
        "number": p.number,
        "title": p.title,
        "text": p.text,
        "decision": p.decision,
        "sections": [{"kind": s.kind, "heading": s.heading, "text": s.text} for s in p.sections],
        "diarienummer": list(p.diarienummer),
        "classification_codes": list(p.classification_codes),
        "pages": list(p.pages),
        "sources": [source_to_dict(s) for s in p.sources],
        "ocr": p.ocr,
        "meeting": meeting_to_dict(p.meeting),
    }


def meeting_to_dict(m: MeetingInfo) -> dict[str, Any]:
    return {
        "place": m.place,
        "time": m.time,
        "attendees": [{"name": a.name, "party": a.party, "role": a.role} for a in m.attendees],
        "justerare": list(m.justerare),
        "paragraph_range": m.paragraph_range,
        # Where the meeting's organisation, body and date came from (null: not recorded).
        "provenance": m.provenance(),
    }


def _provenance(d: dict[str, Any] | None) -> Provenance | None:
    if not d:
        return None
    return Provenance(d.get("source", ""), d.get("printed", ""), d.get("warning", ""))


def meeting_from_dict(d: dict[str, Any] | None) -> MeetingInfo:
    if not d:
        return MeetingInfo()
    return MeetingInfo(
        place=d.get("place"),
        time=d.get("time"),
        attendees=tuple(Attendee(a["name"], a.get("party"), a.get("role"))
                        for a in d.get("attendees", ())),
        justerare=tuple(d.get("justerare", ())),
        paragraph_range=d.get("paragraph_range"),
        org_from=_provenance((d.get("provenance") or {}).get("org")),
        body_from=_provenance((d.get("provenance") or {}).get("body")),
        date_from=_provenance((d.get("provenance") or {}).get("date")),
    )


def paragraph_from_dict(d: dict[str, Any]) -> Paragraph:
    """Inverse of :func:`paragraph_to_dict`."""
    return Paragraph(
        id=d["id"],
        org=d["org"],
        body=d["body"],
        date=dt.date.fromisoformat(d["date"]),
        number=d["number"],
        title=d["title"],
        text=d["text"],
        decision=d.get("decision", ""),
        sections=tuple(Section(s["kind"], s["heading"], s["text"]) for s in d.get("sections", ())),
        diarienummer=tuple(d.get("diarienummer", ())),
        classification_codes=tuple(d.get("classification_codes", ())),
        pages=tuple(d.get("pages", ())),
        sources=tuple(
            SourceRef(s["capture_id"], s["url"], s["sha256"], s["content_type"], s.get("page"))
            for s in d["sources"]
        ),
        ocr=bool(d.get("ocr", False)),
        meeting=meeting_from_dict(d.get("meeting")),
    )
