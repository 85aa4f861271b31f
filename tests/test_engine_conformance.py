"""What any engine must answer: the contract of indexer/engine.py, pinned.

Parametrised over engine factories (today the Whoosh engine in memory and on
disk); a second engine joins by adding its factory to ``FACTORIES``. Every
test goes through the engine-neutral surface only: :func:`indexer.search.search`,
:func:`indexer.search.export_matches` and the protocol's methods.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from paragraf_se.indexer.engine import MATCH_PARTIAL, Engine, IndexChange, SearchRequest
from paragraf_se.indexer.facets import FACET_NAMES
from paragraf_se.indexer.model import SourceRef
from paragraf_se.indexer.search import export_matches, search
from paragraf_se.wiring import open_engine
from tests.paragraph_factory import make_paragraph

FACTORIES: dict[str, Callable[[Path], Engine]] = {
    "whoosh-memory": lambda tmp: open_engine(None),
    "whoosh-disk": lambda tmp: open_engine(tmp / "index"),
}

PDF_URL = "https://asjo.example/protokoll-2022-03-02.pdf"
PAGE_URL = "https://asjo.example/mote/2022-03-02"


def corpus():
    """Two organisations, three bodies, three years; case numbers shared across bodies."""
    return [
        make_paragraph("1", "Budget för 2023", "Kommunstyrelsen föreslår budget och skattesats.",
                       date="2022-03-02", diarienummer=("KS 2022/14",), url=PDF_URL,
                       content_type="application/pdf"),
        make_paragraph("2", "Detaljplan för Norra hamnen", "Planen antas. Eldningsförbudet gäller.",
                       date="2022-03-02", url=PDF_URL, content_type="application/pdf"),
        make_paragraph("10", "Avfallsplan", "Avfallsplanen för kommunen antas för fyra år.",
                       date="2022-03-02", url=PDF_URL, content_type="application/pdf"),
        make_paragraph("3", "Budget och verksamhetsplan", "Fullmäktige fastställer budget.",
                       body="Kommunfullmäktige", date="2022-04-20",
                       diarienummer=("KS 2022/14",), url="file:///kf-2022-04-20.txt"),
        make_paragraph("5", "Yttrande över remiss", "Nämnden yttrar sig för att minska buller.",
                       body="Miljönämnden", date="2023-05-11", url="file:///mn.txt"),
        make_paragraph("7", "Budgetuppföljning", "Region Mellanland följer upp budget.",
                       org="Region Mellanland", body="Regionstyrelsen", date="2021-11-30",
                       url="file:///rs.txt"),
    ]


@pytest.fixture(params=sorted(FACTORIES))
def engine(request, tmp_path) -> Engine:
    eng = FACTORIES[request.param](tmp_path)
    with eng.batch():
        by_url: dict[str, list] = {}
        for p in corpus():
            by_url.setdefault(p.source.url, []).append(p)
        for url, paragraphs in by_url.items():
            eng.replace_source(url, paragraphs)
    yield eng
    eng.close()


def numbers(result) -> list[str]:
    return [h.paragraph.number for h in result.hits]


def test_counts_and_totals(engine):
    assert engine.count() == 6
    result = search(engine, SearchRequest(q="budget"))
    assert result.total == 3  # § 1 and § 3, and § 7's text
    assert result.pages == 1 and len(result.hits) == 3
    assert search(engine, SearchRequest(q="budget", size=1, page=2)).hits[0].paragraph.number \
        == numbers(result)[1]


def test_facets_count_the_whole_result(engine):
    result = search(engine, SearchRequest(q="budget", size=1))
    assert set(result.facets) == set(FACET_NAMES)
    counts = {f.value: f.count for f in result.facets["org"]}
    assert counts == {"Åsjö kommun": 2, "Region Mellanland": 1}
    years = [f.value for f in result.facets["year"]]
    assert years == sorted(years, reverse=True)
    bodies = {f.key: f.count for f in result.facets["body"]}
    assert bodies["kommunstyrelsen"] == 1 and bodies["kommunfullmaktige"] == 1


def test_facet_filters_by_name_or_key(engine):
    assert search(engine, SearchRequest(q="budget", orgs=("Region Mellanland",))).total == 1
    assert search(engine, SearchRequest(q="budget", orgs=("region-mellanland",))).total == 1
    assert search(engine, SearchRequest(q="budget", years=(2022,))).total == 2
    assert search(engine, SearchRequest(q="budgetuppföljning")).total == 1
    assert search(engine, SearchRequest(filters={"body": ("Kommunfullmäktige",)})).total == 1
    assert search(engine, SearchRequest(q="budget", bodies=("Miljönämnden",))).total == 0


def test_sort_orders(engine):
    newest = search(engine, SearchRequest(q="budget", sort="newest"))
    oldest = search(engine, SearchRequest(q="budget", sort="oldest"))
    dates = [h.paragraph.date for h in newest.hits]
    assert dates == sorted(dates, reverse=True)
    assert [h.paragraph.date for h in oldest.hits] == sorted(dates)


def test_relevance_ranks_title_matches_first(engine):
    result = search(engine, SearchRequest(q="avfallsplan"))
    assert numbers(result)[0] == "10"


def test_stemmed_and_exact_modes(engine):
    assert search(engine, SearchRequest(q="planen")).total >= 1
    # Exact mode: the word as written, no stemming and no compound parts.
    assert search(engine, SearchRequest(q="budgetuppföljning", mode="exact")).total == 1
    assert search(engine, SearchRequest(q="eldningsförbud", mode="exact")).total == 0
    assert search(engine, SearchRequest(q="eldningsförbud")).total == 1


def test_phrases(engine):
    assert numbers(search(engine, SearchRequest(q='"för att minska"'))) == ["5"]
    assert search(engine, SearchRequest(q='"minska för att"')).total == 0


def test_diarienummer_search_and_case_lookup(engine):
    assert sorted(numbers(search(engine, SearchRequest(q="KS 2022/14")))) == ["1", "3"]
    assert sorted(numbers(search(engine, SearchRequest(q="dnr:ks2022/14")))) == ["1", "3"]
    found = engine.by_case("KS 2022/14")
    assert sorted(p.number for p in found) == ["1", "3"]
    assert engine.by_case("ks  2022/14") and engine.by_case("KS 1999/1") == []


def test_snippets_mark_matches_and_escape_the_rest(engine):
    hit = search(engine, SearchRequest(q="eldningsförbud")).hits[0]
    assert "<mark>Eldningsförbudet</mark>" in hit.snippet
    matcher = engine.word_matcher("budget")
    assert matcher("budgeten") and not matcher("plan")


def test_relaxing_and_partial_matches_are_engine_neutral_policy(engine):
    result = search(engine, SearchRequest(q="budget xyzzyq"))
    assert result.relaxed and result.total >= 1
    assert all(h.match == MATCH_PARTIAL for h in result.hits)
    assert result.notices


def test_spelling_suggestion_from_the_engine_vocabulary(engine):
    assert search(engine, SearchRequest(q="budgte")).suggestion == "budget"


def test_meeting_get_bodies_and_iteration(engine):
    first = corpus()[0]
    assert engine.get(first.id).title == first.title
    assert engine.get("0" * 16) is None
    meeting = engine.meeting(first.meeting_id)
    assert [p.number for p in meeting] == ["1", "2", "10"]  # § order, not text order
    bodies = {(b.org, b.body): b for b in engine.bodies()}
    assert bodies[("Åsjö kommun", "Kommunstyrelsen")].paragraphs == 3
    assert bodies[("Region Mellanland", "Regionstyrelsen")].first_year == 2021
    assert sorted(p.id for p in engine.all()) == sorted(p.id for p in corpus())
    assert engine.id_count(first.id) == 1


def test_export_matches_every_hit_in_order(engine):
    request = SearchRequest(q="budget", sort="oldest", size=1)
    exported = [p.number for p in export_matches(engine, request)]
    page = search(engine, dataclasses.replace(request, size=10))
    assert exported == numbers(page)
    assert list(export_matches(engine, SearchRequest(q="xyzzyq"))) == []


def test_replace_source_updates_keeps_and_removes(engine):
    old = [p for p in corpus() if p.source.url == PDF_URL]
    changed = dataclasses.replace(old[0], text="Kommunstyrelsen föreslår en ny budget.")
    change = engine.replace_source(PDF_URL, [changed, old[1]])
    assert change == IndexChange(added=0, updated=1, unchanged=1, removed=1)
    assert engine.get(old[2].id) is None
    assert "ny budget" in engine.get(old[0].id).text
    assert engine.count() == 5


def test_the_approved_pdf_text_wins_over_the_meeting_page(engine):
    pdf = next(p for p in corpus() if p.number == "2")
    page = dataclasses.replace(pdf, text="Sidans version av texten.", sources=(
        SourceRef("d" * 20, PAGE_URL, "1" * 64, "text/html", None),))
    engine.replace_source(PAGE_URL, [page])
    stored = engine.get(pdf.id)
    assert stored.text == pdf.text  # the PDF's text is kept
    assert {s.url for s in stored.sources} == {PDF_URL, PAGE_URL}
    # The page withdrawn: only the PDF remains as a source.
    engine.replace_source(PAGE_URL, [])
    assert {s.url for s in engine.get(pdf.id).sources} == {PDF_URL}


def test_views_change_version_with_every_commit(engine):
    with engine.view() as before:
        version = before.version
    engine.replace_source("file:///mn.txt", [])
    with engine.view() as after:
        assert after.version != version
    assert search(engine, SearchRequest(q="yttrande")).total == 0  # no stale cached result


def test_apply_and_add_many_write_exact_versions(engine, tmp_path):
    p = corpus()[4]
    generation = engine.apply([dataclasses.replace(p, title="Nytt yttrande")], [corpus()[5].id])
    assert generation >= 1 and engine.get(p.id).title == "Nytt yttrande"
    assert engine.get(corpus()[5].id) is None
    fresh = open_engine(None)
    try:
        fresh.add_many(corpus())
        assert fresh.count() == 6
    finally:
        fresh.close()


def test_snapshot_copies_one_generation(engine, tmp_path):
    dest = tmp_path / "copy"
    try:
        copied = engine.snapshot(dest)
    except ValueError:
        pytest.skip("an in-memory engine has no files to snapshot")
    assert copied > 0
    copy = open_engine(dest)
    try:
        assert copy.count() == engine.count()
        assert search(copy, SearchRequest(q="budget")).total == 3
    finally:
        copy.close()


def test_compacting_keeps_every_paragraph_and_answer(engine):
    for i in range(12):  # many small commits: pieces worth merging
        engine.replace_source(f"file:///extra-{i}.txt", [make_paragraph(
            f"{100 + i}", f"Extra {i}", "Kommunstyrelsen beslutar om budget.",
            date="2024-01-10", url=f"file:///extra-{i}.txt")])
    before = search(engine, SearchRequest(q="budget", size=50))
    engine.compact(fanout=2)
    after = search(engine, SearchRequest(q="budget", size=50))
    assert engine.count() == 18
    assert after.total == before.total == 15
    assert sorted(numbers(after)) == sorted(numbers(before))
