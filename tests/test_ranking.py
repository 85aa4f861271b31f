"""Ranking: decisions before postponements, and partial matches continuing a short page."""

from __future__ import annotations

import pytest

from paragraf_se.indexer.decision_kind import ATERREMISS, BESLUT, BORDLAGT, INFORMATION
from paragraf_se.indexer.engine import SearchRequest
from paragraf_se.indexer.search import search
from paragraf_se.indexer.whoosh.index import WhooshIndex
from paragraf_se.indexer.whoosh.schema import to_document
from tests.paragraph_factory import make_paragraph

TITLE = "Budget 2025 för Åsjö kommun"
# The same title and the same amount of text, so BM25 alone cannot tell them apart.
FILLER = "Kommunstyrelsens förslag och tjänsteskrivelse finns i handlingarna."


def _index(paragraphs) -> WhooshIndex:
    ix = WhooshIndex(None)
    ix.add_many(paragraphs)
    return ix


@pytest.fixture(scope="module")
def budget_index():
    decisions = [
        ("1", "2024-09-02", "Ärendet bordläggs till nästa sammanträde."),
        ("2", "2024-10-07", "Ärendet återremitteras till kommunstyrelsen."),
        ("3", "2024-10-21", "Informationen läggs till handlingarna."),
        ("4", "2024-11-18", "Kommunfullmäktige fastställer förslaget."),
    ]
    paragraphs = [
        make_paragraph(n, TITLE, f"{FILLER}\nBeslut\n{d}", decision=d, date=date,
                       body="Kommunfullmäktige")
        for n, date, d in decisions
    ]
    paragraphs += [
        make_paragraph("9", "Budget för förskolan", "Budgeten för förskolan antas.",
                       decision="Budgeten antas.", date="2023-05-02"),
        make_paragraph("10", "Investeringar 2025", "Investeringsplanen 2025 antas.",
                       decision="Planen antas.", date="2023-06-02"),
        make_paragraph("11", "Sammanträdestider", "Sammanträdestider för året fastställs.",
                       decision="Tiderna fastställs.", date="2023-06-02"),
    ]
    return _index(paragraphs)


def test_decision_kind_is_indexed_from_the_decision():
    doc = to_document(make_paragraph(decision="Ärendet bordläggs.", text="Ärendet bordläggs."))
    assert doc["decision_kind"] == BORDLAGT
    legacy = to_document(make_paragraph(), fields=frozenset({"id", "title"}))
    assert set(legacy) == {"id", "title"}


def test_the_decision_ranks_above_postponed_referred_and_noted(budget_index):
    result = search(budget_index, SearchRequest(q="budget 2025"))
    assert result.total == 4
    kinds = [h.decision_kind for h in result.hits[:4]]
    assert kinds[0] == BESLUT
    assert set(kinds[1:]) == {INFORMATION, ATERREMISS, BORDLAGT}
    assert [h.match for h in result.hits[:4]] == ["all"] * 4
    scores = [h.score for h in result.hits[:4]]
    assert scores == sorted(scores, reverse=True)


def test_the_prior_is_modest_a_much_better_text_match_still_wins():
    strong = make_paragraph("1", "Skolskjuts i Åsjö", "Skolskjuts skolskjuts skolskjuts för "
                            "elever i Åsjö.\nBeslut\nÄrendet bordläggs.",
                            decision="Ärendet bordläggs.")
    weak = make_paragraph("2", "Trafikfrågor", "Många frågor om trafik och vägar i kommunen, "
                          "bland annat skolskjuts, busslinjer, cykelvägar och parkering.\n"
                          "Beslut\nPlanen antas.", decision="Planen antas.")
    result = search(_index([strong, weak]), SearchRequest(q="skolskjuts"))
    assert [h.paragraph.number for h in result.hits] == ["1", "2"]
    assert result.hits[0].decision_kind == BORDLAGT


def test_date_order_is_not_changed_by_the_prior(budget_index):
    result = search(budget_index, SearchRequest(q="budget 2025", sort="newest"))
    assert [h.paragraph.number for h in result.hits[:4]] == ["4", "3", "2", "1"]


def test_a_short_page_continues_with_partial_matches(budget_index):
    result = search(budget_index, SearchRequest(q="budget 2025"))
    # total and facets count the paragraphs with every word, as before.
    assert result.total == 4 and not result.relaxed
    assert sum(f.count for f in result.facets["year"]) == 4
    partial = [h for h in result.hits if h.match == "partial"]
    assert result.partial_total == 2 == len(partial)
    assert {h.paragraph.number for h in partial} == {"9", "10"}
    assert all(h.match == "all" for h in result.hits[:4])
    assert result.hits[0].matched_terms == ("budget", "2025")
    assert {h.matched_terms for h in partial} == {("budget",), ("2025",)}
    assert "11" not in {h.paragraph.number for h in result.hits}  # no word at all


def test_partial_matches_with_most_words_come_first():
    ps = [
        make_paragraph("1", "Avfall plan taxa", "Avfall, plan och taxa."),
        make_paragraph("2", "Avfall och plan", "Avfall och plan."),
        make_paragraph("3", "Taxa", "Bara taxa, taxa, taxa och taxa igen."),
        make_paragraph("4", "Avfall", "Avfall."),
    ]
    result = search(_index(ps), SearchRequest(q="avfall plan taxa"))
    assert result.total == 1 and result.partial_total == 3
    numbers = [h.paragraph.number for h in result.hits]
    assert numbers[:2] == ["1", "2"]  # all words, then two of three
    assert set(numbers[2:]) == {"3", "4"}
    assert result.hits[1].matched_terms == ("avfall", "plan")


def test_partial_matches_only_fill_the_first_page(budget_index):
    full_page = search(budget_index, SearchRequest(q="budget 2025", size=4))
    assert [h.match for h in full_page.hits] == ["all"] * 4
    assert full_page.partial_total == 0
    page2 = search(budget_index, SearchRequest(q="budget 2025", size=3, page=2))
    assert [h.match for h in page2.hits] == ["all"]  # the fourth full match only
    assert page2.pages == 2


def test_partial_matches_keep_filters_and_negations(budget_index):
    filtered = search(budget_index, SearchRequest(q="budget 2025", years=(2024, 2023),
                                                  bodies=("Kommunfullmäktige",)))
    assert filtered.partial_total == 0
    negated = search(budget_index, SearchRequest(q="budget 2025 -förskolan"))
    assert {h.paragraph.number for h in negated.hits if h.match == "partial"} == {"10"}


def test_when_nothing_has_every_word_all_hits_are_partial(budget_index):
    result = search(budget_index, SearchRequest(q="förskolan investeringsplanen"))
    assert result.relaxed and result.total == 2
    assert [h.match for h in result.hits] == ["partial", "partial"]
    # The relaxed words include a compound's parts, which a hit may have alone.
    assert {h.matched_terms for h in result.hits} == {
        ("förskolan",), ("investeringsplanen", "investering", "planen")}


def test_one_word_queries_have_no_partial_matches(budget_index):
    result = search(budget_index, SearchRequest(q="sammanträdestider"))
    assert result.total == 1 and result.partial_total == 0
    assert result.hits[0].match == "all"


def test_an_index_made_before_decision_kinds_still_writes_and_ranks(tmp_path):
    from whoosh.filedb.filestore import FileStorage

    from paragraf_se.indexer.whoosh.files import INDEX_NAME
    from paragraf_se.indexer.whoosh.schema import build_schema

    schema = build_schema()
    schema.remove("decision_kind")
    FileStorage(str(tmp_path)).create_index(schema, indexname=INDEX_NAME)
    ix = WhooshIndex(tmp_path)
    try:
        ix.replace_source("file:///a.txt", [
            make_paragraph("1", TITLE, "Ärendet bordläggs.", decision="Ärendet bordläggs."),
            make_paragraph("2", TITLE, "Budgeten fastställs.", decision="Budgeten fastställs."),
        ])
        result = search(ix, SearchRequest(q="budget 2025"))
        assert result.total == 2
        assert {h.decision_kind for h in result.hits} == {""}  # unknown until rebuilt
    finally:
        ix.close()


def test_date_sorted_partial_matches_follow_the_date_order():
    ps = [
        make_paragraph("1", "Avfall och taxa", "Avfall, taxa.", date="2020-01-01"),
        make_paragraph("2", "Taxa", "Taxa.", date="2021-01-01"),
        make_paragraph("3", "Taxa", "Taxa.", date="2023-01-01"),
        make_paragraph("4", "Avfall", "Avfall.", date="2022-01-01"),
    ]
    ix = _index(ps)
    newest = search(ix, SearchRequest(q="avfall taxa", sort="newest"))
    assert [h.paragraph.number for h in newest.hits] == ["1", "3", "4", "2"]
    oldest = search(ix, SearchRequest(q="avfall taxa", sort="oldest"))
    assert [h.paragraph.number for h in oldest.hits] == ["1", "2", "4", "3"]
    assert [h.match for h in oldest.hits] == ["all", "partial", "partial", "partial"]
