"""Error responses are responses: 400/404/429/500 with security headers and the error shape.

Property tests generate parameter values from Unicode's digit and number
categories (Nd, Nl, No): ``year=²`` is a digit to ``str.isdigit()`` but not
to ``int()``, and a 4,301-digit year makes ``int()`` raise. Every value must
answer 200 or 400, never 500. All against uvicorn on loopback.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import Route

from paragraf_se.archive.store import Archive
from paragraf_se.indexer.whoosh.index import WhooshIndex
from paragraf_se.pipeline import Pipeline
from paragraf_se.settings import DataDir
from paragraf_se.web import SECURITY_HEADERS, create_app
from tests.serving import live_server

FIXTURE = Path(__file__).parent / "fixtures" / "web" / "ks-2022-03-02.txt"
SEARCH_PATHS = ("/api/search", "/", "/feed.atom", "/api/export")
JSON_PATHS = ("/api/search", "/feed.atom", "/api/export")

NUMBERS = st.characters(categories=["Nd", "Nl", "No"])
# Unicode number characters, with ASCII digits and separators mixed in.
NUMBERISH = st.text(st.one_of(NUMBERS, st.sampled_from("0123456789-+_ .")), min_size=1,
                    max_size=12)


def _boom(request):
    raise RuntimeError("a bug in a route")


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    data = DataDir(tmp_path_factory.mktemp("data"))
    archive, index = Archive(data.archive), WhooshIndex(data.index)
    assert Pipeline(archive, index).ingest_file(FIXTURE, {}).paragraphs == 3
    index.close()
    archive.close()
    return data


def _app(data, **kwargs):
    app = create_app(data, **kwargs)
    # Two routes that fail, to see what a 500 looks like from the real stack.
    app.router.routes.append(Route("/api/boom", _boom))
    app.router.routes.append(Route("/boom", _boom))
    return app


@pytest.fixture(scope="module")
def client(data):
    # A real server (Starlette's TestClient wants a package we do not ship).
    with live_server(_app(data)) as url, httpx.Client(base_url=url, timeout=30) as c:
        yield c


def assert_secured(response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (response.status_code, name)


def assert_error(response, status: int, path: str) -> None:
    assert response.status_code == status, (path, response.text[:200])
    assert_secured(response)
    if path.startswith(("/api/", "/feed.atom")):
        body = response.json()
        assert body["ok"] is False and body["status"] == status and body["error"]
    else:
        assert response.headers["content-type"].startswith("text/html")
        assert '<html lang="sv">' in response.text


@pytest.mark.parametrize("path", SEARCH_PATHS)
@pytest.mark.parametrize("year", ["\u00b2", "1" * 4301, "\u0662\u0660\u0662\u0662", "２０２２"])
def test_bad_year_is_400_everywhere(client, path, year):
    assert_error(client.get(path, params={"year": year}), 400, path)


@pytest.mark.parametrize("path", SEARCH_PATHS)
@pytest.mark.parametrize("name", ["from", "to"])
@pytest.mark.parametrize("value", ["\u0662\u0660\u0662\u0662-01-01", "2022-13-01",
                                   "2022-01-01" + "0" * 5000, "20220101"])
def test_bad_dates_are_400_everywhere(client, path, name, value):
    assert_error(client.get(path, params={name: value}), 400, path)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=NUMBERISH, path=st.sampled_from(SEARCH_PATHS),
       name=st.sampled_from(["year", "page", "size"]))
def test_number_parameters_answer_200_or_400(client, value, path, name):
    r = client.get(path, params={name: value})
    stripped = value.strip()
    if not stripped:
        ok = True  # blank means absent
    elif name == "year":
        ok = bool(re.fullmatch(r"[0-9]{4}", stripped)) and 1000 <= int(stripped) <= 2999
    else:
        high = 1000 if name == "page" else 100
        ok = bool(re.fullmatch(r"[0-9]{1,9}", stripped)) and 1 <= int(stripped) <= high
    if ok and path == "/" and name == "page" and int(stripped) > 1:
        # A valid page past the last (three paragraphs make one page): the
        # search page says so with a 404 and a link to the last page.
        assert r.status_code == 404 and "Sidan finns inte" in r.text, (value, r.text[:200])
        assert_secured(r)
    elif ok:
        assert r.status_code == 200, (name, value, r.text[:200])
        assert_secured(r)
    else:
        assert_error(r, 400, path)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=NUMBERISH, path=st.sampled_from(SEARCH_PATHS),
       name=st.sampled_from(["from", "to"]))
def test_date_parameters_answer_200_or_400(client, value, path, name):
    r = client.get(path, params={name: value})
    if not value.strip():
        assert r.status_code == 200
    else:
        assert r.status_code in (200, 400), (name, value)
        if r.status_code == 400:
            assert_error(r, 400, path)
        else:
            assert re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value.strip())


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=NUMBERISH, name=st.sampled_from(["page", "size"]))
def test_document_list_paging_is_200_or_400(client, value, name):
    r = client.get("/api/documents", params={name: value})
    if r.status_code != 200:
        assert_error(r, 400, "/api/documents")


@pytest.mark.parametrize("path", ["/api/nowhere", "/ingenstans", "/api/paragraphs/zz"])
def test_404_carries_headers_and_shape(client, path):
    assert_error(client.get(path), 404, path)


@pytest.mark.parametrize("path", ["/api/boom", "/boom"])
def test_500_carries_headers_and_shape(client, path):
    # Its own connection: the server closes the one a 500 was sent on.
    with httpx.Client(base_url=client.base_url, timeout=30) as own:
        r = own.get(path)
    assert_error(r, 500, path)
    assert "RuntimeError" not in r.text and "Traceback" not in r.text


def test_429_carries_headers_and_shape(data):
    with live_server(_app(data, rate_limit=1)) as url, \
            httpx.Client(base_url=url, timeout=30) as c:
        statuses = [c.get("/api/search", params={"q": "avfall"}) for _ in range(30)]
    limited = [r for r in statuses if r.status_code == 429]
    assert limited, [r.status_code for r in statuses]
    assert_error(limited[0], 429, "/api/search")
    assert limited[0].headers["retry-after"]


def test_real_server_answers_400_with_headers(data):
    """The reported requests, byte for byte, against uvicorn on loopback."""
    with live_server(_app(data)) as url, httpx.Client(base_url=url, timeout=30) as c:
        for path in SEARCH_PATHS:
            for query in ("year=%C2%B2", "year=" + "9" * 4301,
                          "from=%D9%A2%D9%A0%D9%A2%D9%A2-01-01"):
                assert_error(c.get(f"{path}?{query}"), 400, path)
        ok = c.get("/api/search", params={"q": "avfall", "year": "2022"})
        assert ok.status_code == 200 and ok.json()["total"] >= 1
        assert_secured(ok)
    # Last, on its own connection: the server closes a connection after a 500.
    with live_server(_app(data)) as url, httpx.Client(base_url=url, timeout=30) as c:
        assert_error(c.get("/api/boom"), 500, "/api/boom")
