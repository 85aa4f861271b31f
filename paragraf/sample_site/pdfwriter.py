"""A minimal, dependency-free PDF writer for the sample site's protocols.

Only what a classic Swedish protocol needs: the standard Helvetica and
Helvetica-Bold Type 1 fonts with WinAnsiEncoding (so å ä ö é § – survive text
extraction), text placed at absolute positions, a simple flowing layout with
word wrapping, and several pages. Output is byte-for-byte deterministic: no
timestamps, no document ID and no compression (zlib output may differ between
library versions, which would break the "committed output equals fresh
generation" check).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

PAGE_WIDTH = 595.0  # A4 in points
PAGE_HEIGHT = 842.0

REGULAR = "F1"
BOLD = "F2"
_FONT_NAMES = {REGULAR: "Helvetica", BOLD: "Helvetica-Bold"}

# Advance widths (1/1000 em) of ASCII 32..126 from Adobe's Helvetica metrics.
_ASCII_WIDTHS = {
    REGULAR: (
        "278,278,355,556,556,889,667,191,333,333,389,584,278,333,278,278,556,556,556,556,"
        "556,556,556,556,556,556,278,278,584,584,584,556,1015,667,667,722,722,667,611,778,"
        "722,278,500,667,556,833,722,778,667,778,722,667,611,722,667,944,667,667,611,278,"
        "278,278,469,556,333,556,556,500,556,556,278,556,556,222,222,500,222,833,556,556,"
        "556,556,333,500,278,556,500,722,500,500,500,334,260,334,584"
    ),
    BOLD: (
        "278,333,474,556,556,889,722,238,333,333,389,584,278,333,278,278,556,556,556,556,"
        "556,556,556,556,556,556,333,333,584,584,584,611,975,722,722,722,722,667,611,778,"
        "722,278,556,722,611,833,722,778,667,778,722,667,611,722,667,944,667,667,611,333,"
        "278,333,584,556,333,556,611,556,611,556,333,611,611,278,278,556,278,889,611,611,"
        "611,611,389,556,333,611,556,778,556,556,500,389,280,389,584"
    ),
}
_WIDTHS = {
    font: {chr(32 + i): int(w) for i, w in enumerate(table.split(","))}
    for font, table in _ASCII_WIDTHS.items()
}
# Non-ASCII WinAnsi characters that are not an accented ASCII letter.
_EXTRA_WIDTHS = {
    "§": 556, "–": 556, "—": 1000, "•": 350, "°": 400, "×": 584, "«": 556, "»": 556,
    "’": 222, "‘": 222, "”": 333, "“": 333, "\u00a0": 278,
}


def char_width(char: str, font: str = REGULAR) -> int:
    """Advance width of one character in 1/1000 em (accented letters as their base)."""
    table = _WIDTHS[font]
    if char in table:
        return table[char]
    if char in _EXTRA_WIDTHS:
        return _EXTRA_WIDTHS[char]
    base = unicodedata.normalize("NFD", char)[:1]
    return table.get(base, 556)


def text_width(text: str, font: str = REGULAR, size: float = 10.0) -> float:
    """Width of ``text`` in points when set in ``font`` at ``size``."""
    return sum(char_width(c, font) for c in text) * size / 1000.0


def wrap_text(text: str, font: str, size: float, max_width: float) -> list[str]:
    """Greedy word wrap; a single over-long word is put on a line of its own."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and text_width(candidate, font, size) > max_width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines or [""]


@dataclass(frozen=True)
class TextRun:
    """One line of text placed with its baseline start at (x, y) from the bottom left."""

    x: float
    y: float
    text: str
    font: str = REGULAR
    size: float = 10.0


def _encode_text(text: str) -> bytes:
    """WinAnsi (cp1252) bytes as a PDF literal string body, escaped."""
    raw = text.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _fmt(value: float) -> str:
    """Compact, deterministic number formatting."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def _content_stream(runs: Sequence[TextRun]) -> bytes:
    parts = [b"BT"]
    for run in runs:
        parts.append(
            f"/{run.font} {_fmt(run.size)} Tf 1 0 0 1 {_fmt(run.x)} {_fmt(run.y)} Tm".encode()
            + b" ("
            + _encode_text(run.text)
            + b") Tj"
        )
    parts.append(b"ET")
    return b"\n".join(parts) + b"\n"


def build_pdf(pages: Sequence[Sequence[TextRun]], *, title: str | None = None) -> bytes:
    """Serialise pages of text runs into a complete PDF 1.4 file."""
    if not pages:
        raise ValueError("a PDF needs at least one page")
    # Object numbers: 1 catalog, 2 pages, 3-4 fonts, 5 info, then (page, content) pairs.
    objects: list[bytes] = []
    first_page = 6
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    for font in (REGULAR, BOLD):
        objects.append(
            f"<< /Type /Font /Subtype /Type1 /BaseFont /{_FONT_NAMES[font]} "
            f"/Encoding /WinAnsiEncoding >>".encode()
        )
    info = b"<< /Producer (Paragraf sample site)"
    if title:
        info += b" /Title (" + _encode_text(title) + b")"
    objects.append(info + b" >>")
    for i, runs in enumerate(pages):
        content_ref = first_page + 2 * i + 1
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {_fmt(PAGE_WIDTH)} "
            f"{_fmt(PAGE_HEIGHT)}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> "
            f"/Contents {content_ref} 0 R >>".encode()
        )
        stream = _content_stream(runs)
        objects.append(
            f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"endstream"
        )
    return _serialise(objects)


def _serialise(objects: Sequence[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref_at = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode()
    out += b"0000000000 65535 f \n"  # each xref entry is exactly 20 bytes
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 5 0 R >>\n"
        f"startxref\n{xref_at}\n%%EOF\n"
    ).encode()
    return bytes(out)


class Flow:
    """Flows headings and wrapped paragraphs down pages inside fixed margins.

    Page furniture (running header, footer, page counter) is not part of the
    flow: :meth:`finish` hands each page to ``decorate`` once the total page
    count is known, so "PROTOKOLL 2(5)" can be written.
    """

    def __init__(
        self,
        *,
        left: float = 70.0,
        right: float = 60.0,
        top: float = 120.0,
        bottom: float = 80.0,
        size: float = 10.5,
        leading: float = 14.0,
    ) -> None:
        self.left = left
        self.width = PAGE_WIDTH - left - right
        self.top_y = PAGE_HEIGHT - top
        self.bottom_y = bottom
        self.size = size
        self.leading = leading
        self._pages: list[list[TextRun]] = [[]]
        self._y = self.top_y

    def new_page(self) -> None:
        """Start a new page (no-op if the current page is still empty)."""
        if self._pages[-1]:
            self._pages.append([])
            self._y = self.top_y

    def space(self, amount: float | None = None) -> None:
        """Vertical gap; never carried over to the top of a fresh page."""
        if self._y < self.top_y:
            self._y -= self.leading * 0.6 if amount is None else amount

    def _line(self, text: str, font: str, size: float, indent: float = 0.0) -> None:
        if self._y - self.leading < self.bottom_y:
            self.new_page()
        self._y -= self.leading
        self._pages[-1].append(TextRun(self.left + indent, self._y, text, font, size))

    def paragraph(self, text: str, *, font: str = REGULAR, indent: float = 0.0,
                  size: float | None = None) -> None:
        """Wrapped text; keeps at least two lines together at a page break."""
        size = size or self.size
        lines = wrap_text(text, font, size, self.width - indent)
        if len(lines) > 1 and self._y - 2 * self.leading < self.bottom_y:
            self.new_page()
        for line in lines:
            self._line(line, font, size, indent)

    def heading(self, text: str, *, size: float | None = None) -> None:
        """A bold heading kept on the same page as the first line after it."""
        if self._y - 3 * self.leading < self.bottom_y:
            self.new_page()
        self.paragraph(text, font=BOLD, size=size)

    def labelled(self, label: str, text: str, *, label_width: float = 150.0) -> None:
        """A front-page row: bold label in the margin column, wrapped text beside it."""
        lines = wrap_text(text, REGULAR, self.size, self.width - label_width)
        for i, line in enumerate(lines):
            if i == 0:
                if self._y - self.leading < self.bottom_y:
                    self.new_page()
                self._y -= self.leading
                self._pages[-1].append(TextRun(self.left, self._y, label, BOLD, self.size))
                self._pages[-1].append(
                    TextRun(self.left + label_width, self._y, line, REGULAR, self.size)
                )
            else:
                self._line(line, REGULAR, self.size, label_width)

    def finish(
        self, decorate: Callable[[int, int], Sequence[TextRun]] | None = None
    ) -> list[list[TextRun]]:
        """The laid-out pages, each extended with ``decorate(page_no, page_count)``."""
        pages = [list(page) for page in self._pages if page] or [[]]
        if decorate is not None:
            for number, page in enumerate(pages, start=1):
                extra = decorate(number, len(pages))
                # Headers go before the body text and footers after it, so text
                # extraction reads the page in its visual order.
                page[:0] = [run for run in extra if run.y >= self.bottom_y]
                page.extend(run for run in extra if run.y < self.bottom_y)
        return pages
