"""Building bookmarkable URLs: every filter, page and sort is a plain link."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

Params = list[tuple[str, str]]


def with_param(params: Params, name: str, value: str, *, replace: bool = False) -> str:
    """The search URL with ``name=value`` added (or replacing that name); page reset."""
    kept = [(k, v) for k, v in params if k != "page" and not (replace and k == name)]
    if (name, value) not in kept:
        kept.append((name, value))
    return "/?" + urlencode(kept)


def without_param(params: Params, name: str, value: str | None = None) -> str:
    """The search URL with a filter removed (all values of ``name`` when value is None)."""
    kept = [(k, v) for k, v in params
            if k != "page" and not (k == name and (value is None or v == value))]
    return "/?" + urlencode(kept) if kept else "/"


def page_url(params: Params, page: int) -> str:
    kept = [(k, v) for k, v in params if k != "page"]
    if page > 1:
        kept.append(("page", str(page)))
    return "/?" + urlencode(kept)


def clean(params: Iterable[tuple[str, str]]) -> Params:
    """Drop empty values so URLs stay short and canonical."""
    return [(k, v) for k, v in params if v.strip()]
