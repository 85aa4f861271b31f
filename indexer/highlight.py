"""Marking a search's matches in a whole paragraph, for the paragraph page.

The words are matched by the engine's own predicate for a query
(``EngineReader.word_matcher``: the same analysis as the search itself,
stemming, compound parts, prefixes, exact mode), so the page marks what the
search found. Output is HTML: matches in
numbered ``<mark id="traff-N">``, everything else escaped.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from paragraf_se.indexer.analysis import TOKEN_PATTERN

ANCHOR_PREFIX = "traff-"


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
