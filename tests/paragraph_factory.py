"""Building paragraphs for index tests without a parser."""

from __future__ import annotations

import datetime as dt

from paragraf_se.indexer.model import Paragraph, SourceRef, paragraph_id


def make_paragraph(
    number: str = "1",
    title: str = "Titel",
    text: str = "Text.",
    *,
    org: str = "Åsjö kommun",
    body: str = "Kommunstyrelsen",
    date: str = "2022-03-02",
    url: str = "file:///protokoll.txt",
    content_type: str = "text/plain",
    decision: str = "",
    diarienummer: tuple[str, ...] = (),
) -> Paragraph:
    d = dt.date.fromisoformat(date)
    return Paragraph(
        id=paragraph_id(org, body, d, number),
        org=org,
        body=body,
        date=d,
        number=number,
        title=title,
        text=text,
        sources=(SourceRef("c" * 20, url, "0" * 64, content_type, 1),),
        decision=decision,
        diarienummer=diarienummer,
    )
