"""Server-rendered pages without JavaScript: filters as links, filter bar, feeds, the
paragraph and meeting pages, the 'inga träffar' help, and no external assets."""

import re
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from lxml import html

from tests.webdemo import serve_demo


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with serve_demo(tmp_path_factory) as url, httpx.Client(base_url=url, timeout=10) as c:
        yield c


def page(client, path="/", **params):
    r = client.get(path, params=params)
    assert r.status_code == 200, (path, params, r.status_code)
    return html.fromstring(r.text)


def test_every_filter_is_a_link_and_active_filters_are_removable(client):
    doc = page(client, q="budget")
    body_link = doc.xpath("//nav[@class='facets']//a[contains(., 'Kommunfullmäktige')]")[0]
    href = body_link.get("href")
    assert ("body", "kommunfullmaktige") in parse_qsl(urlsplit(href).query)
    filtered = page(client, **dict(parse_qsl(urlsplit(href).query)))
    bar = filtered.xpath("//section[@class='filterbar']//a")
    labels = [a.text_content() for a in bar]
    assert any("Organ:" in t and "Kommunfullmäktige" in t for t in labels), labels
    assert any("Sökord:" in t and "budget" in t for t in labels), labels
    remove = next(a.get("href") for a in bar if "Organ:" in a.text_content())
    assert dict(parse_qsl(urlsplit(remove).query)) == {"q": "budget"}
    count = filtered.xpath("string(//h2[@id='antal'])")
    assert re.search(r"\d+ paragraf", count)


def test_results_page_offers_its_atom_feed_and_exports(client):
    doc = page(client, q="budget", body="kommunfullmaktige", page="1")
    alt = doc.xpath("//link[@rel='alternate' and @type='application/atom+xml']/@href")
    assert alt == ["/feed.atom?q=budget&body=kommunfullmaktige"]
    visible = doc.xpath("//a[@class='feed']/@href")
    assert visible == alt
    assert client.get(alt[0]).status_code == 200
    exports = doc.xpath("//p[@class='follow']/a[contains(@href, '/api/export')]/@href")
    assert {dict(parse_qsl(urlsplit(u).query))["format"] for u in exports} == {"csv", "jsonl"}


def test_date_sorted_view_and_paging_are_links(client):
    doc = page(client, body="kommunstyrelsen")
    newest = doc.xpath("//p[@class='sort']/a[.='Nyast först']/@href")[0]
    dates = page(client, **dict(parse_qsl(urlsplit(newest).query))).xpath(
        "//ol[@class='hits']//time/@datetime")
    assert dates == sorted(dates, reverse=True) and len(dates) == 10
    nxt = doc.xpath("//nav[@class='pager']/a[@rel='next']/@href")[0]
    assert ("page", "2") in parse_qsl(urlsplit(nxt).query)


def test_no_hits_page_helps(client):
    doc = page(client, q="budgetx", org="asjo-kommun", mode="exact")
    text = doc.text_content()
    assert "Inga träffar" in text
    hrefs = {a.text_content().strip(): a.get("href") for a in doc.xpath("//div[@class='empty']//a")}
    assert any(k.startswith("Sök utan filtret organisation") for k in hrefs), hrefs
    assert "Sök även böjningsformer och sammansättningar" in hrefs
    drop_mode = hrefs["Sök även böjningsformer och sammansättningar"]
    assert "mode" not in dict(parse_qsl(urlsplit(drop_mode).query))
    stemmed = page(client, q="zzqqxx")
    assert "Sök exakt på orden som du skrev dem" in stemmed.text_content()


def test_invalid_parameter_is_a_swedish_400_page(client):
    r = client.get("/", params={"year": "tjugo", "q": "budget"})
    assert r.status_code == 400 and "Året måste vara ett årtal med fyra siffror" in r.text
    assert html.fromstring(r.text).xpath("string(//input[@id='q']/@value)") == "budget"


def test_paragraph_page_decision_first_facts_trail_and_originals(client):
    hit = client.get("/api/search", params={"q": 'dnr:"KS 2021/233"', "body": "kommunstyrelsen",
                                            "sort": "newest"}).json()["hits"][0]
    r = client.get(hit["permalink"])
    doc = html.fromstring(r.text)
    headings = [h.text_content() for h in doc.xpath("//article//h2")]
    assert headings.index("Beslut") < headings.index("Paragrafens text")
    citation = doc.xpath("string(//textarea[@id='citation-text'])")
    assert re.fullmatch(r"Åsjö kommun, Kommunstyrelsen, \d{4}-\d\d-\d\d, § \d+, ”[^”]+”\. "
                        r"http://127\.0\.0\.1:\d+/p/asjo-kommun/kommunstyrelsen/\S+ "
                        r"\(arkiverad \d{4}-\d\d-\d\d\)", citation), citation
    assert doc.xpath("//button[@data-copy='citation-text' and @hidden]"), "shown only by JS"
    facts = doc.xpath("string(//section[@aria-labelledby='mote'])")
    assert "Plats" in facts and "Justerare" in facts and "Närvarande" in facts
    assert re.search(r"\((S|M|C|MP|SD)\), ordf\.", facts)
    trail = doc.xpath("//section[@class='trail']//a")
    assert any("Kommunfullmäktige" in a.text_content() for a in trail)
    originals = doc.xpath("//section[@class='sources']//li")
    assert any("#page=" in li.xpath("string(a/@href)") for li in originals)
    assert all(re.search(r"[0-9a-f]{64}", li.text_content()) for li in originals)
    assert doc.xpath("//nav[@class='prevnext']/a[@rel='prev' or @rel='next']")


def test_meeting_page_lists_paragraphs_with_facts(client):
    doc = page(client, "/m/asjo-kommun/kommunstyrelsen/2022-05-11")
    items = doc.xpath("//ol[@class='agenda']/li")
    assert len(items) >= 3
    assert all(li.xpath(".//a/@href")[0].startswith("/p/asjo-kommun/kommunstyrelsen/2022-05-11/")
               for li in items)
    assert "Justerare" in doc.text_content() and "Närvarande" in doc.text_content()


def test_bodies_page_links_each_body_to_its_search(client):
    doc = page(client, "/organ")
    links = doc.xpath("//table[@class='bodies']//a/@href")
    assert len(links) == 6
    assert "/?org=asjo-kommun&body=kommunstyrelsen" in links


@pytest.mark.parametrize("path", ["/", "/?q=budget", "/organ", "/hjalp",
                                  "/m/asjo-kommun/kommunstyrelsen/2022-05-11", "/dokument",
                                  "/arende/KS%202021%2F233", "/?q=budget&group=arende"])
def test_pages_have_landmarks_labels_and_no_external_assets(client, path):
    r = client.get(path)
    doc = html.fromstring(r.text)
    assert doc.get("lang") == "sv"
    assert len(doc.xpath("//main")) == 1 and doc.xpath("//nav[@aria-label]")
    assert doc.xpath("//a[@class='skip' and @href='#innehall']")
    assert doc.xpath("//*[@id='innehall']")
    for field in doc.xpath("//input[not(@type='hidden')]"):
        assert doc.xpath(f"//label[@for='{field.get('id')}']"), field.get("name")
    for url in doc.xpath("//script/@src | //link/@href | //img/@src"):
        assert not urlsplit(url).netloc, f"external asset {url}"


@pytest.mark.parametrize("path", [
    "/p/%00/x/2022-01-01/1", "/p/a/b/2022-02-30/1", "/p/a/b/9999-99-99/%2F..", "/m/%FF/x/y",
    "/m/a/b/2022-01-01", "/?q=%00%01", "/?q=%22%22%22", "/?from=2022-02-30", "/?page=0",
    "/feed.atom?q=%00", "/feed.atom?from=x", "/archive/..%2F..%2Fetc%2Fpasswd", "/organ?x=%00",
    "/arende/%00", "/arende/..%2F..", "/arende/" + "x" * 5000, "/api/arenden/%FF%FE",
    "/dokument?status=%00", "/dokument?page=-1", "/?group=x", "/?page=1000&q=x",
    "/p/asjo-kommun/kommunstyrelsen/2022-05-11/59?q=%00%22", "/?q=%22&group=arende",
])
def test_hostile_paths_and_parameters_never_answer_5xx(client, path):
    r = client.get(path)
    assert r.status_code < 500, (path, r.status_code)
    if r.status_code >= 400 and path.startswith(("/feed.atom", "/archive")):
        assert r.json()["ok"] is False


def test_partial_matches_come_under_their_own_heading(client):
    doc = page(client, q="kollektivtrafik budget")
    lists = doc.xpath("//section[@class='results']/ol[@class='hits']")
    heading = doc.xpath("//h3[@class='partial-heading']")
    assert [h.text_content() for h in heading] == ["Träffar med några av orden"]
    full, partial = (lst.xpath("./li") for lst in lists)
    assert full and partial
    # The second list continues the numbering of the first.
    assert int(lists[1].get("start")) == int(lists[0].get("start")) + len(full)
    assert heading[0].getprevious() is lists[0]
    assert not page(client, q="kollektivtrafik").xpath("//h3[@class='partial-heading']")
