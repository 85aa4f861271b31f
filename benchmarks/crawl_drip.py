"""One slow server must not stall a crawl: wall time of a crawl with one dripping URL.

Serves a loopback site of 35 requests (robots.txt, a start page, 32 leaf pages and
one URL that sends its headers and then one byte a second forever) and crawls it
with the *default* crawler settings (1 s per-host delay, 120 s total deadline per
response, default retries and per-host concurrency), fetch + archive only. Prints
the wall time, how often each kind of URL was requested, and how many other pages
were requested while the dripping response was in flight.

    .venv/bin/python benchmarks/crawl_drip.py [--pages 32] [--total-timeout S]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from paragraf_se.archive.crawl.config import CrawlerSettings, Limits, SourceConfig
from paragraf_se.archive.crawl.frontier import Frontier
from paragraf_se.archive.crawl.sources import crawl_source
from paragraf_se.archive.store import Archive


class _Site(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    pages = 32
    hits: Counter[str]
    events: list[tuple[float, str, str]]  # (time, "start"/"end", path)
    lock: threading.Lock

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _log(self, event: str) -> None:
        with self.lock:
            self.events.append((time.monotonic(), event, self.path))

    def do_GET(self) -> None:
        with self.lock:
            self.hits[self.path] += 1
        self._log("start")
        try:
            if self.path == "/drip":
                self._drip()
            elif self.path == "/start":
                links = "<a href='/drip'>drip</a>" + "".join(
                    f"<a href='/page-{i:02d}'>p</a>" for i in range(self.pages))
                self._send(200, f"<html><body>{links}</body></html>".encode())
            elif self.path.startswith("/page-"):
                self._send(200, f"<html><body>Sida {self.path}</body></html>".encode())
            else:
                self._send(404, b"saknas")
        finally:
            self._log("end")

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(body)

    def _drip(self) -> None:
        """Headers at once, then one byte a second until the client hangs up."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(10**7))  # under max_bytes
        self.end_headers()
        with contextlib.suppress(OSError):
            while True:
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(1.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=32, help="leaf pages besides the drip URL")
    ap.add_argument("--total-timeout", type=float, default=None,
                    help="override the total deadline per response (default: the default)")
    args = ap.parse_args()
    hits: Counter[str] = Counter()
    events: list[tuple[float, str, str]] = []
    handler = type("H", (_Site,), {"hits": hits, "events": events, "lock": threading.Lock(),
                                   "pages": args.pages})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    limits = Limits()
    if args.total_timeout is not None:
        limits = dataclasses.replace(limits, total_timeout=args.total_timeout)
    source = SourceConfig(name="drip", organisation="Dropptorp kommun", kind="links",
                          start_urls=(f"{base}/start",), limits=limits)
    with tempfile.TemporaryDirectory() as tmp:
        archive = Archive(Path(tmp) / "archive")
        frontier = Frontier(Path(tmp) / "state.sqlite")
        started = time.monotonic()
        report = crawl_source(source, CrawlerSettings(), archive=archive, frontier=frontier)
        wall = time.monotonic() - started
        frontier.close()
        archive.close()
    httpd.shutdown()
    httpd.server_close()
    drip_starts = [t for t, e, p in events if p == "/drip" and e == "start"]
    drip_end = max((t for t, e, p in events if p == "/drip" and e == "end"), default=None)
    during = sum(1 for t, e, p in events if e == "start" and p.startswith("/page-")
                 and drip_starts and drip_starts[0] < t < (drip_end or float("inf")))
    others = sum(n for p, n in hits.items() if p != "/drip")
    print(f"limits: delay={limits.delay} concurrency_per_host={limits.concurrency_per_host} "
          f"total_timeout={limits.total_timeout} retries={limits.retries}")
    print(f"requests: {sum(hits.values())} ({hits['/drip']} of /drip, {others} others)")
    print(f"pages requested while /drip was in flight: {during} of {args.pages}")
    print(f"fetched {report.fetched}, failed {dict(report.failed)}")
    print(f"wall time: {wall:.1f} s")


if __name__ == "__main__":
    main()
