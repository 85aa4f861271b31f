"""Marking a search's matches in a whole paragraph, for the paragraph page.

The words are matched with the same analysis as the search itself (stemming,
compound parts, prefixes, exact mode), by way of the compiled query's own
matcher, so the page marks what the search found. Output is HTML: matches in
numbered ``<mark id="traff-N">``, everything else escaped.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from paragraf_se.indexer.analysis import TOKEN_PATTERN, stem
from paragraf_se.indexer.query import parse_query
from paragraf_se.indexer.search import InvalidRequest, SearchRequest
from paragraf_se.indexer.whoosh.query_compile import compile_query

ANCHOR_PREFIX = "traff-"


def query_matcher(q: str, mode: str = "stemmed", *,
                  compounds: bool = True) -> Callable[[str], bool] | None:
    """A predicate for lowercased words the search ``q`` matches; None without words."""
    if not q.strip():
        return None
    try:
        request = SearchRequest(q=q, mode=mode)
    except InvalidRequest:
        request = SearchRequest(q=q)
    compiled = compile_query(request, parse_query(q), decompound=compounds)
    if not compiled.has_text:
        return None
    return compiled.matcher(str.lower if request.mode == "exact" else stem)


class Highlighter:
    """Marks matches in successive texts of one page, numbering them from 1."""

    def __init__(self, is_match: Callable[[str], bool] | None, *, anchors: bool = True) -> None:
        self._is_match = is_match
        self._anchors = anchors  # number the marks (one numbering per page)
        self.count = 0

    def __call__(self, text: str) -> str:
        """``text`` as HTML with each matching word in a numbered ``<mark>``."""
        if self._is_match is None:
            return escape(text)
        out: list[str] = []
        pos = 0
        for m in TOKEN_PATTERN.finditer(text):
            if not self._is_match(m.group(0).lower()):
                continue
            self.count += 1
            out.append(escape(text[pos:m.start()]))
            anchor = f' id="{ANCHOR_PREFIX}{self.count}"' if self._anchors else ""
            out.append(f"<mark{anchor}>{escape(m.group(0))}</mark>")
            pos = m.end()
        out.append(escape(text[pos:]))
        return "".join(out)
