"""Loopback HTTP server for the sample Meetings Plus sites (no network needed).

Each organisation gets its own port, as every authority has its own host in
reality. Directory paths map to ``index.html``; extension-less "…pdf" files
are served as ``application/pdf``; query strings are ignored. Responses carry
a content-derived ETag and a fixed Last-Modified, and conditional requests
get 304, so re-crawls can be tested.

Run by hand: ``python -m paragraf_se.sample_site.server [--port N] [ORG_SLUG]``.
"""

from __future__ import annotations

import argparse
import hashlib
import posixpath
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from paragraf_se.sample_site.generate import SITE_DIR

# Fixed so responses are identical across runs (2024-06-01 00:00:00 UTC).
LAST_MODIFIED_EPOCH = 1717200000
LAST_MODIFIED = formatdate(LAST_MODIFIED_EPOCH, usegmt=True)


def _content_type(path: Path) -> str:
    if path.name.endswith("pdf"):
        return "application/pdf"
    if path.suffix == ".txt":
        return "text/plain; charset=utf-8"
    return "text/html; charset=utf-8"


def resolve(root: Path, url_path: str) -> Path | None:
    """Map a URL path onto a file under ``root``; None if absent or escaping the root."""
    clean = posixpath.normpath(unquote(urlsplit(url_path).path))
    parts = [p for p in clean.split("/") if p and p not in (".", "..")]
    candidate = root.joinpath(*parts)
    if candidate.is_dir():
        candidate = candidate / "index.html"
    try:
        candidate.resolve().relative_to(root.resolve())
    except ValueError:
        return None
    return candidate if candidate.is_file() else None


class _Handler(BaseHTTPRequestHandler):
    server_version = "SampleMeetingsPlus/1.0"
    root: Path  # set per server on a subclass

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, *, send_body: bool) -> None:
        path = resolve(self.root, self.path)
        if path is None:
            body = b"<!DOCTYPE html><title>404</title><p>Sidan finns inte.</p>"
            self._send(404, "text/html; charset=utf-8", body, send_body=send_body)
            return
        data = path.read_bytes()
        etag = '"' + hashlib.sha256(data).hexdigest()[:20] + '"'
        if self._not_modified(etag):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", LAST_MODIFIED)
            self.end_headers()
            return
        self._send(200, _content_type(path), data, send_body=send_body,
                   extra=(("ETag", etag), ("Last-Modified", LAST_MODIFIED)))

    def _not_modified(self, etag: str) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            return any(tag.strip() in (etag, "*") for tag in inm.split(","))
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                return parsedate_to_datetime(ims).timestamp() >= LAST_MODIFIED_EPOCH
            except (TypeError, ValueError):
                return False
        return False

    def _send(self, status: int, ctype: str, body: bytes, *, send_body: bool,
              extra: tuple[tuple[str, str], ...] = ()) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests and the demo do not want a line per request on stderr."""


@dataclass
class OrgServer:
    """One organisation's running site."""

    org_slug: str
    base_url: str  # e.g. "http://127.0.0.1:43121/" (trailing slash)
    httpd: ThreadingHTTPServer
    thread: threading.Thread


class SampleServer:
    """The running sample sites; use as a context manager or call :meth:`stop`."""

    def __init__(self, servers: list[OrgServer]) -> None:
        self.orgs: dict[str, OrgServer] = {s.org_slug: s for s in servers}

    @property
    def base_urls(self) -> dict[str, str]:
        """Organisation slug → base URL."""
        return {slug: s.base_url for slug, s in self.orgs.items()}

    @property
    def base_url(self) -> str:
        """The base URL when exactly one organisation is served."""
        if len(self.orgs) != 1:
            raise ValueError(f"{len(self.orgs)} organisations served; use base_urls[org]")
        return next(iter(self.orgs.values())).base_url

    def url(self, org_slug: str, path: str = "") -> str:
        """Absolute URL of ``path`` (no leading slash) on ``org_slug``'s site."""
        return self.orgs[org_slug].base_url + path.lstrip("/")

    def stop(self) -> None:
        """Shut every server down and release its port."""
        for server in self.orgs.values():
            server.httpd.shutdown()
            server.httpd.server_close()
            server.thread.join(timeout=5)

    def __enter__(self) -> SampleServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __iter__(self) -> Iterator[OrgServer]:
        return iter(self.orgs.values())


def _start(org_slug: str, root: Path, host: str, port: int) -> OrgServer:
    handler = type("SiteHandler", (_Handler,), {"root": root})
    httpd = ThreadingHTTPServer((host, port), handler)
    httpd.daemon_threads = True
    # A short poll interval makes stop() quick (shutdown waits for one poll).
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,),
                              name=f"sample-{org_slug}", daemon=True)
    thread.start()
    bound_host, bound_port = httpd.server_address[:2]
    return OrgServer(org_slug, f"http://{bound_host}:{bound_port}/", httpd, thread)


def serve_sample_site(
    org_slug: str | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    root: Path = SITE_DIR,
) -> SampleServer:
    """Serve one organisation (or all under ``root``), each on its own port.

    ``port`` 0 picks free ports; a fixed port applies to the first organisation
    and the following ones get port+1, port+2, ... ``root`` defaults to the
    committed site; tests pass a modified copy.
    """
    if org_slug is not None:
        if not (root / org_slug).is_dir():
            raise ValueError(f"no sample site for {org_slug!r} under {root}")
        slugs = [org_slug]
    else:
        slugs = sorted(p.name for p in root.iterdir() if p.is_dir())
    servers: list[OrgServer] = []
    try:
        for i, slug in enumerate(slugs):
            servers.append(_start(slug, root / slug, host, port + i if port else 0))
    except OSError:
        SampleServer(servers).stop()
        raise
    return SampleServer(servers)


def main(argv: list[str] | None = None) -> int:
    """Serve the sample sites until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("org", nargs="?", help="organisation slug (default: all)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8701)
    args = parser.parse_args(argv)
    with serve_sample_site(args.org, args.host, args.port) as server:
        for slug, url in server.base_urls.items():
            print(f"{slug}: {url}committees", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
