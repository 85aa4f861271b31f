"""Media types: declared parameters dropped, magic bytes beat mislabelling."""

from __future__ import annotations

import io
import zipfile

import pytest

from paragraf_se.archive.sniff import DOCX, HTML, OCTET_STREAM, PDF, media_type, sniff

PDF_BYTES = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
HTML_BYTES = "<!DOCTYPE html>\n<html lang=sv><body><p>§ 12 Budget 2025</p></body></html>".encode()


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("text/html; charset=UTF-8", "text/html"),
        ("  Application/PDF ", "application/pdf"),
        ('application/pdf; name="protokoll.pdf"', "application/pdf"),
        ("", ""),
        (None, ""),
        ("not a media type", ""),
        ("text/html\r\nX-Evil: 1", ""),
    ],
)
def test_media_type_strips_parameters_and_rejects_junk(declared, expected):
    assert media_type(declared) == expected


@pytest.mark.parametrize(
    ("data", "declared", "expected"),
    [
        (HTML_BYTES, "application/pdf", HTML),  # an error page served as the PDF
        (PDF_BYTES, "text/html; charset=utf-8", PDF),
        (PDF_BYTES, "application/octet-stream", PDF),
        (b"\xef\xbb\xbf  <html><head><title>x</title>", "application/pdf", HTML),
        (b"<TABLE border=1><tr><td>x", "", HTML),
        (b"<p>Kommunfullm\xc3\xa4ktige</p>", "text/plain", HTML),
        (b"Protokoll \xc2\xa7 5", "text/plain; charset=utf-8", "text/plain"),
        (b"<pre>not html-first", "text/plain", "text/plain"),
        (b"\x00\x01\x02", "image/png", "image/png"),
        (b"\x00\x01\x02", "", OCTET_STREAM),
        (b"", "application/pdf", PDF),  # nothing to contradict the declaration
        (b"{\\rtf1\\ansi", "application/octet-stream", "application/rtf"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "application/x-download", "application/msword"),
    ],
)
def test_sniff(data, declared, expected):
    assert sniff(data, declared) == expected


def test_sniff_tells_docx_from_other_zips_only_for_generic_declarations():
    assert sniff(_docx(), "application/octet-stream") == DOCX
    assert sniff(b"PK\x03\x04 not really a zip", "") == OCTET_STREAM
    assert sniff(_docx(), "application/zip") == "application/zip"


def test_pdf_header_is_found_after_leading_junk_within_first_kib():
    assert sniff(b"\r\n" * 10 + PDF_BYTES, "application/octet-stream") == PDF
    assert sniff(b" " * 2000 + PDF_BYTES, "application/octet-stream") == OCTET_STREAM
