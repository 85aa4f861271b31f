"""A tiny, dependency-free PDF writer for tests.

It emits valid PDF 1.4 files with the standard Helvetica font in WinAnsiEncoding,
so Swedish letters (å, ä, ö), "§" and "–" survive text extraction. A page given as
``None`` becomes a "scanned" page: one grey image and no text layer.
"""

from __future__ import annotations

from collections.abc import Sequence

_PAGE_WIDTH = 595  # A4 in points
_PAGE_HEIGHT = 842


def _pdf_string(text: str) -> bytes:
    """Encode one line as a PDF literal string in WinAnsiEncoding (cp1252)."""
    raw = text.encode("cp1252", errors="replace")
    escaped = raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return b"(" + escaped + b")"


def _text_stream(lines: Sequence[str], font_size: int) -> bytes:
    leading = font_size + 4
    parts = [b"BT", f"/F1 {font_size} Tf {leading} TL 50 {_PAGE_HEIGHT - 50} Td".encode()]
    for line in lines:
        parts.append(_pdf_string(line) + b" Tj T*")
    parts.append(b"ET")
    return b"\n".join(parts)


def _image_stream() -> bytes:
    return b"q 400 0 0 300 100 400 cm /Im1 Do Q"


def make_pdf(pages: Sequence[Sequence[str] | None], *, font_size: int = 10) -> bytes:
    """Return the bytes of a PDF with one page per item of ``pages``.

    Each item is the page's text lines, top to bottom, or ``None`` for an
    image-only page without any text layer.
    """
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in once the page tree id is known
    pages_id = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
               b"/Encoding /WinAnsiEncoding >>")
    pixels = bytes([128] * 4)
    image = add(b"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray "
                b"/BitsPerComponent 8 /Length 4 >>\nstream\n" + pixels + b"\nendstream")
    kids = []
    for lines in pages:
        content = _image_stream() if lines is None else _text_stream(lines, font_size)
        stream = add(f"<< /Length {len(content)} >>\nstream\n".encode() + content
                     + b"\nendstream")
        resources = (f"<< /XObject << /Im1 {image} 0 R >> >>" if lines is None
                     else f"<< /Font << /F1 {font} 0 R >> >>")
        kids.append(add(
            f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {_PAGE_WIDTH} "
            f"{_PAGE_HEIGHT}] /Resources {resources} /Contents {stream} 0 R >>".encode()
        ))
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode()
    kid_refs = " ".join(f"{k} 0 R" for k in kids)
    objects[pages_id - 1] = f"<< /Type /Pages /Kids [{kid_refs}] /Count {len(kids)} >>".encode()

    return assemble_pdf(objects, root=catalog)


def assemble_pdf(objects: Sequence[bytes], *, root: int = 1) -> bytes:
    """Number ``objects`` from 1, write them with a correct xref table and trailer."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref_at = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root {root} 0 R >>\n"
            f"startxref\n{xref_at}\n%%EOF\n").encode()
    return bytes(out)


def make_scanned_pdf(lines: Sequence[str], *, font_size: int = 14, scale: float = 3.0) -> bytes:
    """A one-page PDF holding only a picture of ``lines``: what a scanner makes.

    The text is drawn by :func:`make_pdf`, rendered to grey pixels with
    PDFium, and embedded as a Flate-compressed image with no text layer.
    """
    import zlib

    import numpy as np
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(make_pdf([lines], font_size=font_size))
    try:
        pixels = document[0].render(scale=scale, grayscale=True).to_numpy()
    finally:
        document.close()
    height, width = pixels.shape[:2]
    data = zlib.compress(np.ascontiguousarray(pixels.reshape(height, width)).tobytes())
    content = f"q {_PAGE_WIDTH} 0 0 {_PAGE_HEIGHT} 0 0 cm /Im1 Do Q".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {_PAGE_WIDTH} {_PAGE_HEIGHT}] "
        f"/Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>".encode(),
        f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream",
        f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace "
        f"/DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length {len(data)} >>\n"
        f"stream\n".encode() + data + b"\nendstream",
    ]
    return assemble_pdf(objects)
