"""Decide an original's media type from what was declared and what the bytes say.

Servers of municipal sites mislabel documents routinely: an HTML error page
served as ``application/pdf``, PDFs served as ``application/octet-stream``.
The parsers downstream dispatch on the media type, so a few unambiguous
magic numbers beat the declaration. Anything subtler is left as declared.
"""

from __future__ import annotations

import io
import re
import zipfile

OCTET_STREAM = "application/octet-stream"
PDF = "application/pdf"
HTML = "text/html"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

_TOKEN = r"[!#$%&'*+.^_`|~0-9a-z-]+"
_MEDIA_TYPE_RE = re.compile(rf"{_TOKEN}/{_TOKEN}")

# Declarations that say "I don't know": sniffing further is safe for these.
_GENERIC = frozenset(
    {
        "",
        OCTET_STREAM,
        "binary/octet-stream",
        "application/x-download",
        "application/force-download",
        "application/download",
        "application/unknown",
    }
)

# The WHATWG MIME sniffing "scriptable" HTML patterns: a tag name followed by
# a tag-terminating byte (space or ">").
_HTML_TAGS = (
    b"<!doctype html",
    b"<html",
    b"<head",
    b"<script",
    b"<iframe",
    b"<h1",
    b"<div",
    b"<font",
    b"<table",
    b"<a",
    b"<style",
    b"<title",
    b"<b",
    b"<body",
    b"<br",
    b"<p",
    b"<!--",
)
_TAG_END = b" \t\n\x0c\r>"
_BOMS = (b"\xef\xbb\xbf", b"\xfe\xff", b"\xff\xfe")
_SNIFF_WINDOW = 1024


def media_type(declared: str | None) -> str:
    """The bare media type of a Content-Type value: lowercased, parameters dropped.

    Returns "" when ``declared`` is missing or not of the form ``type/subtype``.
    """
    if not declared:
        return ""
    bare = declared.split(";", 1)[0].strip().lower()
    return bare if _MEDIA_TYPE_RE.fullmatch(bare) else ""


def looks_like_pdf(data: bytes) -> bool:
    """True if the PDF header appears where readers look for it (first KiB)."""
    return b"%PDF-" in data[:_SNIFF_WINDOW]


def looks_like_html(data: bytes) -> bool:
    """True if the bytes open with one of the WHATWG HTML markers."""
    head = data[:_SNIFF_WINDOW]
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    head = head.lstrip(b" \t\n\x0c\r").lower()
    for tag in _HTML_TAGS:
        if head.startswith(tag) and len(head) > len(tag) and head[len(tag)] in _TAG_END:
            return True
    return False


def _zip_type(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return OCTET_STREAM
    if any(name.startswith("word/") for name in names):
        return DOCX
    return "application/zip"


def sniff(data: bytes, declared: str | None) -> str:
    """The media type to record for ``data`` given the ``declared`` Content-Type.

    PDF and HTML magic always win, because those are the two types the
    parsers care about and mislabelling between them is common. Other
    magic numbers only replace a generic declaration (octet-stream etc.).
    """
    bare = media_type(declared)
    if looks_like_pdf(data):
        return PDF
    if looks_like_html(data):
        return HTML
    if bare not in _GENERIC:
        return bare
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/msword"
    if data.startswith(b"{\\rtf"):
        return "application/rtf"
    return OCTET_STREAM
