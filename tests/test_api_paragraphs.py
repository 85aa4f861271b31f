"""/api/paragraphs/{id}, /api/meetings/... and /api/export on the demo data."""

import csv
import hashlib
import io
import json

import httpx
import pytest

from tests.webdemo import serve_demo


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with serve_demo(tmp_path_factory) as url, httpx.Client(base_url=url, timeout=10) as c:
        yield c


def first_hit(client, **params):
    hits = client.get("/api/search", params=params).json()["hits"]
    assert hits, params
    return hits[0]


def test_paragraph_has_trail_across_bodies_neighbours_and_citation(client):
    hit = first_hit(client, q='dnr:"KS 2021/233"', body="kommunstyrelsen", sort="newest")
    p = client.get(f"/api/paragraphs/{hit['id']}").json()
    assert "KS 2021/233" in p["diarienummer"]
    trail_bodies = {t["body"] for t in p["trail"]}
    assert "Kommunfullmäktige" in trail_bodies, "the case's trail crosses bodies"
    assert all("KS 2021/233" in t["diarienummer"] for t in p["trail"])
    assert p["id"] not in {t["id"] for t in p["trail"]}
    dates = [t["date"] for t in p["trail"]]
    assert dates == sorted(dates)
    meeting = client.get(f"/api/meetings/{p['meeting_id']}").json()
    numbers = [q["number"] for q in meeting["paragraphs"]]
    i = numbers.index(p["number"])
    assert (p["previous"] or {}).get("number") == (numbers[i - 1] if i else None)
    assert (p["next"] or {}).get("number") == (numbers[i + 1] if i + 1 < len(numbers) else None)
    short = f"{p['org']}, {p['body']}, {p['date']}, § {p['number']}"
    assert p["citation"]["short"] == short
    assert p["citation_full"] == p["citation"]["full"] == (
        f"{short}, ”{p['title']}”. {p['permalink_url']} (arkiverad {p['citation']['archived']})")
    assert p["permalink_url"].endswith(p["permalink"])


def test_sources_link_the_archived_pdf_at_its_page_with_a_checksum(client):
    hit = first_hit(client, q="basfinansiering turism")
    p = client.get(f"/api/paragraphs/{hit['id']}").json()
    pdf = next(s for s in p["sources"] if s["content_type"] == "application/pdf")
    assert pdf["page"] >= 1 and pdf["archive_url"].endswith(f"#page={pdf['page']}")
    original = client.get(pdf["archive_url"].split("#")[0])
    assert original.status_code == 200
    assert hashlib.sha256(original.content).hexdigest() == pdf["sha256"]
    page = next(s for s in p["sources"] if s["content_type"].startswith("text/html"))
    assert "#" not in page["archive_url"]


def test_meeting_has_attendees_and_every_paragraph(client):
    hit = first_hit(client, body="kommunstyrelsen", sort="oldest")
    p = client.get(f"/api/paragraphs/{hit['id']}").json()
    m = client.get(f"/api/meetings/{p['meeting_id']}")
    assert m.status_code == 200
    body = m.json()
    assert body["attendees"] and {"name", "party", "role"} <= set(body["attendees"][0])
    assert body["justerare"] and body["place"]
    assert p["id"] in [q["id"] for q in body["paragraphs"]]
    for path in ("/api/meetings/asjo-kommun/kommunstyrelsen/2099-01-01",
                 "/api/meetings/asjo-kommun/kommunstyrelsen/not-a-date",
                 "/api/meetings/ÅÄÖ/x/2022-01-01"):
        r = client.get(path)
        assert r.status_code == 404 and r.json()["ok"] is False


def test_export_csv_is_the_whole_result_set(client):
    total = client.get("/api/search", params={"size": 1}).json()["total"]
    r = client.get("/api/export", params={"format": "csv", "sort": "oldest", "page": 3})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == total > 10, "page and size do not limit an export"
    assert [row["date"] for row in rows] == sorted(row["date"] for row in rows)
    assert rows[0]["permalink"].startswith("http://127.0.0.1:")
    assert all(not row["title"].startswith(("=", "+", "@")) for row in rows)


def test_export_jsonl_follows_the_search_filters(client):
    want = client.get("/api/search", params={"q": "budget", "size": 100}).json()
    r = client.get("/api/export", params={"q": "budget", "format": "jsonl"})
    lines = [json.loads(line) for line in r.text.splitlines()]
    assert len(lines) == want["total"] > 0
    assert [x["id"] for x in lines] == [h["id"] for h in want["hits"]], "same order as search"
    assert all(x["permalink_url"].endswith(x["permalink"]) for x in lines)


@pytest.mark.parametrize("params", [{"format": "xlsx"}, {"format": ["csv", "jsonl"]},
                                    {"year": "nej"}])
def test_export_rejects_bad_parameters_in_the_error_shape(client, params):
    r = client.get("/api/export", params=params)
    assert r.status_code == 400 and r.json()["ok"] is False


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_other_methods_answer_405_json_with_allow(client, method):
    r = client.request(method, "/api/search")
    assert r.status_code == 405
    assert r.json()["status"] == 405 and "GET" in r.headers["allow"]
