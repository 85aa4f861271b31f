"""Crawling the sample Meetings Plus sites served on 127.0.0.1 into a real archive."""

from __future__ import annotations

import dataclasses
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from paragraf_se.archive.crawl.config import CrawlerSettings, Limits, SourceConfig
from paragraf_se.archive.crawl.engine import CrawlReport
from paragraf_se.archive.crawl.frontier import Frontier
from paragraf_se.archive.crawl.meetingsplus import classify
from paragraf_se.archive.crawl.sources import crawl_source
from paragraf_se.archive.model import Capture
from paragraf_se.archive.store import Archive
from paragraf_se.sample_site.content import ORGS, org_by_slug
from paragraf_se.sample_site.generate import SITE_DIR
from paragraf_se.sample_site.schema import meeting_slug
from paragraf_se.sample_site.server import serve_sample_site

SETTINGS = CrawlerSettings(user_agent="Paragraf-test/1", contact="mailto:t@example.invalid",
                           workers=2)
LIMITS = Limits(delay=0, connect_timeout=2, read_timeout=5, total_timeout=10, retries=0)


@pytest.fixture()
def archive(tmp_path: Path) -> Iterator[Archive]:
    store = Archive(tmp_path / "archive")
    yield store
    store.close()


@pytest.fixture()
def frontier(tmp_path: Path) -> Iterator[Frontier]:
    state = Frontier(tmp_path / "state.sqlite")
    yield state
    state.close()


@pytest.fixture()
def site_copy(tmp_path: Path) -> Path:
    """A private copy of the committed site that a test may modify."""
    root = tmp_path / "site"
    shutil.copytree(SITE_DIR, root)
    return root


def _crawl(org_slug: str, start_url: str, archive: Archive, frontier: Frontier, *,
           name: str | None = None, **options: Any) -> CrawlReport:
    """One run of a ``meetingsplus`` source for the sample organisation ``org_slug``."""
    source = SourceConfig(name=name or org_slug, organisation=org_by_slug(org_slug).name,
                          kind="meetingsplus", start_urls=(start_url,), limits=LIMITS)
    return crawl_source(source, SETTINGS, archive=archive, frontier=frontier, **options)


def _new_captures(archive: Archive, before: set[str]) -> list[Capture]:
    return [c for c in archive.captures() if c.id not in before]


def _expected(org_slug: str) -> dict[str, dict[str, str]]:
    """URL path → expected metadata, for meeting pages and protocols."""
    org = org_by_slug(org_slug)
    expected = {}
    for body in org.bodies:
        for meeting in body.meetings:
            path = f"/committees/{body.slug}/{meeting_slug(meeting)}"
            meta = {"org": org.name, "body": body.name, "date": meeting.date,
                    "source_name": org.slug, "source_kind": "meetingsplus"}
            expected[path] = {**meta, "role": "meeting-page"}
            if not meeting.cancelled:
                expected[path + "/protocol"] = {**meta, "role": "protocol"}
    return expected


def test_crawl_stores_every_meeting_page_and_protocol_then_recrawl_is_unchanged(
    archive: Archive, frontier: Frontier
) -> None:
    with serve_sample_site() as server:
        for org in ORGS:
            report = _crawl(org.slug, server.url(org.slug, "committees"), archive, frontier)
            assert report.failed == () and report.skipped == () and report.left == 0
            assert report.new == report.fetched == report.handed_off > 20
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
            org_slug = meta["source_name"]
            expected = _expected(org_slug)[meeting_path if meta["role"] == "meeting-page"
                                           else meeting_path + "/protocol"]
            assert {k: meta[k] for k in expected} == expected, capture.source

        # Second crawl: conditional requests, every answer 304, nothing stored.
        before = archive.count()
        for org in ORGS:
            again = _crawl(org.slug, server.url(org.slug, "committees"), archive, frontier)
            assert again.new == 0 and again.handed_off == 0 and again.failed == ()
            assert again.unchanged == again.fetched > 20
        assert archive.count() == before
        protocol = next(c for c in archive.captures() if c.meta()["role"] == "protocol")
        assert archive.visits(protocol.source)[-1].status == 304


def test_changed_protocol_is_the_only_new_capture(
    archive: Archive, frontier: Frontier, site_copy: Path
) -> None:
    with serve_sample_site("asjo-kommun", root=site_copy) as server:
        start = server.url("asjo-kommun", "committees/kommunstyrelsen")
        first = _crawl("asjo-kommun", start, archive, frontier)
        assert first.new == first.fetched > 5
        before = {c.id for c in archive.captures()}
        [pdf] = (site_copy / "asjo-kommun/committees/kommunstyrelsen/mote-2022-03-02/protocol"
                 ).iterdir()
        pdf.write_bytes(pdf.read_bytes().replace(b"%%EOF", b"%%EOF\n% rattad\n"))
        second = _crawl("asjo-kommun", start, archive, frontier)
    assert second.new == second.handed_off == 1
    assert second.unchanged == second.fetched - 1
    [capture] = _new_captures(archive, before)
    assert capture.source.endswith("protokoll-kommunstyrelsen-2022-03-02pdf?downloadMode=open")
    assert capture.meta()["date"] == "2022-03-02" and capture.meta()["body"] == "Kommunstyrelsen"


def test_robots_disallow_offsite_links_and_missing_files(
    archive: Archive, frontier: Frontier, site_copy: Path
) -> None:
    org_dir = site_copy / "asjo-kommun"
    (org_dir / "robots.txt").write_text("User-agent: *\nDisallow: /committees/kommunstyrelsen\n")
    index = org_dir / "committees" / "index.html"
    index.write_text(index.read_text().replace(
        "</ul>", '<li><a href="http://example.invalid/committees/annan">Annan</a></li></ul>',
        1))
    shutil.rmtree(org_dir / "committees/barn-och-utbildningsnamnden/mote-2023-02-14/protocol")
    with serve_sample_site("asjo-kommun", root=site_copy) as server:
        report = _crawl("asjo-kommun", server.url("asjo-kommun", "committees"), archive,
                        frontier)
    # The off-host link is never queued; the disallowed body page is never fetched.
    assert dict(report.skipped) == {"disallowed by robots.txt": 1, "off scope (host)": 1}
    sources = [c.source for c in archive.captures()]
    assert not any("/kommunstyrelsen" in s for s in sources)
    assert any("/barn-och-utbildningsnamnden/" in s for s in sources)
    assert not any("example.invalid" in s for s in sources + [u for u, _ in report.failures])
    assert dict(report.failed) == {"HTTP 404": 1}
    [(failed_url, reason)] = report.failures
    assert "mote-2023-02-14/protocol/" in failed_url and reason == "HTTP 404"


def test_max_pages_delay_and_direct_meeting_start(archive: Archive, frontier: Frontier) -> None:
    now = [100.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    paced = dataclasses.replace(LIMITS, delay=0.25)
    with serve_sample_site("asjo-kommun") as server:
        source = SourceConfig(name="asjo-kommun", organisation="Åsjö kommun",
                              kind="meetingsplus", limits=paced,
                              start_urls=(server.url("asjo-kommun", "committees"),))
        report = crawl_source(source, SETTINGS, archive=archive, frontier=frontier,
                              max_pages=3, clock=lambda: now[0], sleep=sleep)
        assert report.fetched == 3 and report.left > 0
        assert sleeps == [0.25, 0.25]  # between requests, not before the first
        # Starting at an opaque-slug meeting page: body and date come from the page.
        before = {c.id for c in archive.captures()}
        direct = _crawl(
            "asjo-kommun",
            server.url("asjo-kommun", "committees/kommunfullmaktige/kommunfullmaktige-98710"),
            archive, frontier, name="direct")
    assert direct.failed == () and direct.fetched == direct.new == 3  # page, protocol, attachment
    metas = [c.meta() for c in _new_captures(archive, before)]
    assert sorted(m["role"] for m in metas) == ["attachment", "meeting-page", "protocol"]
    assert {m["date"] for m in metas} == {"2022-06-13"}
    assert {m["body"] for m in metas} == {"Kommunfullmäktige"}


def test_classify() -> None:
    base = "https://moten.example.se/committees"
    assert classify(base) == "index"
    assert classify(f"{base}/kommunstyrelsen") == "body-page"
    assert classify(f"{base}/ks/mote-2022-03-02") == "meeting-page"
    assert classify(f"{base}/ks/mote-2022-03-02/protocol/protokollpdf?downloadMode=open") \
        == "protocol"
    assert classify(f"{base}/ks/mote-2022-03-02/agenda/bilagapdf-2") == "attachment"
    assert classify("https://moten.example.se/sok") is None
