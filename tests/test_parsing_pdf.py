"""PDF protocols generated in the test: pages per paragraph, furniture, failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from paragraf_se.indexer.parsing import parse_document
from tests.pdfgen import make_pdf


def _protocol_pages() -> list[list[str]]:
    def page(n: int, lines: list[str]) -> list[str]:
        return ["Kulturnämnden", f"Sammanträdesprotokoll 2019-05-02, sida {n}", *lines,
                "Justerandes sign", "Utdragsbestyrkande", "Storgatan 1, Åby"]

    return [
        page(1, ["Plats och tid Rådhuset, den 2 maj kl. 14:00-16:00",
                 "Beslutande Åsa Öberg (S), ordf.", "Utses att justera Åsa Öberg (S)",
                 "Paragrafer 8-10", ""]),
        page(2, ["§ 8 Ändring av taxa för kulturskolan – avgifter", "",
                 "Sammanfattning", "Förvaltningen föreslår att taxan för kultur-",
                 "skolan höjs med 5 procent. Dnr KN 2019/45."]),
        page(3, ["Beslutet gäller från höstterminen.", "", "Beslut",
                 "Taxan höjs enligt förslaget.", "", "§ 9 Val av ombud", "", "Beslut",
                 "Åsa Öberg utses till ombud."]),
        page(4, ["§ 10 Övriga frågor", "", "Sammanfattning", "Inga frågor anmäldes."]),
    ]


def test_paragraphs_know_their_pages_and_furniture_is_gone():
    result = parse_document(make_pdf(_protocol_pages()), "application/pdf")
    assert result.status == "ok", result.messages
    assert [(p.number, p.title, p.pages) for p in result.paragraphs] == [
        ("8", "Ändring av taxa för kulturskolan – avgifter", (2, 3)),
        ("9", "Val av ombud", (3,)),
        ("10", "Övriga frågor", (4,)),
    ]
    first = result.paragraphs[0]
    # PDFium emits no blank lines for vertical gaps; the blank marks the page
    # break, where the running header and footer were removed.
    assert first.text == (
        "Sammanfattning\nFörvaltningen föreslår att taxan för kulturskolan\n"
        "höjs med 5 procent. Dnr KN 2019/45.\n\nBeslutet gäller från höstterminen.\n"
        "Beslut\nTaxan höjs enligt förslaget."
    )
    assert first.decision == "Taxan höjs enligt förslaget."
    assert first.diarienummer == ("KN 2019/45",)
    assert result.meeting.date.isoformat() == "2019-05-02"
    assert result.meeting.body == "Kulturnämnden"


@pytest.fixture()
def no_ocr(monkeypatch):
    """The path taken where ocrmypdf / tesseract-ocr-swe are not installed."""
    import paragraf_se.indexer.parsing as parsing_pkg

    monkeypatch.setattr(parsing_pkg, "ocr_available", lambda: False)


def test_scanned_pdf_needs_ocr(no_ocr):
    result = parse_document(make_pdf([None, None]))
    assert (result.status, result.messages, result.needs_ocr) == ("warnings", ("needs OCR",), True)
    assert result.paragraphs == ()


def test_partly_scanned_pdf_keeps_text_pages_and_flags_ocr(no_ocr):
    result = parse_document(make_pdf([["§ 1 Budget", "", "Beslut", "Antas."], None]))
    assert [p.number for p in result.paragraphs] == ["1"]
    assert result.needs_ocr
    assert "needs OCR: pages 2 have no text layer" in result.messages


def test_truncated_pdf_fails_clearly():
    data = make_pdf(_protocol_pages())
    result = parse_document(data[: len(data) // 2], "application/pdf")
    assert result.status == "failed"
    assert result.messages[0].startswith("broken or truncated PDF")


def test_garbage_after_pdf_magic_fails_clearly():
    result = parse_document(b"%PDF-1.4\nthis is not a pdf at all")
    assert result.status == "failed"
    assert "PDF" in result.messages[0]


def test_pdf_with_blank_pages_only_fails():
    result = parse_document(make_pdf([[], []]))
    assert (result.status, result.messages) == ("failed", ("empty document: the PDF has no text",))


def test_region_fixture_as_pdf_skips_the_agenda_and_numbers_pages():
    text = (Path(__file__).parent / "fixtures" / "parsing" / "region_protocol.txt").read_text(
        encoding="utf-8")
    result = parse_document(make_pdf([page.split("\n") for page in text.split("\f")]))
    assert result.status == "ok", result.messages
    assert [(p.number, p.pages) for p in result.paragraphs] == [
        ("12", (2,)), ("13", (2,)), ("14", (3,)), ("15", (4,)), ("16", (4,)), ("17", (4,))]
    assert result.paragraphs[2].title == (
        "Regional utvecklingsstrategi för Västernorrland 2020–2030 och ny handlingsplan")
