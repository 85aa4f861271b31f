"""Web UI routes: search page, paragraph permalinks, meeting pages, bodies and feeds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from paragraf_se.indexer.model import meeting_id, paragraph_id
from paragraf_se.indexer.search import InvalidRequest, SearchRequest, search
from paragraf_se.indexer.search_params import request_from_params
from paragraf_se.search_api.app import base_url, link_base, search_request
from paragraf_se.search_api.context import paragraph_context
from paragraf_se.search_api.representation import (
    archive_url,
    bodies_json,
    full_citation,
    meeting_path,
)
from paragraf_se.ui import feed, filters, links

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
                   SORT_LABELS=SORT_LABELS, FACET_LABELS=FACET_LABELS)


def render(name: str, status: int = 200, **context: object) -> HTMLResponse:
    return HTMLResponse(env.get_template(name).render(**context), status_code=status)


def search_page(request: Request) -> HTMLResponse:
    params = links.clean(request.query_params.multi_items())
    query = filters.filter_query(params)
    common = {"params": params,
              "feed_url": links.url("/feed.atom" + (f"?{query}" if query else "")),
              "export_query": query}
    try:
        req = request_from_params(request.query_params.getlist)
    except InvalidRequest as err:
        return render("search.html", 400, req=SearchRequest(), result=None, filters=[],
                      error=f"Ogiltig parameter {err.param}: {err.message}", **common)
    has_query = bool(req.q or req.orgs or req.bodies or req.years or req.date_from
                     or req.date_to)
    result = search(request.state.index, req)
    return render("search.html", req=req, result=result, error=None, has_query=has_query,
                  filters=filters.active_filters(params, result),
                  total_indexed=request.state.index.count(), **common)


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
            return RedirectResponse(links.url(found.new_permalink), status_code=301)
        if found.kind == "gone":
            return render("gone.html", 410, t=found.tombstone)
        return render("not_found.html", 404, what="Paragrafen")
    if links.route_path(request.scope) != p.permalink:
        # "/p/Asjo-Kommun/..." and other spellings land on the one canonical URL.
        return RedirectResponse(links.url(p.permalink), status_code=301)
    ctx = paragraph_context(request.state.index, p)
    return render("paragraph.html", p=p, ctx=ctx,
                  permalink=link_base(request) + p.permalink,
                  citation=full_citation(p, base_url(request)))


def meeting_page(request: Request) -> HTMLResponse:
    pp = request.path_params
    date = _date(pp["date"])
    paragraphs = []
    if date is not None:
        paragraphs = request.state.index.meeting(meeting_id(pp["org"], pp["body"], date))
    if not paragraphs:
        return render("not_found.html", 404, what="Sammanträdet")
    return render("meeting.html", first=paragraphs[0], paragraphs=paragraphs)


def bodies_page(request: Request) -> HTMLResponse:
    return render("bodies.html", orgs=bodies_json(request.state.index.bodies())["organisations"])


def feed_page(request: Request) -> Response:
    """The Atom feed of a search: its newest matching paragraphs."""
    req = search_request(request)
    newest = SearchRequest(q=req.q, orgs=req.orgs, bodies=req.bodies, years=req.years,
                           date_from=req.date_from, date_to=req.date_to, sort="newest",
                           mode=req.mode, size=feed.FEED_SIZE)
    result = search(request.state.index, newest)
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
    Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
]
