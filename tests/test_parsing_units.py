"""Small parts of the parser: dates, diarienummer, meeting facts, sniffing."""

from __future__ import annotations

import datetime as dt

import pytest

from paragraf_se.indexer.model import Attendee
from paragraf_se.indexer.parsing import parse_document
from paragraf_se.indexer.parsing.dates import find_dates, parse_swedish_date
from paragraf_se.indexer.parsing.diarienummer import find_diarienummer
from paragraf_se.indexer.parsing.sniff import HTML, PDF, TEXT, sniff_kind


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [
        ("2017-08-21", None, dt.date(2017, 8, 21)),
        ("måndagen den 8 januari 2007", None, dt.date(2007, 1, 8)),
        ("den 21 augusti kl. 13:00-16:00", 2017, dt.date(2017, 8, 21)),
        ("8 jan. 2007", None, dt.date(2007, 1, 8)),
        ("tisdag 3 okt 2023", None, dt.date(2023, 10, 3)),
        ("den 5-6 oktober 2023", None, dt.date(2023, 10, 5)),
        ("den 25 september", None, None),  # no year to imply
        ("31 februari 2020", None, None),
        ("2017-13-01", None, None),
    ],
)
def test_swedish_dates(text, year, expected):
    assert parse_swedish_date(text, default_year=year) == expected


def test_find_dates_marks_implied_years():
    found = find_dates("Mötet den 21 augusti; nästa 2017-09-25.", default_year=2017)
    assert [(f.date, f.has_year) for f in found] == [
        (dt.date(2017, 8, 21), False), (dt.date(2017, 9, 25), True)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("utredning av frågan (RS/559/2019).", ("RS/559/2019",)),
        ("se KS 2018/14 och KS 2019/3", ("KS 2018/14", "KS 2019/3")),
        ("KS § 1   DNR:KU/2007.9", ("KU/2007.9",)),
        ("§ 246 Ärendenummer SLK-2024-00078", ("SLK-2024-00078",)),
        ("Ärendenummer SLK-2023-00025:26", ("SLK-2023-00025:26",)),
        ("Ärendenummer SLK-2023-00369:-1", ("SLK-2023-00369",)),
        ("beslut 0098/22", ("0098/22",)),
        ("§ 12   Dnr KS 2023/123", ("KS 2023/123",)),
        ("Dnr 2023/123", ("2023/123",)),
        ("kommunallagen (2017:725), SFS 2017:725, den 2017-08-21, åren 2018-2020, 1/12", ()),
        ("KS § 437 06-12-13", ()),
    ],
)
def test_diarienummer_formats(text, expected):
    assert find_diarienummer(text) == expected


def test_sniffing_trusts_bytes_over_hints():
    assert sniff_kind(b"%PDF-1.7\n...", "text/html") == PDF
    assert sniff_kind(b"<!DOCTYPE html><html><body>x</body></html>", "application/pdf") == HTML
    assert sniff_kind(b"\xef\xbb\xbf  <html><p>x</p></html>") == HTML
    assert sniff_kind(b"\xc2\xa7 1 Budget", "application/pdf", filename="a.pdf") == TEXT


FRONT_PAGE = """PROTOKOLL 1(5)
Sammanträdesdatum
2021-04-12
Barn- och utbildningsnämnden
Plats och tid Kommunhuset, Sal A, måndagen den 12 april 2021 kl. 18:00-20:15
Beslutande Eva Lind (S), ordförande
Tor Ek (M), 1:e vice ordf.
Ali Berg (kd)
Ersättare Mona Sand (C)
Övriga närvarande Per Ås, förvaltningschef
Utses att justera Tor Ek (M)
Paragrafer 20–21
Justerandes sign
§ 20 Val av justerare

Beslut
Tor Ek justerar.

§ 21 Skolskjuts i Bergsby kommun

Beslut
Bifalls. Bergsby kommun informeras.
"""


def test_meeting_facts_from_front_page():
    result = parse_document(FRONT_PAGE.encode())
    meeting = result.meeting
    assert result.status == "ok", result.messages
    # The front page prints no authority; "Skolskjuts i Bergsby kommun" is a title.
    assert meeting.org is None and meeting.org_from is None
    assert meeting.body == "Barn- och utbildningsnämnden"
    assert meeting.body_from.source == "front page"
    assert meeting.date == dt.date(2021, 4, 12)
    assert meeting.place == "Kommunhuset, Sal A"
    assert meeting.time == "18:00-20:15"
    assert meeting.attendees == (
        Attendee("Eva Lind", "S", "ordförande"), Attendee("Tor Ek", "M", "1:e vice ordf."),
        Attendee("Ali Berg", "KD", None), Attendee("Mona Sand", "C", "ersättare"),
        Attendee("Per Ås", None, "förvaltningschef"),
    )
    assert meeting.justerare == ("Tor Ek",)
    assert meeting.paragraph_range == "20–21"


def test_prose_date_with_implied_year():
    text = (
        "Göteborgs Stad\nSocialnämnden\nPlats och tid Stadshuset, den 21 augusti kl. 13:00-16:00\n"
        "§ 5 Budget\n\nBeslut\nBudgeten för 2019 antas, se beslut 2019-06-10.\n"
    )
    meeting = parse_document(text.encode()).meeting
    assert meeting.date == dt.date(2019, 8, 21)
    assert (meeting.org, meeting.body) == ("Göteborgs Stad", "Socialnämnden")


def test_weekday_prose_date_on_front_page():
    text = "Kommunfullmäktige\nSammanträde måndagen den 8 januari 2007\n§ 1 Val\n\nBeslut\nOk.\n"
    assert parse_document(text.encode()).meeting.date == dt.date(2007, 1, 8)


def test_body_and_org_from_running_header_when_there_is_no_front_page():
    text = (
        "§ 1 Ärendenummer SLK-2024-00001\nVal av justerare\nBeslut\n\nA justerar.\n\n"
        "Göteborgs Stad Kommunstyrelsen, protokoll\nProtokoll nr 1\n"
        "Sammanträdesdatum: 2024-01-10\n\n§ 2 Ärendenummer SLK-2024-00002\nBudget\nBeslut\n\nOk.\n"
    )
    result = parse_document(text.encode())
    assert (result.meeting.org, result.meeting.body, result.meeting.date) == (
        "Göteborgs Stad", "Kommunstyrelsen", dt.date(2024, 1, 10))
    assert result.paragraphs[0].text == "Beslut\n\nA justerar."
