"""Loopback HTTP fixtures for crawler tests: a route table served by ThreadingHTTPServer."""

from __future__ import annotations

import contextlib
import gzip
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

Handler = Callable[["RouteHandler"], None]


@dataclass
class Site:
    """A running fixture site: its base URL, routes and the hits per path (with query)."""

    base: str
    routes: dict[str, Handler | tuple[int, dict[str, str], bytes]]
    hits: Counter[str] = field(default_factory=Counter)
    user_agents: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path


class RouteHandler(BaseHTTPRequestHandler):
    site: Site
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(body)

    def do_GET(self) -> None:
        self._route()

    def do_POST(self) -> None:
        self._route()

    def _route(self) -> None:
        self.site.hits[self.path] += 1
        self.site.user_agents.append(self.headers.get("User-Agent", ""))
        route = self.site.routes.get(self.path) or self.site.routes.get(urlsplit(self.path).path)
        if route is None:
            route = self.site.routes.get("*")
        if route is None:
            self.send(404, b"<html><body>saknas</body></html>", {"Content-Type": "text/html"})
        elif callable(route):
            route(self)
        else:
            status, headers, body = route
            self.send(status, body, headers)


@contextlib.contextmanager
def serve(routes: dict[str, Handler | tuple[int, dict[str, str], bytes]]) -> Iterator[Site]:
    """Serve ``routes`` on a free loopback port until the block ends."""
    site = Site("", routes)
    handler = type("Handler", (RouteHandler,), {"site": site})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    site.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield site
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


HTML = {"Content-Type": "text/html; charset=utf-8"}
PDF_TYPE = {"Content-Type": "application/pdf"}


def html(body: str, charset: str = "utf-8") -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": f"text/html; charset={charset}"}, (
        f"<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>"
    ).encode(charset)


def calendar(handler: RouteHandler) -> None:
    """An endless calendar: every month links to the next one."""
    query = urlsplit(handler.path).query
    month = int(query.split("=")[1].replace("-", "")) if "=" in query else 202401
    year, mon = divmod(month, 100)
    nxt = f"{year + (mon == 12)}-{(mon % 12) + 1:02d}"
    handler.send(200, (f"<html><body><a href='/kalender?month={nxt}'>nästa</a>"
                       f"<a href='/kalender/{nxt.replace('-', '/')}'>nästa</a></body></html>"
                       ).encode(), HTML)


def calendar_path(handler: RouteHandler) -> None:
    """The same calendar with the month in the path: /kalender/2024/05."""
    parts = urlsplit(handler.path).path.split("/")
    if len(parts) != 4 or parts[1] != "kalender":
        handler.send(404, b"saknas", HTML)
        return
    year, mon = int(parts[2]), int(parts[3])
    nxt = f"{year + (mon == 12)}/{(mon % 12) + 1:02d}"
    handler.send(200, f"<html><body><a href='/kalender/{nxt}'>nästa</a></body></html>".encode(),
                 HTML)


def slow_drip(handler: RouteHandler) -> None:
    """One byte at a time, far slower than any sane total timeout."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", "1000")
    handler.end_headers()
    try:
        for _ in range(1000):
            handler.wfile.write(b"x")
            handler.wfile.flush()
            time.sleep(0.05)
    except OSError:
        pass  # the client gave up, as it should


def flaky(times: int, body: bytes) -> Handler:
    """500 the first ``times`` requests, then 200."""
    state = {"n": 0}

    def route(handler: RouteHandler) -> None:
        state["n"] += 1
        if state["n"] <= times:
            handler.send(500, b"internt fel", HTML)
        else:
            handler.send(200, body, PDF_TYPE)

    return route


def gzip_bomb(size: int) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, gzip.compress(
        b"<html>" + b"\0" * size, mtime=0)


def redirect_loop(handler: RouteHandler) -> None:
    target = "/loop-b" if urlsplit(handler.path).path == "/loop-a" else "/loop-a"
    handler.send(302, b"", {"Location": target})
