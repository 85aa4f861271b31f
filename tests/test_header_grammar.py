"""The paragraph-header grammar: [prefix] § number [letter] [[label] case [code]] [title]."""

from __future__ import annotations

import pytest

from paragraf_se.indexer.parsing import parse_document
from paragraf_se.indexer.parsing.diarienummer import header_case, split_glued_code
from paragraf_se.indexer.parsing.paragraphs import MAX_TITLE_CHARS


@pytest.mark.parametrize(
    ("rest", "case", "code", "title"),
    [
        ("Diarienummer 00910/20241.1.2", "00910/2024", "1.1.2", ""),
        ("Dnr 00501/20231.2.2.", "00501/2023", "1.2.2", ""),
        ("DNR:KNSLI/20014197", "KNSLI/20014197", None, ""),
        ("Dnr. 123/22 - Revisionsrapport 2023", "123/22", None, "Revisionsrapport 2023"),
        ("Dnr KS 2023/123", "KS 2023/123", None, ""),
        ("Ärende nr 2023.45 Detaljplan för Eken", "2023.45", None, "Detaljplan för Eken"),
        ("Ärendenummer SLK-2023-00369:-1", "SLK-2023-00369", None, ""),
        ("Diarienr: RS/559/2019", "RS/559/2019", None, ""),
        ("1360/22", "1360/22", None, ""),
        ("1360/22 Detaljplan för Eken", "1360/22", None, "Detaljplan för Eken"),
        ("KS 2023/123 Budget 2025", "KS 2023/123", None, "Budget 2025"),
        ("SLK-2024-00078", "SLK-2024-00078", None, ""),
        ("KU/2007.9", "KU/2007.9", None, ""),
        ("00910/2024 1.1.2 Taxa för bygglov", "00910/2024", "1.1.2", "Taxa för bygglov"),
        ("123456", "123456", None, ""),
        # Titles that merely start with numbers stay titles.
        ("2023/24 års taxor", None, None, "2023/24 års taxor"),
        ("2024/2025 Budget", None, None, "2024/2025 Budget"),
        ("2024 års budget", None, None, "2024 års budget"),
        ("13-15 Information", None, None, "13-15 Information"),
        ("Val av justerare", None, None, "Val av justerare"),
        # A case number after the title is cut from it (and found elsewhere).
        ("Budget 2025   Dnr KS 2023/123", None, None, "Budget 2025"),
    ],
)
def test_header_rest(rest, case, code, title):
    parts = header_case(rest)
    assert (parts.case, parts.code, parts.title) == (case, code, title)


def test_glued_codes_split_only_after_a_year():
    assert split_glued_code("00910/20241.1.2") == ("00910/2024", "1.1.2")
    assert split_glued_code("00501/20231.2.2.") == ("00501/2023", "1.2.2")
    assert split_glued_code("KS 2023/123") == ("KS 2023/123", None)


FRONT = "Högsby kommun\nKommunstyrelsen\nSammanträdesdatum 2024-03-04\n\n"


def parse(text: str):
    return parse_document((FRONT + text).encode("utf-8"), "text/plain")


def test_classic_layout_template_keeps_title_and_text():
    """pdftotext -layout of the classic template: DNR far right of the header,
    blank line, title, blank line, text."""
    text = (
        "KS § 2                                   DNR:KNSLI/20014197\n"
        "\n"
        "            Detaljplan för del av Fågelsången 1:12,\n"
        "            Norra hamnen\n"
        "\n"
        "            Kommunstyrelsen har fått ett förslag till detaljplan som\n"
        "            samrådsbehandlats under våren.\n"
        "\n"
        "            Beslut\n"
        "            Detaljplanen antas.\n"
    )
    result = parse(text)
    (p,) = result.paragraphs
    assert p.title == "Detaljplan för del av Fågelsången 1:12, Norra hamnen"
    assert p.diarienummer == ("KNSLI/20014197",)
    assert p.text.startswith("Kommunstyrelsen har fått")
    assert p.decision == "Detaljplanen antas."


def test_same_template_as_pypdfium2_gives_it_without_blank_lines():
    text = (
        "KS § 2 DNR:KNSLI/20014197\n"
        "Detaljplan för kvarteret Eken\n"
        "Kommunstyrelsen har fått ett förslag till detaljplan.\n"
        "Beslut\n"
        "Detaljplanen antas.\n"
    )
    (p,) = parse(text).paragraphs
    assert p.title == "Detaljplan för kvarteret Eken"
    assert p.text.startswith("Kommunstyrelsen har fått")


def test_case_line_between_header_and_title():
    text = ("§ 240\nDiarienummer 00910/20241.1.2\nSvar på motion om utökad skolskjuts\n\n"
            "Beslut\nMotionen avslås.\n")
    (p,) = parse(text).paragraphs
    assert (p.title, p.diarienummer, p.classification_codes) == (
        "Svar på motion om utökad skolskjuts", ("00910/2024",), ("1.1.2",))


def test_title_wrapped_across_a_page_break():
    text = ("§ 5 1360/22\nRevisionsrapport granskning av\n\nJusterandes sign\n\f"
            "Högsby kommun\nSammanträdesprotokoll\n2 (3)\n"
            "kommunens upphandling\n\nRevisorerna har granskat upphandlingen.\n\n"
            "Beslut\nRapporten läggs till handlingarna.\n")
    (p,) = parse(text).paragraphs
    assert p.title == "Revisionsrapport granskning av kommunens upphandling"
    assert p.diarienummer == ("1360/22",)


def test_a_title_longer_than_a_title_can_be_is_a_warning():
    # Six lines that all read as title lines (lower-case starts, no sentence
    # ends): too long for a title, so only the first line is kept, with a warning.
    wrapped = "samt redovisning av läget inom förvaltningens olika verksamhetsområden och"
    text = ("§ 7 Information om arbetet med\n" + "\n".join([wrapped] * 5)
            + "\n\nBeslut\nNoteras.\n")
    result = parse(text)
    (p,) = result.paragraphs
    assert len(p.title) <= MAX_TITLE_CHARS
    assert p.title == "Information om arbetet med"
    assert p.text.startswith(wrapped)
    assert result.status == "warnings"
    assert any("§ 7" in m and "title" in m for m in result.messages)


def test_html_title_in_one_block_that_is_really_text_is_flagged():
    body = " ".join(["Förvaltningen redovisar arbetet med budgeten under året i detalj"] * 6)
    page = (f"<html><body><p>Högsby kommun</p><p>Sammanträdesdatum 2024-03-04</p>"
            f"<h2>§ 8</h2><p>{body}</p><h4>Beslut</h4><p>Noteras.</p></body></html>")
    result = parse_document(page.encode("utf-8"), "text/html")
    (p,) = result.paragraphs
    assert p.title == ""
    assert body in p.text
    assert result.status == "warnings"
    assert any("ran on" in m for m in result.messages)


@pytest.mark.parametrize("head", ["KS § 3", "Kf §3", "BUN-AU § 3", "§ 3", "§3"])
def test_body_prefixes(head):
    (p,) = parse(f"{head} Val av justerare\n\nBeslut\nAnna Berg utses.\n").paragraphs
    assert (p.number, p.title) == ("3", "Val av justerare")


@pytest.mark.parametrize(("head", "number"), [("§ 3 a", "3 a"), ("§ 3b", "3 b")])
def test_lettered_paragraphs(head, number):
    (p,) = parse(f"{head} Val av justerare\n\nBeslut\nAnna Berg utses.\n").paragraphs
    assert p.number == number


@pytest.mark.parametrize("case", ["(KS 2023/123)", "(Dnr 2023/123)", "(RS/559/2019)"])
def test_case_number_after_a_wrapped_title_is_cut_and_recorded(case):
    text = f"§ 9\nÄndring av taxa för bygglov\noch planarbete {case}\n\nBeslut\nTaxan antas.\n"
    (p,) = parse(text).paragraphs
    assert p.title == "Ändring av taxa för bygglov och planarbete"
    assert p.diarienummer == (case.strip("()").removeprefix("Dnr "),)


def test_brackets_that_hold_more_than_a_case_number_stay_in_the_title():
    (p,) = parse("§ 9 Taxa för bygglov (ändrad 2023)\n\nBeslut\nTaxan antas.\n").paragraphs
    assert p.title == "Taxa för bygglov (ändrad 2023)"
