"""What every peer returns, and the Python-side pieces peers without them share."""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field

import snowballstemmer

TOKEN = re.compile(r"\w+")
SCAN_CHARS = 4000  # bounded highlighting, like Paragraf's snippets
_stemmer = snowballstemmer.stemmer("swedish")
_stem_cache: dict[str, str] = {}


def stem(word: str) -> str:
    """Snowball Swedish stem of a lowercased word (cached)."""
    s = _stem_cache.get(word)
    if s is None:
        s = _stem_cache[word] = _stemmer.stemWord(word)
    return s


def stems(text: str) -> list[str]:
    return [stem(w) for w in TOKEN.findall(text.lower())]


@dataclass
class PeerResult:
    """Total, facet counts, the page of hit ids and their snippets."""

    total: int
    ids: list[str]
    snippets: list[str]
    facets: dict[str, Counter] = field(default_factory=dict)


def snippet(text: str, wanted: set[str], width: int = 200) -> str:
    """HTML window around the first match of a stem in ``wanted``; matches in <mark>."""
    scanned = text[:SCAN_CHARS]
    spans = [(m.start(), m.end()) for m in TOKEN.finditer(scanned)
             if stem(m.group(0).lower()) in wanted]
    start = max(0, spans[0][0] - width // 3) if spans else 0
    end = min(len(scanned), start + width)
    out, pos = [], start
    for a, b in spans:
        if a < start or b > end:
            continue
        out.append(html.escape(scanned[pos:a]))
        out.append(f"<mark>{html.escape(scanned[a:b])}</mark>")
        pos = b
    out.append(html.escape(scanned[pos:end]))
    return "".join(out)
