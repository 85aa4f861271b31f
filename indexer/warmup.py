"""Warming an engine before it takes traffic.

The first search on a freshly opened index pays for everything loaded
lazily: facet and date columns, ranking priors, the long posting lists of
common words, the vocabulary that suggestions come from. On a large index
that is seconds (7.8 s measured at 300k paragraphs), and a node behind a
load balancer would charge them to a user, or, on a node following the
change log, to the lag of the first change it applies. :func:`warm` runs
the searches that load them, so a server can do it before it listens.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from paragraf_se.indexer.budget import Budget
from paragraf_se.indexer.engine import EngineReader, SearchRequest
from paragraf_se.indexer.search import search

log = logging.getLogger("paragraf.warmup")

WARM_SECONDS = 120.0  # a bound for a pathological index, never reached in practice
# A common word ranked with facet counts (columns, priors, long posting
# lists), the newest first (the date column), a phrase (positions) and a
# misspelt word that finds nothing (the vocabulary behind "Menade du").
WARM_REQUESTS: tuple[SearchRequest, ...] = (
    SearchRequest("beslut"),
    SearchRequest("", sort="newest"),
    SearchRequest('"för att"'),
    SearchRequest("kommunstyrelssen"),
)


@dataclass(frozen=True)
class WarmReport:
    """What warming did: searches run and how long it took."""

    searches: int
    seconds: float
    error: str | None = None


def warm(engine: EngineReader, *, seconds: float = WARM_SECONDS,
         clock: Callable[[], float] = time.monotonic) -> WarmReport:
    """Run :data:`WARM_REQUESTS` on ``engine``; never raises (a failure is reported)."""
    start = clock()
    done = 0
    try:
        for request in WARM_REQUESTS:
            left = seconds - (clock() - start)
            if left <= 0:
                break
            search(engine, request, Budget(left))
            done += 1
    except Exception as exc:  # warming is an optimisation: serve anyway
        log.warning("warming the index failed: %s", exc)
        return WarmReport(done, clock() - start, f"{type(exc).__name__}: {exc}")
    return WarmReport(done, clock() - start)
