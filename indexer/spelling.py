"""'Menade du …?': spelling suggestions from the index's own vocabulary."""

from __future__ import annotations

import re

from paragraf_se.indexer.schema import EXACT_FIELD

SUGGEST_BELOW = 3  # suggest when a search finds fewer paragraphs than this
_WORD = re.compile(r"\w+", re.UNICODE)
# Field syntax and operators are kept as typed; only plain words are corrected.
_KEEP = re.compile(r'\w+:("[^"]*"|\S+)|"[^"]*"|\bOR\b|\bNOT\b|-\S+|\S+\*', re.UNICODE)


def suggest(searcher, query: str) -> str | None:
    """The query with unknown words replaced by the closest indexed word, or None."""
    reader = searcher.reader()
    changed = False
    out: list[str] = []
    pos = 0
    for m in _KEEP.finditer(query):
        fixed, did = _fix_words(reader, searcher, query[pos:m.start()])
        out.append(fixed)
        changed |= did
        out.append(m.group(0))
        pos = m.end()
    fixed, did = _fix_words(reader, searcher, query[pos:])
    out.append(fixed)
    changed |= did
    return "".join(out) if changed else None


def _fix_words(reader, searcher, text: str) -> tuple[str, bool]:
    changed = False

    def fix(m: re.Match[str]) -> str:
        nonlocal changed
        word = m.group(0)
        lower = word.lower()
        if len(lower) < 4 or lower.isdigit() or reader.doc_frequency(EXACT_FIELD, lower):
            return word
        # Same first letter: a cheap bound on the vocabulary scanned.
        found = searcher.suggest(EXACT_FIELD, lower, limit=1, maxdist=2, prefix=1)
        if found:
            changed = True
            return found[0]
        return word

    return _WORD.sub(fix, text), changed
