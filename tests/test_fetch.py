"""archive.fetch against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from paragraf_se.archive.fetch import Fetcher, http_date

PAYLOAD = "Kommunstyrelsens beslut om avfallsplan – åäö §".encode() * 10


class _Handler(BaseHTTPRequestHandler):
    hits: Counter[str]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None,
              length: bool = True) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        self.hits[path] += 1
        if path == "/ok":
            self._send(200, PAYLOAD, {"Content-Type": "text/plain; charset=utf-8"})
        elif path == "/big":  # no Content-Length: the limit must apply while streaming
            self._send(200, b"x" * 5000, length=False)
        elif path == "/big-declared":
            self._send(200, b"x" * 5000)
        elif path == "/gzip":
            self._send(200, gzip.compress(PAYLOAD, mtime=0), {"Content-Encoding": "gzip"})
        elif path == "/bomb":  # 2 MB of zeros compress to a few KB
            self._send(200, gzip.compress(b"\0" * 2_000_000, mtime=0),
                       {"Content-Encoding": "gzip"})
        elif path == "/flaky":
            if self.hits[path] == 1:
                self._send(500, b"internt fel")
            else:
                self._send(200, PAYLOAD)
        elif path == "/always-503":
            self._send(503, b"upptagen")
        elif path == "/missing":
            self._send(404, b"finns inte")
        elif path == "/etag":
            if self.headers.get("If-None-Match") == '"v1"':
                self._send(304, headers={"ETag": '"v1"'}, length=False)
            else:
                self._send(200, PAYLOAD, {"ETag": '"v1"'})
        elif path == "/redirect":
            self._send(302, headers={"Location": "/ok"})
        elif path == "/loop":
            self._send(302, headers={"Location": "/loop"})
        elif path == "/drip":
            self._drip()
        elif path == "/drip-headers":
            self._drip_headers()

    def _drip_headers(self) -> None:
        """A status line, then one header byte every 0.1 s, never ending the headers:
        no read ever waits long enough for a read timeout."""
        try:
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            while True:
                for byte in b"X-Langsam: ja\r\n":
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.1)
        except OSError:
            pass  # the client gave up, as intended

    def _drip(self) -> None:
        """Headers at once, then a byte every 0.1 s for up to 4 s: never idle long enough
        for a read timeout, so only the total timeout can stop it."""
        self.send_response(200)
        self.send_header("Content-Length", "40")
        self.end_headers()
        try:
            for _ in range(40):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass  # the client gave up, as intended


@pytest.fixture()
def server() -> Iterator[tuple[str, Counter[str]]]:
    hits: Counter[str] = Counter()
    handler = type("H", (_Handler,), {"hits": hits})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture()
def sleeps() -> list[float]:
    return []


@pytest.fixture()
def fetcher(sleeps: list[float]) -> Iterator[Fetcher]:
    with Fetcher("Paragraf-test/1.0", connect_timeout=2, read_timeout=2, total_timeout=1.0,
                 max_bytes=1000, retries=2, backoff=0.5, sleep=sleeps.append) as f:
        yield f


def test_plain_fetch(server, fetcher) -> None:
    base, _ = server
    result = fetcher.fetch(f"{base}/ok")
    assert result.ok and result.status == 200 and result.body == PAYLOAD
    assert result.header("content-type") == "text/plain; charset=utf-8"
    assert ("User-Agent", "Paragraf-test/1.0") in [
        (k.title(), v) for k, v in result.request_headers]


def test_size_limit_while_streaming(server, fetcher) -> None:
    base, _ = server
    for path in ("/big", "/big-declared", "/bomb"):
        result = fetcher.fetch(f"{base}{path}")
        assert not result.ok and result.body == b"", path
        assert "too large" in (result.error or ""), path


def test_gzip_is_decoded_and_headers_made_consistent(server) -> None:
    base, _ = server
    with Fetcher("t", max_bytes=10_000) as f:
        result = f.fetch(f"{base}/gzip")
    assert result.ok and result.body == PAYLOAD
    assert result.header("Content-Encoding") is None
    assert result.header("Content-Length") == str(len(PAYLOAD))


def test_500_then_200_is_retried(server, fetcher, sleeps) -> None:
    base, hits = server
    result = fetcher.fetch(f"{base}/flaky")
    assert result.ok and result.body == PAYLOAD
    assert hits["/flaky"] == 2 and sleeps == [0.5]


def test_persistent_5xx_gives_up_after_retries(server, fetcher, sleeps) -> None:
    base, hits = server
    result = fetcher.fetch(f"{base}/always-503")
    assert result.status == 503 and not result.ok
    assert hits["/always-503"] == 3 and sleeps == [0.5, 1.0]  # exponential backoff


def test_404_is_not_retried(server, fetcher, sleeps) -> None:
    base, hits = server
    result = fetcher.fetch(f"{base}/missing")
    assert result.status == 404 and result.error is None and not result.ok
    assert hits["/missing"] == 1 and sleeps == []


def test_slow_drip_is_cut_off_by_total_timeout_and_not_retried(server, sleeps) -> None:
    base, hits = server
    # Retries allowed (as by default): an overrun of the total deadline is still final,
    # since a dripping server would drip again and each try would cost a whole deadline.
    with Fetcher("t", read_timeout=2, total_timeout=1.0, retries=2, sleep=sleeps.append) as f:
        result = f.fetch(f"{base}/drip")
    assert not result.ok and (result.error or "").startswith("deadline exceeded")
    assert "not retried" in (result.error or "")
    assert result.body == b"" and hits["/drip"] == 1 and sleeps == []


def test_dripped_headers_are_cut_off_by_the_total_deadline_too(server, sleeps) -> None:
    # httpx's timeouts are per socket operation: only the deadline at the socket ends this.
    base, hits = server
    with Fetcher("t", read_timeout=5, total_timeout=1.0, retries=2, sleep=sleeps.append) as f:
        result = f.fetch(f"{base}/drip-headers")
        assert result.status == 0 and (result.error or "").startswith("deadline exceeded")
        assert hits["/drip-headers"] == 1 and sleeps == []
        # The same client goes on fetching normally afterwards (no deadline left behind).
        assert f.fetch(f"{base}/ok").ok


def test_conditional_request(server, fetcher) -> None:
    base, _ = server
    first = fetcher.fetch(f"{base}/etag")
    assert first.ok and first.header("ETag") == '"v1"'
    again = fetcher.fetch(f"{base}/etag", etag='"v1"',
                          last_modified="Sat, 01 Jun 2024 00:00:00 GMT")
    assert again.not_modified and again.body == b""
    sent = {k.lower(): v for k, v in again.request_headers}
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Sat, 01 Jun 2024 00:00:00 GMT"


def test_redirects_are_followed_with_a_cap(server, fetcher) -> None:
    base, hits = server
    result = fetcher.fetch(f"{base}/redirect")
    assert result.ok and result.final_url == f"{base}/ok" and result.url == f"{base}/redirect"
    looping = fetcher.fetch(f"{base}/loop")
    assert not looping.ok and "redirect" in (looping.error or "").lower()
    assert hits["/loop"] == 6  # the first request plus max_redirects=5


def test_network_errors_never_raise(fetcher) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before the fetch: refused
    refused = fetcher.fetch(f"http://127.0.0.1:{port}/")
    assert refused.status == 0 and refused.error
    bad = fetcher.fetch("not a url")
    assert bad.status == 0 and bad.error


def test_http_date_normalises_or_drops() -> None:
    assert http_date("Sat, 01 Jun 2024 00:00:00 GMT") == "Sat, 01 Jun 2024 00:00:00 GMT"
    assert http_date("igår") is None and http_date(None) is None


def test_a_redirect_off_the_allowed_hosts_is_refused():
    import http.server
    import threading

    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(302)
            self.send_header("Location", "http://localhost:9/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        with Fetcher("test", allowed_hosts=frozenset({f"127.0.0.1:{port}"}), retries=0) as f:
            result = f.fetch(f"http://127.0.0.1:{port}/start")
        assert result.error and "outside the allowed hosts" in result.error
        assert "localhost:9/elsewhere" in result.error
    finally:
        server.shutdown()
        server.server_close()
