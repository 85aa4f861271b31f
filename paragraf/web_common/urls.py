"""Every URL of the site, built in one place.

Paths ("/p/…", "/m/…", "/arende/…", "/archive/…") come from the functions
here; :func:`url` puts one under the prefix the request was served at
(``--root-path``), and :func:`base_url` gives the configured public address
for absolute URLs (feeds, citations), never the client's Host header.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar
from urllib.parse import quote, urlencode

from starlette.requests import Request

from paragraf_se.indexer.model import Paragraph, SourceRef
from paragraf_se.indexer.slug import slugify

# The prefix the app is served under (ASGI root_path, from --root-path), set per
# request by RootPath, so every link printed works behind a proxy.
ROOT_PATH: ContextVar[str] = ContextVar("root_path", default="")


def route_path(scope) -> str:
    """The request's path without the prefix it was served under."""
    path, root = scope["path"], scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


class RootPath:
    """ASGI middleware: makes the request's ``root_path`` the prefix of :func:`url`."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        token = ROOT_PATH.set(scope.get("root_path", "") if scope["type"] == "http" else "")
        try:
            await self.app(scope, receive, send)
        finally:
            ROOT_PATH.reset(token)


def url(path: str, params: Iterable[tuple[str, str]] = (), fragment: str = "") -> str:
    """A URL of this site: ``path`` ("/organ", "/p/...") under the prefix this request
    was served at, with non-empty ``params`` and an optional fragment.

    Empty parameters are left out, so no URL carries ``from=&to=``.
    """
    query = urlencode([(k, v) for k, v in params if v and v.strip()])
    return (ROOT_PATH.get() + path + (f"?{query}" if query else "")
            + (f"#{fragment}" if fragment else ""))


def base_url(request: Request) -> str:
    """The public address absolute URLs start with (``--base-url``), sub-path included.

    Never built from the request: its Host header is the client's to choose.
    Without a configured address it is the server's own configured one.
    """
    return request.state.public_base


def link_base(request: Request) -> str:
    """The base of links that may be relative: ``--base-url`` if set, else the root path."""
    return request.state.link_base


# -- paths ---------------------------------------------------------------

def paragraph_path(p: Paragraph) -> str:
    """A paragraph's permalink page."""
    return p.permalink


def api_paragraph_path(paragraph_id: str) -> str:
    return f"/api/paragraphs/{paragraph_id}"


def meeting_path(p: Paragraph) -> str:
    """The page of the meeting ``p`` was decided at."""
    return f"/m/{p.meeting_id}"


def case_path(diarienummer: str) -> str:
    """``/arende/{diarienummer}`` with the number percent-encoded (slashes, spaces)."""
    return "/arende/" + quote(diarienummer.strip(), safe="")


def api_case_path(diarienummer: str) -> str:
    """The JSON twin of :func:`case_path`."""
    return "/api/arenden/" + quote(diarienummer.strip(), safe="")


def capture_path(capture_id: str) -> str:
    """An archived original exactly as fetched."""
    return f"/archive/{capture_id}"


def archive_url(source: SourceRef) -> str:
    """The archived original of a source, opened at the paragraph's page for PDFs."""
    path = capture_path(source.capture_id)
    if source.content_type == "application/pdf" and source.page:
        path += f"#page={source.page}"
    return path


def api_search_path(**params: str) -> str:
    """The JSON API's search with these parameters (``org=``, ``body=`` …)."""
    query = urlencode([(k, v) for k, v in params.items() if v])
    return "/api/search" + (f"?{query}" if query else "")


def body_search_path(org: str, body: str) -> str:
    """The JSON search of one body's paragraphs."""
    return api_search_path(org=slugify(org), body=slugify(body))


FEED_PATH = "/feed.atom"
SEARCH_PAGE_PATH = "/"
