"""Classic-template protocol PDFs (and attachment PDFs) for the sample site."""

from __future__ import annotations

from paragraf_se.sample_site.pdfwriter import (
    BOLD,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    REGULAR,
    Flow,
    TextRun,
    build_pdf,
    text_width,
)
from paragraf_se.sample_site.schema import (
    Body,
    Item,
    Meeting,
    Org,
    date_prose,
    decision_heading,
    numbered,
    shift_date,
)

LEFT = 70.0
RIGHT_EDGE = PAGE_WIDTH - 60.0


def _right(text: str, y: float, font: str = REGULAR, size: float = 10.0) -> TextRun:
    return TextRun(RIGHT_EDGE - text_width(text, font, size), y, text, font, size)


def _furniture(org: Org, body: Body, meeting: Meeting):
    """Running header (org, body, date, "PROTOKOLL n(N)") and signature footer."""

    def decorate(page: int, pages: int) -> list[TextRun]:
        top = PAGE_HEIGHT - 50
        return [
            TextRun(LEFT, top, org.name, BOLD, 12),
            _right("PROTOKOLL", top, BOLD, 12),
            TextRun(LEFT, top - 16, body.name, REGULAR, 10),
            _right(f"{page}({pages})", top - 16),
            TextRun(LEFT, top - 30, f"Sammanträdesdatum {meeting.date}", REGULAR, 10),
            TextRun(LEFT, 45, "Justerandes sign", REGULAR, 8),
            TextRun(LEFT + 200, 45, "Utdragsbestyrkande", REGULAR, 8),
        ]

    return decorate


def _front_page(flow: Flow, org: Org, body: Body, meeting: Meeting, span: str) -> None:
    office = "Regionkansliet" if org.kind == "region" else "Kommunkansliet"
    members = [m for m in body.members if m not in meeting.absent]
    flow.labelled(
        "Plats och tid",
        f"{meeting.place}, {date_prose(meeting.date)} kl. {meeting.time}",
    )
    flow.space()
    flow.labelled("Beslutande ledamöter", f"{body.chair}, ordf.")
    for member in members:
        flow.labelled("", member)
    if body.deputies:
        flow.space()
        flow.labelled("Ersättare", body.deputies[0])
        for deputy in body.deputies[1:]:
            flow.labelled("", deputy)
    flow.space()
    flow.labelled("Övriga närvarande", f"{body.secretary}, sekreterare")
    flow.space()
    flow.labelled("Utses att justera", meeting.justerare)
    flow.labelled(
        "Justeringens plats och tid",
        f"{office}, {org.town}, {date_prose(shift_date(meeting.date, 5), weekday=False)}",
    )
    flow.space()
    flow.labelled("Underskrifter", f"Sekreterare  {body.secretary}")
    flow.labelled("", f"Ordförande  {body.chair}")
    flow.labelled("", f"Justerande  {meeting.justerare}")
    flow.space()
    flow.paragraph(f"Protokollet omfattar §§ {span}", font=BOLD)
    flow.space(20)
    flow.heading("ANSLAG/BEVIS")
    flow.paragraph("Protokollet är justerat. Justeringen har tillkännagivits genom anslag.")
    flow.labelled("Organ", body.name)
    flow.labelled("Sammanträdesdatum", meeting.date)
    flow.labelled("Anslaget sätts upp", shift_date(meeting.date, 6))
    flow.labelled("Anslaget tas ned", shift_date(meeting.date, 28))
    flow.labelled("Förvaringsplats", f"{office}, {org.town}")


def _item(flow: Flow, body: Body, label: str, item: Item) -> None:
    flow.space(10)
    flow.heading(f"§ {label} {item.title}", size=11.5)
    if item.dnr:
        flow.paragraph(f"Dnr {item.dnr}")
    for heading, text in item.sections:
        flow.space()
        flow.heading(decision_heading(heading, body))
        for part in text.split("\n\n"):
            flow.paragraph(part)


def protocol_pdf(org: Org, body: Body, meeting: Meeting) -> bytes:
    """The full protocol: front page, ÄRENDELISTA, then every "§ N Title" paragraph."""
    items = numbered(meeting)
    span = f"{items[0][0]}–{items[-1][0]}"
    flow = Flow()
    _front_page(flow, org, body, meeting, span)
    flow.new_page()
    flow.heading("ÄRENDELISTA", size=12)
    for label, item in items:
        flow.paragraph(f"§ {label} {item.title}")
    for label, item in items:
        _item(flow, body, label, item)
    pages = flow.finish(_furniture(org, body, meeting))
    return build_pdf(pages, title=f"Protokoll {body.name} {meeting.date}")


def attachment_pdf(org: Org, body: Body, meeting: Meeting, item: Item, title: str) -> bytes:
    """A short one-page tjänsteskrivelse-like attachment for ``item``."""
    flow = Flow(top=70.0)
    flow.paragraph(org.name, font=BOLD, size=12)
    flow.paragraph(f"Bilaga till {body.name} {meeting.date}")
    flow.space(16)
    flow.heading(title, size=14)
    if item.dnr:
        flow.paragraph(f"Diarienummer {item.dnr}")
    flow.space()
    flow.heading(item.title)
    for part in item.sections[0][1].split("\n\n"):
        flow.paragraph(part)
    return build_pdf(flow.finish(), title=title)
