"""Text per page from PDF bytes with pypdfium2.

pypdfium2 is the fastest permissively licensed extractor (see engine notes). PDFium
is not thread-safe, so extraction is serialised with a lock.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from paragraf_se.indexer.parsing.errors import ParseFailure

_PDFIUM_LOCK = threading.Lock()
# PDFium marks a hyphen it found at a line end with U+FFFE and joins the lines;
# we restore "-\n" so the text layer's own hyphenation rules decide.
_PDFIUM_LINE_HYPHEN = "\ufffe"
# Protocols run to a few hundred pages; a 10,000-page file is an attack or a
# mistake, and reading only its start keeps one document's cost bounded.
MAX_PDF_PAGES = 5000
NO_PAGES = "empty document: the PDF has no pages"
_EMPTY_PAGE_TREE = re.compile(rb"/Count\s*0(?![0-9])")
_PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


@dataclass(frozen=True)
class PdfText:
    """Text of each page (1-based page i is ``pages[i - 1]``) and the pages
    that show images but carry no text, i.e. need OCR."""

    pages: tuple[str, ...]
    scanned_pages: tuple[int, ...]
    total_pages: int = 0  # pages in the file; more than len(pages) when capped


def extract_pdf_text(data: bytes) -> PdfText:
    """Extract the text layer of every page. Raises ParseFailure when the PDF
    cannot be opened (broken, truncated, encrypted) or has no pages."""
    with _PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise ParseFailure(_load_error(str(exc), data)) from exc
        try:
            if len(document) == 0:
                raise ParseFailure(NO_PAGES)
            pages: list[str] = []
            scanned: list[int] = []
            total = len(document)
            for number in range(1, min(total, MAX_PDF_PAGES) + 1):
                text, has_images = _page_text(document, number - 1)
                pages.append(text)
                if not text.strip() and has_images:
                    scanned.append(number)
        finally:
            document.close()
    return PdfText(tuple(pages), tuple(scanned), total)


def _page_text(document: pdfium.PdfDocument, index: int) -> tuple[str, bool]:
    page = document[index]
    try:
        textpage = page.get_textpage()
        try:
            text = textpage.get_text_range()
        finally:
            textpage.close()
        # Only a page without text needs the (slower) look for images.
        has_images = not text.strip() and any(
            obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE for obj in page.get_objects(max_depth=2)
        )
    except pdfium.PdfiumError as exc:
        raise ParseFailure(f"broken PDF: page {index + 1} cannot be read ({exc})") from exc
    finally:
        page.close()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace(_PDFIUM_LINE_HYPHEN, "-\n"), has_images


def _load_error(detail: str, data: bytes) -> str:
    if "password" in detail.lower():
        return "encrypted PDF: a password is needed to read it"
    # PDFium refuses a well-formed PDF whose page tree is empty with no error
    # code at all ("PDFium: Success") or, depending on what it parsed before in
    # the process, "Data format error": neither tells the user anything.
    if _EMPTY_PAGE_TREE.search(data) and not _PAGE_OBJECT.search(data):
        return NO_PAGES
    if "success" in detail.lower():
        return "broken or truncated PDF: PDFium cannot open it"
    return f"broken or truncated PDF: {detail}"
