"""Atom feeds of searches: valid Atom 1.0, newest first, escaped, linking to permalinks."""

import datetime as dt

import httpx
import pytest
from lxml import etree

from paragraf_se.indexer.engine import SearchRequest
from paragraf_se.ui.feed import build_feed, feed_title
from tests.paragraph_factory import make_paragraph
from tests.webdemo import serve_demo

A = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with serve_demo(tmp_path_factory) as url, httpx.Client(base_url=url, timeout=10) as c:
        yield c


def parse(data: bytes):
    root = etree.fromstring(data)
    assert root.tag == f"{A}feed"
    return root


def assert_valid_atom(root):
    """The RFC 4287 musts: feed and entry id, title, updated (RFC 3339), an alternate link."""
    for el in (root, *root.findall(f"{A}entry")):
        assert el.findtext(f"{A}id") and el.findtext(f"{A}title") is not None
        dt.datetime.fromisoformat(el.findtext(f"{A}updated"))
    assert root.find(f"{A}author/{A}name") is not None
    for entry in root.findall(f"{A}entry"):
        assert entry.find(f"{A}link[@rel='alternate']") is not None
    assert root.find(f"{A}link[@rel='self']") is not None


def test_feed_of_a_search_is_newest_first_and_links_permalinks(client):
    r = client.get("/feed.atom", params={"q": "budget"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/atom+xml")
    root = parse(r.content)
    assert_valid_atom(root)
    entries = root.findall(f"{A}entry")
    want = client.get("/api/search", params={"q": "budget", "sort": "newest"}).json()
    assert len(entries) == min(want["total"], 50) > 1
    links = [e.find(f"{A}link").get("href") for e in entries]
    assert [u.split("127.0.0.1:", 1)[1].split("/", 1)[1] for u in links][:10] == [
        h["permalink"].lstrip("/") for h in want["hits"]]
    updated = [e.findtext(f"{A}updated") for e in entries]
    assert updated == sorted(updated, reverse=True)
    # Absolute on the configured address (never the request's Host): follow its path.
    assert client.get(httpx.URL(links[0]).path).status_code == 200
    assert "budget" in root.findtext(f"{A}title")


def test_feed_follows_a_body_or_a_diarienummer(client):
    body = parse(client.get("/feed.atom", params={"body": "regionstyrelsen"}).content)
    authors = {e.findtext(f"{A}author/{A}name") for e in body.findall(f"{A}entry")}
    assert authors == {"Regionstyrelsen, Region Mellanland"}
    dnr = parse(client.get("/feed.atom", params={"q": 'dnr:"KS 2021/233"'}).content)
    for entry in dnr.findall(f"{A}entry"):
        assert "KS 2021/233" in {c.get("term") for c in entry.findall(f"{A}category")}


def test_hostile_query_is_escaped_and_control_characters_dropped(client):
    r = client.get("/feed.atom", params={"q": "<b>&\x01\"]]>"})
    assert r.status_code == 200
    root = parse(r.content)  # well-formed despite the query
    assert "<b>&" in root.findtext(f"{A}title")
    assert b"<b>" not in r.content


def test_bad_parameters_answer_the_json_error_shape(client):
    r = client.get("/feed.atom", params={"year": "x"})
    assert r.status_code == 400 and r.json()["param"] == "year"


def test_empty_feed_is_still_valid():
    data = build_feed("Paragraf: x", "http://h/feed.atom?q=x", "http://h/?q=x", "http://h", [])
    root = parse(data)
    assert_valid_atom(root)
    assert root.findtext(f"{A}updated").startswith("1970-01-01")


def test_entries_carry_summary_and_ids_from_permalinks():
    p = make_paragraph("7", "Titel <med> tecken", "Text & mer", decision="Beslut: ja")
    root = parse(build_feed("t", "http://h/feed.atom", "http://h/", "http://h", [p]))
    entry = root.find(f"{A}entry")
    assert entry.findtext(f"{A}id") == "http://h" + p.permalink
    assert entry.findtext(f"{A}summary") == "Beslut: ja"
    assert "Titel <med> tecken" in entry.findtext(f"{A}title")


def test_feed_title_names_the_filters():
    title = feed_title(SearchRequest(q="avfall", bodies=("kommunstyrelsen",), years=(2022,)))
    assert title == "Paragraf: ”avfall”; organ kommunstyrelsen; år 2022"
    assert feed_title(SearchRequest()) == "Paragraf: alla nya paragrafer"
