"""Scope and trap defences for discovered URLs (pure, no network)."""

from __future__ import annotations

import datetime as dt

from paragraf_se.archive.crawl.config import Limits
from paragraf_se.archive.crawl.scope import Scope


def _scope(**changes: int) -> Scope:
    limits = Limits(max_depth=3, max_query_variants=2, max_url_length=80, **changes)
    return Scope(frozenset({"h.se"}), limits, exclude=(r"/nyheter/",),
                 today=lambda: dt.date(2025, 6, 1))


def test_traps_and_scope() -> None:
    scope = _scope()
    assert scope.reject("https://h.se/protokoll/2024-05", 1) is None
    assert scope.reject("https://h.se/kalender/2027/01", 1) == "trap: calendar date out of range"
    assert scope.reject("https://h.se/kalender?year=1985", 1) == \
        "trap: calendar date out of range"
    assert scope.reject("https://h.se/a/b/a/b/a/b/a/b", 1) == "trap: repeating path segments"
    assert scope.reject("https://h.se/x", 4) == "trap: deeper than max_depth 3"
    assert scope.reject("https://h.se/" + "x" * 80, 1) == "trap: URL too long"
    assert scope.reject("https://annan.se/x", 1) == "off scope (host)"
    assert scope.reject("ftp://h.se/x", 1) == "not http(s)"
    assert scope.reject("https://h.se/nyheter/1", 1) == "excluded by pattern"
    assert scope.reject("https://h.se/sok?q=1", 1) is None
    assert scope.reject("https://h.se/sok?q=2", 1) is None
    assert scope.reject("https://h.se/sok?q=1", 1) is None  # a known variant stays allowed
    assert scope.reject("https://h.se/sok?q=3", 1) == "trap: over 2 query variants of a path"
    # Trusted URLs (built from API answers) skip the trap heuristics.
    assert scope.reject("https://h.se/dl?filename=MjAyOTEy&id=1", 9, trusted=True) is None
