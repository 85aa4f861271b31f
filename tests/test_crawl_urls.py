"""URL canonicalisation and robots.txt policy used by the crawlers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from paragraf_se.archive.crawl.robots import RobotsPolicy
from paragraf_se.archive.crawl.urls import canonical_url, origin
from paragraf_se.archive.fetch import Fetcher


def test_canonical_url() -> None:
    # A trailing slash is kept: relative links resolve differently under "/ks/".
    assert canonical_url("HTTPS://Moten.Example.SE:443/committees/ks/#top") == \
        "https://moten.example.se/committees/ks/"
    assert canonical_url("http://h:8080/a/?b=2&a=1") == "http://h:8080/a/?a=1&b=2"
    assert canonical_url("http://h") == "http://h/"
    assert canonical_url("http://h/x/protokollpdf?downloadMode=open") == \
        "http://h/x/protokollpdf?downloadMode=open"
    assert origin("http://H:80/a/b") == "http://h"


@pytest.mark.parametrize(("raw", "canonical"), [
    ("http://h/a/./b/../c", "http://h/a/c"),  # dot segments
    ("http://h/%7Euser/../x/", "http://h/x/"),
    ("http://BÅSTAD.se/Nämnd/protokoll 2022.pdf",  # IDNA host, UTF-8 path, space
     "http://xn--bstad-mra.se/N%C3%A4mnd/protokoll%202022.pdf"),
    ("http://h/a%2fb%7e?x=%c3%a5", "http://h/a%2Fb~?x=%C3%A5"),  # escapes: case, unreserved
    ("https://h:443/x", "https://h/x"), ("http://h:443/x", "http://h:443/x"),  # default ports
    ("http://[::1]:80/a#frag", "http://[::1]/a"),
    ("http://h/a?b&a=", "http://h/a?a=&b="),  # blank values kept, sorted
    # Ciceron passes base64 file names back: reserved characters stay escaped.
    ("http://h/download/document?id=7&filename=YWJj%2BZGVm%2Fx%3D%3D",
     "http://h/download/document?filename=YWJj%2BZGVm%2Fx%3D%3D&id=7"),
])
def test_canonical_url_normalises_by_rfc_3986(raw: str, canonical: str) -> None:
    assert canonical_url(raw) == canonical
    assert canonical_url(canonical) == canonical  # idempotent


@pytest.mark.parametrize("bad", ["http://h:abc/x", "http://[::1/a", "http://h:99999/"])
def test_a_malformed_url_is_a_value_error(bad: str) -> None:
    with pytest.raises(ValueError, match="not a valid URL"):
        canonical_url(bad)


class _Robots(BaseHTTPRequestHandler):
    status = 200
    hits: list[str]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.hits.append(self.path)
        body = b"User-agent: *\nDisallow: /privat\nCrawl-delay: 2\n"
        self.send_response(self.status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _serve(status: int) -> tuple[ThreadingHTTPServer, list[str]]:
    hits: list[str] = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0),
                                type("R", (_Robots,), {"status": status, "hits": hits}))
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    return httpd, hits


@pytest.fixture()
def fetcher() -> Iterator[Fetcher]:
    with Fetcher("Paragraf-test", retries=0) as f:
        yield f


@pytest.mark.parametrize(("status", "public", "private"),
                         [(200, True, False), (404, True, True), (503, False, False)])
def test_robots_policy(fetcher: Fetcher, status: int, public: bool, private: bool) -> None:
    httpd, hits = _serve(status)
    try:
        base = f"http://127.0.0.1:{httpd.server_address[1]}"
        policy = RobotsPolicy(fetcher, "Paragraf-test")
        assert policy.allowed(f"{base}/committees") is public
        assert policy.allowed(f"{base}/privat/x") is private
        assert hits == ["/robots.txt"]  # fetched once per origin
        assert policy.crawl_delay(base) == (2.0 if status == 200 else None)
    finally:
        httpd.shutdown()
        httpd.server_close()
