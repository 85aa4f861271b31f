"""Reflowing a PDF's hard-wrapped lines into paragraphs for display (indexer.parsing.reflow)."""

import pytest

from paragraf_se.indexer.parsing.reflow import reflow, reflow_text

WRAPPED = """Kommunstyrelsen har gett förvaltningen i uppdrag att ta fram ett förslag
till ny taxa för bygglov. Förslaget har remitterats till samtliga kommun-
styrelsens utskott och till barn- och utbildningsnämnden, som har lämnat
synpunkter på avgifterna för nybyggnad.
Förvaltningen föreslår att taxan ska gälla från den 1 januari 2025.
Sammanfattning
Ärendet avser diarienummer SLK-
2024-00078 och beslutet finansieras med EU-
stöd enligt barn-
och utbildningsnämndens plan.
Förslag till beslut:
1. Taxan fastställs enligt bilaga 1 och gäller från den 1 januari
2025 för alla ärenden.
2. Förvaltningen får i uppdrag att följa upp taxan.
- en punkt i en punktlista
"""


def test_wrapped_lines_join_into_paragraphs_and_hyphenation_is_undone():
    blocks = reflow(WRAPPED)
    assert blocks[0] == (
        "Kommunstyrelsen har gett förvaltningen i uppdrag att ta fram ett förslag till ny taxa "
        "för bygglov. Förslaget har remitterats till samtliga kommunstyrelsens utskott och till "
        "barn- och utbildningsnämnden, som har lämnat synpunkter på avgifterna för nybyggnad.")
    assert blocks[1] == "Förvaltningen föreslår att taxan ska gälla från den 1 januari 2025."


def test_headings_and_list_items_keep_their_own_lines():
    blocks = reflow(WRAPPED)
    assert "Sammanfattning" in blocks
    assert "Förslag till beslut:" in blocks
    assert ("1. Taxan fastställs enligt bilaga 1 och gäller från den 1 januari 2025 för alla "
            "ärenden.") in blocks
    assert "2. Förvaltningen får i uppdrag att följa upp taxan." in blocks
    assert blocks[-1] == "- en punkt i en punktlista"


@pytest.mark.parametrize(("left", "right", "joined"), [
    ("diarienummer SLK-", "2024-00078 gäller", "diarienummer SLK-2024-00078 gäller"),
    ("med EU-", "stöd enligt", "med EU-stöd enligt"),
    ("enligt barn-", "och utbildningsnämnden", "enligt barn- och utbildningsnämnden"),
    ("efter covid-19-", "pandemin har", "efter covid-19-pandemin har"),
    ("i kommun-", "styrelsen har", "i kommunstyrelsen har"),
    ("IT-", "Nämnden har", "IT-Nämnden har"),
])
def test_real_hyphens_are_kept(left, right, joined):
    long = "Ett stycke med en lång rad som når marginalen i protokollet och fortsätter "
    assert reflow(f"{long}{left}\n{right} till slutet.") == (f"{long}{joined} till slutet.",)


def test_unwrapped_text_keeps_one_paragraph_a_line():
    line = "En mening som är längre än någon tryckt rad. " * 5
    text = f"{line.strip()}\n{line.strip()}"
    assert reflow(text) == (line.strip(), line.strip())


def test_column_lines_and_blank_lines_are_kept_apart():
    text = "Ordförande          Justerare\nAnna Andersson      Bo Berg\n\nNytt stycke."
    assert reflow(text) == ("Ordförande          Justerare", "Anna Andersson      Bo Berg",
                            "Nytt stycke.")


def test_reflowing_twice_changes_nothing_and_no_words_are_lost():
    once = reflow_text(WRAPPED)
    assert reflow_text(once) == once
    assert "".join(once.split()) .replace("-", "") == "".join(WRAPPED.split()).replace("-", "")


def test_empty_text():
    assert reflow("") == () and reflow("\n \n") == ()
