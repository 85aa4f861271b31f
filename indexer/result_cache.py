"""A small LRU of search results keyed by index generation and request.

A commit makes a new generation, so stale entries are never served; they
just age out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from paragraf_se.indexer.engine import SearchResult


class ResultCache:
    def __init__(self, capacity: int = 1024) -> None:
        self.capacity = capacity
        self._lock = threading.Lock()
        self._items: OrderedDict[Hashable, SearchResult] = OrderedDict()

    def get(self, key: Hashable) -> SearchResult | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: SearchResult) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
