"""Bookmarkable search URLs: every filter, page and sort is a plain link.

Built on :func:`web_common.urls.url`, the site's one URL builder.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath
from urllib.parse import unquote, urlencode, urlsplit

from paragraf_se.web_common.urls import route_path, url

__all__ = ["Params", "clean", "page_url", "route_path", "source_label", "url", "with_param",
           "without_param"]

Params = list[tuple[str, str]]


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
