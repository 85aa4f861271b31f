"""Web UI routes: search page, paragraph permalinks, meeting and case pages, bodies, documents
and feeds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from paragraf_se.archive.errors import ArchiveError
from paragraf_se.cancellable import cancellable
from paragraf_se.indexer.budget import Budget
from paragraf_se.indexer.cases import api_case_path, case_path, find_case, group_hits
from paragraf_se.indexer.citation import cite
from paragraf_se.indexer.context import paragraph_context
from paragraf_se.indexer.highlight import query_matcher
from paragraf_se.indexer.model import Paragraph, meeting_id, paragraph_id
from paragraf_se.indexer.parsing.reflow import reflow
from paragraf_se.indexer.search import InvalidRequest, SearchRequest, search
from paragraf_se.indexer.search_params import request_from_params
from paragraf_se.search_api.app import base_url, link_base, search_request
from paragraf_se.search_api.representation import (
    archive_url,
    bodies_json,
    meeting_path,
)
from paragraf_se.ui import documents, feed, filters, links, meetings
from paragraf_se.ui.messages import swedish_error, swedish_reason
from paragraf_se.ui.reading import reading_view

HERE = Path(__file__).parent
SORT_LABELS = {"relevance": "Relevans", "newest": "Nyast först", "oldest": "Äldst först"}
FACET_LABELS = {"org": "Organisation", "body": "Organ", "year": "År"}

env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.globals.update(links=links, url=links.url,
                   archive_url=lambda source: links.url(archive_url(source)),
                   meeting_path=lambda p: links.url(meeting_path(p)),
                   case_path=lambda dnr: links.url(case_path(dnr)),
                   api_case_path=lambda dnr: links.url(api_case_path(dnr)),
                   SORT_LABELS=SORT_LABELS, FACET_LABELS=FACET_LABELS)
env.filters["source_label"] = links.source_label
env.filters["reflow"] = reflow
env.globals["swedish_reason"] = swedish_reason


def render(name: str, status: int = 200, **context: object) -> HTMLResponse:
    return HTMLResponse(env.get_template(name).render(**context), status_code=status)


@cancellable  # the search stops when the client disconnects
def search_page(request: Request, budget: Budget) -> Response:
    raw = request.query_params.multi_items()
    params = links.clean(raw)
    if len(params) != len(raw):
        # A form submits its empty fields ("from=&to="): answer at the clean URL.
        return RedirectResponse(links.url("/", params), status_code=303)
    query = filters.filter_query(params)
    common = {"params": params,
              "feed_url": links.url("/feed.atom" + (f"?{query}" if query else "")),
              "export_query": query, "form": dict(params),
              "group": request.query_params.get("group") == "arende"}
    try:
        req = request_from_params(request.query_params.getlist)
        if request.query_params.getlist("group") not in ([], ["arende"]):
            raise InvalidRequest("group", "must be arende")
    except InvalidRequest as err:
        # The user's input comes back in the form, with what to correct.
        return render("search.html", 400, req=SearchRequest(), result=None, filters=[],
                      error=swedish_error(err), **common)
    total_indexed = request.state.index.count()
    if total_indexed == 0:
        return render("empty_archive.html")
    has_query = bool(req.q or req.orgs or req.bodies or req.years or req.date_from
                     or req.date_to)
    result = search(request.state.index, req, budget)
    if req.page > result.pages:
        last = links.page_url(params, result.pages)
        return render("past_end.html", 404, result=result, last_url=last)
    groups = group_hits(result.hits) if common["group"] else None
    return render("search.html", req=req, result=result, error=None, has_query=has_query,
                  filters=filters.active_filters(params, result), groups=groups,
                  hit_url=_hit_url(req), total_indexed=total_indexed, **common)


def _hit_url(req: SearchRequest):
    """A result's link: its permalink carrying the query, so the page marks the matches."""
    extra = [("q", req.q), ("mode", "exact" if req.mode == "exact" else "")]
    return lambda p: links.url(p.permalink, extra)


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def paragraph_page(request: Request) -> Response:
    """A permalink: the paragraph, a 301 to where it moved, or a 410 saying it was removed."""
    pp = request.path_params
    date = _date(pp["date"])
    if date is None:
        return render("not_found.html", 404, what="Paragrafen")
    pid = paragraph_id(pp["org"], pp["body"], date, pp["number"])
    p = request.state.index.get(pid)
    if p is None:
        found = request.state.permalinks.resolve(pid)
        if found.kind == "moved":
            return RedirectResponse(links.url(found.new_permalink,
                                              request.query_params.multi_items()),
                                    status_code=301)
        if found.kind == "gone":
            return render("gone.html", 410, t=found.tombstone)
        return render("not_found.html", 404, what="Paragrafen")
    if links.route_path(request.scope) != p.permalink:
        # "/p/Asjo-Kommun/..." and other spellings land on the one canonical URL.
        return RedirectResponse(links.url(p.permalink, request.query_params.multi_items()),
                                status_code=301)
    ctx = paragraph_context(request.state.index, p)
    q = (request.query_params.get("q") or "").strip()
    mode = "exact" if request.query_params.get("mode") == "exact" else "stemmed"
    view = reading_view(p, query_matcher(q, mode, compounds=request.state.index.compounds))
    citation = cite(p, base_url(request) + p.permalink, _archived_on(request, p))
    return render("paragraph.html", p=p, ctx=ctx, permalink=link_base(request) + p.permalink,
                  citation=citation, view=view, q=q)


def _archived_on(request: Request, p: Paragraph) -> dt.date | None:
    """When the original of the paragraph's text was archived (None if unreadable)."""
    try:
        return request.state.archive.get(p.source.capture_id).fetched_at.date()
    except ArchiveError:  # a citation without the date beats no page
        return None


def meeting_page(request: Request) -> HTMLResponse:
    pp = request.path_params
    date = _date(pp["date"])
    paragraphs = []
    if date is not None:
        paragraphs = request.state.index.meeting(meeting_id(pp["org"], pp["body"], date))
    if not paragraphs:
        return render("not_found.html", 404, what="Sammanträdet")
    first = paragraphs[0]
    return render("meeting.html", first=first, paragraphs=paragraphs,
                  originals=meetings.originals(paragraphs, request.state.archive),
                  previous=meetings.neighbour(request.state.index, first, later=False),
                  following=meetings.neighbour(request.state.index, first, later=True))


def case_page(request: Request) -> HTMLResponse:
    """An ärende: every paragraph of one diarienummer across bodies, in date order."""
    dnr = request.path_params["dnr"]
    case = find_case(request.state.index, dnr) if len(dnr) <= 200 else None
    if case is None:
        return render("not_found.html", 404, what="Ärendet")
    return render("case.html", case=case)


def documents_page(request: Request) -> HTMLResponse:
    """Staff's view of every ingested document's parse status, with how to re-run."""
    listing = documents.listing(request.state.parse_status, request.query_params)
    if listing.error:
        return render("documents.html", 400, listing=listing)
    if listing.page > listing.pages:
        return render("documents.html", 404, listing=listing)
    return render("documents.html", listing=listing)


def favicon(request: Request) -> FileResponse:
    return FileResponse(HERE / "static" / "favicon.ico", media_type="image/x-icon",
                        headers={"Cache-Control": "public, max-age=86400"})


def bodies_page(request: Request) -> HTMLResponse:
    return render("bodies.html", orgs=bodies_json(request.state.index.bodies())["organisations"])


@cancellable  # the search stops when the client disconnects
def feed_page(request: Request, budget: Budget) -> Response:
    """The Atom feed of a search: its newest matching paragraphs."""
    req = search_request(request)
    newest = SearchRequest(q=req.q, orgs=req.orgs, bodies=req.bodies, years=req.years,
                           date_from=req.date_from, date_to=req.date_to, sort="newest",
                           mode=req.mode, size=feed.FEED_SIZE)
    result = search(request.state.index, newest, budget)
    root = base_url(request)  # ids are absolute: the configured public address
    query = filters.filter_query(links.clean(request.query_params.multi_items()))
    suffix = f"?{query}" if query else ""
    body = feed.build_feed(feed.feed_title(req), f"{root}/feed.atom{suffix}", f"{root}/{suffix}",
                           root, [h.paragraph for h in result.hits])
    return Response(body, media_type=feed.ATOM_TYPE)


def help_page(request: Request) -> HTMLResponse:
    return render("help.html")


routes = [
    Route("/", search_page),
    Route("/hjalp", help_page),
    Route("/organ", bodies_page),
    Route("/feed.atom", feed_page),
    Route("/p/{org}/{body}/{date}/{number}", paragraph_page),
    Route("/m/{org}/{body}/{date}", meeting_page),
    Route("/arende/{dnr:path}", case_page),
    Route("/dokument", documents_page),
    Route("/favicon.ico", favicon),
    Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
]
