"""Staff work on a real server over protocols ingested with the CLI (out of date order): a case
followed through nämnd, styrelse and fullmäktige, citations, reading a long paragraph with the
query marked, meeting navigation, document status, and the error and edge pages."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlsplit

import httpx
import pytest
from lxml import html

from paragraf_se.cli import main
from paragraf_se.settings import DataDir
from paragraf_se.web import create_app
from tests.serving import live_server

DNR = "BN 2023/412"
LONG_WORDS = " ".join(["Förvaltningen har gått igenom underlaget och remissvaren."] * 12)


def protocol(org: str, body: str, date: str, paragraphs: list[str]) -> str:
    head = (f"PROTOKOLL 1(2)\n\n{org}\n{body}\nSammanträdesdatum {date}\n\n"
            "Plats och tid Stadshuset, kl. 09:00-11:00\n\nUtses att justera Per Lund (M)\n\n")
    return head + "\n".join(paragraphs)


def paragraph(number: str, title: str, dnr: str, summary: str, body: str, decision: str) -> str:
    return (f"§ {number} {title}\nDnr {dnr}\n\nSammanfattning\n{summary}\n\n"
            f"{body}s beslut\n{decision}\n\n")


SUMMARY = ("Byggnadsnämnden har tagit fram en ny taxa för bygglov och anmälan. Förslaget har\n"
           "remitterats till kommun-\nstyrelsens utskott och till barn- och utbildnings-\n"
           "nämnden som har lämnat synpunkter. Ärendet gäller också SLK-\n2024-00078 och EU-\n"
           "stöd till bygglovsavdelningen.")
FILES = {
    # Ingested first: the last step of the case.
    "kf-2023-06-12.txt": protocol("Åsjö kommun", "Kommunfullmäktige", "2023-06-12", [
        paragraph("88", "Ny taxa för bygglov", DNR, "Kommunstyrelsen har föreslagit en ny taxa.",
                  "Kommunfullmäktige", "Kommunfullmäktige fastställer taxan för bygglov."),
    ]),
    "ks-2023-05-02.txt": protocol("Åsjö kommun", "Kommunstyrelsen", "2023-05-02", [
        paragraph("41", "Ny taxa för bygglov", DNR, "Byggnadsnämnden har föreslagit en ny taxa.",
                  "Kommunstyrelsen", "Kommunstyrelsen föreslår kommunfullmäktige att fastställa "
                  "taxan."),
        paragraph("42", "Budget 2024", "KS 2023/9", "Budgeten för 2024 ska beslutas.",
                  "Kommunstyrelsen", "Ärendet bordläggs."),
    ]),
    "bn-2023-03-14.txt": protocol("Åsjö kommun", "Byggnadsnämnden", "2023-03-14", [
        paragraph("12", "Ny taxa för bygglov", DNR, SUMMARY, "Byggnadsnämnden",
                  "Byggnadsnämnden föreslår kommunstyrelsen att föreslå kommunfullmäktige att "
                  "fastställa taxan."),
        "§ 13 Lång utredning om bygglov\nDnr BN 2023/500\n\n" + "".join(
            f"{h}\n{LONG_WORDS}\n\n" for h in ("Bakgrund", "Ärendet", "Beslutsunderlag",
                                               "Yrkanden")) + "Information\n" + LONG_WORDS
        + " Strandskydd prövas särskilt.\n\nByggnadsnämndens beslut\nUtredningen läggs till "
        "handlingarna.\n\n",
    ]),
    "bn-2023-02-07.txt": protocol("Åsjö kommun", "Byggnadsnämnden", "2023-02-07", [
        paragraph("3", "Information om bygglov", "BN 2023/10", "Information lämnas.",
                  "Byggnadsnämnden", "Informationen noteras."),
    ]),
    # Another authority with a Kommunstyrelsen of its own.
    "ks-berga-2023-05-02.txt": protocol("Berga kommun", "Kommunstyrelsen", "2023-05-02", [
        paragraph("41", "Ny taxa för bygglov", "KS 2023/77", "En annan kommuns taxa.",
                  "Kommunstyrelsen", "Kommunstyrelsen fastställer taxan."),
    ]),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("protokoll")
    data = tmp_path_factory.mktemp("data")
    for name, text in FILES.items():  # one at a time, in this (not date) order
        path = folder / name
        path.write_text(text, encoding="utf-8")
        assert main(["--data-dir", str(data), "ingest", str(path)]) == 0
    broken = folder / "trasig.pdf"
    broken.write_bytes(b"%PDF-1.7\n not a pdf at all")
    assert main(["--data-dir", str(data), "ingest", str(broken)]) == 1
    with live_server(create_app(DataDir(data))) as url:
        yield url, str(folder)


@pytest.fixture(scope="module")
def client(site):
    with httpx.Client(base_url=site[0], timeout=10) as c:
        yield c


def get(client, path, code=200, **params):
    r = client.get(path, params=params or None)
    assert r.status_code == code, (path, params, r.status_code, r.text[:300])
    return html.fromstring(r.text)


def test_case_page_shows_three_bodies_in_date_order_with_decisions(client):
    doc = get(client, "/arende/" + quote(DNR, safe=""))
    assert doc.xpath("string(//h1)") == f"Ärende {DNR}"
    steps = doc.xpath("//ol[@class='case-steps']/li")
    heads = [" ".join(li.xpath("string(.//h3)").split()) for li in steps]
    assert heads == ["2023-03-14 Byggnadsnämnden § 12: Ny taxa för bygglov",
                     "2023-05-02 Kommunstyrelsen § 41: Ny taxa för bygglov",
                     "2023-06-12 Kommunfullmäktige § 88: Ny taxa för bygglov"]
    decisions = [li.xpath("string(.//div[@class='decision-text'])") for li in steps]
    assert "Byggnadsnämnden föreslår kommunstyrelsen" in decisions[0]
    assert "Kommunstyrelsen föreslår kommunfullmäktige" in decisions[1]
    assert "Kommunfullmäktige fastställer taxan" in decisions[2]
    path = [li.text_content().strip() for li in doc.xpath("//ol[@class='case-path']/li")]
    assert path == ["Byggnadsnämnden", "Kommunstyrelsen", "Kommunfullmäktige"]


def test_case_json_twin_and_encodings_that_round_trip(client):
    for spelled in (DNR, "bn2023/412", "BN  2023/412"):
        r = client.get("/api/arenden/" + quote(spelled, safe=""))
        assert r.status_code == 200, spelled
        body = r.json()
        assert body["diarienummer"] == DNR and body["total"] == 3
        assert [p["date"] for p in body["paragraphs"]] == ["2023-03-14", "2023-05-02",
                                                           "2023-06-12"]
        assert body["paragraphs"][2]["decision"].startswith("Kommunfullmäktige fastställer")
        assert body["url"] == "/arende/BN%202023%2F412"
    missing = client.get("/api/arenden/" + quote("RS/559/2019", safe=""))
    assert missing.status_code == 404 and missing.json()["ok"] is False
    assert client.get("/arende/" + quote("RS/559/2019", safe="")).status_code == 404


def test_every_paragraph_result_and_mention_links_the_case(client):
    case_url = "/arende/BN%202023%2F412"
    hit = client.get("/api/search", params={"q": "taxa bygglov", "org": "asjo-kommun"}).json()
    assert all(h["cases"][0]["url"] == case_url for h in hit["hits"] if h["id"] and
               h["title"] == "Ny taxa för bygglov")
    results = get(client, "/", q="taxa bygglov", org="asjo-kommun")
    assert case_url in results.xpath("//ol[contains(@class,'hits')]//p[@class='meta']/a/@href")
    par = get(client, "/p/asjo-kommun/kommunstyrelsen/2023-05-02/41")
    assert case_url in par.xpath("//p[@class='meta']/a/@href")
    assert case_url in par.xpath("//p[@class='case-links']/a/@href")
    trail = [" ".join(a.text_content().split()[:2])
             for a in par.xpath("//section[@class='trail']//li/a")]
    assert trail == ["2023-03-14 Byggnadsnämnden", "2023-06-12 Kommunfullmäktige"]
    meeting = get(client, "/m/asjo-kommun/kommunfullmaktige/2023-06-12")
    assert case_url in meeting.xpath("//ol[@class='agenda']//a/@href")


def test_search_grouped_by_case(client):
    doc = get(client, "/", q="taxa", group="arende")
    groups = doc.xpath("//li[@class='case-group']")
    assert len(groups) == 1
    assert groups[0].xpath("string(.//h3[@class='case-heading']/a)") == DNR
    assert len(groups[0].xpath(".//ol[@class='hits']/li")) == 3
    assert doc.xpath("//input[@id='group' and @checked]")
    api = client.get("/api/search", params={"q": "taxa", "group": "arende"}).json()
    grouped = [g for g in api["groups"] if g["diarienummer"] == DNR]
    assert len(grouped[0]["hits"]) == 3 and grouped[0]["case_url"] == "/arende/BN%202023%2F412"
    assert sum(len(g["hits"]) for g in api["groups"]) == len(api["hits"])
    bad = client.get("/api/search", params={"q": "taxa", "group": "organ"})
    assert bad.status_code == 400 and bad.json()["param"] == "group"


def test_citation_names_the_organisation_in_short_and_full_form(client):
    doc = get(client, "/p/asjo-kommun/kommunstyrelsen/2023-05-02/41")
    short = doc.xpath("string(//input[@id='citation-short']/@value)")
    full = doc.xpath("string(//textarea[@id='citation-text'])")
    assert short == "Åsjö kommun, Kommunstyrelsen, 2023-05-02, § 41"
    assert re.fullmatch(r"Åsjö kommun, Kommunstyrelsen, 2023-05-02, § 41, ”Ny taxa för bygglov”\. "
                        r"http://127\.0\.0\.1:\d+/p/asjo-kommun/kommunstyrelsen/2023-05-02/41 "
                        r"\(arkiverad \d{4}-\d\d-\d\d\)", full), full
    assert doc.xpath("//textarea[@id='citation-text' and @readonly]")
    other = get(client, "/p/berga-kommun/kommunstyrelsen/2023-05-02/41")
    assert other.xpath("string(//input[@id='citation-short']/@value)").startswith("Berga kommun,")
    api = client.get("/api/search", params={"q": "taxa", "org": "asjo-kommun", "body":
                                            "kommunstyrelsen"}).json()["hits"][0]
    detail = client.get(f"/api/paragraphs/{api['id']}").json()
    assert detail["citation"]["short"] == short and detail["citation"]["full"] == full
    assert detail["citation_full"] == full and detail["citation"]["archived"] == full[-11:-1]


def test_result_links_carry_the_query_and_the_page_marks_it(client):
    results = get(client, "/", q="strandskydd")
    href = results.xpath("//ol[@class='hits']//h3/a/@href")[0]
    assert urlsplit(href).path == "/p/asjo-kommun/byggnadsnamnden/2023-03-14/13"
    assert dict(parse_qsl(urlsplit(href).query)) == {"q": "strandskydd"}
    doc = get(client, href)
    marks = doc.xpath("//mark")
    assert [m.text for m in marks] == ["Strandskydd"] and marks[0].get("id") == "traff-1"
    assert doc.xpath("//p[@class='matches']/a[.='Gå till första träffen']/@href") == ["#traff-1"]
    hostile = client.get(urlsplit(href).path, params={"q": "<script>alert(1)</script> prövas"})
    assert "<script>alert" not in hostile.text and "<mark" in hostile.text


def test_text_is_reflowed_and_a_long_paragraph_has_a_table_of_sections(client):
    doc = get(client, "/p/asjo-kommun/byggnadsnamnden/2023-03-14/12")
    text = " ".join(doc.xpath("//section[@aria-labelledby='fulltext']//p/text()"))
    assert "Förslaget har remitterats till kommunstyrelsens utskott" in text
    assert "barn- och utbildningsnämnden" in text
    assert "SLK-2024-00078" in text and "EU-stöd" in text and "kommun-" not in text
    api = client.get("/api/arenden/" + quote(DNR, safe="")).json()["paragraphs"][0]
    detail = client.get(f"/api/paragraphs/{api['id']}").json()
    assert "Förslaget har\n" in detail["text"], "the stored text keeps its line breaks"
    assert "Förslaget har remitterats till kommunstyrelsens utskott" in detail["text_display"]
    long = get(client, "/p/asjo-kommun/byggnadsnamnden/2023-03-14/13")
    toc = long.xpath("//nav[@class='toc']//a")
    assert [a.text for a in toc][:3] == ["Beslut", "Bakgrund", "Ärendet"] and len(toc) >= 5
    for a in toc:
        assert long.xpath(f"//*[@id='{a.get('href')[1:]}']"), a.get("href")


def test_meeting_page_links_originals_neighbours_and_facts(client):
    doc = get(client, "/m/asjo-kommun/byggnadsnamnden/2023-03-14")
    prev = doc.xpath("//nav[contains(@class,'meetings')]/a[@rel='prev']/@href")
    assert prev == ["/m/asjo-kommun/byggnadsnamnden/2023-02-07"]
    assert not doc.xpath("//nav[contains(@class,'meetings')]/a[@rel='next']")
    back = get(client, prev[0])
    assert back.xpath("//nav[contains(@class,'meetings')]/a[@rel='next']/@href") == [
        "/m/asjo-kommun/byggnadsnamnden/2023-03-14"]
    originals = doc.xpath("//section[@class='sources']//li")
    assert originals and originals[0].xpath("string(a/@href)").startswith("/archive/")
    assert "Hämtad från bn-2023-03-14.txt" in originals[0].text_content()
    assert client.get(originals[0].xpath("string(a/@href)")).status_code == 200
    facts = doc.xpath("string(//section[@aria-labelledby='motet'])")
    assert "Byggnadsnämnden" in facts and "Åsjö kommun" in facts and "2023-03-14" in facts


def test_sources_show_the_file_name_never_a_server_path(client, site):
    for path in ("/p/asjo-kommun/byggnadsnamnden/2023-03-14/12",
                 "/m/asjo-kommun/byggnadsnamnden/2023-03-14", "/dokument"):
        page = client.get(path).text
        assert "file://" not in page and site[1] not in page, path


def test_documents_page_lists_status_reasons_and_how_to_rerun(client):
    doc = get(client, "/dokument")
    names = [h.text for h in doc.xpath("//ul[@class='documents']/li/h2")]
    assert "trasig.pdf" in names and "bn-2023-03-14.txt" in names
    failed = get(client, "/dokument", status="failed")
    items = failed.xpath("//ul[@class='documents']/li")
    assert [li.xpath("string(h2)") for li in items] == ["trasig.pdf"]
    assert items[0].xpath(".//ul[@class='reasons']/li")
    assert "paragraf ingest trasig.pdf" in items[0].xpath("string(.//p[@class='rerun']/code)")
    assert items[0].xpath(".//a/@href")[0].startswith("/archive/")
    assert "Misslyckades (1)" in failed.xpath("string(//nav[@class='status-filter'])")
    bad = client.get("/dokument", params={"status": "trasig"})
    assert bad.status_code == 400 and "Statusen kan vara" in bad.text
    assert client.get("/dokument", params={"page": "9"}).status_code == 404


def test_swedish_400_keeps_the_input(client):
    r = client.get("/", params={"q": "beslut", "from": "2023-12-31", "to": "2023-01-01"})
    assert r.status_code == 400
    doc = html.fromstring(r.text)
    assert "Från-datumet kan inte vara efter till-datumet" in doc.xpath("string(//p[@id='fel'])")
    assert doc.xpath("string(//input[@id='q']/@value)") == "beslut"
    assert doc.xpath("string(//input[@id='from']/@value)") == "2023-12-31"
    assert doc.xpath("string(//input[@id='to']/@value)") == "2023-01-01"
    assert "must" not in r.text


def test_page_past_the_end_is_404_with_the_last_page(client):
    r = client.get("/", params={"q": "taxa", "page": "999"})
    assert r.status_code == 404
    last = html.fromstring(r.text).xpath("//a[starts-with(., 'Gå till sista sidan')]/@href")
    assert last == ["/?q=taxa"]


def test_empty_form_fields_are_dropped_from_the_url(client):
    r = client.get("/?q=taxa&from=&to=&mode=", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/?q=taxa"
    doc = get(client, "/", q="taxa")
    for href in doc.xpath("//a/@href"):
        assert not re.search(r"[?&](from|to|mode|org|body)=(&|$)", href), href


def test_favicon_and_narrow_screen_facets(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.content[:4] == b"\x00\x00\x01\x00"
    doc = get(client, "/", q="taxa")
    details = doc.xpath("//details[@class='facets-narrow']")
    assert details and details[0].xpath(".//summary") and details[0].xpath(".//a")


def test_empty_archive_says_what_to_do(tmp_path):
    with live_server(create_app(DataDir(tmp_path))) as url:
        r = httpx.get(url + "/")
    assert r.status_code == 200 and "Arkivet är tomt" in r.text
    assert "paragraf ingest" in r.text and "paragraf crawl" in r.text
