"""Postings of a field value the bulk writer does not gather in columns.

The project's text and ID fields go through :mod:`indexer.whoosh.text_postings`.
What is left are keyword fields (case numbers, source keys) and anything
else a schema may hold. Keyword fields (``RegexTokenizer [| StripFilter]
[| LowercaseFilter]`` with frequencies) get the same (term, frequency,
weight, value) tuples Whoosh's ``FieldType.index`` gives, without its
per-token machinery; a test checks they are equal. Any other field goes
through ``FieldType.index``.
"""

from __future__ import annotations

import re
from collections import Counter

from whoosh import formats
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StripFilter
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.system import pack_uint

Posting = tuple[bytes, int, float, bytes]


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
    # formats.Frequency's value for a term seen n times is pack_uint(n).
    return [(t.encode("utf-8"), n, n * boost, pack_uint(n)) for t, n in Counter(tokens).items()]


def field_postings(field, value) -> list[Posting]:
    """(term bytes, frequency, weight, encoded value) for each term of ``value``."""
    fmt = field.format
    if isinstance(value, str) and type(fmt) is formats.Frequency:
        parts = _keyword_parts(getattr(field, "analyzer", None))
        if parts is not None:
            return _keyword_postings(parts, value, fmt.field_boost)
    return list(field.index(value))
