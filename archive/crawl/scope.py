"""Which discovered URLs a crawl may queue: scope, include/exclude and trap defences.

Traps are link structures that generate URLs without end: calendars that
always link to the next month (``?date=2031-05``, ``/kalender/2031/05``),
query strings that combine filters in every order, and paths that repeat
themselves (``/a/b/a/b/...``). Each check returns a short reason that the
crawl summary counts, or None when the URL may be queued.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from urllib.parse import urlsplit

from paragraf_se.archive.crawl.config import Limits

# Date-like tokens in a URL: 2031-05, 2031/05, 20310512, year=2031.
_DATE_TOKEN = re.compile(r"(?<!\d)((?:19|20|21)\d{2})(?:[-/_.]?(0[1-9]|1[0-2]))(?!\d)")
_YEAR_PARAM = re.compile(r"(?:^|[?&])(?:year|ar|år|yr|y)=((?:19|20|21)\d{2})(?!\d)", re.I)
_MAX_SEGMENT_REPEATS = 3
EARLIEST_YEAR = 1990  # protocols published on the web start in the late 1990s


def _years(url: str) -> list[int]:
    years = [int(m.group(1)) for m in _DATE_TOKEN.finditer(url)]
    years.extend(int(m.group(1)) for m in _YEAR_PARAM.finditer(url))
    return years


class Scope:
    """Decides for each discovered URL whether to queue it (not thread-safe: one crawl loop)."""

    def __init__(self, hosts: frozenset[str], limits: Limits, *,
                 include: tuple[str, ...] = (), exclude: tuple[str, ...] = (),
                 today: Callable[[], dt.date] = dt.date.today) -> None:
        self.hosts = hosts
        self.limits = limits
        self._include = [re.compile(p) for p in include]
        self._exclude = [re.compile(p) for p in exclude]
        self._variants: dict[tuple[str, str], set[str]] = {}
        self._latest_year = today().year + 1  # meetings are planned at most a year ahead

    def remember(self, url: str) -> None:
        """Count ``url`` as queued (used when a resumed frontier is loaded)."""
        parts = urlsplit(url)
        if parts.query:
            self._variants.setdefault((parts.netloc, parts.path), set()).add(parts.query)

    def reject(self, url: str, depth: int, *, trusted: bool = False) -> str | None:
        """Why ``url`` (found ``depth`` hops from a start URL) must not be queued, or None.

        ``trusted`` URLs (built from an API's answers, not found in pages) are
        only checked for scheme, host and length.
        """
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return "not http(s)"
        if parts.netloc not in self.hosts:
            return "off scope (host)"
        if len(url) > self.limits.max_url_length:
            return "trap: URL too long"
        if trusted:
            return None
        if depth > self.limits.max_depth:
            return f"trap: deeper than max_depth {self.limits.max_depth}"
        if self._include and not any(p.search(url) for p in self._include):
            return "not included by pattern"
        if any(p.search(url) for p in self._exclude):
            return "excluded by pattern"
        segments = [s for s in parts.path.split("/") if s]
        if segments and max(Counter(segments).values()) > _MAX_SEGMENT_REPEATS:
            return "trap: repeating path segments"
        if any(y < EARLIEST_YEAR or y > self._latest_year for y in _years(url)):
            return "trap: calendar date out of range"
        if parts.query:
            seen = self._variants.setdefault((parts.netloc, parts.path), set())
            if parts.query not in seen:
                if len(seen) >= self.limits.max_query_variants:
                    return f"trap: over {self.limits.max_query_variants} query variants of a path"
                seen.add(parts.query)
        return None
