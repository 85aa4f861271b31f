"""Hostile documents stay bounded: decompression bombs, huge PDFs, huge pages, bad bytes."""

import zlib

import pytest

import paragraf_se.indexer.parsing.pdf as pdf_module
from paragraf_se.indexer.parsing import parse_document
from paragraf_se.isolated_parse import IsolatedParser
from tests.pdfgen import assemble_pdf, make_pdf


def flate_bomb_pdf(inflated_mib: int) -> bytes:
    """One page whose content stream inflates to ``inflated_mib`` MiB of spaces."""
    comp = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    stream = b"".join(comp.compress(chunk) for _ in range(inflated_mib)) + comp.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        f"<< /Length {len(stream)} /Filter /FlateDecode >>\nstream\n".encode() + stream
        + b"\nendstream",
    ]
    return assemble_pdf(objects)


def test_decompression_bomb_is_bounded_by_the_memory_cap():
    bomb = flate_bomb_pdf(1024)  # 1 GiB inflated, ~1 MiB on disk
    assert len(bomb) < 3 * 1024 * 1024
    with IsolatedParser(timeout=60, memory_bytes=512 * 1024 * 1024) as parse:
        result = parse(bomb, "application/pdf")
        assert result.status == "failed"
        # The worker is replaced; the next document parses.
        ok = parse(make_pdf([["§ 1 Val av justerare", "Beslut", "Anna justerar."]]),
                   "application/pdf")
    assert ok.paragraphs and ok.paragraphs[0].number == "1"


def test_pages_beyond_the_cap_are_not_read(monkeypatch):
    monkeypatch.setattr(pdf_module, "MAX_PDF_PAGES", 20)
    pages = [[f"§ {n} Ärende {n}", "Beslut", f"Beslut i ärende {n}."] for n in range(1, 31)]
    result = parse_document(make_pdf(pages), "application/pdf")
    assert [p.number for p in result.paragraphs][-1] == "20"
    assert result.status == "warnings"
    assert any("first 20 of 30 pages" in m for m in result.messages)


@pytest.mark.parametrize("data", [
    b"%PDF-1.7\n" + b"\x00" * 1000,
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>",
    b"<html>" + b"<div>" * 100_000 + b"</html>",
    "§ 1 ".encode() * 200_000,
    bytes(range(256)) * 4000,
])
def test_malformed_inputs_give_a_clear_result(data):
    with IsolatedParser(timeout=60) as parse:
        result = parse(data, None)
    assert result.status in ("ok", "warnings", "failed")
    if result.status == "failed":
        assert result.messages and result.messages[0]
