"""/api/search and /api/bodies on the demo data, through a live server."""

import httpx
import pytest

from tests.webdemo import serve_demo


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with serve_demo(tmp_path_factory) as url, httpx.Client(base_url=url, timeout=10) as c:
        yield c


def search(client, **params):
    r = client.get("/api/search", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_repeatable_body_and_year_are_alternatives_within_and_filters_between(client):
    every = search(client)
    ks = search(client, body="kommunstyrelsen")["total"]
    rs = search(client, body="regionstyrelsen")["total"]
    both = search(client, body=["kommunstyrelsen", "regionstyrelsen"])
    assert both["total"] == ks + rs < every["total"]
    assert {f["key"] for f in both["facets"]["body"]} == {"kommunstyrelsen", "regionstyrelsen"}
    years = search(client, body=["kommunstyrelsen", "regionstyrelsen"], year=["2022", "2023"])
    assert {f["value"] for f in years["facets"]["year"]} <= {"2022", "2023"}
    assert sum(f["count"] for f in years["facets"]["year"]) == years["total"] < both["total"]


def test_facets_count_the_whole_result_set_not_the_page(client):
    page = search(client, size=3)
    assert len(page["hits"]) == 3 and page["total"] > 3
    for name in ("org", "body", "year"):
        assert sum(f["count"] for f in page["facets"][name]) == page["total"]


def test_body_filter_takes_the_name_or_the_slug(client):
    assert search(client, body="Kommunfullmäktige")["total"] == search(
        client, body="kommunfullmaktige")["total"] > 0


def test_date_range_and_date_sorts(client):
    ranged = search(client, **{"from": "2022-01-01", "to": "2022-12-31"}, size=100)
    assert ranged["total"] == search(client, year="2022")["total"]
    assert all(h["date"].startswith("2022") for h in ranged["hits"])
    newest = [h["date"] for h in search(client, sort="newest", size=100)["hits"]]
    oldest = [h["date"] for h in search(client, sort="oldest", size=100)["hits"]]
    assert newest == sorted(newest, reverse=True) and oldest == sorted(oldest)
    assert newest[0] > oldest[0]


def test_exact_mode_does_not_match_inflections(client):
    stemmed = search(client, q="budgeten")
    exact = search(client, q="budgeten", mode="exact")
    assert stemmed["total"] > exact["total"]


def test_size_is_capped_at_100_and_paging_covers_every_hit(client):
    assert client.get("/api/search", params={"size": 101}).status_code == 400
    total = search(client)["total"]
    seen = [h["id"] for page in (1, 2, 3, 4, 5) for h in search(
        client, size=20, page=page, sort="oldest")["hits"]]
    assert len(seen) == len(set(seen)) == total


@pytest.mark.parametrize("params", [
    {"from": "2023-01-01", "to": "2022-01-01"}, {"to": "igår"}, {"year": "99"},
    {"sort": ["newest", "oldest"]}, {"page": "1001"}, {"size": "-1"},
])
def test_bad_parameters_answer_400_naming_the_parameter(client, params):
    r = client.get("/api/search", params=params)
    assert r.status_code == 400
    body = r.json()
    assert body["ok"] is False and body["status"] == 400 and body["param"] in params


def test_bodies_lists_organisations_with_counts_and_year_spans(client):
    r = client.get("/api/bodies")
    assert r.status_code == 200
    orgs = {o["org"]: o for o in r.json()["organisations"]}
    assert set(orgs) == {"Åsjö kommun", "Region Mellanland"}
    total = search(client)["total"]
    assert sum(o["paragraphs"] for o in orgs.values()) == total
    ks = next(b for b in orgs["Åsjö kommun"]["bodies"] if b["body"] == "Kommunstyrelsen")
    assert ks["key"] == "kommunstyrelsen"
    assert ks["paragraphs"] == search(client, body="kommunstyrelsen")["total"]
    years = {f["value"] for f in search(client, body="kommunstyrelsen")["facets"]["year"]}
    assert (str(ks["first_year"]), str(ks["last_year"])) == (min(years), max(years))
    assert search(client, **dict(p.split("=") for p in ks["search_url"].split("?")[1].split(
        "&")))["total"] == ks["paragraphs"]


def test_partial_matches_continue_a_short_page_and_are_marked(client):
    # Two demo paragraphs have both words; others have one of them.
    body = search(client, q="kollektivtrafik budget")
    full = [h for h in body["hits"] if h["match"] == "all"]
    partial = [h for h in body["hits"] if h["match"] == "partial"]
    assert body["total"] == len(full) >= 1 and not body["relaxed"]
    assert body["partial_total"] >= len(partial) >= 1
    assert body["hits"][: len(full)] == full  # full matches first
    assert all(h["matched_terms"] == ["kollektivtrafik", "budget"] for h in full)
    assert all(len(h["matched_terms"]) == 1 for h in partial)
    assert sum(f["count"] for f in body["facets"]["year"]) == body["total"]
    assert {h["decision_kind"] for h in body["hits"]} <= {
        "beslut", "bordlagt", "återremiss", "information", "okänt"}
    single = search(client, q="kollektivtrafik")
    assert single["partial_total"] == 0
    assert {h["match"] for h in single["hits"]} == {"all"}
