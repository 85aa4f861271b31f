"""Watching a running server: /healthz, /readyz, Prometheus /metrics and the access log.

Metrics use the maintained ``prometheus-client`` with one registry per app (tests
run many apps in one process). Requests are labelled by route template
("/p/{org}/{body}/{date}/{number}"), never the raw path, so a crawler of
permalinks cannot grow the label set without bound. Counts that other processes
change (ingest, crawl, archive) are read from the data directory at scrape time,
so ``paragraf crawl`` run from a timer shows up in the server's metrics.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client import generate_latest as _generate_latest
from prometheus_client.core import GaugeMetricFamily
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from paragraf_se.indexer.budget import SearchCancelled

access_log = logging.getLogger("paragraf.access")
log = logging.getLogger("paragraf.web")

# Seconds; requests of a search service sit between 1 ms and a few seconds.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNMATCHED = "(unmatched)"  # every path no route knows: one label, not one per path


def route_template(scope: dict[str, Any]) -> str:
    """The template of the route that handled ``scope`` ("/p/{org}/..."), or ``UNMATCHED``."""
    route = scope.get("route")
    if isinstance(route, Mount):
        return route.path + "/{path}"
    if isinstance(route, Route):
        return route.path
    return UNMATCHED


class Metrics:
    """The app's Prometheus registry and the objects it reads the data directory through."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "paragraf_http_requests", "HTTP requests answered, by route template and status",
            ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram(
            "paragraf_http_request_duration_seconds",
            "Time from request to the end of the response body, by route template",
            ["method", "route"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.search_latency = Histogram(
            "paragraf_search_duration_seconds",
            "Time the index took to answer one search (UI, API, feed and export)",
            buckets=LATENCY_BUCKETS, registry=self.registry)
        self.cancelled = Counter(
            "paragraf_searches_cancelled",
            "Searches and exports stopped before their end because the client disconnected",
            ["kind"], registry=self.registry)
        self.resources: dict[str, Any] = {}
        self.registry.register(_DataDirCollector(self))

    def generate(self) -> bytes:
        return _generate_latest(self.registry)


class _DataDirCollector:
    """Gauges read at scrape time from the index, archive, parse log and crawl state."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def describe(self):
        return []  # no fixed set: collected only when the server has its resources

    def collect(self):
        res = self.metrics.resources
        index, archive, status = res.get("index"), res.get("archive"), res.get("parse_status")
        if index is not None:
            yield _gauge("paragraf_index_paragraphs", "Paragraphs in the index", index.count())
            yield _gauge("paragraf_index_generation",
                         "Generation number of the index on disk; grows with every commit",
                         index.generation())
        if archive is not None:
            yield _gauge("paragraf_archive_captures", "Captures (originals) in the archive",
                         archive.count())
        if status is not None:
            g = GaugeMetricFamily("paragraf_ingested_documents",
                                  "Archived documents by the outcome of their last parse "
                                  "(ingest, crawl and rebuild)", labels=["status"])
            for name, n in sorted(status.counts().items()):
                g.add_metric([name], n)
            yield g
        crawl_state = res.get("crawl_state")
        if crawl_state is not None:
            yield from _crawl_gauges(crawl_state)


def _gauge(name: str, doc: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, value=value)


def _crawl_gauges(path: Path):
    g = GaugeMetricFamily("paragraf_crawl_urls",
                          "URLs of each source's current or last crawl run, by state",
                          labels=["source", "state"])
    h = GaugeMetricFamily("paragraf_crawl_handoffs_pending",
                          "Fetched documents waiting to be indexed")
    if path.exists():
        try:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
            try:
                for source, state, n in db.execute(
                        "SELECT source, state, count(*) FROM frontier GROUP BY 1, 2"):
                    g.add_metric([source, state], n)
                (pending,) = db.execute("SELECT count(*) FROM handoff WHERE taken = 0").fetchone()
                h.add_metric([], pending)
            finally:
                db.close()
        except sqlite3.Error as err:  # a crawl holding a write lock: skip, never fail a scrape
            log.warning("crawl state not readable for metrics: %s", err)
    yield g
    yield h


class TimedEngine:
    """The engine as the adapters see it, with every search timed into a histogram.

    Wraps rather than edits the engine so the adapters keep calling ``search()``:
    a search runs inside one :meth:`view`, so timing the view times the search.
    Exports stopped before their end because their client left are counted
    in ``cancelled`` when given: cancelled mid-work (``SearchCancelled``) or
    closed by the response that stopped streaming (``GeneratorExit``). A
    stopped search ends in the app's 499 handler, which counts it (it may stop
    before the engine is called).
    """

    def __init__(self, index: Any, histogram: Histogram,
                 cancelled: Counter | None = None) -> None:
        self._index = index
        self._histogram = histogram
        self._cancelled = cancelled

    @contextlib.contextmanager
    def view(self) -> Iterator[Any]:
        start = time.perf_counter()
        try:
            with self._index.view() as view:
                yield view
        finally:
            self._histogram.observe(time.perf_counter() - start)

    def iter_matches(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        try:
            yield from self._index.iter_matches(*args, **kwargs)
        except (SearchCancelled, GeneratorExit):
            if self._cancelled is not None:
                self._cancelled.labels("export").inc()
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self._index, name)


class Observe:
    """ASGI middleware: the access log line and the request metrics of every request."""

    def __init__(self, app, metrics: Metrics, access: bool = True) -> None:
        self.app = app
        self.metrics = metrics
        self.access = access

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500  # an exception before the response started ends as a 500

        async def send_status(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            elapsed = time.perf_counter() - start
            route = route_template(scope)
            method = scope["method"]
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(elapsed)
            if self.access:
                client = scope.get("client")
                access_log.info(
                    "%s %s %d %.1f ms", method, scope["path"], status, elapsed * 1000,
                    extra={"method": method, "path": scope["path"],
                           "query": scope.get("query_string", b"").decode("latin-1"),
                           "status": status, "duration_ms": round(elapsed * 1000, 2),
                           "route": route, "client": client[0] if client else None})


def healthz(request: Request) -> JSONResponse:
    """The process is up and answering."""
    return JSONResponse({"status": "ok"})


def _check(name: str, fn) -> dict[str, Any]:
    try:
        return {"ok": True, **fn()}
    except Exception as err:  # any failure is a not-ready answer, never a 500
        log.warning("readiness check %s failed: %s", name, err)
        return {"ok": False, "error": f"{type(err).__name__}: {err}"}


def readyz(request: Request) -> JSONResponse:
    """Ready to serve searches: the index opens and answers, the archive is readable.

    On a node with ``--database`` also whether the change log is reachable,
    with the node's lag; "stale" when it is not (searches still answer).
    """
    index, archive = request.state.index, request.state.archive

    def index_check() -> dict[str, Any]:
        return {"paragraphs": index.count(), "generation": index.generation()}

    def archive_check() -> dict[str, Any]:
        root = Path(archive.root)
        if not root.is_dir():
            raise FileNotFoundError(f"{root} is missing")
        if not os.access(root, os.R_OK | os.X_OK):
            raise PermissionError(f"{root} is not readable")
        return {"captures": archive.count()}

    checks = {"index": _check("index", index_check), "archive": _check("archive", archive_check)}
    ready = all(c["ok"] for c in checks.values())
    status = "ready" if ready else "not ready"
    sync = getattr(request.state, "sync", None)
    if sync is not None:
        # A node following PostgreSQL: searches still answer from its own index
        # while the database is away, so that is "stale" (200), not "not ready";
        # ?strict=1 makes a stale node answer 503 for balancers that prefer fresh.
        current = sync.status()
        checks["database"] = {"ok": current.connected, **current.as_dict(sync.clock())}
        if ready and not current.connected:
            status = "stale"
    strict = request.query_params.get("strict") in ("1", "true")
    code = 200 if status == "ready" or (status == "stale" and not strict) else 503
    return JSONResponse({"status": status, "checks": checks}, status_code=code)


def metrics_page(request: Request) -> Response:
    """Prometheus text exposition format."""
    metrics: Metrics = request.app.state.metrics
    return Response(metrics.generate(), media_type=CONTENT_TYPE_LATEST)


routes = [
    Route("/healthz", healthz),
    Route("/readyz", readyz),
    Route("/metrics", metrics_page),
]
