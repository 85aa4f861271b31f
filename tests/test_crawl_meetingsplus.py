"""Crawling the sample Meetings Plus sites served on 127.0.0.1 into a real archive."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.crawl.meetingsplus import classify, crawl_meetingsplus, parse_page
from archive.fetch import Fetcher
from archive.store import Archive
from paragraf.sample_site.content import ORGS, org_by_slug
from paragraf.sample_site.generate import SITE_DIR
from paragraf.sample_site.schema import meeting_slug
from paragraf.sample_site.server import serve_sample_site


@pytest.fixture()
def fetcher() -> Iterator[Fetcher]:
    with Fetcher("Paragraf-test", connect_timeout=2, read_timeout=5, total_timeout=10,
                 retries=0) as f:
        yield f


@pytest.fixture()
def archive(tmp_path: Path) -> Iterator[Archive]:
    store = Archive(tmp_path / "archive")
    yield store
    store.close()


@pytest.fixture()
def site_copy(tmp_path: Path) -> Path:
    """A private copy of the committed site that a test may modify."""
    root = tmp_path / "site"
    shutil.copytree(SITE_DIR, root)
    return root


def _expected(org_slug: str) -> dict[str, dict[str, str]]:
    """URL path → expected metadata, for meeting pages and protocols."""
    org = org_by_slug(org_slug)
    expected = {}
    for body in org.bodies:
        for meeting in body.meetings:
            path = f"/committees/{body.slug}/{meeting_slug(meeting)}"
            meta = {"org": org.slug, "body": body.name, "date": meeting.date,
                    "source_kind": "meetingsplus"}
            expected[path] = {**meta, "role": "meeting-page"}
            if not meeting.cancelled:
                expected[path + "/protocol"] = {**meta, "role": "protocol"}
    return expected


def test_crawl_stores_every_meeting_page_and_protocol_then_recrawl_is_unchanged(
    archive: Archive, fetcher: Fetcher
) -> None:
    with serve_sample_site() as server:
        for org in ORGS:
            report = crawl_meetingsplus([server.url(org.slug, "committees")], org=org.slug,
                                        archive=archive, fetcher=fetcher)
            assert report.failed == () and report.skipped == ()
            assert report.new == report.fetched == len(report.captures) > 20
        captures = list(archive.captures())
        roles = Counter(c.meta()["role"] for c in captures)
        meetings = sum(len(b.meetings) for o in ORGS for b in o.bodies)
        protocols = sum(1 for o in ORGS for b in o.bodies for m in b.meetings if not m.cancelled)
        assert roles["index"] == 2 and roles["body-page"] == 6
        assert roles["meeting-page"] == meetings and roles["protocol"] == protocols
        assert roles["attachment"] > 0
        for capture in captures:
            meta = capture.meta()
            expected_type = "application/pdf" if meta["role"] in ("protocol", "attachment") \
                else "text/html"
            assert capture.content_type == expected_type
            if meta["role"] not in ("meeting-page", "protocol"):
                continue
            path = "/" + capture.source.split("/", 3)[3].split("?")[0]
            meeting_path = path.split("/protocol/")[0]
            org = meta["org"]
            expected = _expected(org)[meeting_path if meta["role"] == "meeting-page"
                                      else meeting_path + "/protocol"]
            assert {k: meta[k] for k in expected} == expected, capture.source

        # Second crawl: conditional requests, every answer 304, nothing stored.
        before = archive.count()
        for org in ORGS:
            again = crawl_meetingsplus([server.url(org.slug, "committees")], org=org.slug,
                                       archive=archive, fetcher=fetcher)
            assert again.new == 0 and again.captures == () and again.failed == ()
            assert again.unchanged == again.fetched > 20
        assert archive.count() == before
        protocol = next(c for c in archive.captures() if c.meta()["role"] == "protocol")
        assert archive.visits(protocol.source)[-1].status == 304


def test_changed_protocol_is_the_only_new_capture(
    archive: Archive, fetcher: Fetcher, site_copy: Path
) -> None:
    with serve_sample_site("asjo-kommun", root=site_copy) as server:
        start = [server.url("asjo-kommun", "committees/kommunstyrelsen")]
        first = crawl_meetingsplus(start, org="asjo-kommun", archive=archive, fetcher=fetcher)
        assert first.new == first.fetched > 5
        [pdf] = (site_copy / "asjo-kommun/committees/kommunstyrelsen/mote-2022-03-02/protocol"
                 ).iterdir()
        pdf.write_bytes(pdf.read_bytes().replace(b"%%EOF", b"%%EOF\n% rattad\n"))
        second = crawl_meetingsplus(start, org="asjo-kommun", archive=archive, fetcher=fetcher)
    assert second.new == 1 and second.unchanged == second.fetched - 1
    [changed] = second.captures
    capture = archive.get(changed)
    assert capture.source.endswith("protokoll-kommunstyrelsen-2022-03-02pdf?downloadMode=open")
    assert capture.meta()["date"] == "2022-03-02" and capture.meta()["body"] == "Kommunstyrelsen"


def test_robots_disallow_offsite_links_and_missing_files(
    archive: Archive, fetcher: Fetcher, site_copy: Path
) -> None:
    org_dir = site_copy / "asjo-kommun"
    (org_dir / "robots.txt").write_text("User-agent: *\nDisallow: /committees/kommunstyrelsen\n")
    index = org_dir / "committees" / "index.html"
    index.write_text(index.read_text().replace(
        "</ul>", '<li><a href="http://example.invalid/committees/annan">Annan</a></li></ul>'))
    shutil.rmtree(org_dir / "committees/barn-och-utbildningsnamnden/mote-2023-02-14/protocol")
    with serve_sample_site("asjo-kommun", root=site_copy) as server:
        report = crawl_meetingsplus([server.url("asjo-kommun", "committees")],
                                    org="asjo-kommun", archive=archive, fetcher=fetcher)
    skipped = dict(report.skipped)
    assert list(skipped.values()) == ["disallowed by robots.txt"]
    assert next(iter(skipped)).endswith("/committees/kommunstyrelsen")
    sources = [c.source for c in archive.captures()]
    assert not any("/kommunstyrelsen" in s for s in sources)
    assert not any("example.invalid" in s for s in sources + [u for u, _ in report.failed])
    [(failed_url, reason)] = report.failed
    assert "mote-2023-02-14/protocol/" in failed_url and reason == "HTTP 404"


def test_max_pages_delay_and_direct_meeting_start(archive: Archive, fetcher: Fetcher) -> None:
    sleeps: list[float] = []
    with serve_sample_site("asjo-kommun") as server:
        report = crawl_meetingsplus(
            [server.url("asjo-kommun", "committees")], org="asjo-kommun", archive=archive,
            fetcher=fetcher, max_pages=3, delay=0.25, clock=lambda: 100.0, sleep=sleeps.append,
        )
        assert report.fetched == 3 and len(report.skipped) > 0
        assert all("max_pages" in reason for _, reason in report.skipped)
        assert sleeps == [0.25, 0.25]  # between requests, not before the first
        # Starting at an opaque-slug meeting page: body and date come from the page.
        direct = crawl_meetingsplus(
            [server.url("asjo-kommun", "committees/kommunfullmaktige/kommunfullmaktige-98710")],
            org="asjo-kommun", archive=archive, fetcher=fetcher,
        )
    assert direct.failed == () and direct.fetched == 3  # page, protocol, attachment
    metas = [archive.get(cid).meta() for cid in direct.captures]
    assert {m["date"] for m in metas} == {"2022-06-13"}
    assert {m["body"] for m in metas} == {"Kommunfullmäktige"}


def test_non_committees_start_url_is_reported(archive: Archive, fetcher: Fetcher) -> None:
    report = crawl_meetingsplus(["http://127.0.0.1:9/sok"], org="x", archive=archive,
                                fetcher=fetcher)
    assert report.fetched == 0 and report.failed[0][1].startswith("not a Meetings Plus")


def test_classify_and_parse_page() -> None:
    base = "https://moten.example.se/committees"
    assert classify(base) == "index"
    assert classify(f"{base}/kommunstyrelsen") == "body-page"
    assert classify(f"{base}/ks/mote-2022-03-02") == "meeting-page"
    assert classify(f"{base}/ks/mote-2022-03-02/protocol/protokollpdf?downloadMode=open") \
        == "protocol"
    assert classify(f"{base}/ks/mote-2022-03-02/agenda/bilagapdf-2") == "attachment"
    assert classify("https://moten.example.se/sok") is None
    heading, date, links = parse_page(
        b"<html><body><nav><a href='#m'>x</a></nav><main><h1>KS</h1>"
        b"<p>Sammantr\xc3\xa4de 2022-03-02</p><a href='ks/mote-2022-03-02'>m</a></main>"
        b"</body></html>",
        f"{base}/ks",
    )
    assert (heading, date) == ("KS", "2022-03-02")
    assert links == [f"{base}/ks/mote-2022-03-02"]
    assert parse_page(b"", base) == (None, None, [])
