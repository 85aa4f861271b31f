"""The sample Meetings Plus site: content, generator, PDF writer and loopback server."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pypdfium2
import pytest
from lxml import html as lxml_html

from paragraf_se.sample_site.content import ORGS, org_by_slug
from paragraf_se.sample_site.generate import SITE_DIR, generate, site_files
from paragraf_se.sample_site.pdfwriter import PAGE_WIDTH, Flow, TextRun, build_pdf
from paragraf_se.sample_site.schema import numbered
from paragraf_se.sample_site.server import resolve, serve_sample_site


def _pdf_text(data: bytes) -> list[str]:
    doc = pypdfium2.PdfDocument(data)
    try:
        pages = []
        for i in range(len(doc)):
            page = doc[i]
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return pages
    finally:
        doc.close()


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return site_files()


# -- content --------------------------------------------------------------


def test_content_shape() -> None:
    assert len(ORGS) == 2
    for org in ORGS:
        assert len(org.bodies) >= 3
        meetings = [m for b in org.bodies for m in b.meetings]
        assert 6 <= len(meetings) <= 10
        assert len({m.date[:4] for m in meetings}) >= 3  # several years
        for meeting in meetings:
            if not meeting.cancelled:
                assert 4 <= len(meeting.items) <= 9, (org.slug, meeting.date)


def test_paragraph_numbers_run_through_the_year_per_body() -> None:
    for org in ORGS:
        for body in org.bodies:
            by_year: dict[str, list[int]] = {}
            for meeting in sorted(body.meetings, key=lambda m: m.date):
                for label, _ in numbered(meeting):
                    by_year.setdefault(meeting.date[:4], []).append(int(label.split()[0]))
            for numbers in by_year.values():
                assert numbers == sorted(numbers)


def test_special_cases_are_present(files: dict[str, bytes]) -> None:
    region = org_by_slug("region-mellanland")
    labels = [label for b in region.bodies for m in b.meetings for label, _ in numbered(m)]
    assert "12 a" in labels
    cancelled = [m for b in region.bodies for m in b.meetings if m.cancelled]
    assert [m.slug for m in cancelled] == ["installt-mote-2022-05-16"]
    assert not any("installt-mote-2022-05-16/protocol" in p for p in files)
    assert any("/kommunfullmaktige-98710/protocol/" in p for p in files)
    with pytest.raises(ValueError, match="known"):
        org_by_slug("nowhere")


def test_compound_words_and_references_for_search() -> None:
    text = " ".join(
        f"{i.title} {i.dnr or ''} " + " ".join(t for _, t in i.sections)
        for o in ORGS for b in o.bodies for m in b.meetings for i in m.items
    ).lower()
    for word in ("avfallsplan", "eldningsförbud", "eldning", "laddinfrastruktur",
                 "elbilsladdning", "laddning av elbilar", "detaljplan", "detaljplaneändring",
                 "slutarkiv", "skolskjuts", "förskoleplatser", "budget", "årsredovisning",
                 "revisionsberättelse", "kollektivtrafik", "länstrafiken", "basfinansiering",
                 "resfria möten", "enligt ks § 14 2022-03-02"):
        assert word in text, word
    for dnr in ("rs/559/2021", "ks 2022/31", "bun-2023-00412"):
        assert dnr in text


# -- generator ------------------------------------------------------------


def test_generation_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    generate(first)
    generate(second)
    a = {p.relative_to(first).as_posix(): p.read_bytes() for p in first.rglob("*") if p.is_file()}
    b = {p.relative_to(second).as_posix(): p.read_bytes() for p in second.rglob("*")
         if p.is_file()}
    assert a == b
    assert len(a) > 40


def test_generate_removes_stale_files(tmp_path: Path) -> None:
    stale = tmp_path / "asjo-kommun" / "committees" / "gammal" / "index.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("old")
    generate(tmp_path)
    assert not stale.exists() and not stale.parent.exists()


def test_committed_site_equals_fresh_generation(files: dict[str, bytes]) -> None:
    committed = {
        p.relative_to(SITE_DIR).as_posix(): p.read_bytes()
        for p in SITE_DIR.rglob("*") if p.is_file()
    }
    assert sorted(committed) == sorted(files), "run: python -m paragraf_se.sample_site.generate"
    changed = [path for path, data in files.items() if committed[path] != data]
    assert changed == [], "run: python -m paragraf_se.sample_site.generate"
    assert sum(len(d) for d in files.values()) < 2_000_000


def test_every_pdf_opens_and_protocols_have_their_paragraphs(files: dict[str, bytes]) -> None:
    for org in ORGS:
        for body in org.bodies:
            for meeting in body.meetings:
                if meeting.cancelled:
                    continue
                [path] = [p for p in files
                          if p.startswith(f"{org.slug}/committees/{body.slug}/")
                          and f"/{meeting.slug or 'mote-' + meeting.date}/protocol/" in p]
                pages = _pdf_text(files[path])
                text = "\n".join(pages)
                assert re.search(rf"PROTOKOLL\s.*?1\({len(pages)}\)", pages[0], re.S)
                assert f"Sammanträdesdatum {meeting.date}" in pages[-1]
                assert "Justerandes sign" in pages[-1] and "ÄRENDELISTA" in text
                for label, item in numbered(meeting):
                    # once in the ärendelista, once as the paragraph header
                    assert text.count(f"§ {label} {item.title[:25]}") >= 2, (path, label)
    attachments = [p for p in files if "/agenda/" in p]
    assert attachments
    for path in attachments:
        assert _pdf_text(files[path])[0].strip()


def test_meeting_page_shape(files: dict[str, bytes]) -> None:
    raw = files["asjo-kommun/committees/kommunstyrelsen/mote-2022-03-02/index.html"]
    doc = lxml_html.document_fromstring(raw)
    text = doc.find("body").text_content().strip()
    assert text.startswith("Hoppa över navigering")
    assert text.endswith("Jag förstår") and "cookies" in text
    agenda = [s.text_content() for s in doc.find_class("agenda-number")]
    paragraphs = [s.text_content() for s in doc.find_class("paragraph-number")]
    assert agenda[:3] == ["1", "2", "3"] and paragraphs[:2] == ["§ 12", "§ 13"]
    [protocol] = [a for a in doc.iter("a") if a.text_content() == "Öppna protokoll"]
    assert protocol.get("href") == (
        "mote-2022-03-02/protocol/protokoll-kommunstyrelsen-2022-03-02pdf?downloadMode=open"
    )
    assert "Bilagor" in text


def test_body_page_groups_past_meetings_by_year(files: dict[str, bytes]) -> None:
    doc = lxml_html.document_fromstring(
        files["asjo-kommun/committees/kommunstyrelsen/index.html"])
    assert "Kommande" in doc.text_content() and "Tidigare" in doc.text_content()
    years = [h.text_content() for h in doc.iter("h3")]
    assert years == ["2023", "2022", "2021"]
    hrefs = [a.get("href") for a in doc.iter("a")]
    assert "kommunstyrelsen/mote-2022-03-02" in hrefs


# -- pdf writer -----------------------------------------------------------


def test_pdfwriter_round_trips_swedish_text_and_has_a_valid_xref() -> None:
    flow = Flow()
    flow.heading("§ 7 Eldningsförbud – ÅÄÖ åäö é (parentes) \\ snedstreck")
    for _ in range(120):
        flow.paragraph("Ett långt stycke om laddinfrastruktur och elbilsladdning i Åsjö. " * 3)
    pages = flow.finish(lambda n, total: [TextRun(70, 800, f"PROTOKOLL {n}({total})")])
    data = build_pdf(pages, title="Test")
    assert data == build_pdf(pages, title="Test")
    texts = _pdf_text(data)
    assert len(texts) == len(pages) > 2
    assert "§ 7 Eldningsförbud – ÅÄÖ åäö é (parentes) \\ snedstreck" in texts[0]
    assert f"PROTOKOLL {len(pages)}({len(pages)})" in texts[-1]
    # every xref entry points at the start of its object
    xref_at = int(data.rsplit(b"startxref\n", 1)[1].split()[0])
    entries = data[xref_at:].split(b"\n")[3:]
    for number, entry in enumerate(entries[: data.count(b" 0 obj\n")], start=1):
        offset = int(entry[:10])
        assert data[offset:].startswith(f"{number} 0 obj".encode())


def test_pdfwriter_wraps_within_the_page() -> None:
    flow = Flow()
    flow.paragraph("Kommunstyrelsen " * 200)
    data = build_pdf(flow.finish())
    doc = pypdfium2.PdfDocument(data)
    try:
        page = doc[0]
        textpage = page.get_textpage()
        right = max(textpage.get_charbox(i)[2] for i in range(textpage.count_chars()))
        textpage.close()
        page.close()
    finally:
        doc.close()
    assert right <= PAGE_WIDTH - 60


def test_pdfwriter_rejects_no_pages() -> None:
    with pytest.raises(ValueError):
        build_pdf([])


# -- server ---------------------------------------------------------------


def test_server_serves_pages_pdfs_and_304() -> None:
    with serve_sample_site() as server, httpx.Client() as client:
        assert set(server.base_urls) == {o.slug for o in ORGS}
        assert len(set(server.base_urls.values())) == 2  # one port per organisation
        page = client.get(server.url("asjo-kommun", "committees/kommunstyrelsen"))
        assert page.status_code == 200
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert "Kommunstyrelsen" in page.text
        pdf_url = server.url(
            "asjo-kommun",
            "committees/kommunstyrelsen/mote-2022-03-02/protocol/"
            "protokoll-kommunstyrelsen-2022-03-02pdf?downloadMode=open",
        )
        pdf = client.get(pdf_url)
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert int(pdf.headers["content-length"]) == len(pdf.content)
        assert pdf.content.startswith(b"%PDF-")
        again = client.get(pdf_url, headers={"If-None-Match": pdf.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
        since = client.get(pdf_url, headers={"If-Modified-Since": pdf.headers["last-modified"]})
        assert since.status_code == 304
        other = client.get(pdf_url, headers={"If-None-Match": '"nope"'})
        assert other.status_code == 200
        head = client.head(pdf_url)
        assert head.headers["content-length"] == pdf.headers["content-length"]
        assert client.get(server.url("asjo-kommun", "finns-inte")).status_code == 404
        robots = client.get(server.url("region-mellanland", "robots.txt"))
        assert robots.headers["content-type"].startswith("text/plain")


def test_single_org_server_and_bad_slug() -> None:
    with serve_sample_site("region-mellanland") as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        assert httpx.get(server.base_url + "committees").status_code == 200
    with pytest.raises(ValueError):
        serve_sample_site("nowhere")


def test_resolve_never_escapes_the_root() -> None:
    root = SITE_DIR / "asjo-kommun"
    assert resolve(root, "/../../generate.py") is None
    assert resolve(root, "/%2e%2e/%2e%2e/generate.py") is None
    assert resolve(root, "/committees?x=1") == root / "committees" / "index.html"
