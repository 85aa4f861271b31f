"""JSON API routes. Shared resources arrive as ``request.state`` from the lifespan."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from archive.errors import ArchiveError, CaptureNotFound
from indexer.search import InvalidRequest, search
from indexer.search_params import request_from_params
from indexer.serialize import meeting_to_dict
from search_api.errors import BadRequest, NotFound
from search_api.representation import paragraph_json, result_json

_ID = re.compile(r"[0-9a-f]{16}")
_MEETING = re.compile(r"[a-z0-9-]+/[a-z0-9-]+/\d{4}-\d{2}-\d{2}")


def api_search(request: Request) -> JSONResponse:
    try:
        req = request_from_params(request.query_params.getlist)
    except InvalidRequest as err:
        raise BadRequest(err.message, err.param) from None
    result = search(request.state.index, req)
    return JSONResponse(result_json(result))


def api_paragraph(request: Request) -> JSONResponse:
    pid = request.path_params["id"]
    p = request.state.index.get(pid) if _ID.fullmatch(pid) else None
    if p is None:
        raise NotFound(f"no paragraph with id {pid[:40]!r}")
    return JSONResponse(paragraph_json(p))


def api_meeting(request: Request) -> JSONResponse:
    mid = request.path_params["id"]
    paragraphs = request.state.index.meeting(mid) if _MEETING.fullmatch(mid) else []
    if not paragraphs:
        raise NotFound(f"no meeting with id {mid[:80]!r}")
    first = paragraphs[0]
    return JSONResponse({
        "id": mid,
        "org": first.org,
        "body": first.body,
        "date": first.date.isoformat(),
        **meeting_to_dict(first.meeting),
        "paragraphs": [paragraph_json(p) for p in paragraphs],
    })


def archived_original(request: Request) -> Response:
    """An original exactly as archived, never rendered as a page of ours."""
    capture_id = request.path_params["capture_id"]
    archive = request.state.archive
    try:
        capture = archive.get(capture_id)
        data = archive.read(capture.id)
    except CaptureNotFound:
        raise NotFound(f"no archived original {capture_id[:40]!r}") from None
    except ArchiveError as err:
        raise NotFound(f"archived original {capture_id} cannot be read: {err}") from None
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Digest": f"sha-256={capture.sha256}",
        # Archived pages are other people's HTML: shown sandboxed, no scripts.
        "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'",
    }
    return Response(data, media_type=capture.content_type, headers=headers)


routes = [
    Route("/api/search", api_search),
    Route("/api/paragraphs/{id}", api_paragraph),
    Route("/api/meetings/{id:path}", api_meeting),
    Route("/archive/{capture_id}", archived_original),
]
