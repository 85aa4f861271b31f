"""A small, defensive HTTP fetcher over httpx.

Bodies are streamed and size-limited while streaming (counting *decoded*
bytes, so a small gzip bomb cannot expand past ``max_bytes``), the total time
per response is bounded, and only transient timeouts (connecting, or a read
that stayed silent for ``read_timeout``) and 5xx answers are retried. A
response that overran the total deadline is *not* retried: a server that
drips bytes would do it again, and each try would cost a whole deadline. It
never raises on network trouble: the result carries an error text instead.

Content-Encoding is decoded here (gzip/deflate only, which is all we ask
for), so ``FetchResult.body`` is always the entity itself; the returned
headers drop Content-Encoding and carry the decoded Content-Length so that
headers and body stay consistent when archived.
"""

from __future__ import annotations

import json
import time
import urllib.request
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime

import httpx

from paragraf_se.archive.deadline import DeadlineExceeded, Deadlines, deadline_transport

Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class FetchResult:
    """Outcome of one fetch. ``status`` is 0 when no response was received."""

    url: str
    final_url: str
    status: int
    headers: Headers
    body: bytes
    request_headers: Headers
    error: str | None = None

    @property
    def ok(self) -> bool:
        """A 2xx response read completely."""
        return self.error is None and 200 <= self.status < 300

    @property
    def not_modified(self) -> bool:
        """A 304 answer to a conditional request."""
        return self.error is None and self.status == 304

    def header(self, name: str) -> str | None:
        """First value of response header ``name`` (case-insensitive)."""
        lname = name.lower()
        return next((v for k, v in self.headers if k.lower() == lname), None)


def _proxies_configured() -> bool:
    """Whether the environment names an HTTP(S) proxy (which httpx's own transport honours)."""
    return any(k in ("http", "https", "all") for k in urllib.request.getproxies())


class OffSiteRedirect(Exception):
    """A redirect led outside the hosts the crawl may fetch from."""


class _Retryable(Exception):
    """A transient timeout (connect, or a silent read): worth another attempt."""


class _TooLarge(Exception):
    pass


def _decoder(encoding: str) -> zlib._Decompress | None:
    enc = encoding.strip().lower()
    if enc in ("", "identity"):
        return None
    if enc in ("gzip", "x-gzip"):
        return zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    if enc == "deflate":
        return zlib.decompressobj(wbits=zlib.MAX_WBITS)
    raise ValueError(f"unsupported Content-Encoding {encoding!r}")


def _decoded(chunks: Iterator[bytes], encoding: str, limit: int) -> Iterator[bytes]:
    """Decode ``chunks``, never producing more than ``limit + 1`` bytes at once."""
    decoder = _decoder(encoding)
    for chunk in chunks:
        if decoder is None:
            yield chunk
            continue
        data = chunk
        while data:
            out = decoder.decompress(data, limit + 1)
            yield out
            data = decoder.unconsumed_tail
            if not out and data:
                break  # defensive: no progress possible
    if decoder is not None:
        yield decoder.flush()


def http_date(value: str | None) -> str | None:
    """Normalise a stored Last-Modified value to an HTTP date, or None if unusable."""
    if not value:
        return None
    try:
        return formatdate(parsedate_to_datetime(value).timestamp(), usegmt=True)
    except (TypeError, ValueError):
        return None


class Fetcher:
    """GET with limits, retries and conditional requests. One instance per crawl."""

    def __init__(
        self,
        user_agent: str,
        *,
        connect_timeout: float = 10.0,
        read_timeout: float = 30.0,
        total_timeout: float = 120.0,
        max_bytes: int = 50_000_000,
        retries: int = 2,
        backoff: float = 1.0,
        max_redirects: int = 5,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        allowed_hosts: frozenset[str] | None = None,
    ) -> None:
        self.total_timeout = total_timeout
        # ``host`` or ``host:port``; a redirect anywhere else is refused.
        self.allowed_hosts = allowed_hosts
        self.max_bytes = max_bytes
        self.retries = retries
        self.backoff = backoff
        self._clock = clock
        self._sleep = sleep
        self._deadlines = Deadlines(clock)
        if transport is None and not _proxies_configured():
            # Sockets that obey the total deadline, so that no server can hold a
            # fetch longer (a dripped status line or headers included). Through
            # a proxy from the environment httpx's own transport is kept, and the
            # deadline is checked as body chunks arrive.
            transport = deadline_transport(self._deadlines)
        self._client = httpx.Client(
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(connect=connect_timeout, read=read_timeout,
                                  write=read_timeout, pool=connect_timeout),
            follow_redirects=True,
            max_redirects=max_redirects,
            transport=transport,
            event_hooks={"request": [self._check_host]},
        )

    def _check_host(self, request: httpx.Request) -> None:
        # Runs for every request httpx sends, redirects included: the crawl's
        # scope holds for where a redirect leads, not only for the link.
        if self.allowed_hosts is None:
            return
        netloc = request.url.netloc.decode("ascii", "replace").lower()
        host = (request.url.host or "").lower()
        if netloc not in self.allowed_hosts and host not in self.allowed_hosts:
            raise OffSiteRedirect(str(request.url))

    def close(self) -> None:
        """Release pooled connections."""
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch(self, url: str, *, etag: str | None = None,
              last_modified: str | None = None) -> FetchResult:
        """GET ``url`` (conditionally when validators are given); never raises."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        lm = http_date(last_modified)
        if lm:
            headers["If-Modified-Since"] = lm
        return self._with_retries("GET", url, headers, None)

    def post_json(self, url: str, payload: object) -> FetchResult:
        """POST ``payload`` as JSON (for read-only JSON-RPC APIs); never raises.

        Same limits and retries as :meth:`fetch`: the APIs we call are
        reads, so repeating one after a timeout or 5xx is harmless.
        """
        content = json.dumps(payload, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        return self._with_retries("POST", url, headers, content)

    def _with_retries(self, method: str, url: str, headers: dict[str, str],
                      content: bytes | None) -> FetchResult:
        attempt = 0
        while True:
            result, retry = self._attempt(method, url, headers, content)
            if not retry or attempt >= self.retries:
                return result
            self._sleep(self.backoff * (2**attempt))
            attempt += 1

    def _attempt(self, method: str, url: str, headers: dict[str, str],
                 content: bytes | None = None) -> tuple[FetchResult, bool]:
        """One try; returns the result and whether it is worth retrying."""
        request_headers: Headers = tuple(headers.items())
        try:
            request = self._client.build_request(method, url, headers=headers, content=content)
            request_headers = tuple(request.headers.multi_items())
            deadline = self._clock() + self.total_timeout
            self._deadlines.set(deadline)
            response = self._client.send(request, stream=True)
        except DeadlineExceeded:
            self._deadlines.set(None)
            return self._failed(url, request_headers, self._overrun(0)), False
        except httpx.TimeoutException as exc:
            self._deadlines.set(None)
            return self._failed(url, request_headers, f"timeout: {exc!r}"), True
        except OffSiteRedirect as exc:
            self._deadlines.set(None)
            return self._failed(url, request_headers,
                                f"redirected outside the allowed hosts: {exc}"), False
        except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
            self._deadlines.set(None)
            return self._failed(url, request_headers, f"{type(exc).__name__}: {exc}"), False
        try:
            request_headers = tuple(response.request.headers.multi_items())
            body, error = self._read(response, deadline)
        except _Retryable as exc:
            return self._failed(url, request_headers, str(exc), response), True
        finally:
            response.close()
            self._deadlines.set(None)
        resp_headers = self._clean_headers(response, body, decoded=error is None)
        result = FetchResult(url, str(response.url), response.status_code, resp_headers,
                             body, request_headers, error)
        return result, error is None and response.status_code >= 500

    def _read(self, response: httpx.Response, deadline: float) -> tuple[bytes, str | None]:
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            return b"", f"body too large: Content-Length {declared} > {self.max_bytes}"
        parts: list[bytes] = []
        size = 0
        encoding = response.headers.get("Content-Encoding", "")
        try:
            for part in _decoded(response.iter_raw(), encoding, self.max_bytes - size):
                size += len(part)
                if size > self.max_bytes:
                    raise _TooLarge
                parts.append(part)
                if self._clock() > deadline:
                    raise DeadlineExceeded
        except DeadlineExceeded:
            return b"", self._overrun(size)
        except _TooLarge:
            return b"", f"body too large: over {self.max_bytes} bytes"
        except httpx.TimeoutException as exc:
            raise _Retryable(f"timeout while reading: {exc!r}") from exc
        except (httpx.HTTPError, zlib.error, ValueError) as exc:
            return b"", f"{type(exc).__name__} while reading: {exc}"
        return b"".join(parts), None

    def _overrun(self, size: int) -> str:
        return (f"deadline exceeded: the response took over {self.total_timeout:g}s"
                f" (total_timeout) after {size} body byte(s); not retried")

    @staticmethod
    def _clean_headers(response: httpx.Response, body: bytes, *, decoded: bool) -> Headers:
        items = response.headers.multi_items()
        if not decoded or not response.headers.get("Content-Encoding"):
            return tuple(items)
        kept = [(k, v) for k, v in items if k.lower() not in ("content-encoding",
                                                              "content-length")]
        return (*kept, ("Content-Length", str(len(body))))

    @staticmethod
    def _failed(url: str, request_headers: Headers, error: str,
                response: httpx.Response | None = None) -> FetchResult:
        if response is None:
            return FetchResult(url, url, 0, (), b"", request_headers, error)
        return FetchResult(url, str(response.url), response.status_code,
                           tuple(response.headers.multi_items()), b"", request_headers, error)
