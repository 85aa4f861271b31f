"""Errors of a web request, and the one JSON shape they answer in.

Handlers of both adapters raise these; ``paragraf_se.web`` answers each one
through a single path: the JSON shape below for machine-facing paths (the
API, feeds, OpenAPI, archived originals), the Swedish error page otherwise.

Hierarchy::

    WebError            any 4xx answered as {"ok": false, "status", "error", "param"?}
    ├── BadRequest      400: a parameter is missing or invalid
    ├── NotFound        404: no such paragraph, meeting, case or capture
    └── Gone            410: removed (from a re-published protocol, or by the operator)
"""

from __future__ import annotations

from starlette.requests import Request

# Machine-facing paths answer errors in the JSON shape; pages answer in HTML.
JSON_PATHS = ("/api/", "/feed.atom", "/openapi.json", "/archive/")


class WebError(Exception):
    """An error answer. ``what`` names the missing thing on the Swedish page ("Paragrafen");
    ``tombstone`` is a removed paragraph's record for the 410 page."""

    status = 400

    def __init__(self, message: str, param: str | None = None, *, what: str = "Sidan",
                 tombstone: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.what = what
        self.tombstone = tombstone


class BadRequest(WebError):
    status = 400


class NotFound(WebError):
    status = 404


class Gone(WebError):
    status = 410




def error_body(status: int, message: str, param: str | None = None) -> dict[str, object]:
    """The JSON shape of every error answer."""
    body: dict[str, object] = {"ok": False, "status": status, "error": message}
    if param:
        body["param"] = param
    return body


def wants_json(request: Request) -> bool:
    """Whether an error on this request is answered in JSON rather than as a page."""
    from paragraf_se.web_common.urls import route_path

    return route_path(request.scope).startswith(JSON_PATHS)
