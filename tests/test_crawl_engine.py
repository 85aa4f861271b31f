"""The crawl engine with the ``links`` kind against hostile loopback sites."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from paragraf_se.archive.crawl.config import CrawlerSettings, Limits, SourceConfig
from paragraf_se.archive.crawl.engine import CrawlReport
from paragraf_se.archive.crawl.frontier import Frontier
from paragraf_se.archive.crawl.sources import crawl_source
from paragraf_se.archive.store import Archive
from tests.crawl_sites import (
    HTML,
    PDF_TYPE,
    calendar,
    calendar_path,
    flaky,
    gzip_bomb,
    html,
    redirect_loop,
    serve,
    slow_drip,
)
from tests.pdfgen import make_pdf

SETTINGS = CrawlerSettings(user_agent="Paragraf-test/1", contact="mailto:t@example.invalid",
                           workers=3)
FAST = Limits(delay=0, connect_timeout=2, read_timeout=2, total_timeout=1.0, max_bytes=200_000,
              retries=2, backoff=0.01, max_pages=200, max_depth=4, max_query_variants=5)
PROTOCOL = make_pdf([["Tallby kommun", "Kommunstyrelsen", "PROTOKOLL",
                      "Sammanträdesdatum 2023-05-10", "§ 12 Val av justerare",
                      "Till justerare utses Anna Berg (S)."]])


@pytest.fixture()
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive(tmp_path / "archive") as store:
        yield store


@pytest.fixture()
def frontier(tmp_path: Path) -> Iterator[Frontier]:
    state = Frontier(tmp_path / "state.sqlite")
    yield state
    state.close()


def _crawl(site_url: str, archive: Archive, frontier: Frontier, **changes: object
           ) -> CrawlReport:
    source = SourceConfig(name="t", organisation="Tallby kommun", kind="links",
                          start_urls=(site_url,), limits=dataclasses.replace(FAST, **changes))
    return crawl_source(source, SETTINGS, archive=archive, frontier=frontier)


def _sources(archive: Archive) -> dict[str, str]:
    return {c.source.split("/", 3)[3]: c.content_type for c in archive.captures()}


def test_links_site_relative_absolute_and_cp1252(archive: Archive, frontier: Frontier) -> None:
    routes = {
        "/robots.txt": (200, {"Content-Type": "text/plain"},
                        b"User-agent: *\nDisallow: /intern\n"),
        "/start": html("<a href='protokoll/'>Protokoll</a> <a href='/intern/x.pdf'>i</a>"
                       "<a href='mailto:a@b.se'>m</a><a href='http://example.invalid/p.pdf'>"
                       "ext</a><a href='/bild.png'>b</a>"),
        "/protokoll/": (200, {"Content-Type": "text/html; charset=windows-1252"},
                       "<html><body><h1>Protokoll från nämnden</h1><a href='ks-2023-05-10.pdf'>"
                       "KS</a> <a href='../arkiv/protokoll år.pdf'>äldre</a></body></html>"
                       .encode("cp1252")),
        "/protokoll/ks-2023-05-10.pdf": (200, PDF_TYPE, PROTOCOL),
        "/arkiv/protokoll%20%C3%A5r.pdf": (200, {"Content-Type": "application/octet-stream"},
                                           PROTOCOL + b"%"),
    }
    with serve(routes) as site:
        report = _crawl(site.url("/start"), archive, frontier)
        assert site.hits["/intern/x.pdf"] == 0 and site.hits["/bild.png"] == 0, report.failures
        assert all(ua == "Paragraf-test/1 (+mailto:t@example.invalid)"
                   for ua in site.user_agents)
    assert report.failed == () and report.left == 0, report.failures
    assert dict(report.skipped) == {"disallowed by robots.txt": 1, "off scope (host)": 1}
    assert _sources(archive) == {
        "start": "text/html", "protokoll/": "text/html",
        "protokoll/ks-2023-05-10.pdf": "application/pdf",
        "arkiv/protokoll%20%C3%A5r.pdf": "application/pdf",
    }
    roles = {c.source.split("/", 3)[3]: c.meta()["role"] for c in archive.captures()}
    assert roles["protokoll/ks-2023-05-10.pdf"] == "protocol" and roles["protokoll/"] == "page"
    assert report.handed_off == report.new == 4


def test_hostile_cases_end_with_clear_reasons(archive: Archive, frontier: Frontier) -> None:
    links = ["/loop-a", "/kalender?month=2024-01", "/kalender/2024/01", "/stor", "/bomb",
             "/droppande", "/ostadig.pdf", "/trasig.pdf", "/html-som.pdf", "/saknas",
             "http://127.0.0.1:port/felaktig"]
    routes = {
        "/start": html("".join(f"<a href='{u}'>x</a>" for u in links)),
        "/loop-a": redirect_loop, "/loop-b": redirect_loop,
        "/kalender": calendar,
        "*": calendar_path,
        "/stor": (200, HTML, b"<html>" + b"a" * 300_000),
        "/bomb": gzip_bomb(20_000_000),
        "/droppande": slow_drip,
        "/ostadig.pdf": flaky(2, PROTOCOL),
        "/trasig.pdf": (200, PDF_TYPE, b"%PDF-1.4\n1 0 obj <<>> trasig"),
        "/html-som.pdf": (200, PDF_TYPE, b"<!DOCTYPE html><html><body>Fel</body></html>"),
        "/saknas": (404, HTML, b"<html>404</html>"),
    }
    with serve(routes) as site:
        report = _crawl(site.url("/start"), archive, frontier, max_depth=8, total_timeout=0.5)
        assert site.hits["/ostadig.pdf"] == 3  # 500, 500, 200
        assert site.hits["/saknas"] == 1  # 4xx: no retry
        assert site.hits["/droppande"] == 1  # over the total deadline: no retry
        calendar_hits = sum(n for p, n in site.hits.items() if p.startswith("/kalender"))
    failed = dict(report.failed)
    assert failed["too many redirects"] == 1
    assert failed["too large"] == 2  # the big page and the gzip bomb
    assert failed["over the total deadline"] == 1  # the slow drip, cut off once
    assert failed["HTTP 404"] == 1
    skipped = dict(report.skipped)
    assert skipped["malformed URL"] == 1  # a port that is not a number
    assert skipped["trap: over 5 query variants of a path"] >= 1
    assert skipped["trap: deeper than max_depth 8"] >= 1
    assert calendar_hits <= 5 + 8
    captured = _sources(archive)
    assert captured["ostadig.pdf"] == "application/pdf"
    assert captured["trasig.pdf"] == "application/pdf"  # archived; the parser reports it
    # HTML served as application/pdf: archived as HTML, never called a protocol.
    assert captured["html-som.pdf"] == "text/html"
    mislabelled = next(c for c in archive.captures() if c.source.endswith("html-som.pdf"))
    assert mislabelled.meta()["role"] == "page"
    assert "stor" not in captured and "bomb" not in captured and "droppande" not in captured
    assert report.left == 0 and archive.verify().ok


def test_max_pages_then_resume_then_fresh_run(archive: Archive, frontier: Frontier) -> None:
    pages = {f"/sida{i}": html(f"<a href='/sida{i + 1}'>n</a><a href='/dok{i}.pdf'>d</a>"
                               f"<a href='/nyheter/{i}'>x</a>") for i in range(8)}
    routes = {**pages, "*": (200, PDF_TYPE, PROTOCOL)}
    with serve(routes) as site:
        first = _crawl(site.url("/sida0"), archive, frontier, max_pages=5, max_depth=20)
        assert first.fetched == 5 and first.left > 0 and not first.resumed
        second = _crawl(site.url("/sida0"), archive, frontier, max_depth=20)
        assert second.resumed and second.left == 0
        # Every URL fetched once over the two runs: the second resumed, not restarted.
        assert max(n for path, n in site.hits.items() if path != "/robots.txt") == 1
        third = _crawl(site.url("/sida0"), archive, frontier, max_depth=20)
        assert not third.resumed and third.new == 0 and third.unchanged == third.fetched


def test_include_and_exclude_patterns(archive: Archive, frontier: Frontier) -> None:
    routes = {"/start": html("<a href='/protokoll/a.pdf'>a</a><a href='/nyheter/b'>b</a>"
                             "<a href='/protokoll/utkast-c.pdf'>c</a>"),
              "*": (200, PDF_TYPE, PROTOCOL)}
    with serve(routes) as site:
        source = SourceConfig(name="p", organisation="T", kind="links",
                              start_urls=(site.url("/start"),), include=(r"/protokoll/",),
                              exclude=(r"utkast",), limits=FAST)
        report = crawl_source(source, SETTINGS, archive=archive, frontier=frontier)
    assert dict(report.skipped) == {"not included by pattern": 1, "excluded by pattern": 1}
    assert sorted(_sources(archive)) == ["protokoll/a.pdf", "start"]
