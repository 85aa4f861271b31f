"""JSON API routes. Shared resources arrive as ``request.state`` from the lifespan."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from paragraf_se.archive.errors import ArchiveError, CaptureNotFound, CaptureRemoved
from paragraf_se.indexer.budget import EXPORT_SECONDS, Budget
from paragraf_se.indexer.cases import group_hits
from paragraf_se.indexer.context import paragraph_context
from paragraf_se.indexer.engine import MAX_PAGE, MAX_PAGE_SIZE
from paragraf_se.indexer.model import public_source
from paragraf_se.indexer.search import export_matches, search
from paragraf_se.indexer.search_params import whole_number
from paragraf_se.search_api.export import FORMATS, csv_rows, jsonl_rows
from paragraf_se.search_api.openapi import OPENAPI
from paragraf_se.search_api.representation import (
    bodies_json,
    case_json,
    meeting_json,
    paragraph_detail_json,
    result_json,
)
from paragraf_se.web_common.cancellable import cancellable, stream_cancellable
from paragraf_se.web_common.errors import BadRequest, Gone, NotFound
from paragraf_se.web_common.lookup import (
    Moved,
    archived_on,
    case_of,
    meeting_paragraphs,
    paragraph_or_moved,
)
from paragraf_se.web_common.requests import search_grouping, search_request
from paragraf_se.web_common.urls import api_paragraph_path, base_url, capture_path, url

_ID = re.compile(r"[0-9a-f]{16}")
_SLUG = re.compile(r"[a-z0-9-]{1,200}")


@cancellable  # the search stops when the client disconnects
def api_search(request: Request, budget: Budget) -> JSONResponse:
    group = search_grouping(request)
    result = search(request.state.index, search_request(request), budget)
    return JSONResponse(result_json(result, group_hits(result.hits) if group else None))


def api_paragraph(request: Request) -> Response:
    pid = request.path_params["id"]
    if not _ID.fullmatch(pid):
        raise NotFound(f"no paragraph with id {pid[:40]!r}")
    found = paragraph_or_moved(request.state.index, request.state.permalinks, pid)
    if isinstance(found, Moved):
        # Relative to the server root: the proxy's sub-path, never the Host header.
        return RedirectResponse(url(api_paragraph_path(found.new_id)), status_code=301)
    ctx = paragraph_context(request.state.index, found)
    return JSONResponse(paragraph_detail_json(found, ctx, base_url(request),
                                              archived_on(request.state.archive, found)))


def api_case(request: Request) -> JSONResponse:
    """An ärende: every paragraph with the diarienummer, across bodies, in date order."""
    return JSONResponse(case_json(case_of(request.state.index,
                                          request.path_params["diarienummer"])))


def api_meeting(request: Request) -> JSONResponse:
    pp = request.path_params
    if not (_SLUG.fullmatch(pp["org"]) and _SLUG.fullmatch(pp["body"])):
        mid = f"{pp['org']}/{pp['body']}/{pp['date']}"
        raise NotFound(f"no meeting with id {mid[:80]!r}")
    paragraphs = meeting_paragraphs(request.state.index, pp["org"], pp["body"], pp["date"])
    return JSONResponse(meeting_json(paragraphs[0].meeting_id, paragraphs))


def api_bodies(request: Request) -> JSONResponse:
    return JSONResponse(bodies_json(request.state.index.bodies()))


def api_export(request: Request) -> StreamingResponse:
    """The whole result set of a search (page and size ignored), streamed."""
    fmt = request.query_params.get("format") or "csv"
    if fmt not in FORMATS or len(request.query_params.getlist("format")) > 1:
        raise BadRequest(f"must be one of {', '.join(FORMATS)}", "format")
    req = search_request(request)
    budget = Budget(EXPORT_SECONDS)  # produced while the client is there, not after
    matches = export_matches(request.state.index, req, budget)
    encode = csv_rows if fmt == "csv" else jsonl_rows
    filename = f"paragraf-export.{fmt}"
    return StreamingResponse(
        stream_cancellable(encode(matches, base_url(request)), budget, request.receive),
        media_type=FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def openapi_document(request: Request) -> JSONResponse:
    return JSONResponse(OPENAPI)


def archived_original(request: Request) -> Response:
    """An original exactly as archived, never rendered as a page of ours."""
    capture_id = request.path_params["capture_id"]
    archive = request.state.archive
    try:
        capture = archive.get(capture_id)
        data = archive.read(capture.id)
    except CaptureRemoved:
        # Withdrawn by the operator: say so, without the reason (it may itself be sensitive).
        raise Gone(f"archived original {capture_id} was removed from publication") from None
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


_CAPTURE = re.compile(r"[0-9a-f]{20}")
STATUSES = ("ok", "warnings", "failed")


def _document_json(d) -> dict[str, object]:
    return {"capture_id": d.capture_id, "source": public_source(d.source), "status": d.status,
            "messages": list(d.messages), "paragraphs": d.paragraphs,
            "parsed_at": d.parsed_at.isoformat(), "archive_url": capture_path(d.capture_id)}


def api_documents(request: Request) -> JSONResponse:
    """Ingested documents with their parse status, newest first."""
    params = request.query_params
    status = params.get("status") or None
    if status is not None and status not in STATUSES:
        raise BadRequest(f"must be one of {', '.join(STATUSES)}", "status")
    page = whole_number(params.get("page") or "1")
    size = whole_number(params.get("size") or "50")
    if page is None or size is None:
        raise BadRequest("page and size must be whole numbers", "page")
    if not (1 <= page <= MAX_PAGE and 1 <= size <= MAX_PAGE_SIZE):
        raise BadRequest(f"page 1–{MAX_PAGE}, size 1–{MAX_PAGE_SIZE}", "size")
    log = request.state.parse_status
    total, docs = log.list(status, offset=(page - 1) * size, limit=size)
    return JSONResponse({"total": total, "page": page, "size": size, "counts": log.counts(),
                         "documents": [_document_json(d) for d in docs]})


def api_document(request: Request) -> JSONResponse:
    capture_id = request.path_params["capture_id"]
    doc = request.state.parse_status.get(capture_id) if _CAPTURE.fullmatch(capture_id) else None
    if doc is None:
        raise NotFound(f"no parsed document {capture_id[:40]!r}")
    return JSONResponse(_document_json(doc))


routes = [
    Route("/api/documents", api_documents),
    Route("/api/documents/{capture_id}", api_document),
    Route("/api/search", api_search),
    Route("/api/paragraphs/{id}", api_paragraph),
    Route("/api/arenden/{diarienummer:path}", api_case),
    Route("/api/meetings/{org}/{body}/{date}", api_meeting),
    Route("/api/bodies", api_bodies),
    Route("/api/export", api_export),
    Route("/openapi.json", openapi_document),
    Route("/archive/{capture_id}", archived_original),
]
