"""Visible text of an HTML page as lines, for the text parser.

Meetings Plus pages and CMS pages wrap the protocol in navigation, headers,
footers, scripts and a cookie banner; those go. Block elements become lines so
that "§ 40" in its own ``<div>`` stays on its own line.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from paragraf_se.indexer.parsing.decode import decode_text, html_charset
from paragraf_se.indexer.parsing.errors import ParseFailure

_DROP_TAGS = frozenset({
    "script", "style", "nav", "header", "footer", "noscript", "template", "svg", "form",
    "button", "select", "iframe", "object", "head", "title",
})
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "dd", "details", "dialog", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main",
    "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "ul", "caption", "body", "html",
})
# Cookie banners are identified by their id/class because their wording varies.
_COOKIE_ATTR = re.compile(r"cookie|consent|gdpr", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>", re.IGNORECASE)


def html_to_text(data: bytes) -> str:
    """Return the page's visible text with one line per block element."""
    text = _XML_DECLARATION.sub("", decode_text(data, declared=html_charset(data)))
    if not text.strip():
        raise ParseFailure("empty document: the HTML page has no content")
    try:
        root = lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise ParseFailure(f"unreadable HTML: {exc}") from exc
    # The page title often carries the meeting date ("Möte 2023-10-16 - Nämnd").
    title = " ".join(root.findtext(".//title", default="").split())
    _drop_chrome(root)
    return f"{title}\n{_block_text(root)}"


def _drop_chrome(root: lxml_html.HtmlElement) -> None:
    doomed = []
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        marks = f"{element.get('id', '')} {element.get('class', '')}" if tag else ""
        # Tagless nodes are comments and processing instructions.
        if not tag or tag.lower() in _DROP_TAGS or _COOKIE_ATTR.search(marks):
            doomed.append(element)
    for element in doomed:
        if element.getparent() is not None:
            _drop_keep_tail(element)


def _drop_keep_tail(element: etree._Element) -> None:
    parent = element.getparent()
    tail = element.tail or ""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)


def _block_text(root: lxml_html.HtmlElement) -> str:
    parts: list[str] = []
    # iterwalk is iterative, so deeply nested junk cannot exhaust the stack.
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        block = tag in _BLOCK_TAGS
        if event == "start":
            if block:
                parts.append("\n")
            if tag == "br":
                parts.append("\n")
            if element.text:
                parts.append(element.text)
        else:
            if block:
                parts.append("\n")
            if element.tail and element is not root:
                parts.append(element.tail)
    text = "".join(parts).replace("\xa0", " ")
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(lines)
