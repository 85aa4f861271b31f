"""The JSON API and the web pages, through a real uvicorn server on loopback."""

from pathlib import Path

import httpx
import pytest

from paragraf_se.archive.store import Archive
from paragraf_se.indexer.whoosh.index import WhooshIndex
from paragraf_se.pipeline import Pipeline
from paragraf_se.settings import DataDir
from paragraf_se.web import create_app
from tests.serving import live_server

FIXTURE = Path(__file__).parent / "fixtures" / "web" / "ks-2022-03-02.txt"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    data = DataDir(tmp_path_factory.mktemp("data"))
    archive, index = Archive(data.archive), WhooshIndex(data.index)
    outcome = Pipeline(archive, index).ingest_file(FIXTURE, {})
    assert outcome.paragraphs == 3, outcome
    index.close()
    archive.close()
    with live_server(create_app(data)) as url:
        yield url


@pytest.fixture()
def client(base_url):
    with httpx.Client(base_url=base_url, timeout=10) as c:
        yield c


def assert_error_shape(response, status):
    assert response.status_code == status
    body = response.json()
    assert body["ok"] is False and body["status"] == status and body["error"]


def test_search_answers_the_documented_shape(client):
    r = client.get("/api/search", params={"q": "avfall"})
    assert r.status_code == 200
    body = r.json()
    assert set(body) >= {"total", "page", "size", "hits", "facets"}
    hit = body["hits"][0]
    assert set(hit) >= {"id", "permalink", "org", "body", "date", "number", "title", "snippet"}
    assert hit["number"] == "14" and hit["org"] == "Åsjö kommun"
    assert "<mark>" in hit["snippet"]
    for name in ("org", "body", "year"):
        assert sum(f["count"] for f in body["facets"][name]) == body["total"]


def test_filters_and_paging(client):
    body = client.get("/api/search", params={"body": "kommunstyrelsen", "year": "2022",
                                             "size": 2, "page": 2}).json()
    assert body["total"] == 3 and len(body["hits"]) == 1
    assert client.get("/api/search", params={"year": "2019"}).json()["total"] == 0


@pytest.mark.parametrize("params", [
    {"size": "0"}, {"size": "1000"}, {"page": "x"}, {"year": "tjugo"}, {"sort": "random"},
    {"mode": "fuzzy"}, {"from": "2022-13-45"}, {"q": ["a", "b"]},
])
def test_invalid_parameters_answer_400_json(client, params):
    assert_error_shape(client.get("/api/search", params=params), 400)


def test_paragraph_json_and_unknown_ids(client):
    hit = client.get("/api/search", params={"q": "eldningsförbud"}).json()["hits"][0]
    p = client.get(f"/api/paragraphs/{hit['id']}").json()
    assert p["citation"]["short"] == "Åsjö kommun, Kommunstyrelsen, 2022-03-02, § 15"
    assert p["permalink"] == "/p/asjo-kommun/kommunstyrelsen/2022-03-02/15"
    assert p["sources"][0]["archive_url"].startswith("/archive/")
    assert_error_shape(client.get("/api/paragraphs/0000000000000000"), 404)
    assert_error_shape(client.get("/api/paragraphs/%2e%2e%2fetc%2fpasswd"), 404)
    assert_error_shape(client.get("/api/nothing-here"), 404)


def test_meeting_json(client):
    m = client.get("/api/meetings/asjo-kommun/kommunstyrelsen/2022-03-02").json()
    assert [p["number"] for p in m["paragraphs"]] == ["14", "15", "16"]
    assert_error_shape(client.get("/api/meetings/x/y/2022-01-01"), 404)


def test_permalink_page_cites_and_links_the_original(client):
    r = client.get("/p/asjo-kommun/kommunstyrelsen/2022-03-02/16")
    assert r.status_code == 200
    assert '<html lang="sv">' in r.text
    assert "Kommunstyrelsen 2022-03-02 § 16" in r.text
    assert "Laddinfrastruktur vid kommunens parkeringar" in r.text
    archive_link = r.text.split('href="/archive/')[1].split('"')[0]
    original = client.get(f"/archive/{archive_link}")
    assert original.status_code == 200
    assert original.content == FIXTURE.read_bytes()
    assert original.headers["content-type"].startswith("text/plain")
    assert client.get("/p/asjo-kommun/kommunstyrelsen/2022-03-02/99").status_code == 404
    assert client.get("/p/asjo-kommun/kommunstyrelsen/not-a-date/1").status_code == 404


def test_search_page_has_highlights_facets_and_permalinks(client):
    r = client.get("/", params={"q": "laddning elbilar"})
    assert r.status_code == 200
    assert "<mark>" in r.text
    assert 'href="/p/asjo-kommun/kommunstyrelsen/2022-03-02/16?q=laddning+elbilar"' in r.text
    assert "Organ" in r.text and "Kommunstyrelsen" in r.text and "(1)" in r.text
    assert 'href="/?q=laddning+elbilar&amp;year=2022"' in r.text


def test_hostile_query_is_escaped(client):
    r = client.get("/", params={"q": '<script>alert(1)</script>"'})
    assert r.status_code == 200
    assert "<script>alert(1)" not in r.text
    assert "&lt;script&gt;" in r.text


def test_security_headers(client):
    r = client.get("/")
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"]


def test_exact_mode_toggle_suggestion_and_help(client):
    page = client.get("/", params={"q": "avfalsplan"}).text
    assert "Menade du" in page and "avfallsplan" in page
    assert 'name="mode" value="exact"' in page
    exact = client.get("/", params={"q": "avfallsplanen", "mode": "exact"}).text
    assert 'value="exact" checked' in exact
    help_page = client.get("/hjalp")
    assert help_page.status_code == 200 and "Så skriver du sökfrågor" in help_page.text
    api = client.get("/api/search", params={"q": "avfalsplan"}).json()
    assert api["suggestion"] == "avfallsplan"
