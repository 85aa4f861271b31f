"""A small pool of long-lived Whoosh searchers shared by every thread.

A ``Searcher`` is not thread-safe, and each one holds its own readers (and
touches its own mmapped pages), so one per thread cost the web server
gigabytes under Starlette's 40-thread pool. The GIL lets only one search
run Python at a time anyway: a few searchers serve any number of threads.
A searcher is replaced when a commit has made a newer generation.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

DEFAULT_SIZE = 4


class SearcherPool:
    def __init__(self, ix, size: int = DEFAULT_SIZE) -> None:
        self._ix = ix
        self._size = size
        self._idle: list = []
        self._open = 0
        self._closed = False
        self._cond = threading.Condition()

    @contextmanager
    def searcher(self) -> Iterator[object]:
        """A searcher of the latest generation, for this block only."""
        s = self._checkout()
        try:
            yield s
        finally:
            self._checkin(s)

    def _checkout(self):
        with self._cond:
            while not self._idle and self._open >= self._size:
                self._cond.wait()
            if self._idle:
                s = self._idle.pop()
            else:
                self._open += 1
                s = None
        if s is None:
            try:
                return self._ix.searcher()
            except BaseException:
                with self._cond:
                    self._open -= 1
                    self._cond.notify()
                raise
        # Not Searcher.refresh(): it reuses segment readers whose segment id
        # is unchanged and so misses deletions committed since (whoosh3 3.54).
        if self._ix.latest_generation() != s.reader().generation():
            s.close()
            s = self._ix.searcher()
        return s

    def _checkin(self, s) -> None:
        with self._cond:
            if self._closed:
                s.close()
                self._open -= 1
            else:
                self._idle.append(s)
            self._cond.notify()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            for s in self._idle:
                s.close()
            self._open -= len(self._idle)
            self._idle.clear()
