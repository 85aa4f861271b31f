"""The web application: JSON API and UI assembled from plain lists, resources from the lifespan."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

import anyio
import psycopg
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from paragraf_se import observability
from paragraf_se.db.errors import DatabaseError
from paragraf_se.db.node_sync import NodeSync, open_node_index
from paragraf_se.index_swap import recover
from paragraf_se.indexer.budget import SearchCancelled
from paragraf_se.indexer.warmup import warm
from paragraf_se.rate_limit import RateLimit, TokenBuckets
from paragraf_se.search_api import app as search_api_app
from paragraf_se.serve_config import ServeConfig
from paragraf_se.settings import DataDir, use_data_dir_wordlist
from paragraf_se.ui import app as ui_app
from paragraf_se.web_common.errors import WebError, error_body, wants_json
from paragraf_se.web_common.urls import RootPath
from paragraf_se.wiring import open_data_dir

log = logging.getLogger("paragraf.web")

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def answer_error(request: Request, status: int, message: str, *, param: str | None = None,
                 error: WebError | None = None,
                 headers: dict[str, str] | None = None) -> Response:
    """The one error path: the JSON error shape or the Swedish page, by the request's path."""
    if wants_json(request):
        response: Response = JSONResponse(error_body(status, message, param),
                                          status_code=status)
    else:
        response = ui_app.error_page(status, error)
    response.headers.update(headers or {})
    return response


def web_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WebError)
    return answer_error(request, exc.status, exc.message, param=exc.param, error=exc)


def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    # e.g. Allow on 405
    return answer_error(request, exc.status_code, str(exc.detail), headers=dict(exc.headers or {}))


def server_error(request: Request, exc: Exception) -> Response:
    # Last resort: logged with its traceback, answered without internals.
    # Starlette sends this response from its outermost middleware, outside
    # SecurityHeaders, so it carries the headers itself.
    log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    try:
        return answer_error(request, 500, "internal error", headers=SECURITY_HEADERS)
    except Exception:  # the page itself may be what failed
        return HTMLResponse(FALLBACK_ERROR_PAGE, status_code=500, headers=SECURITY_HEADERS)


FALLBACK_ERROR_PAGE = ('<!doctype html><html lang="sv"><meta charset="utf-8">'
                       "<title>Något gick fel</title><h1>Något gick fel</h1>"
                       '<p>Försök igen om en stund. <a href="/">Till sökningen</a>.</p></html>')


def client_gone(request: Request, exc: Exception) -> Response:
    # The search stopped because its client disconnected (paragraf_se.web_common.cancellable):
    # nobody reads this answer; 499 marks it in the access log and metrics.
    log.info("%s: client disconnected, search stopped", request.url.path)
    request.app.state.metrics.cancelled.labels("search").inc()
    return Response(status_code=499)


def database_away(request: Request, exc: Exception) -> Response:
    # A node's permalinks and documents live in PostgreSQL; searches do not.
    log.warning("database unreachable on %s: %s", request.url.path, exc)
    return answer_error(request, 503, "the database is unreachable; try again shortly",
                        headers={"Retry-After": "30"})


class SecurityHeaders:
    """Adds the security headers to every response that does not set its own."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()
                         if k.lower().encode() not in present]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(data_dir: DataDir, *, rate_limit: float = 0,
               config: ServeConfig | None = None, database: str | None = None) -> Starlette:
    """The ASGI app serving API and UI over one data directory.

    ``rate_limit``: requests per minute per client address (0: unlimited);
    ``config`` (``paragraf serve``'s settings) replaces it when given.
    ``database``: a PostgreSQL URL to follow: the node then serves its own
    index (``data_dir.node_index``), replayed from the change log.
    """
    config = config or ServeConfig(rate_limit=rate_limit, access_log=False)
    metrics = observability.Metrics()
    use_data_dir_wordlist(data_dir)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, object]]:
        note = recover(data_dir)  # a rebuild swap a crash interrupted
        if note:
            log.warning("%s in %s", note, data_dir.root)
        # Serving never writes the archive: read-only, so a full disk or a read-only
        # mount still serves; a data directory without one yet gets an empty one.
        # A node of a PostgreSQL deployment serves its own index, synced from the change log.
        node_index = open_node_index(data_dir.node_index, database) if database else None
        opened = open_data_dir(data_dir, database=database, readonly=True, engine=node_index)
        archive, index = opened.archive, opened.engine
        permalinks, parse_status = opened.permalinks, opened.parse_status
        sync = NodeSync(index, data_dir.node_index, database).start() if database else None
        # Load what the first search would load before listening: a balancer
        # then sends no request to a node that would answer it in seconds.
        warmed = await anyio.to_thread.run_sync(warm, index)
        log.info("index warmed: %d searches in %.2f s", warmed.searches, warmed.seconds)
        metrics.resources.update(index=index, archive=archive, parse_status=parse_status,
                                 crawl_state=data_dir.crawl_state)
        try:
            yield {"archive": archive,
                   "index": observability.TimedEngine(index, metrics.search_latency,
                                                      metrics.cancelled),
                   "permalinks": permalinks, "parse_status": parse_status, "sync": sync,
                   "public_base": config.public_base(),
                   "link_base": config.base_url or config.root_path}
        finally:
            if sync is not None:
                sync.stop()
            metrics.resources.clear()
            opened.close()

    app = Starlette(
        routes=[*observability.routes, *search_api_app.routes, *ui_app.routes],
        exception_handlers={WebError: web_error, HTTPException: http_error,
                            DatabaseError: database_away, psycopg.Error: database_away,
                            SearchCancelled: client_gone,
                            Exception: server_error},
        lifespan=lifespan,
    )
    # Trailing-slash redirects would be built from the Host header: a 404 instead.
    app.router.redirect_slashes = False
    app.state.metrics = metrics
    app.add_middleware(RateLimit, buckets=TokenBuckets(config.rate_limit)
                       if config.rate_limit > 0 else None)
    # Added after the rate limiter, so outside it: its 429 gets the headers too.
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RootPath)
    app.add_middleware(observability.Observe, metrics=metrics, access=config.access_log)
    return app
