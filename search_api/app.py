"""JSON API routes. Shared resources arrive as ``request.state`` from the lifespan."""

from __future__ import annotations

import datetime as dt
import re

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from paragraf_se.archive.errors import ArchiveError, CaptureNotFound, CaptureRemoved
from paragraf_se.cancellable import cancellable, stream_cancellable
from paragraf_se.indexer.budget import EXPORT_SECONDS, Budget
from paragraf_se.indexer.cases import find_case, group_hits
from paragraf_se.indexer.context import paragraph_context
from paragraf_se.indexer.model import Paragraph, meeting_id, public_source
from paragraf_se.indexer.query import parse_query
from paragraf_se.indexer.search import (
    MAX_PAGE,
    MAX_PAGE_SIZE,
    InvalidRequest,
    SearchRequest,
    search,
)
from paragraf_se.indexer.search_params import request_from_params, whole_number
from paragraf_se.search_api.errors import BadRequest, Gone, NotFound
from paragraf_se.search_api.export import FORMATS, csv_rows, jsonl_rows
from paragraf_se.search_api.openapi import OPENAPI
from paragraf_se.search_api.representation import (
    bodies_json,
    case_json,
    meeting_json,
    paragraph_detail_json,
    result_json,
)

_ID = re.compile(r"[0-9a-f]{16}")
_SLUG = re.compile(r"[a-z0-9-]{1,200}")


def base_url(request: Request) -> str:
    """The public address absolute URLs start with (``--base-url``), sub-path included.

    Never built from the request: its Host header is the client's to choose.
    Without a configured address it is the server's own configured one.
    """
    return request.state.public_base


def link_base(request: Request) -> str:
    """The base of links that may be relative: ``--base-url`` if set, else the root path."""
    return request.state.link_base


def search_request(request: Request) -> SearchRequest:
    """The validated search of this request's query string, or a 400."""
    try:
        return request_from_params(request.query_params.getlist)
    except InvalidRequest as err:
        raise BadRequest(err.message, err.param) from None


GROUPS = ("arende",)


def search_grouping(request: Request) -> str | None:
    """The ``group`` parameter: ``arende`` groups a page's hits by case, or a 400."""
    values = [v for v in request.query_params.getlist("group") if v.strip()]
    if len(values) > 1 or (values and values[0].strip() not in GROUPS):
        raise BadRequest(f"must be one of {', '.join(GROUPS)}", "group")
    return values[0].strip() if values else None


@cancellable  # the search stops when the client disconnects
def api_search(request: Request, budget: Budget) -> JSONResponse:
    group = search_grouping(request)
    result = search(request.state.index, search_request(request), budget)
    return JSONResponse(result_json(result, group_hits(result.hits) if group else None))


def archived_on(request: Request, p: Paragraph) -> dt.date | None:
    """The date the original of ``p``'s text was archived; None when it cannot be read."""
    try:
        return request.state.archive.get(p.source.capture_id).fetched_at.date()
    except ArchiveError:
        return None


def api_paragraph(request: Request) -> Response:
    pid = request.path_params["id"]
    if not _ID.fullmatch(pid):
        raise NotFound(f"no paragraph with id {pid[:40]!r}")
    p = request.state.index.get(pid)
    if p is None:
        found = request.state.permalinks.resolve(pid)
        if found.kind == "moved":
            # Relative to the server root: the proxy's sub-path, never the Host header.
            return RedirectResponse(f"{request.scope.get('root_path', '')}"
                                    f"/api/paragraphs/{found.new_id}", status_code=301)
        if found.kind == "gone":
            t = found.tombstone
            raise Gone(f"paragraph {pid} ({t.citation}) was removed from its protocol "
                       f"on {t.removed_at}")
        raise NotFound(f"no paragraph with id {pid!r}")
    ctx = paragraph_context(request.state.index, p)
    return JSONResponse(paragraph_detail_json(p, ctx, base_url(request),
                                              archived_on(request, p)))


def api_case(request: Request) -> JSONResponse:
    """An ärende: every paragraph with the diarienummer, across bodies, in date order."""
    dnr = request.path_params["diarienummer"]
    case = find_case(request.state.index, dnr) if len(dnr) <= 200 else None
    if case is None:
        raise NotFound(f"no paragraph has the diarienummer {dnr[:80]!r}")
    return JSONResponse(case_json(case))


def api_meeting(request: Request) -> JSONResponse:
    pp = request.path_params
    mid = f"{pp['org']}/{pp['body']}/{pp['date']}"
    paragraphs = []
    if _SLUG.fullmatch(pp["org"]) and _SLUG.fullmatch(pp["body"]):
        try:
            date = dt.date.fromisoformat(pp["date"])
        except ValueError:
            date = None
        if date is not None:
            paragraphs = request.state.index.meeting(meeting_id(pp["org"], pp["body"], date))
    if not paragraphs:
        raise NotFound(f"no meeting with id {mid[:80]!r}")
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
    matches = request.state.index.iter_matches(req, parse_query(req.q), budget)
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
            "parsed_at": d.parsed_at.isoformat(), "archive_url": f"/archive/{d.capture_id}"}


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
