"""Decoding fetched HTML and reading what crawlers use: heading, main text, links."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.html
from lxml import etree

_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_SKIP_SCHEMES = ("#", "mailto:", "tel:", "javascript:", "data:")


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(body: bytes, declared: str | None) -> str:
    """Text of an HTML page: declared charset, then ``<meta>``, then UTF-8, then cp1252.

    Municipal sites still serve Windows-1252 pages, often without saying so;
    cp1252 decodes any byte string, so this never fails.
    """
    header = _CHARSET.search(declared or "")
    meta = _META_CHARSET.search(body[:4096])
    for name in (header.group(1) if header else None,
                 meta.group(1).decode("ascii") if meta else None, "utf-8"):
        codec = _codec(name)
        if codec is None:
            continue
        try:
            return body.decode(codec)
        except UnicodeDecodeError:
            continue
    return body.decode("cp1252", errors="replace")


@dataclass(frozen=True)
class HtmlPage:
    """What a crawler reads from an HTML page."""

    heading: str | None  # the first <h1>, white space folded
    text: str  # the text of <main>, or of the whole page when it has none
    links: tuple[str, ...]  # absolute <a href> targets in document order


_EMPTY = HtmlPage(None, "", ())


def parse_html(body: bytes, base_url: str, declared: str | None = None) -> HtmlPage:
    """Heading, main text and links of an HTML page; an empty page if it cannot be parsed.

    ``declared`` is the response's Content-Type header (see :func:`decode_html`);
    links resolve against ``<base href>`` when the page has one.
    """
    text = decode_html(body, declared)
    try:
        # Re-encoding as UTF-8 keeps lxml from second-guessing our decoding.
        doc = lxml.html.document_fromstring(
            text.encode("utf-8", errors="replace"),
            parser=lxml.html.HTMLParser(encoding="utf-8"),
        )
    except (etree.ParserError, ValueError):
        return _EMPTY
    base = doc.find(".//base[@href]")
    if base is not None:
        base_url = urljoin(base_url, base.get("href", "").strip())
    h1 = doc.find(".//h1")
    heading = " ".join(h1.text_content().split()) if h1 is not None else None
    main = doc.find(".//main")
    links = []
    for anchor in doc.iter("a"):
        href = (anchor.get("href") or "").strip()
        if href and not href.lower().startswith(_SKIP_SCHEMES):
            links.append(urljoin(base_url, href))
    return HtmlPage(heading or None, (main if main is not None else doc).text_content(),
                    tuple(links))
