"""Turn the bytes of a text or HTML document into a string."""

from __future__ import annotations

import codecs
import re

from paragraf_se.indexer.parsing.errors import ParseFailure

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)


def decode_text(data: bytes, *, declared: str | None = None) -> str:
    """Decode ``data`` as UTF-8, the declared charset, or Windows-1252.

    Raises ParseFailure for binary data (NUL bytes, many control characters),
    because indexing that as text would only produce garbage.
    """
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        text = _try(data, "utf-16")
    else:
        text = _try(data, "utf-8-sig")
        if text is None and declared:
            text = _try(data, declared)
        if text is None:
            # Older Swedish sites publish Windows-1252; it has å, ä, ö and §.
            text = _try(data, "cp1252")
    if text is None:
        raise ParseFailure("undecodable bytes: neither UTF-8 nor Windows-1252 text")
    if "\x00" in text or len(_CONTROL.findall(text)) > max(8, len(text) // 50):
        raise ParseFailure("binary data: not a PDF, HTML or text document")
    return text


def html_charset(data: bytes) -> str | None:
    """The charset a ``<meta>`` tag declares, if any."""
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii", "ignore")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
