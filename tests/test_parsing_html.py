"""Meetings Plus and CMS pages: chrome dropped, agenda numbers never § numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from paragraf_se.indexer.parsing import parse_document
from paragraf_se.indexer.parsing.html import html_to_text

FIXTURES = Path(__file__).parent / "fixtures" / "parsing"


def test_meeting_page_gives_only_the_paragraphs():
    data = (FIXTURES / "meetingsplus_protocol.html").read_bytes()
    result = parse_document(data, "text/html")
    assert [(p.number, p.title) for p in result.paragraphs] == [
        ("51", "Val av justerare"), ("52", "Budget för kollektivtrafiken 2024")]
    budget = result.paragraphs[1]
    assert budget.decision == (
        "Regionala beredningsrådet rekommenderar kommunerna att höja bidraget med 3 procent.")
    assert budget.diarienummer == ("RS/2211/2023",)
    assert "Övriga frågor" not in budget.text  # the next agenda item is not its text
    assert result.meeting.date == dt.date(2023, 10, 16)
    assert result.meeting.body == "Regionala beredningsrådet"


def test_chrome_is_dropped_from_the_page_text():
    text = html_to_text((FIXTURES / "meetingsplus_protocol.html").read_bytes())
    for chrome in ("dataLayer", "color: black", "Organ", "871 85", "cookies"):
        assert chrome not in text
    assert "\n§ 52\n" in text


def test_agenda_only_page_has_no_paragraphs_and_warns():
    data = (FIXTURES / "meetingsplus_kallelse.html").read_bytes()
    result = parse_document(data, "text/html")
    assert result.status == "warnings"
    assert result.paragraphs == ()
    assert result.messages == ("no § paragraphs found",)


def test_html_served_as_pdf_is_parsed_as_html():
    data = (FIXTURES / "meetingsplus_protocol.html").read_bytes()
    result = parse_document(data, "application/pdf", filename="protokoll.pdf")
    assert [p.number for p in result.paragraphs] == ["51", "52"]


def test_windows_1252_page_with_meta_charset():
    html = ('<html><head><meta charset="windows-1252"></head><body><p>§ 3</p>'
            "<p>Ändrad taxa för förskolan</p><p>Beslut</p><p>Taxan höjs.</p></body></html>")
    result = parse_document(html.encode("cp1252"))
    assert [(p.number, p.title, p.decision) for p in result.paragraphs] == [
        ("3", "Ändrad taxa för förskolan", "Taxan höjs.")]


def test_empty_html_fails_clearly():
    result = parse_document(b"<html><body>   </body></html>")
    assert (result.status, result.messages) == ("failed", ("empty document: no text found",))
