"""Per-client rate limiting: a token bucket per client address, answering 429.

Search is CPU-bound on a small machine; one client looping over the API must
not starve everyone else. Configurable (``paragraf serve --rate-limit``);
0 turns it off, e.g. behind a proxy that limits already.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

DEFAULT_PER_MINUTE = 1200
MAX_CLIENTS = 100_000  # buckets remembered; the least recently seen are dropped


class TokenBuckets:
    """``per_minute`` requests per client on average, bursts up to ``burst``."""

    def __init__(self, per_minute: float, burst: int | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst if burst is not None else max(10, int(per_minute / 10)))
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, client: str) -> float:
        """0 when the request may go ahead, else seconds until it could."""
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.pop(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            wait = 0.0
            if tokens >= 1:
                tokens -= 1
            else:
                wait = (1 - tokens) / self.rate
            self._buckets[client] = (tokens, now)
            while len(self._buckets) > MAX_CLIENTS:
                self._buckets.popitem(last=False)
        return wait


class RateLimit:
    """ASGI middleware: 429 with the JSON error shape and Retry-After."""

    def __init__(self, app, buckets: TokenBuckets | None) -> None:
        self.app = app
        self.buckets = buckets

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or self.buckets is None:
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        wait = self.buckets.take(client)
        if not wait:
            await self.app(scope, receive, send)
            return
        body = json.dumps({"ok": False, "status": 429,
                           "error": "too many requests; slow down"}).encode()
        await send({"type": "http.response.start", "status": 429, "headers": [
            (b"content-type", b"application/json"),
            (b"retry-after", str(max(1, round(wait))).encode()),
            (b"content-length", str(len(body)).encode()),
        ]})
        await send({"type": "http.response.body", "body": body})
