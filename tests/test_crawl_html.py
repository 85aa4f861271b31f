"""Reading crawled HTML: charset, heading, main text and links."""

from __future__ import annotations

from paragraf_se.archive.crawl.html import HtmlPage, parse_html

BASE = "https://moten.example.se/committees"


def test_heading_main_text_and_followable_links() -> None:
    page = parse_html(
        b"<html><body><nav><a href='#m'>x</a><a href='MAILTO:a@b.se'>m</a></nav><main>"
        b"<h1> KS \n n\xc3\xa4mnd </h1><p>Sammantr\xc3\xa4de 2022-03-02</p>"
        b"<a href=' ks/mote-2022-03-02 '>m</a><a href='tel:123'>t</a></main>"
        b"<footer>Uppdaterad 2020-01-01</footer></body></html>",
        f"{BASE}/ks",
    )
    assert page.heading == "KS nämnd"
    assert "Sammanträde 2022-03-02" in page.text and "2020-01-01" not in page.text
    assert page.links == (f"{BASE}/ks/mote-2022-03-02",)


def test_base_href_declared_charset_and_unparsable_pages() -> None:
    page = parse_html("<html><head><base href='/arkiv/'></head><body><h1>Protokoll år</h1>"
                      "<a href='a.pdf'>a</a></body></html>".encode("cp1252"),
                      f"{BASE}/ks", "text/html; charset=windows-1252")
    assert page.heading == "Protokoll år"
    assert page.links == ("https://moten.example.se/arkiv/a.pdf",)
    assert "Protokoll år" in page.text  # no <main>: the whole page's text
    assert parse_html(b"", BASE) == HtmlPage(None, "", ())
