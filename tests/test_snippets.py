import pytest

from paragraf_se.indexer.analysis import stem
from paragraf_se.indexer.engine import SearchRequest
from paragraf_se.indexer.query import parse_query
from paragraf_se.indexer.snippets import SCAN_CHARS, make_snippet, snippet_text
from paragraf_se.indexer.whoosh.query_compile import compile_query


def matcher(*words):
    wanted = {stem(w) for w in words}
    return lambda w: stem(w) in wanted


def test_marks_matches_and_escapes_the_rest():
    text = 'Rådet <script>alert(1)</script> beslutar om basfinansiering & "turism".'
    html = make_snippet(text, matcher("basfinansiering", "turism"))
    assert "<mark>basfinansiering</mark>" in html
    assert "<mark>turism</mark>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&amp;" in html and "&quot;" in html


def test_window_moves_to_the_matches():
    text = "inledning " * 200 + "här står avfallsplanen för kommunen " + "slut " * 200
    html = make_snippet(text, matcher("avfallsplanen"))
    assert html.startswith("… ") and html.endswith(" …")
    assert "<mark>avfallsplanen</mark>" in html
    assert len(html) < 400


def test_no_match_gives_the_beginning():
    assert make_snippet("Kort text.", matcher("saknas")) == "Kort text."


def test_scanning_is_bounded():
    text = "a " * SCAN_CHARS + "turism"
    assert "<mark>" not in make_snippet(text, matcher("turism"))


# -- the text a snippet is cut from (issue 16) ----------------------------------


def test_case_number_lines_and_headings_are_left_out():
    text = ("Dnr BUN-2023-00412\n\nSammanfattning\nEn förskola behövs i Västra Åsjö.\n\n"
            "Barn- och utbildningsnämndens beslut\nNämnden beslutar att bygga förskolan.")
    plain = snippet_text(text, "Ny förskola i Västra Åsjö")
    assert plain == ("En förskola behövs i Västra Åsjö.\n\n"
                     "Nämnden beslutar att bygga förskolan.")
    html = make_snippet(plain, matcher("saknas"))
    assert html.startswith("En förskola behövs")
    assert "Dnr" not in html and "Sammanfattning" not in html


@pytest.mark.parametrize("line", [
    "Dnr KS 2021/233", "Diarienummer: RS/559/2021", "§ 3 Ärendenummer SLK-2023-00877",
    "Ärendenr: SLK-2024-00078", "KS 2021/233, KS 2021/240", "§ 12", "Beslut",
    "Kommunstyrelsens beslut", "Förslag till beslut", "Beslutsunderlag:",
])
def test_lines_that_are_not_running_text(line):
    body = "Den riktiga texten börjar här."
    assert snippet_text(f"{line}\n{body}") == body


def test_text_that_mentions_a_case_number_is_kept():
    text = "Ärendet KS 2021/233 gäller avfallsplanen.\nKommunstyrelsen beslutade 2021."
    assert snippet_text(text) == ("Ärendet KS 2021/233 gäller avfallsplanen. "
                                  "Kommunstyrelsen beslutade 2021.")


def test_hard_line_breaks_are_joined_and_a_repeated_title_dropped():
    text = ("Avfallsplan 2022–2030\nKommunen ska minska mängden\navfall med tio pro-\ncent.\n\n"
            "Planen gäller till 2030.")
    assert snippet_text(text, "Avfallsplan 2022–2030") == (
        "Kommunen ska minska mängden avfall med tio procent.\n\nPlanen gäller till 2030.")
    # Headings between blocks never run into the text they headed.
    assert "Beslut Planen" not in snippet_text("Bakgrund\nText.\nBeslut\nPlanen antas.")


# -- marking follows the analysis (issue 16) -------------------------------------


def compiled_matcher(q: str, **request):
    return compile_query(SearchRequest(q=q, **request), parse_query(q)).matcher(stem)


def test_a_compound_query_does_not_mark_a_word_sharing_only_a_part():
    is_match = compiled_matcher("cykelväg")
    for word in ("cykelväg", "cykelvägen", "cykelvägar", "cykelvägsnätet"):
        assert is_match(word), word
    # The parts were searched as whole words ("väg för cykel"), so they mark whole words...
    assert is_match("vägen") and is_match("cykel")
    # ...never another compound with the same head: the example.
    assert not is_match("spårvägar") and not is_match("landsvägen")
    # A compound holding every part, in another order, was matched by the parts.
    elbil = compiled_matcher("elbilsladdning")
    assert elbil("laddningselbil") and not elbil("elbilsförsäljning")
    html = make_snippet("Spårvägar och en ny cykelväg längs ån.", is_match)
    assert "<mark>cykelväg</mark>" in html and "<mark>Spårvägar</mark>" not in html


def test_a_simple_query_word_still_marks_compounds_with_it_as_a_part():
    is_match = compiled_matcher("avfall")
    assert is_match("avfallsplanen") and is_match("trädgårdsavfall") and is_match("avfallet")
    assert not is_match("avfärd")
    assert compiled_matcher("väg")("spårvägar")  # the index has "väg" as its part


def test_exact_mode_marks_only_the_word_as_typed():
    is_match = compile_query(SearchRequest(q="cykelväg", mode="exact"),
                             parse_query("cykelväg")).matcher(str.lower)
    assert is_match("cykelväg")
    assert not is_match("cykelvägar") and not is_match("vägen")
