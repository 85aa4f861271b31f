"""API errors and their one JSON shape.

Hierarchy::

    ApiError            any 4xx answered as {"ok": false, "status", "error", "param"?}
    ├── BadRequest      400: a parameter is missing or invalid
    ├── NotFound        404: no such paragraph, meeting or capture
    └── Gone            410: the paragraph was removed from a re-published protocol
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse


class ApiError(Exception):
    status = 400

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


class BadRequest(ApiError):
    status = 400


class NotFound(ApiError):
    status = 404


class Gone(ApiError):
    status = 410


def error_body(status: int, message: str, param: str | None = None) -> dict[str, object]:
    body: dict[str, object] = {"ok": False, "status": status, "error": message}
    if param:
        body["param"] = param
    return body


def api_error_response(request: Request, exc: Exception) -> JSONResponse:
    """Exception handler: every ApiError becomes the one JSON error shape."""
    assert isinstance(exc, ApiError)
    return JSONResponse(error_body(exc.status, exc.message, exc.param), status_code=exc.status)
