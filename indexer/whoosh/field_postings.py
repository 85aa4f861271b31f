"""Postings of one field value, as Whoosh's ``FieldType.index`` gives them, faster.

``FieldType.index`` runs the analyzer through Whoosh's generic token
protocol (one mutable Token per word, several generator layers) and then
encodes each term's positions with a pickle call. For the project's own
analyzers the same (term, frequency, weight, value) tuples are computed here
directly from the word list; a test checks they equal Whoosh's for every
field. Any other analyzer or format goes through ``FieldType.index``.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter
from collections.abc import Iterable
from pickle import dumps

from whoosh import formats
from whoosh.analysis import IDTokenizer, LowercaseFilter, RegexTokenizer, StripFilter
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.system import pack_uint

from paragraf_se.indexer.analysis import (
    TOKEN_PATTERN,
    CommonGramsTokenizer,
    SwedishTokenizer,
    analyse_word,
    common_grams,
)

Posting = tuple[bytes, int, float, bytes]


@functools.lru_cache(maxsize=65_536)
def _one_position(pos: int) -> bytes:
    # Positions.encode([pos]): most terms occur once in a paragraph.
    return pack_uint(1) + dumps([pos], 2)


@functools.lru_cache(maxsize=4096)
def _packed(n: int) -> bytes:
    return pack_uint(n)


def _encode_positions(poses: list[int]) -> bytes:
    if len(poses) == 1:
        return _one_position(poses[0])
    deltas = [poses[0]]
    deltas.extend(b - a for a, b in itertools.pairwise(poses))
    return pack_uint(len(deltas)) + dumps(deltas, 2)


def _positions(term_lists: Iterable[tuple[int, Iterable[str]]], boost: float) -> list[Posting]:
    poses: dict[str, list[int]] = {}
    for pos, terms in term_lists:
        for term in terms:
            found = poses.get(term)
            if found is None:
                poses[term] = [pos]
            else:
                found.append(pos)
    return [(term.encode("utf-8"), len(p), len(p) * boost, _encode_positions(p))
            for term, p in poses.items()]


def is_exact_analyzer(analyzer) -> bool:
    """True for the exact-words analyzer (``RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter``)."""
    items = getattr(analyzer, "items", None)
    return (isinstance(analyzer, CompositeAnalyzer) and len(items) == 2
            and type(items[0]) is RegexTokenizer and type(items[1]) is LowercaseFilter
            and items[0].expression.pattern == TOKEN_PATTERN.pattern
            and not items[0].gaps)


def _keyword_parts(analyzer) -> tuple[re.Pattern, bool, bool] | None:
    """(pattern, strip, lowercase) of a ``RegexTokenizer [| StripFilter] [| LowercaseFilter]``
    analyzer (what ``KEYWORD`` fields get), else None."""
    if type(analyzer) is RegexTokenizer:
        items = [analyzer]
    elif isinstance(analyzer, CompositeAnalyzer):
        items = list(analyzer.items)
    else:
        return None
    first = items[0]
    rest = [type(item) for item in items[1:]]
    if (type(first) is not RegexTokenizer or first.gaps
            or rest not in ([], [StripFilter], [LowercaseFilter],
                            [StripFilter, LowercaseFilter])):
        return None
    return first.expression, StripFilter in rest, LowercaseFilter in rest


def _keyword_postings(parts: tuple[re.Pattern, bool, bool], value: str, boost: float
                      ) -> list[Posting]:
    pattern, strip, lower = parts
    tokens = pattern.findall(value)
    if strip:
        tokens = [t.strip() for t in tokens]
    if lower:
        tokens = [t.lower() for t in tokens]
    return [(t.encode("utf-8"), n, n * boost, _packed(n)) for t, n in Counter(tokens).items()]


def field_postings(field, value) -> list[Posting]:
    """(term bytes, frequency, weight, encoded value) for each term of ``value``."""
    fmt = field.format
    analyzer = getattr(field, "analyzer", None)
    if isinstance(value, str) and type(fmt) is formats.Existence \
            and type(analyzer) is IDTokenizer:
        # ID fields: the whole value is the one term.
        return [(value.encode("utf-8"), 1, fmt.field_boost, b"")]
    if isinstance(value, str) and type(fmt) in (formats.Positions, formats.Frequency):
        boost = fmt.field_boost
        if type(fmt) is formats.Positions:
            if type(analyzer) is SwedishTokenizer:
                return _positions(((pos, analyse_word(w.lower())) for pos, w in
                                   enumerate(TOKEN_PATTERN.findall(value))), boost)
            if is_exact_analyzer(analyzer):
                return _positions(((pos, (w.lower(),)) for pos, w in
                                   enumerate(TOKEN_PATTERN.findall(value))), boost)
        elif type(analyzer) is CommonGramsTokenizer:
            return [(g.encode("utf-8"), n, n * boost, _packed(n))
                    for g, n in Counter(common_grams(value)).items()]
        else:
            parts = _keyword_parts(analyzer)
            if parts is not None:
                return _keyword_postings(parts, value, boost)
    return list(field.index(value))
