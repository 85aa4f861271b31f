"""The text parser: header variants, references, agendas, titles, furniture, sections."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from paragraf_se.indexer.parsing import parse_document

FIXTURES = Path(__file__).parent / "fixtures" / "parsing"


def parse(text: str):
    return parse_document(text.encode("utf-8"), "text/plain")


def numbers_and_titles(text: str) -> list[tuple[str, str]]:
    return [(p.number, p.title) for p in parse(text).paragraphs]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("§ 35 Val av justerare\n\nBeslut\nAnna Ek justerar.\n", [("35", "Val av justerare")]),
        ("§ 31\n\nVal av justerare\n\nText här.\n", [("31", "Val av justerare")]),
        ("KS § 1          DNR:KU/2007.9\n\nNy taxa för bygglov\n\nBeslut\nTaxan antas.\n",
         [("1", "Ny taxa för bygglov")]),
        ("Kf §12\nMotion om cykelbanor\n\nBeslut\nMotionen avslås.\n",
         [("12", "Motion om cykelbanor")]),
        ("§ 3 a\nDelårsrapport\n\nBeslut\nGodkänns.\n\n§ 3b Årsredovisning\n\nBeslut\nOk.\n",
         [("3 a", "Delårsrapport"), ("3 b", "Årsredovisning")]),
        ("§ 246 Ärendenummer SLK-2024-00078\nVal av ombud\nBeslut\n\nAnna Ek utses.\n",
         [("246", "Val av ombud")]),
        ("§ 12   Dnr KS 2023/123\n\nÖversyn av reglemente\n\nBeslut\nBifalls.\n",
         [("12", "Översyn av reglemente")]),
    ],
)
def test_header_variants(text, expected):
    assert numbers_and_titles(text) == expected


def test_references_in_running_text_are_not_headers():
    text = (
        "§ 7 Bidrag till föreningar\n\nSammanfattning\nBidraget beslutades tidigare, se\n"
        "KS § 437 06-12-13 och enligt § 63 i arbetsordningen. Se även 9 kap. 37 §\n"
        "kommunallagen. Beslutet fattades den 9 november 2020, § 63,\n"
        "§ 63, och bordlades den 3 mars,\n§ 150 och den 6 mars 2024, § 200.\n\n"
        "Beslut\nBidraget beviljas.\n\n§ 8 Övriga frågor\n\nInga frågor.\n"
    )
    assert numbers_and_titles(text) == [("7", "Bidrag till föreningar"), ("8", "Övriga frågor")]


def test_stray_header_like_line_with_out_of_order_number_is_dropped():
    text = (
        "§ 20 Budget\n\nBeslut\nAntas.\n\n§ 95 Enligt tidigare beslut\n\n"
        "§ 21 Taxor\n\nBeslut\nAntas.\n\n§ 22 Val\n\nBeslut\nKlart.\n"
    )
    assert [n for n, _ in numbers_and_titles(text)] == ["20", "21", "22"]


def test_wrapped_titles_are_joined():
    text = (
        "§ 41 Regionens arbete med digitala \nmöten\n\nSammanfattning\nText.\n\n"
        "§ 42 Samverkan mellan kommuner och region om\nadministration och teknisk service\n\n"
        "Beslut\nNoteras.\n\n"
        "§ 43 Ärendenummer SLK-2024-00111\n\nRevidering av riktlinje för god ekonomisk\n"
        "hushållning samt resultatreserv och\nresultatutjämningsreserv\nBeslut\n\nAntas.\n"
    )
    assert numbers_and_titles(text) == [
        ("41", "Regionens arbete med digitala möten"),
        ("42", "Samverkan mellan kommuner och region om administration och teknisk service"),
        ("43", "Revidering av riktlinje för god ekonomisk hushållning samt resultatreserv och "
               "resultatutjämningsreserv"),
    ]


def test_body_sentence_after_title_is_not_part_of_the_title():
    text = "§ 9 Stadsdirektörens anmälningar\nInga anmälningar förekom.\n\n§ 10 Övrigt\n\nInget.\n"
    paragraphs = parse(text).paragraphs
    assert paragraphs[0].title == "Stadsdirektörens anmälningar"
    assert paragraphs[0].text == "Inga anmälningar förekom."


def test_hyphenation_at_line_ends():
    text = (
        "§ 1 Remiss om kommun-\nstyrelsens ansvar\n\nSammanfattning\n"
        "Frågan har beretts av kommun-\nstyrelsen och IT-\nnämnden för perioden 2018-\n"
        "2020 med stöd av verksamhets-\n"
        "och administrativa system samt e-\npost.\n"
    )
    paragraph = parse(text).paragraphs[0]
    assert paragraph.title == "Remiss om kommunstyrelsens ansvar"
    # The rejoined word moves up; the line break stays after it.
    assert paragraph.text == (
        "Sammanfattning\nFrågan har beretts av kommunstyrelsen\noch IT-nämnden\n"
        "för perioden 2018-2020\nmed stöd av verksamhets- och\n"
        "administrativa system samt e-post."
    )


def test_agenda_at_the_top_is_skipped():
    text = (
        "PROTOKOLL 1(3)\n\nÄRENDELISTA\n§ 5 Val av justerare\n§ 6 Budget för år 2020 och\n\n"
        "framåt\n§ 7 Övriga frågor\n§ 5 Val av justerare\n\nBeslut\nOla Ek justerar.\n\n"
        "§ 6 Budget för år 2020 och\nframåt\n\nBeslut\nBudgeten antas.\n\n"
        "§ 7 Övriga frågor\n\nSammanfattning\nInga frågor anmäldes.\n"
    )
    result = parse(text)
    assert [(p.number, p.title) for p in result.paragraphs] == [
        ("5", "Val av justerare"), ("6", "Budget för år 2020 och framåt"), ("7", "Övriga frågor")
    ]
    assert result.paragraphs[1].decision == "Budgeten antas."


def test_furniture_is_removed_from_paragraph_text():
    text = (
        "§ 1 Budget\n\nSammanfattning\nFörsta stycket.\nJusterandes sign Utdragsbestyrkande\n"
        "\fPROTOKOLL 2(8)\nSammanträdesdatum 2007-01-08\nProtokoll (nr 1)\n1(14 )\n3 (74)\n"
        "Göteborgs Stad Kommunstyrelsen, protokoll\nAndra stycket.\n\nBeslut\nAntas.\n"
        "Justerandes sign\nUtdragsbestyrkande\n"
    )
    paragraph = parse(text).paragraphs[0]
    assert paragraph.text == (
        "Sammanfattning\nFörsta stycket.\n\nAndra stycket.\n\nBeslut\nAntas."
    )


def test_running_headers_repeated_on_every_page_are_removed():
    page = "Kulturnämnden\nSammanträdesprotokoll 2019-05-02\nSida {n}\n{body}\nSkolgatan 1, Byn"
    bodies = ["§ 1 Taxor\n\nBeslut\nTaxan höjs.", "Fortsättning av paragrafen.",
              "§ 2 Övrigt\n\nBeslut\nInget."]
    text = "\f".join(page.format(n=n, body=b) for n, b in enumerate(bodies, start=1))
    paragraphs = parse(text).paragraphs
    assert paragraphs[0].text == "Beslut\nTaxan höjs.\n\nFortsättning av paragrafen."
    assert paragraphs[0].pages == (1, 2)
    assert paragraphs[1].pages == (3,)
    assert "Skolgatan" not in paragraphs[1].text


def test_sections_and_decision():
    text = (
        "§ 4 Motion om solceller\n\nÄrendet\nEn motion har väckts.\n\nYrkanden\nEva Ek (M) yrkar "
        "bifall.\n\nBeslutsgång\nOrdföranden finner att förslaget bifalls.\n\n"
        "Kommunstyrelsens beslut\nMotionen bifalls.\n\nReservationer\nOla Berg (SD) reserverar sig."
        "\n\nTidigare behandling\nBordlagd den 3 mars.\n"
    )
    paragraph = parse(text).paragraphs[0]
    assert [(s.kind, s.heading) for s in paragraph.sections] == [
        ("arendet", "Ärendet"), ("yrkanden", "Yrkanden"), ("beslutsgang", "Beslutsgång"),
        ("beslut", "Kommunstyrelsens beslut"), ("reservation", "Reservationer"),
        ("tidigare_behandling", "Tidigare behandling"),
    ]
    assert paragraph.decision == "Motionen bifalls."
    assert paragraph.text.startswith("Ärendet\nEn motion har väckts.")
    assert "Kommunstyrelsens beslut\nMotionen bifalls." in paragraph.text


def test_region_fixture_has_exactly_the_real_paragraphs():
    result = parse_document((FIXTURES / "region_protocol.txt").read_bytes())
    assert result.status == "ok", result.messages
    assert [p.number for p in result.paragraphs] == ["12", "13", "14", "15", "16", "17"]
    assert result.paragraphs[2].title == (
        "Regional utvecklingsstrategi för Västernorrland 2020–2030 och ny handlingsplan"
    )
    assert result.paragraphs[2].pages == (3,)
    assert result.paragraphs[2].decision.startswith("1. Rådet ställer sig bakom")
    assert all("Justerandes" not in p.text and "PROTOKOLL" not in p.text
               for p in result.paragraphs)
    meeting = result.meeting
    # "Region Västernorrland" is printed only as members' affiliations, never as the
    # protocol's own header: the organisation is unknown, not guessed.
    assert (meeting.org, meeting.body, meeting.date) == (
        None, "Regionala beredningsrådet", dt.date(2019, 3, 11))


def test_classic_fixture_with_body_prefix_and_letters():
    result = parse_document((FIXTURES / "classic_protocol.txt").read_bytes())
    assert [(p.number, p.title) for p in result.paragraphs] == [
        ("1", "Överenskommelse om kulturstöd med Kulturföreningen Ljuset"),
        ("2", "Bidrag till studieförbund"),
        ("3 a", "Ändrade öppettider i biblioteket"),
        ("3 b", "Hyra för Folkets hus"),
    ]
    assert [p.diarienummer for p in result.paragraphs] == [
        ("KU/2007.9",), ("KU 2006/412",), ("0012/07",), ()]
    assert result.paragraphs[0].decision == (
        "Kulturnämnden godkänner överenskommelsen för åren 2007-2009.")
    assert result.paragraphs[1].pages == (2,)


def test_numbering_gap_is_a_warning():
    result = parse("§ 1 Ett\n\nBeslut\nA.\n\n§ 3 Tre\n\nBeslut\nB.\n")
    assert result.status == "warnings"
    assert "paragraph numbers jump from § 1 to § 3" in result.messages


def test_document_without_paragraphs_is_a_warning_not_a_failure():
    result = parse("Kallelse till sammanträde\n1 Mötet öppnas\n2 Val av justerare\n")
    assert result.status == "warnings"
    assert result.messages[0] == "no § paragraphs found"
    assert result.paragraphs == ()


def test_diarienummer_line_under_title_is_not_title():
    from paragraf_se.indexer.parsing import parse_document

    text = ("Åsjö kommun\nKommunstyrelsen\nSammanträdesdatum 2022-03-02\n\n"
            "§ 14 Avfallsplan 2022–2030\nDnr KS 2021/233\nSammanfattning\n"
            "En ny avfallsplan har tagits fram.\nBeslut\nPlanen antas.\n")
    result = parse_document(text.encode("utf-8"), "text/plain")
    (p,) = result.paragraphs
    assert p.title == "Avfallsplan 2022–2030"
    assert p.diarienummer == ("KS 2021/233",)
