"""Protocol parsers: PDF, HTML and plain text into meeting facts and paragraphs.

The one entry point is :func:`parse_document`. It is a pure function of the bytes
and never raises for bad input: unreadable documents come back with
``status="failed"`` and a message saying why.
"""

from __future__ import annotations

from dataclasses import replace

from paragraf_se.indexer.model import MeetingInfo, ParseResult
from paragraf_se.indexer.parsing.decode import decode_text
from paragraf_se.indexer.parsing.errors import ParseFailure
from paragraf_se.indexer.parsing.html import read_html
from paragraf_se.indexer.parsing.lines import split_pages
from paragraf_se.indexer.parsing.ocr import ocr_available, ocr_pdf, repair_ocr_text
from paragraf_se.indexer.parsing.pdf import PdfText, extract_pdf_text
from paragraf_se.indexer.parsing.sniff import HTML, PDF, sniff_kind
from paragraf_se.indexer.parsing.text import parse_pages

__all__ = ["parse_document"]

NEEDS_OCR = "needs OCR"


def parse_document(
    data: bytes, content_type: str | None = None, *, filename: str | None = None
) -> ParseResult:
    """Parse one archived document into meeting facts and § paragraphs.

    The bytes decide the format (``%PDF-`` => PDF, HTML markers => HTML, else
    text); ``content_type`` and ``filename`` are only hints. Returns status
    "ok", "warnings" (paragraphs found but something looked off, or none found)
    or "failed" (nothing could be read).
    """
    if not data or not data.strip():
        return _failed("empty document: no bytes")
    try:
        kind = sniff_kind(data, content_type, filename)
        if kind == PDF:
            return _parse_pdf(data)
        if kind == HTML:
            return _parse_html(data)
        pages = split_pages(decode_text(data))
        return parse_pages(pages, paged=len(pages) > 1)
    except ParseFailure as exc:
        return _failed(str(exc))
    except RecursionError:
        return _failed("document too deeply nested to parse")


def _parse_html(data: bytes) -> ParseResult:
    page = read_html(data)
    result = parse_pages([page.text], paged=False, web=True)
    if not page.notes:
        return result
    return replace(result, status="warnings" if result.status == "ok" else result.status,
                   messages=(*result.messages, *page.notes))


def _parse_pdf(data: bytes) -> ParseResult:
    extracted = extract_pdf_text(data)
    if extracted.scanned_pages and ocr_available():
        return _parse_with_ocr(data, extracted)
    result = _parse_extracted(extracted)
    if extracted.total_pages > len(extracted.pages):
        note = (f"only the first {len(extracted.pages)} of {extracted.total_pages} pages "
                "were read")
        result = replace(result, status="warnings" if result.status == "ok" else result.status,
                         messages=(*result.messages, note))
    return result


def _parse_with_ocr(data: bytes, before: PdfText) -> ParseResult:
    try:
        after = extract_pdf_text(ocr_pdf(data))
    except ParseFailure as exc:
        result = _parse_extracted(before)
        return replace(result, messages=(*result.messages, str(exc)))
    scanned = set(before.scanned_pages)
    pages = [repair_ocr_text(text) if n in scanned else text
             for n, text in enumerate(after.pages, start=1)]
    unread = tuple(n for n in before.scanned_pages if not pages[n - 1].strip())
    read = tuple(n for n in before.scanned_pages if n not in unread)
    if not any(page.strip() for page in pages):
        return ParseResult(MeetingInfo(), (), status="warnings",
                           messages=(f"{NEEDS_OCR}: OCR found no text",), needs_ocr=True)
    result = parse_pages(pages, paged=True)
    notes = [f"OCR (Swedish) read pages {', '.join(map(str, read))}"] if read else []
    if unread:
        notes.append(f"{NEEDS_OCR}: OCR found no text on pages {', '.join(map(str, unread))}")
    return replace(result, status="warnings", messages=(*result.messages, *notes),
                   ocr_pages=read, needs_ocr=bool(unread))


def _parse_extracted(extracted: PdfText) -> ParseResult:
    if not any(page.strip() for page in extracted.pages):
        if extracted.scanned_pages:
            return ParseResult(MeetingInfo(), (), status="warnings", messages=(NEEDS_OCR,),
                               needs_ocr=True)
        return _failed("empty document: the PDF has no text")
    result = parse_pages(list(extracted.pages), paged=True)
    if not extracted.scanned_pages:
        return result
    listed = ", ".join(str(n) for n in extracted.scanned_pages)
    return ParseResult(
        result.meeting, result.paragraphs, status="warnings",
        messages=(*result.messages, f"{NEEDS_OCR}: pages {listed} have no text layer"),
        needs_ocr=True,
    )


def _failed(message: str) -> ParseResult:
    return ParseResult(MeetingInfo(), (), status="failed", messages=(message,))
