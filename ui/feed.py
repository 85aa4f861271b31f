"""Atom 1.0 feeds of the newest paragraphs matching a search, built with lxml.

lxml escapes every text node, so protocol text and user queries cannot break
the XML. Entry ids are the absolute permalinks: stable across re-indexing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from lxml import etree

from paragraf_se.indexer.engine import SearchRequest
from paragraf_se.indexer.facets import FACETS
from paragraf_se.indexer.model import Paragraph

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
FEED_SIZE = 50
SUMMARY_CHARS = 600
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# Characters XML 1.0 cannot carry at all (lxml refuses them rather than escaping).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids."""
    return _NOT_XML.sub("", text)


def feed_title(req: SearchRequest) -> str:
    """A Swedish title naming what the feed follows."""
    parts = []
    if req.q:
        parts.append(f"”{req.q}”")
    for facet in FACETS:
        values = req.values(facet.name)
        if values:
            parts.append(f"{facet.feed_label} {', '.join(map(str, values))}")
    if req.date_from or req.date_to:
        parts.append(f"datum {req.date_from or ''}–{req.date_to or ''}")
    return "Paragraf: " + ("; ".join(parts) if parts else "alla nya paragrafer")


def _stamp(date: dt.date) -> str:
    # Protocols carry a meeting date, not a time; midnight UTC keeps order stable.
    return dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC).isoformat()


def _summary(p: Paragraph) -> str:
    text = p.decision or p.text
    return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS].rstrip() + " …"


def build_feed(
    title: str, self_url: str, html_url: str, base_url: str, paragraphs: Sequence[Paragraph]
) -> bytes:
    """The Atom document: one entry per paragraph, linking to its permalink."""
    def sub(parent, tag: str, text: str | None = None, **attrs: str):
        el = etree.SubElement(parent, f"{{{ATOM_NS}}}{tag}",
                              {k: xml_safe(v) for k, v in attrs.items()})
        if text is not None:
            el.text = xml_safe(text)
        return el

    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", "sv")
    sub(feed, "id", self_url)
    sub(feed, "title", title)
    newest = max((p.date for p in paragraphs), default=None)
    sub(feed, "updated", _stamp(newest) if newest else _EPOCH.isoformat())
    sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    sub(feed, "link", rel="alternate", type="text/html", href=html_url)
    author = sub(feed, "author")
    sub(author, "name", "Paragraf")
    sub(feed, "generator", "Paragraf")
    for p in paragraphs:
        entry = sub(feed, "entry")
        url = base_url + p.permalink
        sub(entry, "id", url)
        sub(entry, "title", f"§ {p.number} {p.title} – {p.body} {p.date.isoformat()}")
        sub(entry, "updated", _stamp(p.date))
        sub(entry, "link", rel="alternate", type="text/html", href=url)
        entry_author = sub(entry, "author")
        sub(entry_author, "name", f"{p.body}, {p.org}")
        for term in (p.org, p.body, *p.diarienummer):
            sub(entry, "category", term=term)
        sub(entry, "summary", _summary(p), type="text")
    return etree.tostring(feed, xml_declaration=True, encoding="utf-8", pretty_print=True)
