"""Snippets: the best short window of a text, matches in <mark>, the rest escaped.

A pure function over stored text, so it costs the same whatever the engine,
and is bounded: only the first ``SCAN_CHARS`` characters are examined.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from paragraf_se.indexer.analysis import TOKEN_PATTERN

SCAN_CHARS = 20_000
DEFAULT_WIDTH = 220


def make_snippet(text: str, is_match: Callable[[str], bool], width: int = DEFAULT_WIDTH) -> str:
    """Return HTML: the window of ``text`` (about ``width`` chars) with most matches.

    ``is_match`` gets each lowercased word of the text and says whether the
    query matched it (after stemming, prefix expansion, ...).
    """
    scanned = text[:SCAN_CHARS]
    spans = [
        (m.start(), m.end())
        for m in TOKEN_PATTERN.finditer(scanned)
        if is_match(m.group(0).lower())
    ]
    start, end = _best_window(scanned, spans, width)
    out: list[str] = []
    if start > 0:
        out.append("… ")
    pos = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(escape(scanned[pos:s]))
        out.append(f"<mark>{escape(scanned[s:e])}</mark>")
        pos = e
    out.append(escape(scanned[pos:end]))
    if end < len(text):
        out.append(" …")
    return " ".join("".join(out).split())


def _best_window(text: str, spans: list[tuple[int, int]], width: int) -> tuple[int, int]:
    if not spans:
        return 0, _word_end(text, min(len(text), width))
    best_i, best_count, j = 0, 0, 0
    for i, (s, _) in enumerate(spans):
        while j < len(spans) and spans[j][1] - s <= width:
            j += 1
        if j - i > best_count:
            best_i, best_count = i, j - i
    first = spans[best_i][0]
    # Some context before the first match, cut at a word boundary.
    start = max(0, first - width // 4)
    if start > 0:
        space = text.find(" ", start, first)
        start = space + 1 if space != -1 else first
    return start, _word_end(text, min(len(text), start + width))


def _word_end(text: str, end: int) -> int:
    if end >= len(text):
        return len(text)
    space = text.rfind(" ", 0, end)
    return space if space > 0 else end
