"""Local files: what the public sees of them, and how re-ingesting is reported (issue 17)."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from paragraf_se.archive.store import Archive
from paragraf_se.indexer.whoosh.index import WhooshIndex
from paragraf_se.parse_status import ParseStatusLog, status_path
from paragraf_se.pipeline import Pipeline
from paragraf_se.settings import DataDir
from paragraf_se.web import create_app
from tests.paragraph_factory import make_paragraph
from tests.serving import live_server

FIXTURE = Path(__file__).parent / "fixtures" / "web" / "ks-2022-03-02.txt"
SECRET_DIR = "hemlig-serverkatalog"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A protocol ingested from a server directory whose name must never be published."""
    root = tmp_path_factory.mktemp("files")
    folder = root / SECRET_DIR / "inkommet"
    folder.mkdir(parents=True)
    source = folder / "ks 2022-03-02.txt"
    shutil.copy(FIXTURE, source)
    data = DataDir(root / "data")
    archive, index = Archive(data.archive), WhooshIndex(data.index)
    log = ParseStatusLog(status_path(data.root))
    outcome = Pipeline(archive, index, status_log=log).ingest_file(source, {})
    assert outcome.paragraphs == 3, outcome
    log.close()
    index.close()
    archive.close()
    with live_server(create_app(data)) as url, httpx.Client(base_url=url, timeout=10) as c:
        yield c


def test_documents_api_shows_the_file_name_not_the_server_path(served):
    body = served.get("/api/documents").json()
    assert [d["source"] for d in body["documents"]] == ["ks 2022-03-02.txt"]
    assert SECRET_DIR not in served.get("/api/documents").text


def test_paragraph_json_page_and_export_show_no_server_path(served):
    hit = served.get("/api/search", params={"q": "avfallsplan"}).json()["hits"][0]
    detail = served.get(f"/api/paragraphs/{hit['id']}").json()
    assert [s["url"] for s in detail["sources"]] == ["ks 2022-03-02.txt"]
    page = served.get(hit["permalink"])
    assert page.status_code == 200
    assert "Hämtad från ks 2022-03-02.txt" in page.text
    for response in (served.get(f"/api/paragraphs/{hit['id']}"), page,
                     served.get("/api/export", params={"q": "avfallsplan", "format": "csv"}),
                     served.get("/api/export", params={"q": "avfallsplan", "format": "jsonl"})):
        assert response.status_code == 200
        assert SECRET_DIR not in response.text and "file://" not in response.text


def test_reingesting_one_source_counts_only_paragraphs_no_source_has_left(tmp_path):
    index = WhooshIndex(tmp_path / "ix")
    page = "https://x.example/mote-2022-03-02"
    pdf = "https://x.example/protokoll-2022-03-02.pdf"
    both = [make_paragraph(n, url=page, content_type="text/html") for n in ("1", "2", "3")]
    index.replace_source(page, both)
    index.replace_source(pdf, [make_paragraph(n, url=pdf, content_type="application/pdf")
                               for n in ("1", "2")])
    # The meeting page is republished with § 3 only: §§ 1-2 are still in the PDF.
    change = index.replace_source(page, both[2:])
    assert (change.removed, change.updated, change.unchanged) == (0, 2, 1)
    assert index.count() == 3
    assert [s.url for s in index.get(both[0].id).sources] == [pdf]
    # The PDF drops § 2 too: now it is gone from every source.
    change = index.replace_source(pdf, [make_paragraph("1", url=pdf,
                                                       content_type="application/pdf")])
    assert change.removed == 1 and index.get(both[1].id) is None
    index.close()
