"""The UI in a real headless Chromium (Debian's, driven by Playwright): search, facets, paging,
permalinks, citation copy, feed link, keyboard-only use, axe-core accessibility checks, phone
width, and screenshots of the main pages saved under test-artifacts/.

Outside CI these tests skip, saying why, when Playwright or Chromium is missing; with CI=true
they fail instead. PARAGRAF_UPDATE_SCREENSHOTS=1 also refreshes docs/screenshots/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.webdemo import serve_demo

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
DOC_SCREENSHOTS = ROOT / "docs" / "screenshots"
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("PARAGRAF_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--lang=sv-SE"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
DESKTOP = {"width": 1280, "height": 900}
# Pages whose screenshots the README shows (refreshed with PARAGRAF_UPDATE_SCREENSHOTS=1).
SCREENSHOTS = ("search", "permalink", "case", "meeting", "documents", "search-phone")
PHONE = {"width": 360, "height": 740}


def _unavailable(reason: str) -> None:
    message = f"browser tests need {reason}"
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (CI=true: not skipping)", pytrace=False)
    pytest.skip(message + "; install them to run these tests")


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python (pip install playwright; no 'playwright install')")
    if not Path(CHROMIUM).exists():
        _unavailable(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with serve_demo(tmp_path_factory) as url:
        yield url


@pytest.fixture()
def page(browser, site):
    context = browser.new_context(base_url=site, locale="sv-SE", viewport=DESKTOP)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
    p = context.new_page()
    yield p
    context.close()


def params(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query)


def screenshot(p, name: str) -> Path:
    path = ARTIFACTS / f"{name}.png"
    p.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1000
    if os.environ.get("PARAGRAF_UPDATE_SCREENSHOTS") == "1" and name in SCREENSHOTS:
        DOC_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOC_SCREENSHOTS / f"{name}.png")
    return path


def test_search_then_facet_click_then_remove_the_filter(page):
    page.goto("/")
    page.get_by_label("Sök bland paragrafer").fill("budget")
    page.get_by_role("button", name="Sök", exact=True).click()
    page.wait_for_url("**/?q=budget*")
    count = page.locator("#antal").inner_text()
    assert "paragrafer" in count and "budget" in count
    assert page.locator("ol.hits mark").count() > 0
    screenshot(page, "search")
    page.locator("nav.facets a", has_text="Kommunfullmäktige").click()
    page.wait_for_url("**body=kommunfullmaktige*")
    assert ("body", "kommunfullmaktige") in params(page.url)
    metas = page.locator("ol.hits .meta").all_inner_texts()
    assert metas and all(m.startswith("Kommunfullmäktige") for m in metas)
    chip = page.locator(".filterbar a", has_text="Kommunfullmäktige")
    chip.click()
    page.wait_for_load_state()
    assert "body" not in dict(params(page.url)) and ("q", "budget") in params(page.url)


def test_paging_forward_and_back(page):
    page.goto("/?body=kommunstyrelsen&sort=oldest")
    first_page = page.locator("ol.hits h3 a").all_inner_texts()
    page.get_by_role("link", name="Nästa →").click()
    page.wait_for_url("**page=2*")
    assert "Sida 2 av" in page.locator("nav.pager").inner_text()
    second_page = page.locator("ol.hits h3 a").all_inner_texts()
    assert second_page and not set(first_page) & set(second_page)
    page.get_by_role("link", name="← Föregående").click()
    page.wait_for_load_state()
    assert page.locator("ol.hits h3 a").all_inner_texts() == first_page


def test_permalink_page_and_citation_copy(page):
    page.goto("/?q=basfinansiering+turism")
    page.locator("ol.hits h3 a").first.click()
    page.wait_for_url("**/p/**")
    assert page.locator("h1").inner_text().startswith("§")
    citation = page.locator("#citation-text").input_value()
    assert citation.startswith("Region Mellanland, ") and "(arkiverad " in citation
    assert urlsplit(page.url).path + " (arkiverad" in citation
    button = page.get_by_role("button", name="Kopiera hänvisning")
    assert button.is_visible()
    button.click()
    page.locator(".copy-status", has_text="kopierad").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == citation
    pdf = page.locator(".sources a", has_text="PDF").get_attribute("href")
    assert "#page=" in pdf
    screenshot(page, "permalink")
    page.locator(".crumbs a").last.click()
    page.wait_for_url("**/m/**")
    assert page.locator("ol.agenda li").count() >= 2
    screenshot(page, "meeting")


def test_without_javascript_everything_still_works(browser, site):
    context = browser.new_context(base_url=site, java_script_enabled=False, viewport=DESKTOP)
    p = context.new_page()
    try:
        p.goto("/")
        p.fill("#q", "laddinfrastruktur")
        p.press("#q", "Enter")
        p.wait_for_url("**q=laddinfrastruktur*")
        p.locator("nav.facets a", has_text="2022").click()
        p.wait_for_url("**year=2022*")
        p.locator("ol.hits h3 a").first.click()
        p.wait_for_url("**/p/**")
        assert p.locator("button.copy:visible").count() == 0, "no dead button without JavaScript"
        assert p.locator("#citation-text").input_value().count("§") == 1
        assert p.locator("#citation-text").is_visible()
        assert p.locator("#citation-short").is_visible()
        p.locator(".case-links a").first.click()
        p.wait_for_url("**/arende/**")
        assert p.locator("ol.case-steps > li").count() >= 1
        p.goto("/?q=budget&group=arende")
        assert p.locator("ol.hits li").count() >= 1
        p.locator("details.facets-narrow, nav.facets").first.wait_for(state="attached")
        p.goto("/dokument")
        p.locator("nav.status-filter a", has_text="OK").click()
        p.wait_for_url("**status=ok*")
    finally:
        context.close()


def test_feed_link_on_results(page):
    page.goto("/?q=budget")
    alternate = page.locator("link[rel=alternate][type='application/atom+xml']")
    href = alternate.get_attribute("href")
    visible = page.get_by_role("link", name="Följ sökningen (Atom-flöde)")
    assert visible.get_attribute("href") == href == "/feed.atom?q=budget"
    feed = page.request.get(href)
    assert feed.ok and feed.headers["content-type"].startswith("application/atom+xml")
    assert b"<entry>" in feed.body()


def focused(page) -> dict:
    return page.evaluate("""() => {
        const el = document.activeElement, s = getComputedStyle(el), r = el.getBoundingClientRect();
        return {tag: el.tagName, id: el.id, cls: el.className, href: el.getAttribute('href'),
                outline: s.outlineStyle, width: s.outlineWidth, left: r.left, top: r.top};
    }""")


def test_keyboard_only_navigation(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["cls"] == "skip" and skip["href"] == "#innehall"
    assert skip["left"] >= 0 and skip["outline"] != "none", "the skip link shows when focused"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "q", "after the skip link, the search box comes first"
    page.keyboard.type("budget")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=budget*")
    for _ in range(80):
        page.keyboard.press("Tab")
        now = focused(page)
        assert now["outline"] != "none" and now["width"] != "0px", repr(now)
        if now["tag"] == "A" and (now["href"] or "").startswith("/p/"):
            break
    else:
        pytest.fail("no result link reachable by Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/p/**")
    assert page.locator("h1").inner_text().startswith("§")


PAGES = {
    "start": "/",
    "results": "/?q=budget",
    "filtered": "/?q=budget&org=asjo-kommun&year=2023",
    "partial-matches": "/?q=kollektivtrafik+budget",
    "no-hits": "/?q=zzqqxx&org=asjo-kommun",
    "paragraph": "/p/asjo-kommun/kommunstyrelsen/2022-05-11/59",
    "meeting": "/m/asjo-kommun/kommunstyrelsen/2022-05-11",
    "bodies": "/organ",
    "help": "/hjalp",
    "not-found": "/p/asjo-kommun/kommunstyrelsen/2022-05-11/999",
    "paragraph-marked": "/p/asjo-kommun/kommunstyrelsen/2022-05-11/59?q=budget",
    "case": "/arende/KS%202021%2F233",
    "grouped": "/?q=budget&group=arende",
    "documents": "/dokument",
    "documents-failed": "/dokument?status=failed",
    "bad-dates": "/?q=beslut&from=2023-12-31&to=2023-01-01",
    "past-end": "/?q=budget&page=999",
}


STRICT_PAGES = frozenset({"paragraph", "paragraph-marked", "meeting", "case", "grouped",
                          "documents", "documents-failed", "bad-dates", "past-end", "results"})


def test_axe_finds_no_serious_violations_and_pages_fit_a_phone(browser, site):
    source = AXE.read_text(encoding="utf-8")
    report = {}
    for viewport_name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(base_url=site, viewport=viewport, locale="sv-SE")
        p = context.new_page()
        try:
            for name, path in PAGES.items():
                p.goto(path)
                # Evaluated, not injected as a <script>: the page's CSP forbids inline scripts.
                p.evaluate(source)
                result = p.evaluate("tags => axe.run(document, {runOnly: tags})", AXE_TAGS)
                # The staff pages (case, documents, marked paragraph, edges) have none at all.
                bad = [v for v in result["violations"]
                       if v["impact"] in ("serious", "critical") or name in STRICT_PAGES]
                report[f"{viewport_name} {name}"] = [
                    {"id": v["id"], "impact": v["impact"], "help": v["help"],
                     "targets": [n["target"] for n in v["nodes"]]} for v in result["violations"]]
                assert not bad, (path, viewport_name, report[f"{viewport_name} {name}"])
                assert len(result["passes"]) > 20, "axe really ran"
                overflow = p.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth")
                assert overflow <= 0, f"{path} scrolls sideways at {viewport['width']}px"
                p.screenshot(path=str(ARTIFACTS / f"{viewport_name}-{name}.png"), full_page=True)
        finally:
            context.close()
    (ARTIFACTS / "axe-report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))


def test_case_page_from_a_paragraph_in_date_order(page):
    page.goto("/?q=" + "dnr:%22KS 2021/233%22")
    page.locator("ol.hits h3 a").first.click()
    page.wait_for_url("**/p/**")
    page.locator(".case-links a", has_text="KS 2021/233").click()
    page.wait_for_url("**/arende/**")
    assert page.locator("h1").inner_text() == "Ärende KS 2021/233"
    dates = page.locator("ol.case-steps time").all_inner_texts()
    assert len(dates) >= 2 and dates == sorted(dates)
    bodies = page.locator("ol.case-path li").all_inner_texts()
    assert "Kommunstyrelsen" in bodies and "Kommunfullmäktige" in bodies
    assert page.locator("ol.case-steps .decision-text").count() >= 1
    screenshot(page, "case")


def test_result_carries_the_query_and_the_page_jumps_to_the_first_match(page):
    page.goto("/?q=budget")
    link = page.locator("ol.hits h3 a").first
    assert ("q", "budget") in params(link.get_attribute("href"))
    link.click()
    page.wait_for_url("**/p/**q=budget*")
    assert page.locator("article mark").count() >= 1
    page.get_by_role("link", name="Gå till första träffen").click()
    page.wait_for_url("**#traff-1")
    first = page.locator("#traff-1")
    assert first.inner_text().lower().startswith("budget")
    box = first.bounding_box()
    assert box is not None and 0 < box["y"] < DESKTOP["height"] / 2, "scrolled to the match"


def test_grouped_search_collapses_a_case_under_one_heading(page):
    page.goto("/")
    page.get_by_label("Sök bland paragrafer").fill("budget")
    page.get_by_label("Gruppera per ärende").check()
    page.get_by_role("button", name="Sök", exact=True).click()
    page.wait_for_url("**group=arende*")
    assert "from" not in dict(params(page.url)), "empty form fields are left out"
    groups = page.locator("li.case-group")
    if groups.count():
        heading = groups.first.locator("h3.case-heading a")
        dnr = heading.inner_text()
        assert groups.first.locator("ol.hits > li").count() >= 2
        heading.click()
        page.wait_for_url("**/arende/**")
        assert dnr in page.locator("h1").inner_text()
    else:  # no case with two hits on the page: every hit still shown, ungrouped
        assert page.locator("ol.hits > li").count() >= 1


def test_copy_button_works_on_plain_http_without_a_secure_context(browser, site):
    """On http://intranet.test (not a secure context) the clipboard API is absent: the
    button still copies, by selecting the field and document.execCommand('copy')."""
    port = urlsplit(site).port
    insecure = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP intranet.test 127.0.0.1"])
    try:
        context = insecure.new_context(locale="sv-SE", viewport=DESKTOP)
        p = context.new_page()
        p.goto(f"http://intranet.test:{port}/p/asjo-kommun/kommunstyrelsen/2022-05-11/59")
        assert p.evaluate("window.isSecureContext") is False
        assert p.evaluate("typeof navigator.clipboard") == "undefined"
        p.get_by_role("button", name="Kopiera hänvisning").click()
        p.locator(".copy-status", has_text="kopierad").wait_for()
        citation = p.locator("#citation-text").input_value()
        selected = p.evaluate("""() => { const f = document.getElementById('citation-text');
            return f.value.substring(f.selectionStart, f.selectionEnd); }""")
        assert selected == citation and citation.startswith("Åsjö kommun, Kommunstyrelsen")
        # What was copied is on the clipboard: paste it into the search box.
        p.goto(f"http://intranet.test:{port}/")
        p.locator("#q").focus()
        p.keyboard.press("Control+V")
        assert p.locator("#q").input_value() == citation.replace("\n", " ")
        context.close()
    finally:
        insecure.close()


def test_facets_open_from_the_top_on_a_phone(browser, site):
    context = browser.new_context(base_url=site, viewport=PHONE, locale="sv-SE")
    p = context.new_page()
    try:
        p.goto("/?q=budget")
        summary = p.locator("details.facets-narrow summary")
        first_hit = p.locator("ol.hits > li").first
        assert summary.is_visible() and not p.locator("nav.facets").is_visible()
        assert summary.bounding_box()["y"] < first_hit.bounding_box()["y"]
        summary.click()
        p.locator("details.facets-narrow a", has_text="Kommunfullmäktige").click()
        p.wait_for_url("**body=kommunfullmaktige*")
        screenshot(p, "search-phone")
    finally:
        context.close()


def test_documents_page_filters_by_status(page):
    page.goto("/dokument")
    assert page.locator("ul.documents > li").count() >= 1
    page.locator("nav.status-filter a", has_text="OK").click()
    page.wait_for_url("**status=ok*")
    badges = page.locator("ul.documents .badge").all_inner_texts()
    assert badges and set(badges) == {"OK"}
    page.locator("nav.status-filter a", has_text="Med varningar").click()
    page.wait_for_url("**status=warnings*")
    assert set(page.locator("ul.documents .badge").all_inner_texts()) == {"Med varningar"}
    assert page.locator("ul.documents .reasons li").count() >= 1
    assert page.locator("ul.documents .rerun code").first.inner_text().startswith("paragraf ")
    screenshot(page, "documents")


def test_meeting_page_originals_and_neighbouring_meetings(page):
    page.goto("/m/asjo-kommun/kommunstyrelsen/2022-05-11")
    style = "el => getComputedStyle(el).listStyleType"
    assert page.locator("ol.agenda").evaluate(style) == "none", "no '1. § 34'"
    pdf = page.locator(".sources a", has_text="PDF")
    assert pdf.count() >= 1 and pdf.first.get_attribute("href").endswith("#page=1")
    nav = page.locator("nav.meetings a")
    assert nav.count() >= 1
    target = nav.first.get_attribute("href")
    nav.first.click()
    page.wait_for_url("**" + target)
    assert page.locator("ol.agenda li").count() >= 1


def test_errors_are_swedish_and_keep_the_input(page):
    response = page.goto("/?q=beslut&from=2023-12-31&to=2023-01-01")
    assert response.status == 400
    assert "Från-datumet kan inte vara efter till-datumet" in page.locator("#fel").inner_text()
    assert page.locator("#q").input_value() == "beslut"
    assert page.locator("#from").input_value() == "2023-12-31"
    response = page.goto("/?q=budget&page=999")
    assert response.status == 404
    page.get_by_role("link", name=re.compile("Gå till sista sidan")).click()
    page.wait_for_load_state()
    assert page.locator("ol.hits > li").count() >= 1
    icon = page.request.get("/favicon.ico")
    assert icon.ok and icon.headers["content-type"] == "image/x-icon"
