"""Parsers without silent limits: old Mac line endings and a PDF with no pages (issue 17)."""

from __future__ import annotations

import io

import pypdfium2 as pdfium

from paragraf_se.indexer.parsing import parse_document
from paragraf_se.indexer.parsing.pdf import NO_PAGES


def _cr_only_protocol(paragraphs: int) -> bytes:
    lines = ["Protokoll", "Kommunstyrelsen", "Sammanträdesdatum 2023-05-04", ""]
    for n in range(1, paragraphs + 1):
        lines += [f"§ {n}", f"Ärende nummer {n}",
                  "Kommunstyrelsen beslutar att godkänna förslaget. " * 6, ""]
    return "\r".join(lines).encode("cp1252")


def test_cr_only_text_file_parses_every_paragraph():
    data = _cr_only_protocol(640)
    assert len(data) > 200_000 and b"\n" not in data
    result = parse_document(data, "text/plain", filename="protokoll.txt")
    assert result.status == "ok", result.messages
    assert [p.number for p in result.paragraphs] == [str(n) for n in range(1, 641)]
    assert result.meeting.date is not None and result.meeting.date.isoformat() == "2023-05-04"


def test_a_valid_pdf_without_pages_is_empty_not_broken():
    document = pdfium.PdfDocument.new()
    out = io.BytesIO()
    document.save(out)
    document.close()
    result = parse_document(out.getvalue(), "application/pdf")
    assert result.status == "failed"
    assert result.messages == (NO_PAGES,)
    assert not any("Success" in m for m in result.messages)


def test_a_truncated_pdf_is_still_broken():
    result = parse_document(b"%PDF-1.7\n1 0 obj\n<</Type/Catalog", "application/pdf")
    assert result.status == "failed"
    assert result.messages[0].startswith("broken or truncated PDF")
    assert "Success" not in result.messages[0]
