"""Reading a search from a web request, for every page, feed, export and API call."""

from __future__ import annotations

from starlette.requests import Request

from paragraf_se.indexer.engine import InvalidRequest, SearchRequest
from paragraf_se.indexer.search_params import request_from_params
from paragraf_se.web_common.errors import BadRequest

GROUPS = ("arende",)


def search_request(request: Request) -> SearchRequest:
    """The validated search of this request's query string, or a 400."""
    try:
        return request_from_params(request.query_params.getlist)
    except InvalidRequest as err:
        raise BadRequest(err.message, err.param) from None


def search_grouping(request: Request) -> str | None:
    """The ``group`` parameter: ``arende`` groups a page's hits by case, or a 400."""
    values = [v for v in request.query_params.getlist("group") if v.strip()]
    if len(values) > 1 or (values and values[0].strip() not in GROUPS):
        raise BadRequest(f"must be one of {', '.join(GROUPS)}", "group")
    return values[0].strip() if values else None
