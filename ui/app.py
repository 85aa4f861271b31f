"""Web UI routes: search page, paragraph permalinks and meeting pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from indexer.model import meeting_id, paragraph_id
from indexer.search import InvalidRequest, SearchRequest, search
from indexer.search_params import request_from_params
from search_api.representation import archive_url, meeting_path
from ui import links

HERE = Path(__file__).parent
SORT_LABELS = {"relevance": "Relevans", "newest": "Nyast först", "oldest": "Äldst först"}
FACET_LABELS = {"org": "Organisation", "body": "Organ", "year": "År"}

env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.globals.update(links=links, archive_url=archive_url, meeting_path=meeting_path,
                   SORT_LABELS=SORT_LABELS, FACET_LABELS=FACET_LABELS)


def render(name: str, status: int = 200, **context: object) -> HTMLResponse:
    return HTMLResponse(env.get_template(name).render(**context), status_code=status)


def search_page(request: Request) -> HTMLResponse:
    params = links.clean(request.query_params.multi_items())
    try:
        req = request_from_params(request.query_params.getlist)
    except InvalidRequest as err:
        return render("search.html", 400, params=params, req=SearchRequest(), result=None,
                      error=f"Ogiltig parameter {err.param}: {err.message}")
    has_query = bool(req.q or req.orgs or req.bodies or req.years or req.date_from
                     or req.date_to)
    result = search(request.state.index, req)
    return render("search.html", params=params, req=req, result=result, error=None,
                  has_query=has_query, total_indexed=request.state.index.count())


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def paragraph_page(request: Request) -> HTMLResponse:
    pp = request.path_params
    date = _date(pp["date"])
    p = None
    if date is not None:
        p = request.state.index.get(paragraph_id(pp["org"], pp["body"], date, pp["number"]))
    if p is None:
        return render("not_found.html", 404, what="Paragrafen")
    siblings = request.state.index.meeting(p.meeting_id)
    ids = [s.id for s in siblings]
    i = ids.index(p.id) if p.id in ids else -1
    prev_p = siblings[i - 1] if i > 0 else None
    next_p = siblings[i + 1] if 0 <= i < len(siblings) - 1 else None
    permalink = str(request.base_url).rstrip("/") + p.permalink
    return render("paragraph.html", p=p, prev_p=prev_p, next_p=next_p, permalink=permalink)


def meeting_page(request: Request) -> HTMLResponse:
    pp = request.path_params
    date = _date(pp["date"])
    paragraphs = []
    if date is not None:
        paragraphs = request.state.index.meeting(meeting_id(pp["org"], pp["body"], date))
    if not paragraphs:
        return render("not_found.html", 404, what="Sammanträdet")
    return render("meeting.html", first=paragraphs[0], paragraphs=paragraphs)


def help_page(request: Request) -> HTMLResponse:
    return render("help.html")


routes = [
    Route("/", search_page),
    Route("/hjalp", help_page),
    Route("/p/{org}/{body}/{date}/{number}", paragraph_page),
    Route("/m/{org}/{body}/{date}", meeting_page),
    Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
]
