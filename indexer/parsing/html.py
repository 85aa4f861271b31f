"""Visible text of an HTML page as lines, for the text parser.

Meetings Plus pages and CMS pages wrap the protocol in navigation, headers,
footers, scripts and a cookie banner; those go. Block elements become lines so
that "§ 40" in its own ``<div>`` stays on its own line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

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
# Presentational inline tags carry no structure and no line breaks. Old-style
# pages leave <font> unclosed, so each one nests the rest of the page a level
# deeper; libxml2 stops at a fixed depth and silently drops what lies below.
# Removing these tags before parsing keeps such pages flat.
_FORMATTING_TAGS = re.compile(
    r"</?(?:font|basefont|b|i|u|s|strike|em|strong|small|big|tt|sub|sup)\b[^<>]*>",
    re.IGNORECASE)
_DEPTH_ERROR = "excessive depth"
_VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                        "meta", "param", "source", "track", "wbr"})
DEEP_HTML_NOTE = ("the HTML is nested deeper than the HTML parser's limit; its text was read "
                  "by a simpler reader that ignores the nesting")


@dataclass(frozen=True)
class HtmlText:
    """A page's visible text, one line per block, and notes on how it was read."""

    text: str
    notes: tuple[str, ...] = ()


def html_to_text(data: bytes) -> str:
    """Return the page's visible text with one line per block element."""
    return read_html(data).text


def read_html(data: bytes) -> HtmlText:
    """The page's visible text, read completely however deeply the page nests.

    A page nested past libxml2's depth limit (2,048 levels even with
    ``huge_tree``) is read again by a streaming reader with no depth limit,
    and the result says so.
    """
    text = _XML_DECLARATION.sub("", decode_text(data, declared=html_charset(data)))
    if not text.strip():
        raise ParseFailure("empty document: the HTML page has no content")
    text = _FORMATTING_TAGS.sub("", text)
    parser = lxml_html.HTMLParser(huge_tree=True)
    try:
        root = lxml_html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ParseFailure(f"unreadable HTML: {exc}") from exc
    if any(_DEPTH_ERROR in str(e.message).lower() for e in parser.error_log):
        return HtmlText(_streamed_text(text), (DEEP_HTML_NOTE,))
    # The page title often carries the meeting date ("Möte 2023-10-16 - Nämnd").
    title = " ".join(root.findtext(".//title", default="").split())
    _drop_chrome(root)
    return HtmlText(f"{title}\n{_block_text(root)}")


class _StreamedText(HTMLParser):
    """Visible text from tag events: no tree, so no depth limit (and no recursion)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self._skip: str | None = None  # the element whose content is being dropped
        self._skip_depth = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_title = self._in_title or tag == "title"
        if self._skip is not None:
            self._skip_depth += tag == self._skip
            return
        marks = " ".join(v or "" for k, v in attrs if k in ("id", "class"))
        if tag not in _VOID_TAGS and (tag in _DROP_TAGS or _COOKIE_ATTR.search(marks)):
            self._skip, self._skip_depth = tag, 1
        elif tag in _BLOCK_TAGS or tag == "br":
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip is None and (tag in _BLOCK_TAGS or tag == "br"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        self._in_title = self._in_title and tag != "title"
        if self._skip is not None:
            if tag == self._skip:
                self._skip_depth -= 1
                if self._skip_depth == 0:
                    self._skip = None
            return
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        elif self._skip is None:
            self.parts.append(data)


def _streamed_text(text: str) -> str:
    reader = _StreamedText()
    reader.feed(text)
    reader.close()
    title = " ".join("".join(reader.title).split())
    return f"{title}\n{_lines(''.join(reader.parts))}"


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
    return _lines("".join(parts))


def _lines(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.replace("\xa0", " ").split("\n"))
    return "\n".join(lines)
