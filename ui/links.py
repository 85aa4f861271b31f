"""Building bookmarkable URLs: every filter, page and sort is a plain link."""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar
from pathlib import PurePosixPath
from urllib.parse import unquote, urlencode, urlsplit

Params = list[tuple[str, str]]

# The prefix the app is served under (ASGI root_path, from --root-path), set per
# request by RootPath, so every link the templates print works behind a proxy.
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

    Every link of the UI is built here; empty parameters are left out, so no
    URL carries ``from=&to=``.
    """
    query = urlencode([(k, v) for k, v in params if v and v.strip()])
    return (ROOT_PATH.get() + path + (f"?{query}" if query else "")
            + (f"#{fragment}" if fragment else ""))


def source_label(source_url: str) -> str:
    """What a page says an original came from: a web address, or a local file's name only.

    A local ingest records ``file:///server/path/name.pdf``; the server's
    directories are nobody's business, the file name is what staff recognise.
    """
    parts = urlsplit(source_url)
    if parts.scheme == "file" or not parts.scheme:
        return PurePosixPath(unquote(parts.path)).name or "lokal fil"
    return source_url


def with_param(params: Params, name: str, value: str, *, replace: bool = False) -> str:
    """The search URL with ``name=value`` added (or replacing that name); page reset."""
    kept = [(k, v) for k, v in params if k != "page" and not (replace and k == name)]
    if (name, value) not in kept:
        kept.append((name, value))
    return url("/?" + urlencode(kept))


def without_param(params: Params, name: str, value: str | None = None) -> str:
    """The search URL with a filter removed (all values of ``name`` when value is None)."""
    kept = [(k, v) for k, v in params
            if k != "page" and not (k == name and (value is None or v == value))]
    return url("/?" + urlencode(kept) if kept else "/")


def page_url(params: Params, page: int) -> str:
    kept = [(k, v) for k, v in params if k != "page"]
    if page > 1:
        kept.append(("page", str(page)))
    return url("/?" + urlencode(kept))


def clean(params: Iterable[tuple[str, str]]) -> Params:
    """Drop empty values so URLs stay short and canonical."""
    return [(k, v) for k, v in params if v.strip()]
