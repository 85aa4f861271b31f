"""The whole path on the sample site: HTTP crawl → archive → parse → index → API and pages."""

import io

import httpx
import pytest

from paragraf_se.demo import crawl_and_index
from paragraf_se.settings import DataDir
from paragraf_se.web import create_app
from tests.serving import live_server


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    data = DataDir(tmp_path_factory.mktemp("demo"))
    out = io.StringIO()
    documents, failed = crawl_and_index(data, out)
    return data, out.getvalue(), documents, failed


def test_crawl_indexes_every_meeting(demo):
    _, log, documents, failed = demo
    assert failed == 0, log
    assert documents > 20
    assert "Åsjö kommun: fetched" in log and "Region Mellanland: fetched" in log


def test_second_run_finds_everything_unchanged(demo):
    data, *_ = demo
    out = io.StringIO()
    documents, failed = crawl_and_index(data, out)
    assert (documents, failed) == (0, 0)
    assert "new 0" in out.getvalue()


def test_ui_and_api_on_the_demo(demo):
    data, *_ = demo
    with live_server(create_app(data)) as base, httpx.Client(base_url=base, timeout=10) as c:
        everything = c.get("/api/search").json()
        assert {f["value"] for f in everything["facets"]["org"]} == {"Åsjö kommun",
                                                                    "Region Mellanland"}
        assert len(everything["facets"]["body"]) >= 3
        assert len(everything["facets"]["year"]) >= 3
        for name in ("org", "body", "year"):
            assert sum(f["count"] for f in everything["facets"][name]) == everything["total"]

        result = c.get("/api/search", params={"q": "basfinansiering turism"}).json()
        assert result["total"] >= 1 and "<mark>" in result["hits"][0]["snippet"]
        hit = result["hits"][0]
        page = c.get(hit["permalink"])
        assert page.status_code == 200 and hit["citation"] in page.text

        paragraph = c.get(f"/api/paragraphs/{hit['id']}").json()
        kinds = {s["content_type"] for s in paragraph["sources"]}
        assert kinds == {"application/pdf", "text/html"}, "page and PDF both as sources"
        pdf = next(s for s in paragraph["sources"] if s["content_type"] == "application/pdf")
        assert pdf["archive_url"].startswith(f"/archive/{pdf['capture_id']}#page=")
        original = c.get(f"/archive/{pdf['capture_id']}")
        assert original.headers["content-type"] == "application/pdf"
        assert original.content.startswith(b"%PDF-")
        import hashlib
        assert hashlib.sha256(original.content).hexdigest() == pdf["sha256"]

        ui = c.get("/", params={"q": "laddinfrastruktur"})
        assert ui.status_code == 200 and "<mark>" in ui.text


def test_rebuild_keeps_page_and_pdf_as_sources_of_one_paragraph(demo):
    from paragraf_se.check import check
    from paragraf_se.cli import main
    from paragraf_se.indexer.engine import SearchRequest
    from paragraf_se.indexer.search import search
    from paragraf_se.indexer.whoosh.index import WhooshIndex

    data, *_ = demo
    index = WhooshIndex(data.index)
    before = search(index, SearchRequest(size=100)).total
    index.close()
    assert main(["--data-dir", str(data.root), "index", "--rebuild"]) == 0
    index = WhooshIndex(data.index)
    try:
        result = search(index, SearchRequest(q="basfinansiering turism"))
        kinds = {s.content_type for s in result.hits[0].paragraph.sources}
        assert kinds == {"application/pdf", "text/html"}
        assert search(index, SearchRequest(size=100)).total == before
    finally:
        index.close()
    assert check(data).ok
