"""A hard deadline for one whole HTTP exchange, enforced at the socket.

httpx bounds each socket operation (connect, one read, one write), never a
whole exchange: a server that sends one byte every few seconds never trips
the read timeout, whether it drips the body or the status line and headers.
The fetcher checks its total deadline as body chunks arrive; this module
covers the rest. An httpcore network backend wraps every socket stream so
that each operation's timeout is cut to the time left before the deadline of
the exchange running on the current thread, and reaching the deadline raises
:class:`DeadlineExceeded` (never retried by the fetcher).

httpx's ``HTTPTransport`` takes no network backend, so :func:`deadline_transport`
builds the same connection pool with one (httpx 0.28; the dependency range
keeps it below 1.0).
"""

from __future__ import annotations

import threading
import time
import typing
from collections.abc import Callable

import httpcore
import httpx


class DeadlineExceeded(Exception):
    """The exchange ran past its total deadline."""


class Deadlines:
    """The deadline of the exchange on each thread (a fetch runs on one thread throughout)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._local = threading.local()
        self._clock = clock

    def set(self, at: float | None) -> None:
        """Start (``at``: a time of ``clock``) or end (None) this thread's deadline."""
        self._local.at = at

    def left(self) -> float | None:
        """Seconds left, None without a deadline; DeadlineExceeded once it has passed."""
        at = getattr(self._local, "at", None)
        if at is None:
            return None
        remaining = at - self._clock()
        if remaining <= 0:
            raise DeadlineExceeded
        return remaining

    def cap(self, timeout: float | None) -> float | None:
        """``timeout`` cut to the time left."""
        remaining = self.left()
        if remaining is None:
            return timeout
        return remaining if timeout is None else min(timeout, remaining)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, deadlines: Deadlines) -> None:
        self._inner = inner
        self._deadlines = deadlines

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            return self._inner.read(max_bytes, self._deadlines.cap(timeout))
        except httpcore.TimeoutException:
            self._deadlines.left()  # DeadlineExceeded if the deadline was the cause
            raise

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        try:
            self._inner.write(buffer, self._deadlines.cap(timeout))
        except httpcore.TimeoutException:
            self._deadlines.left()
            raise

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: typing.Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        try:
            inner = self._inner.start_tls(ssl_context, server_hostname,
                                          self._deadlines.cap(timeout))
        except httpcore.TimeoutException:
            self._deadlines.left()
            raise
        return _Stream(inner, self._deadlines)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, deadlines: Deadlines) -> None:
        self._inner = httpcore.SyncBackend()
        self._deadlines = deadlines

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: typing.Iterable[typing.Any] | None = None,
                    ) -> httpcore.NetworkStream:
        try:
            stream = self._inner.connect_tcp(host, port, self._deadlines.cap(timeout),
                                             local_address, socket_options)
        except httpcore.TimeoutException:
            self._deadlines.left()
            raise
        return _Stream(stream, self._deadlines)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: typing.Iterable[typing.Any] | None = None,
                            ) -> httpcore.NetworkStream:
        stream = self._inner.connect_unix_socket(path, self._deadlines.cap(timeout),
                                                 socket_options)
        return _Stream(stream, self._deadlines)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def deadline_transport(deadlines: Deadlines) -> httpx.HTTPTransport:
    """An httpx transport like the default one whose sockets obey ``deadlines``."""
    transport = httpx.HTTPTransport()
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=20,
                          keepalive_expiry=5.0)  # httpx's defaults
    transport._pool.close()
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_Backend(deadlines),
    )
    return transport
