"""Bounded work per search: a deadline, an expansion allowance and a cancel flag.

One :class:`Budget` is made per request and passed down to every expensive
step (prefix expansion, spelling suggestions). A step that runs out stops
early and says so in :attr:`Budget.cut`; the search then answers with what it
has and a notice, instead of holding a pooled searcher for seconds. Input
sizes are bounded where they enter (the query is cut at
``query.MAX_QUERY_CHARS`` before parsing and before suggestions).

When the client is gone (:meth:`Budget.cancel`, called by
:mod:`paragraf_se.web_common.cancellable`), the next :meth:`Budget.check` of any step raises
:class:`SearchCancelled`: nobody waits for the answer, so nothing more is done.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

# Wall time one search may spend on work whose size the user's input decides
# (prefix expansion, relaxing, suggestions); plain term lookups are unaffected.
SEARCH_SECONDS = 0.3
SUGGEST_SECONDS = 0.15  # of which spelling suggestions at most this
MAX_EXPANSION_TERMS = 1_500  # index terms all prefixes of one query may stand for
EXPORT_SECONDS = 5.0  # the time an export's match set may take to compute


class SearchCancelled(Exception):
    """The client is gone: the search (or export) stopped where it was."""


class Budget:
    """Limits of one search. Thread-safe enough: flags only ever go one way."""

    def __init__(self, seconds: float = SEARCH_SECONDS, *,
                 expansion_terms: int = MAX_EXPANSION_TERMS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.deadline = clock() + seconds
        self.expansion_left = expansion_terms
        self._cancelled = threading.Event()
        self.cut: list[str] = []  # what was stopped early, for the notice
        # Terms each (field, prefix) may take: the allowance split over the
        # query's prefixes (see allot_expansions), so the first of 56 prefixes
        # cannot take it all; and what each prefix was expanded to, so
        # evaluating a clause again (partial matches) gives the same terms.
        self.prefix_caps: dict[tuple[str, bytes], int] | None = None
        self.expansions: dict[tuple[str, bytes], list[bytes]] = {}

    def cancel(self) -> None:
        """The client is gone: every step stops at its next check."""
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def check(self) -> None:
        """Raise :class:`SearchCancelled` if the client is gone (cheap: call it in loops)."""
        if self._cancelled.is_set():
            raise SearchCancelled("the client disconnected")

    def expired(self) -> bool:
        return self._cancelled.is_set() or self._clock() >= self.deadline

    def stopper(self, seconds: float) -> Callable[[], bool]:
        """A check for a step that may use at most ``seconds`` of what is left."""
        until = min(self.deadline, self._clock() + seconds)
        return lambda: self._cancelled.is_set() or self._clock() >= until

    def take_expansion(self) -> bool:
        """One more expanded term, if the allowance has one."""
        if self.expansion_left <= 0:
            return False
        self.expansion_left -= 1
        return True

    def allot_expansions(self, demands: dict[tuple[str, bytes], int]) -> None:
        """Split the allowance over the query's prefixes by how many terms each has.

        Water-filling: when all of them fit, each gets all its terms; otherwise
        the smaller ones get theirs and the rest is split evenly between the
        larger ones, so no prefix is starved by one that stands for thousands.
        Done once per budget (the first evaluation of the search).
        """
        if self.prefix_caps is not None:
            return
        caps: dict[tuple[str, bytes], int] = {}
        left = self.expansion_left
        ordered = sorted(demands.items(), key=lambda item: item[1])
        for i, (key, wanted) in enumerate(ordered):
            caps[key] = min(wanted, left // (len(ordered) - i))
            left -= caps[key]
        self.prefix_caps = caps

    def note(self, what: str) -> None:
        if what not in self.cut:
            self.cut.append(what)
