"""Scanned protocols: Swedish OCR when ocrmypdf and tesseract-ocr-swe are installed."""

import os

import pytest

import paragraf_se.indexer.parsing as parsing
from paragraf_se.indexer.parsing import parse_document
from paragraf_se.indexer.parsing.ocr import ocr_available, repair_ocr_text
from tests.pdfgen import make_scanned_pdf

SCAN = ["Åsjö kommun", "Kommunstyrelsen", "Sammanträdesdatum 2022-03-02", "",
        "§ 14 Avfallsplan för kommunen", "", "Beslut", "Kommunstyrelsen antar avfallsplanen."]


def test_misread_paragraph_signs_are_repaired():
    assert repair_ocr_text("8 14 Avfallsplan\n$ 15 Budget\nS 3 a Taxor") == (
        "§ 14 Avfallsplan\n§ 15 Budget\n§ 3 a Taxor")
    assert repair_ocr_text("8 ledamöter närvarade") == "8 ledamöter närvarade"


def test_without_ocr_a_scan_is_reported_as_needing_it(monkeypatch):
    monkeypatch.setattr(parsing, "ocr_available", lambda: False)
    result = parse_document(make_scanned_pdf(SCAN), "application/pdf")
    assert result.needs_ocr and result.status == "warnings"
    assert result.messages == ("needs OCR",)
    assert result.paragraphs == ()


def test_ocr_reads_a_scanned_protocol():
    if not ocr_available():
        if os.environ.get("CI"):
            pytest.fail("CI must have ocrmypdf and tesseract-ocr-swe (make system-deps)")
        pytest.skip("ocrmypdf / tesseract-ocr-swe not installed (apt-get install ocrmypdf "
                    "tesseract-ocr-swe)")
    result = parse_document(make_scanned_pdf(SCAN), "application/pdf")
    assert result.ocr_pages == (1,)
    assert result.meeting.body == "Kommunstyrelsen"
    (p,) = result.paragraphs
    assert (p.number, p.title) == ("14", "Avfallsplan för kommunen")
    assert "avfallsplanen" in p.decision
