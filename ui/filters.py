"""The active-filter bar: every filter in the URL, named in Swedish, each removable."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from paragraf_se.indexer.engine import SearchResult
from paragraf_se.indexer.search_params import FILTER_LABELS, FILTER_PARAMS
from paragraf_se.ui import links

# URL parameters that narrow a search, in the order the bar shows them
# (declared once in indexer.search_params, facets included).
LABELS = FILTER_LABELS
# Parameters a feed or export carries: the filters, not the view (page, size).
FEED_PARAMS = frozenset({*FILTER_PARAMS})


@dataclass(frozen=True)
class ActiveFilter:
    name: str
    label: str  # "Organ"
    value: str  # display value: "Kommunstyrelsen"
    remove_url: str


def display_names(result: SearchResult | None) -> dict[tuple[str, str], str]:
    """Facet keys (slugs) to the names people read, from the result's facets."""
    if result is None:
        return {}
    return {(name, f.key or f.value): f.value
            for name, values in result.facets.items() for f in values}


def active_filters(params: links.Params, result: SearchResult | None) -> list[ActiveFilter]:
    """One entry per filter value in ``params``, with the URL that drops just it."""
    names = display_names(result)
    out = []
    for name in FILTER_PARAMS:
        for key, value in params:
            if key != name:
                continue
            shown = "exakt" if (name, value) == ("mode", "exact") else names.get(
                (name, value), value)
            if (name, value) == ("mode", "stemmed"):
                continue
            out.append(ActiveFilter(name, LABELS[name], shown,
                                    links.without_param(params, name, value)))
    return out


def filter_query(params: links.Params) -> str:
    """The query string of a search's filters only (for its feed and export links)."""
    return urlencode([(k, v) for k, v in params if k in FEED_PARAMS])
