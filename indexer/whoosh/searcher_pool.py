"""A small pool of long-lived Whoosh searchers shared by every thread.

A ``Searcher`` is not thread-safe, and each one holds its own readers (and
touches its own mmapped pages), so one per thread cost the web server
gigabytes under Starlette's 40-thread pool. The GIL lets only one search
run Python at a time anyway: a few searchers serve any number of threads.

The pool serves one *index identity* at a time. The identity is more than the
generation number: ``index --rebuild`` swaps in a new index directory whose
generation is 1 again, so a pool that compared generations kept serving the
old index. The identity callable (see ``files.index_identity``) also
covers the index's id file and its table of contents' inode and mtime. When
it changes, the pool moves to the new index at once: idle searchers of the
old one are closed and busy ones are closed when returned, so no request
that starts after the change gets an old searcher.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager

DEFAULT_SIZE = 4
TAG = "paragraf_identity"  # attribute of a pooled searcher: the identity it was opened at


def reader_key(searcher) -> Hashable:
    """What a searcher's reader sees, for caches shared between searchers.

    Segment ids are random per segment, so two indexes (a rebuild and the
    index it replaced) never share a key even at the same generation.
    """
    reader = searcher.reader()
    try:
        leaves = reader.leaf_readers()
    except (AttributeError, NotImplementedError):
        leaves = []
    segments = tuple(_segment_id(leaf) for leaf, _offset in leaves)
    return (reader.generation(), segments, reader.doc_count_all(), reader.doc_count())


def _segment_id(leaf) -> str | None:
    segment = leaf.segment() if hasattr(leaf, "segment") else None
    return segment.segment_id() if segment is not None else None


class SearcherPool:
    def __init__(self, ix, size: int = DEFAULT_SIZE,
                 identity: Callable[[], Hashable | None] | None = None) -> None:
        self._ix = ix
        self._size = size
        self._identity = identity or ix.latest_generation
        self._current: Hashable | None = None
        self._idle: list = []
        self._open = 0
        self._closed = False
        self._cond = threading.Condition()

    @contextmanager
    def searcher(self) -> Iterator[object]:
        """A searcher of the latest index, for this block only."""
        s = self._checkout()
        try:
            yield s
        finally:
            self._checkin(s)

    def _checkout(self):
        stale: list = []
        with self._cond:
            # Read under the lock so the pool never moves back to an identity
            # another thread has already moved past.
            ident = self._identity()
            if ident is not None and ident != self._current:
                self._current = ident
                stale, self._idle = self._idle, []
                self._open -= len(stale)
                self._cond.notify_all()
            while not self._idle and self._open >= self._size:
                self._cond.wait()
            if self._idle:
                s = self._idle.pop()
            else:
                self._open += 1
                s = None
            tag = self._current
        for old in stale:
            old.close()
        if s is None:
            try:
                s = self._ix.searcher()
            except BaseException:
                with self._cond:
                    self._open -= 1
                    self._cond.notify()
                raise
            # The identity read before opening: if a commit came in between,
            # the next checkout sees a newer identity and reopens.
            setattr(s, TAG, tag)
        return s

    def _checkin(self, s) -> None:
        with self._cond:
            if self._closed or getattr(s, TAG, None) != self._current:
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
