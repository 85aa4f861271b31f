"""Decide what a document is from its bytes; the declared type is only a hint.

Servers mislabel often (an HTML error page served as ``application/pdf``), so the
bytes win whenever they say something definite.
"""

from __future__ import annotations

import re

PDF = "pdf"
HTML = "html"
TEXT = "text"

_HTML_MARKERS = re.compile(
    rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<meta\s|<title>|<div[\s>]|<p>|<table[\s>]"
    rb"|<ul[\s>]|<h[1-6][\s>]",
    re.IGNORECASE,
)


def sniff_kind(data: bytes, content_type: str | None = None, filename: str | None = None) -> str:
    """Return ``"pdf"``, ``"html"`` or ``"text"`` for ``data``."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n\x00")
    if head.startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return PDF
    if _HTML_MARKERS.search(head):
        return HTML
    hint = (content_type or "").lower() + " " + (filename or "").lower()
    if ("html" in hint or hint.rstrip().endswith((".htm", ".html"))) and b"<" in head:
        return HTML
    return TEXT
