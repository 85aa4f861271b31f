"""The permalink registry: issued ids, rename redirects and tombstones, fed by the pipeline
and answered by the web app as 301 and 410."""

import datetime as dt

import httpx
import pytest

from paragraf_se.archive.store import Archive
from paragraf_se.indexer.model import paragraph_id
from paragraf_se.indexer.whoosh.index import WhooshIndex
from paragraf_se.permalinks import PermalinkRegistry, registry_path
from paragraf_se.pipeline import Pipeline
from paragraf_se.settings import DataDir
from paragraf_se.web import create_app
from tests.paragraph_factory import make_paragraph
from tests.serving import live_server

CLOCK = lambda: dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC)  # noqa: E731
SOURCE = "https://example.invalid/protokoll.pdf"


@pytest.fixture()
def registry(tmp_path):
    return PermalinkRegistry(tmp_path / "permalinks.sqlite", clock=CLOCK)


def test_unknown_ids_resolve_to_unknown(registry):
    assert registry.resolve("0" * 16).kind == "unknown"


def test_a_removed_paragraph_gets_a_tombstone(registry):
    p14, p15 = make_paragraph("14", "Avfallsplan"), make_paragraph("15", "Eldningsförbud")
    assert registry.record(SOURCE, [p14, p15], []).issued == 2
    report = registry.record(SOURCE, [p14], [p15])
    assert report.tombstoned == (p15.id,)
    found = registry.resolve(p15.id)
    assert found.kind == "gone"
    t = found.tombstone
    assert (t.title, t.permalink, t.source) == ("Eldningsförbud", p15.permalink, SOURCE)
    assert t.removed_at == "2024-05-06T07:08:09+00:00"
    assert t.citation == p15.citation


def test_same_date_and_number_under_a_new_body_is_a_rename(registry):
    old = make_paragraph("14", body="Kommunstyrelsen")
    new = make_paragraph("14", body="Kommunledningsutskottet")
    registry.record(SOURCE, [old], [])
    report = registry.record(SOURCE, [new], [old])
    assert report.redirected == ((old.id, new.id),) and not report.tombstoned
    found = registry.resolve(old.id)
    assert (found.kind, found.new_id, found.new_permalink) == ("moved", new.id, new.permalink)


def test_renames_chain_and_cycles_stop(registry):
    a, b, c = (make_paragraph("3", body=name) for name in ("Nämnd A", "Nämnd B", "Nämnd C"))
    registry.record(SOURCE, [a], [])
    registry.record(SOURCE, [b], [a])
    registry.record(SOURCE, [c], [b])
    assert registry.resolve(a.id).new_id == c.id
    registry.record(SOURCE, [a], [c])  # renamed back: a is live again, c points to a
    assert registry.resolve(c.id).new_id == a.id
    assert registry.resolve(a.id).kind == "unknown", "a live id never redirects"


def test_a_paragraph_that_comes_back_loses_its_tombstone(registry):
    p = make_paragraph("9")
    registry.record(SOURCE, [p], [])
    registry.record(SOURCE, [], [p])
    assert registry.resolve(p.id).kind == "gone"
    registry.record(SOURCE, [p], [])
    assert registry.resolve(p.id).kind == "unknown"


def test_alias_body_redirects_every_issued_paragraph(registry):
    old = [make_paragraph(n, body="Tekniska nämnden") for n in ("1", "2")]
    new = [make_paragraph(n, body="Samhällsbyggnadsnämnden") for n in ("1", "2")]
    registry.record("https://a.invalid/old.pdf", old, [])
    registry.record("https://a.invalid/new.pdf", new[:1], [])
    assert registry.alias_body("Åsjö kommun", "Tekniska nämnden", "Samhällsbyggnadsnämnden") == 1
    assert registry.resolve(old[0].id).new_id == new[0].id
    assert registry.resolve(old[1].id).kind == "unknown", "no target was ever issued"


PROTOCOL = """PROTOKOLL 1(2)

Åsjö kommun
{body}
Sammanträdesdatum 2022-03-02

§ 14 Avfallsplan för Åsjö kommun 2022–2030
Dnr KS 2021/114

Kommunstyrelsens beslut
Kommunstyrelsen föreslår kommunfullmäktige att anta avfallsplanen.

§ 15 Eldningsförbud inom detaljplanelagt område
Dnr KS 2022/031

Kommunstyrelsens beslut
Förbudet mot eldning gäller från den 1 april 2022.
{extra}"""
EXTRA = """
§ 16 Laddinfrastruktur vid kommunens parkeringar
Dnr KS 2022/047

Kommunstyrelsens beslut
Förvaltningen får i uppdrag att upphandla laddplatser.
"""


@pytest.fixture(scope="module")
def republished(tmp_path_factory):
    """One protocol published three times: whole; without § 16; with its body renamed."""
    root = tmp_path_factory.mktemp("republish")
    data = DataDir(root / "data")
    doc = root / "protokoll.txt"
    archive, index = Archive(data.archive), WhooshIndex(data.index)
    pipeline = Pipeline(archive, index, permalinks=PermalinkRegistry(registry_path(data.root)))
    outcomes = []
    for body, extra in (("Kommunstyrelsen", EXTRA), ("Kommunstyrelsen", ""),
                        ("Kommunledningsutskottet", "")):
        doc.write_text(PROTOCOL.format(body=body, extra=extra), encoding="utf-8")
        outcomes.append(pipeline.ingest_file(doc, {}))
    index.close()
    archive.close()
    assert [o.paragraphs for o in outcomes] == [3, 2, 2], outcomes
    with live_server(create_app(data)) as url, httpx.Client(base_url=url, timeout=10) as c:
        yield c


def test_index_change_names_what_left_the_index(tmp_path):
    index = WhooshIndex(None)
    a, b = make_paragraph("1"), make_paragraph("2")
    first = index.replace_source("file:///protokoll.txt", [a, b])
    assert first.added_ids == (a.id, b.id)
    second = index.replace_source("file:///protokoll.txt", [a])
    assert [p.id for p in second.deleted] == [b.id] and second.removed == 1


def test_renamed_body_permalink_answers_301_to_the_new_one(republished):
    r = republished.get("/p/asjo-kommun/kommunstyrelsen/2022-03-02/14")
    assert r.status_code == 301
    assert r.headers["location"] == "/p/asjo-kommun/kommunledningsutskottet/2022-03-02/14"
    page = republished.get(r.headers["location"])
    assert page.status_code == 200 and "Avfallsplan" in page.text


def test_removed_paragraph_answers_410_with_a_page_saying_so(republished):
    r = republished.get("/p/asjo-kommun/kommunstyrelsen/2022-03-02/16")
    assert r.status_code == 410
    assert "Paragrafen har tagits bort" in r.text
    assert "Laddinfrastruktur vid kommunens parkeringar" in r.text
    assert "Kommunstyrelsen 2022-03-02 § 16" in r.text
    assert republished.get("/p/asjo-kommun/kommunstyrelsen/2022-03-02/17").status_code == 404


def test_api_follows_the_registry_too(republished):
    def old_id(number):
        return paragraph_id("Åsjö kommun", "Kommunstyrelsen", dt.date(2022, 3, 2), number)

    moved = republished.get(f"/api/paragraphs/{old_id('15')}")
    assert moved.status_code == 301
    followed = republished.get(moved.headers["location"]).json()
    assert followed["body"] == "Kommunledningsutskottet" and followed["number"] == "15"
    gone = republished.get(f"/api/paragraphs/{old_id('16')}")
    assert gone.status_code == 410
    assert gone.json()["ok"] is False and "removed" in gone.json()["error"]
