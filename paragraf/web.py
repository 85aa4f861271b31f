"""The web application: JSON API and UI assembled from plain lists, resources from the lifespan."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from paragraf_se.archive.store import Archive
from paragraf_se.index_swap import recover
from paragraf_se.indexer.whoosh_engine import WhooshIndex
from paragraf_se.parse_status import ParseStatusLog, status_path
from paragraf_se.permalinks import PermalinkRegistry, registry_path
from paragraf_se.rate_limit import RateLimit, TokenBuckets
from paragraf_se.search_api import app as search_api_app
from paragraf_se.search_api.errors import ApiError, api_error_response, error_body
from paragraf_se.settings import DataDir
from paragraf_se.ui import app as ui_app

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


# Machine-facing paths answer errors in the API's JSON shape; pages answer in HTML.
JSON_PATHS = ("/api/", "/feed.atom", "/openapi.json", "/archive/")


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(JSON_PATHS)


def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})  # e.g. Allow on 405
    if _wants_json(request):
        return JSONResponse(error_body(exc.status_code, str(exc.detail)),
                            status_code=exc.status_code, headers=headers)
    page = ui_app.render("not_found.html", exc.status_code, what="Sidan")
    page.headers.update(headers)
    return page


def server_error(request: Request, exc: Exception) -> Response:
    # Last resort: logged with its traceback, answered without internals.
    # Starlette sends this response from its outermost middleware, outside
    # SecurityHeaders, so it carries the headers itself.
    log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    if _wants_json(request):
        return JSONResponse(error_body(500, "internal error"), status_code=500,
                            headers=SECURITY_HEADERS)
    try:
        page: Response = ui_app.render("error.html", 500)
    except Exception:  # the page itself may be what failed
        page = HTMLResponse(FALLBACK_ERROR_PAGE, status_code=500)
    page.headers.update(SECURITY_HEADERS)
    return page


FALLBACK_ERROR_PAGE = ('<!doctype html><html lang="sv"><meta charset="utf-8">'
                       "<title>Något gick fel</title><h1>Något gick fel</h1>"
                       '<p>Försök igen om en stund. <a href="/">Till sökningen</a>.</p></html>')


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


def create_app(data_dir: DataDir, *, rate_limit: float = 0) -> Starlette:
    """The ASGI app serving API and UI over one data directory.

    ``rate_limit``: requests per minute per client address (0: unlimited).
    """

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, object]]:
        note = recover(data_dir)  # a rebuild swap a crash interrupted
        if note:
            log.warning("%s in %s", note, data_dir.root)
        archive = Archive(data_dir.archive)
        index = WhooshIndex(data_dir.index)
        permalinks = PermalinkRegistry(registry_path(data_dir.root))
        parse_status = ParseStatusLog(status_path(data_dir.root))
        try:
            yield {"archive": archive, "index": index, "permalinks": permalinks,
                   "parse_status": parse_status}
        finally:
            parse_status.close()
            index.close()
            archive.close()

    app = Starlette(
        routes=[*search_api_app.routes, *ui_app.routes],
        exception_handlers={ApiError: api_error_response, HTTPException: http_error,
                            Exception: server_error},
        lifespan=lifespan,
    )
    app.add_middleware(RateLimit, buckets=TokenBuckets(rate_limit) if rate_limit > 0 else None)
    # Added last, so outermost: the rate limiter's 429 gets the headers too.
    app.add_middleware(SecurityHeaders)
    return app
