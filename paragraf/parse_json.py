"""``paragraf parse --json`` output: a parse result as plain JSON."""

from __future__ import annotations

from typing import Any

from paragraf_se.indexer.model import ParseResult


def parse_result_json(result: ParseResult) -> dict[str, Any]:
    m = result.meeting
    return {
        "status": result.status,
        "messages": list(result.messages),
        "needs_ocr": result.needs_ocr,
        "meeting": {
            "org": m.org,
            "body": m.body,
            "date": m.date.isoformat() if m.date else None,
            "place": m.place,
            "time": m.time,
            "attendees": [{"name": a.name, "party": a.party, "role": a.role}
                          for a in m.attendees],
            "justerare": list(m.justerare),
            "paragraph_range": m.paragraph_range,
            # Where organisation, body and date were read: {"source", "printed",
            # "warning" when uncertain}, or null while unknown.
            "provenance": m.provenance(),
        },
        "paragraphs": [
            {
                "number": p.number,
                "title": p.title,
                "decision": p.decision,
                "diarienummer": list(p.diarienummer),
                "classification_codes": list(p.classification_codes),
                "pages": list(p.pages),
                "sections": [{"kind": s.kind, "heading": s.heading, "text": s.text}
                             for s in p.sections],
                "text": p.text,
            }
            for p in result.paragraphs
        ],
    }
