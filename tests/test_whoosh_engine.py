import threading
from dataclasses import replace

import pytest

from paragraf_se.indexer.engine import InvalidRequest, SearchRequest
from paragraf_se.indexer.search import search
from paragraf_se.indexer.whoosh.index import WhooshIndex
from tests.paragraph_factory import make_paragraph

CORPUS = [
    make_paragraph("12", "Avfallsplan 2022–2030", "Kommunen antar en ny avfallsplan för att "
                   "minska mängden avfall.", decision="Avfallsplanen antas.",
                   diarienummer=("KS 2021/114",)),
    make_paragraph("13", "Eldningsförbud i tätorten", "Eldning av trädgårdsavfall förbjuds.",
                   url="file:///ks2.txt", date="2023-05-10"),
    make_paragraph("4", "Laddinfrastruktur", "Laddning av elbilar vid kommunens parkeringar.",
                   body="Barn- och utbildningsnämnden", date="2021-09-01", url="file:///bun.txt"),
    make_paragraph("42", "Basfinansiering av turism", "Regionen deltar i basfinansiering av "
                   "turismbolaget för år 2018.", org="Region Mellanland",
                   body="Regionens samverkansråd", date="2017-08-21", url="file:///rsr.txt",
                   diarienummer=("RS/559/2019",)),
]


@pytest.fixture()
def index(tmp_path):
    ix = WhooshIndex(tmp_path / "index")
    by_url: dict[str, list] = {}
    for p in CORPUS:
        by_url.setdefault(p.source.url, []).append(p)
    for url, ps in by_url.items():
        ix.replace_source(url, ps)
    yield ix
    ix.close()


def numbers(result):
    return [h.paragraph.number for h in result.hits]


def test_stemmed_search_and_facets_add_up(index):
    r = search(index, SearchRequest(q="avfallsplanen"))
    assert numbers(r) == ["12"]
    r = search(index, SearchRequest(q=""))
    assert r.total == 4
    for name in ("org", "body", "year"):
        assert sum(f.count for f in r.facets[name]) == r.total
    assert [f.value for f in r.facets["year"]] == ["2023", "2022", "2021", "2017"]


def test_filters_by_slug_or_name_year_and_dates(index):
    assert search(index, SearchRequest(orgs=("region-mellanland",))).total == 1
    assert search(index, SearchRequest(orgs=("Region Mellanland",))).total == 1
    assert search(index, SearchRequest(bodies=("Kommunstyrelsen",), years=(2023,))).total == 1
    import datetime as dt
    r = search(index, SearchRequest(date_from=dt.date(2021, 1, 1), date_to=dt.date(2022, 12, 31)))
    assert sorted(numbers(r)) == ["12", "4"]


def test_phrase_exact_mode_and_prefix(index):
    assert numbers(search(index, SearchRequest(q='"för att minska"'))) == ["12"]
    assert search(index, SearchRequest(q='"att för"')).total == 0
    # Exact mode does not stem: "avfallsplanen" is not "avfallsplan".
    assert search(index, SearchRequest(q="avfallsplanen", mode="exact")).total == 1
    assert search(index, SearchRequest(q="avfallsplanerna", mode="exact")).total == 0
    r = search(index, SearchRequest(q="laddinfra*"))
    assert numbers(r) == ["4"]


def test_boolean_operators(index):
    assert sorted(numbers(search(index, SearchRequest(q="eldning OR laddning")))) == ["13", "4"]
    assert numbers(search(index, SearchRequest(q="avfall -eldning"))) == ["12"]


def test_identifier_search_as_typed_and_as_filter(index):
    assert numbers(search(index, SearchRequest(q="RS/559/2019"))) == ["42"]
    assert numbers(search(index, SearchRequest(q="dnr:KS 2021/114"))) == ["12"]
    assert numbers(search(index, SearchRequest(q="KS 2021/114"))) == ["12"]
    assert numbers(search(index, SearchRequest(q='dnr:"KS 2021/114"'))) == ["12"]


def test_sorting_and_paging(index):
    newest = numbers(search(index, SearchRequest(sort="newest")))
    assert newest == ["13", "12", "4", "42"]
    oldest = numbers(search(index, SearchRequest(sort="oldest")))
    assert oldest == list(reversed(newest))
    page2 = search(index, SearchRequest(sort="newest", page=2, size=3))
    assert numbers(page2) == ["42"] and page2.total == 4 and page2.pages == 2


def test_title_match_ranks_first(index):
    r = search(index, SearchRequest(q="avfall"))
    assert numbers(r)[0] == "12"


def test_invalid_requests_are_rejected():
    for kwargs in ({"size": 0}, {"size": 101}, {"page": 0}, {"sort": "x"}, {"mode": "y"}):
        with pytest.raises(InvalidRequest):
            SearchRequest(**kwargs)


def test_pdf_text_wins_and_both_sources_are_kept(index):
    page_version = make_paragraph("12", "Avfallsplan", "Webbsidans text.",
                                  url="http://x/mote-2022-03-02", content_type="text/html")
    pdf_version = make_paragraph("12", "Avfallsplan 2022–2030", "Protokollets text.",
                                 url="http://x/protokoll.pdf", content_type="application/pdf")
    index.replace_source("http://x/protokoll.pdf", [pdf_version])
    index.replace_source("http://x/mote-2022-03-02", [page_version])
    p = index.get(pdf_version.id)
    assert p.text == "Protokollets text."
    assert {s.url for s in p.sources} >= {"http://x/protokoll.pdf", "http://x/mote-2022-03-02"}
    assert p.source.url == "http://x/protokoll.pdf"


def test_reindexing_a_source_is_idempotent_and_drops_vanished(index):
    ks = [p for p in CORPUS if p.source.url == "file:///protokoll.txt"]
    change = index.replace_source("file:///protokoll.txt", ks)
    assert (change.added, change.updated, change.unchanged) == (0, 0, 1)
    change = index.replace_source("file:///protokoll.txt", [])
    assert change.removed == 1 and index.get(ks[0].id) is None
    assert index.count() == 3


def test_ids_survive_reopening(tmp_path):
    ix = WhooshIndex(tmp_path / "ix")
    ix.replace_source("file:///a", [CORPUS[0]])
    ix.close()
    again = WhooshIndex(tmp_path / "ix")
    assert again.get(CORPUS[0].id) == CORPUS[0]
    assert again.meeting(CORPUS[0].meeting_id) == [CORPUS[0]]
    again.close()


def test_searches_in_threads_while_writing(index):
    errors: list[BaseException] = []

    def reader():
        try:
            for _ in range(30):
                r = search(index, SearchRequest(q="avfall"))
                assert r.total >= 1
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    for i in range(5):
        index.replace_source("file:///extra", [replace(CORPUS[0], id=f"{i:016x}", number=str(i))])
    for t in threads:
        t.join()
    assert errors == []


def test_compound_parts_are_found_and_marked(index):
    r = search(index, SearchRequest(q="eldning förbud"))
    assert numbers(r) == ["13"]
    r = search(index, SearchRequest(q="avfall"))
    assert "12" in numbers(r) and "13" in numbers(r)  # avfallsplan, trädgårdsavfall
    hit = next(h for h in r.hits if h.paragraph.number == "13")
    assert "<mark>trädgårdsavfall</mark>" in hit.snippet
    # A compound query finds its parts written apart: "laddning av elbilar".
    assert numbers(search(index, SearchRequest(q="elbilsladdning"))) == ["4"]


def test_exact_mode_does_not_decompound(index):
    assert search(index, SearchRequest(q="avfall", mode="exact")).total == 1


def test_snowball_only_baseline_misses_compounds(tmp_path):
    ix = WhooshIndex(None, compounds=False)
    ix.replace_source("file:///ks2.txt", [CORPUS[1]])
    r = search(ix, SearchRequest(q="eldning förbud"))
    assert r.relaxed, "only the OR fallback finds it"
    ix.close()


def test_and_without_results_falls_back_to_or_with_a_notice(index):
    r = search(index, SearchRequest(q="eldning turismbolaget"))
    assert sorted(numbers(r)) == ["13", "42"]
    assert r.relaxed and any("något av dem" in n for n in r.notices)


def test_spelling_suggestion_from_the_vocabulary(index):
    r = search(index, SearchRequest(q="avfalsplan"))
    assert r.suggestion == "avfallsplan"
    r = search(index, SearchRequest(q='organ:"Åsjö kommun" eldnig'))
    assert r.suggestion == 'organ:"Åsjö kommun" eldning'
    assert search(index, SearchRequest(q="avfallsplan")).suggestion is None


def test_an_empty_index_answers(tmp_path):
    ix = WhooshIndex(tmp_path / "empty")
    r = search(ix, SearchRequest(q="avfall"))
    assert r.total == 0 and r.facets["org"] == ()
    assert search(ix, SearchRequest()).total == 0
    ix.close()


def test_phrases_of_common_words_use_grams(index):
    assert index.grams
    assert numbers(search(index, SearchRequest(q='"för att minska"'))) == ["12"]
    assert numbers(search(index, SearchRequest(q='"för att"'))) == ["12"]
    # A pair without a common word is still checked by position.
    assert numbers(search(index, SearchRequest(q='"minska mängden avfall"'))) == ["12"]
    assert search(index, SearchRequest(q='"att för"')).total == 0
