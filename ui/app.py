"""Web UI routes: search page, paragraph permalinks, meeting and case pages, bodies, documents
and feeds."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from paragraf_se.indexer.budget import Budget
from paragraf_se.indexer.cases import group_hits
from paragraf_se.indexer.citation import cite
from paragraf_se.indexer.context import paragraph_context
from paragraf_se.indexer.engine import InvalidRequest, SearchRequest
from paragraf_se.indexer.facets import FACETS
from paragraf_se.indexer.model import paragraph_id
from paragraf_se.indexer.parsing.reflow import reflow
from paragraf_se.indexer.search import search
from paragraf_se.indexer.search_params import request_from_params
from paragraf_se.ui import documents, feed, filters, links, meetings
from paragraf_se.ui.messages import swedish_error, swedish_reason
from paragraf_se.ui.reading import reading_view
from paragraf_se.web_common import urls
from paragraf_se.web_common.cancellable import cancellable
from paragraf_se.web_common.errors import NotFound, WebError
from paragraf_se.web_common.lookup import (
    Moved,
    archived_on,
    case_of,
    meeting_paragraphs,
    organisations,
    paragraph_or_moved,
)
from paragraf_se.web_common.requests import search_request
from paragraf_se.web_common.urls import base_url, link_base

HERE = Path(__file__).parent
SORT_LABELS = {"relevance": "Relevans", "newest": "Nyast först", "oldest": "Äldst först"}
FACET_LABELS = {f.name: f.label for f in FACETS}  # in declaration order

env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.globals.update(links=links, url=urls.url,
                   archive_url=lambda source: urls.url(urls.archive_url(source)),
                   meeting_path=lambda p: urls.url(urls.meeting_path(p)),
                   case_path=lambda dnr: urls.url(urls.case_path(dnr)),
                   api_case_path=lambda dnr: urls.url(urls.api_case_path(dnr)),
                   SORT_LABELS=SORT_LABELS, FACET_LABELS=FACET_LABELS, FACETS=FACETS)
env.filters["source_label"] = links.source_label
env.filters["reflow"] = reflow
env.globals["swedish_reason"] = swedish_reason


def render(name: str, status: int = 200, **context: object) -> HTMLResponse:
    return HTMLResponse(env.get_template(name).render(**context), status_code=status)


ERROR_PAGES = {404: "not_found.html", 410: "gone.html", 503: "unavailable.html"}


def error_page(status: int, error: WebError | None = None) -> HTMLResponse:
    """The Swedish page of an error answer (``paragraf_se.web`` calls it for every page)."""
    name = ERROR_PAGES.get(status, "error.html" if status >= 500 else "not_found.html")
    what = error.what if error is not None else "Sidan"
    return render(name, status, what=what, t=error.tombstone if error is not None else None)


@cancellable  # the search stops when the client disconnects
def search_page(request: Request, budget: Budget) -> Response:
    raw = request.query_params.multi_items()
    params = links.clean(raw)
    if len(params) != len(raw):
        # A form submits its empty fields ("from=&to="): answer at the clean URL.
        return RedirectResponse(links.url("/", params), status_code=303)
    query = filters.filter_query(params)
    common = {"params": params,
              "feed_url": urls.url(urls.FEED_PATH + (f"?{query}" if query else "")),
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
    has_query = bool(req.q or req.narrowed)
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
        raise NotFound(f"no paragraph at {urls.route_path(request.scope)[:120]!r}",
                       what="Paragrafen")
    pid = paragraph_id(pp["org"], pp["body"], date, pp["number"])
    p = paragraph_or_moved(request.state.index, request.state.permalinks, pid)
    if isinstance(p, Moved):
        return RedirectResponse(urls.url(p.new_permalink, request.query_params.multi_items()),
                                status_code=301)
    if links.route_path(request.scope) != p.permalink:
        # "/p/Asjo-Kommun/..." and other spellings land on the one canonical URL.
        return RedirectResponse(links.url(p.permalink, request.query_params.multi_items()),
                                status_code=301)
    ctx = paragraph_context(request.state.index, p)
    q = (request.query_params.get("q") or "").strip()
    mode = "exact" if request.query_params.get("mode") == "exact" else "stemmed"
    view = reading_view(p, request.state.index.word_matcher(q, mode))
    citation = cite(p, base_url(request) + p.permalink, archived_on(request.state.archive, p))
    return render("paragraph.html", p=p, ctx=ctx, permalink=link_base(request) + p.permalink,
                  citation=citation, view=view, q=q)


def meeting_page(request: Request) -> HTMLResponse:
    pp = request.path_params
    paragraphs = meeting_paragraphs(request.state.index, pp["org"], pp["body"], pp["date"])
    first = paragraphs[0]
    return render("meeting.html", first=first, paragraphs=paragraphs,
                  originals=meetings.originals(paragraphs, request.state.archive),
                  previous=meetings.neighbour(request.state.index, first, later=False),
                  following=meetings.neighbour(request.state.index, first, later=True))


def case_page(request: Request) -> HTMLResponse:
    """An ärende: every paragraph of one diarienummer across bodies, in date order."""
    return render("case.html", case=case_of(request.state.index, request.path_params["dnr"]))


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
    return render("bodies.html", orgs=organisations(request.state.index.bodies()))


@cancellable  # the search stops when the client disconnects
def feed_page(request: Request, budget: Budget) -> Response:
    """The Atom feed of a search: its newest matching paragraphs."""
    req = search_request(request)
    # Every filter of the search, whatever facets there are; only order and page change.
    newest = dataclasses.replace(req, sort="newest", page=1, size=feed.FEED_SIZE)
    result = search(request.state.index, newest, budget)
    root = base_url(request)  # ids are absolute: the configured public address
    query = filters.filter_query(links.clean(request.query_params.multi_items()))
    suffix = f"?{query}" if query else ""
    body = feed.build_feed(feed.feed_title(req), f"{root}{urls.FEED_PATH}{suffix}",
                           f"{root}{urls.SEARCH_PAGE_PATH}{suffix}",
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
