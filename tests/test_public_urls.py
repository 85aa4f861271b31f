"""URLs behind a reverse proxy: every link under --root-path, every absolute URL from
--base-url, and never anything from the request's Host header (issue 17, defect 10)."""

from __future__ import annotations

import csv
import io
import json

import httpx
import pytest
from lxml import etree, html

from paragraf_se.serve_config import ServeConfig
from paragraf_se.web import create_app
from tests.serving import live_server
from tests.webdemo import build_demo

ATOM = "{http://www.w3.org/2005/Atom}"
EVIL = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
BASE = "https://protokoll.example.se/paragraf"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return build_demo(tmp_path_factory.mktemp("urls-demo"))


@pytest.fixture(scope="module")
def proxied(demo):
    """Served as nginx forwards /paragraf/...: prefix stripped, root_path set."""
    config = ServeConfig(root_path="/paragraf", base_url=BASE, rate_limit=0)
    app = create_app(demo, config=config)
    with live_server(app, root_path="/paragraf") as url, \
            httpx.Client(base_url=url, timeout=10) as c:
        yield c


@pytest.fixture(scope="module")
def plain(demo):
    """No --base-url and no --root-path: the defaults."""
    with live_server(create_app(demo)) as url, httpx.Client(base_url=url, timeout=10) as c:
        yield c


def _links(page: bytes) -> list[str]:
    doc = html.fromstring(page)
    return [v for el in doc.iter() for attr in ("href", "src", "action")
            if isinstance(el.tag, str) and (v := el.get(attr)) is not None]


def _a_paragraph(client) -> dict:
    return client.get("/api/search", params={"q": "budget"}).json()["hits"][0]


def test_every_link_of_every_page_works_under_the_root_path(proxied):
    hit = _a_paragraph(proxied)
    pages = ["/", "/?q=budget&sort=newest", "/organ", "/hjalp", hit["permalink"],
             hit["permalink"].replace("/p/", "/m/").rsplit("/", 1)[0], "/finns-inte"]
    seen: set[str] = set()
    for page in pages:
        r = proxied.get(page)
        assert r.status_code in (200, 404), page
        for link in _links(r.content):
            if link.startswith("#") or link.startswith(BASE + "/"):
                continue
            assert link.startswith("/paragraf/"), f"{link!r} on {page}"
            seen.add(link)
    assert any(s.startswith("/paragraf/static/") for s in seen)
    assert any(s.startswith("/paragraf/feed.atom") for s in seen)
    assert any(s.startswith("/paragraf/api/export") for s in seen)
    assert any(s.startswith("/paragraf/archive/") for s in seen)
    for link in sorted(seen):  # what the proxy forwards: the prefix stripped
        r = proxied.get(link.removeprefix("/paragraf").split("#")[0])
        assert r.status_code == 200, link


def test_redirects_stay_under_the_root_path(proxied):
    hit = _a_paragraph(proxied)
    spelled = hit["permalink"].upper().replace("/P/", "/p/")
    r = proxied.get(spelled, headers=EVIL)
    assert r.status_code == 301
    assert r.headers["location"] == "/paragraf" + hit["permalink"]


def test_host_header_never_reaches_a_url_with_base_url(proxied):
    hit = _a_paragraph(proxied)
    page = proxied.get(hit["permalink"], headers=EVIL)
    assert b"evil.example" not in page.content
    doc = html.fromstring(page.content)
    assert doc.xpath("//link[@rel='canonical']/@href") == [BASE + hit["permalink"]]
    assert (BASE + hit["permalink"]).encode() in page.content  # the citation's URL

    detail = proxied.get(f"/api/paragraphs/{hit['id']}", headers=EVIL).json()
    assert detail["permalink_url"] == BASE + hit["permalink"]
    assert BASE + hit["permalink"] + " " in detail["citation_full"]

    feed = proxied.get("/feed.atom", params={"q": "budget"}, headers=EVIL)
    assert b"evil.example" not in feed.content
    root = etree.fromstring(feed.content)
    assert root.findtext(f"{ATOM}id") == BASE + "/feed.atom?q=budget"
    entries = root.findall(f"{ATOM}entry")
    assert entries and all(e.findtext(f"{ATOM}id").startswith(BASE + "/p/") for e in entries)
    hrefs = [link.get("href") for link in root.iter(f"{ATOM}link")]
    assert hrefs and all(h.startswith(BASE + "/") for h in hrefs)

    exported = proxied.get("/api/export", params={"q": "budget", "format": "csv"},
                           headers=EVIL)
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows and all(row["permalink"].startswith(BASE + "/p/") for row in rows)
    lines = proxied.get("/api/export", params={"q": "budget", "format": "jsonl"},
                        headers=EVIL).text.splitlines()
    assert all(json.loads(x)["permalink_url"].startswith(BASE + "/p/") for x in lines)


def test_host_header_never_reaches_a_url_without_base_url(plain):
    hit = _a_paragraph(plain)
    page = plain.get(hit["permalink"], headers=EVIL)
    assert page.status_code == 200 and b"evil.example" not in page.content
    # Relative where the format allows it.
    doc = html.fromstring(page.content)
    assert doc.xpath("//link[@rel='canonical']/@href") == [hit["permalink"]]
    # A fixed, configured address where an absolute URL is required.
    feed = plain.get("/feed.atom", headers=EVIL)
    assert b"evil.example" not in feed.content
    root = etree.fromstring(feed.content)
    assert root.findtext(f"{ATOM}id") == "http://127.0.0.1:8000/feed.atom"
    export = plain.get("/api/export", params={"format": "jsonl"}, headers=EVIL).text
    assert "evil.example" not in export and "http://127.0.0.1:8000/p/" in export
    spelled = plain.get(hit["permalink"].upper().replace("/P/", "/p/"), headers=EVIL)
    assert spelled.status_code == 301 and spelled.headers["location"] == hit["permalink"]
    slash = plain.get("/organ/", headers=EVIL)  # no Host-built trailing-slash redirect
    assert slash.status_code == 404 and "location" not in slash.headers
