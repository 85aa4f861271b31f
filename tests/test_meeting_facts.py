"""Meeting facts with provenance: organisation and body read only where a protocol
prints its own (front page, running headers), never from titles or text."""

from __future__ import annotations

import collections
import datetime as dt
import json
import subprocess
import sys

import pytest

from paragraf_se.archive.store import Archive
from paragraf_se.indexer.model import Provenance
from paragraf_se.indexer.parsing import parse_document
from paragraf_se.indexer.parsing.authorities import authorities, lookup
from paragraf_se.indexer.parsing.bodies import body_name, kind_of
from paragraf_se.indexer.whoosh.index import WhooshIndex
from paragraf_se.pipeline import Pipeline
from tests.pdfgen import make_pdf
from tests.shared_data import seed, shared_path

BODIES = ("Kommunstyrelsen", "Kommunfullmäktige", "Barn- och utbildningsnämnden",
          "Kommunstyrelsens arbetsutskott", "Regionala beredningsrådet", "Valnämnden",
          "Kultur-, fritids- och turismnämnden", "Nämnden för teknik och fritid",
          "Regionstyrelsen", "Direktionen", "Demokratiberedningen")
REGION_BODIES = ("Regionstyrelsen", "Regionfullmäktige", "Hälso- och sjukvårdsnämnden")


def _paragraphs(first: int = 1) -> str:
    # Titles name other authorities and bodies on purpose: none may become a fact.
    return (f"§ {first} Årsrapport för kommunstyrelsen\n\nBeslut\nRapporten läggs till "
            f"handlingarna.\n\n§ {first + 1} Rättelse av kommunstyrelsen\n\nBeslut\n"
            f"Möjligheternas kommun i Ale kommun tackar.\n\n§ {first + 2} Samverkan med "
            "Region Skåne och Kalmar läns landsting\n\nBeslut\nBifalls.\n")


def _front(org_line: str, body_line: str, date: str = "2024-03-12") -> str:
    return (f"{org_line}\nSAMMANTRÄDESPROTOKOLL\n{body_line}\nSammanträdesdatum {date}\n\n"
            "Plats och tid Kommunhuset kl. 13.00-15.00\n\nBeslutande Anna Ek (S), ordförande\n"
            "Bo Berg (M)\n\nUtses att justera Bo Berg (M)\n\n")


def _running(header: str, pages: int = 4) -> str:
    """A paged text (form feeds) with ``header`` in every page's footer and no front
    page: the first line is a paragraph."""
    out = []
    for page in range(pages):
        out.append(f"§ {page + 1} Ärende {page + 1} om kommunfullmäktige\n\nBeslut\n"
                   f"Beslutet skickas till\nSocialnämnden\nByggnadsnämnden\n\n"
                   f"{header}\n{page + 1} ({pages})\n")
    return "\f".join(out)


def _variants(authority, body: str) -> list[tuple[str, str]]:
    """(text, how the authority is printed) for one authority and body."""
    name = authority.canonical
    genitive = name if name[-1] in "sxz" else name + "s"
    return [
        (_front(name.upper(), body) + _paragraphs(), "front page"),
        (_front(name, body.upper()) + _paragraphs(), "front page"),
        (_front(f"{genitive} {body[0].lower() + body[1:]}", "") + _paragraphs(), "front page"),
        (_running(f"{name} {body}, protokoll"), "running header"),
        (_running(f"{name.upper()}    {body}    Sammanträdesdatum 2024-03-12"),
         "running header"),
        # A layout text layer: columns side by side on one line.
        (f"{name.upper()}            SAMMANTRÄDESPROTOKOLL            1 (4)\n"
         f"{body}            Sammanträdesdatum 2024-03-12\n\n" + _paragraphs(), "front page"),
        # A meeting's web page.
        (f"<html><body><nav>{name} Kommunfullmäktige</nav><p>{name}</p><h1>{body}</h1>"
         "<p>Sammanträdesdatum "
         "2024-03-12</p>" + "".join(f"<h2>§ {n} Årsrapport för kommunstyrelsen</h2><p>Beslut"
                                      "</p><p>Godkänns.</p>" for n in (1, 2))
         + "</body></html>", "front page"),
    ]


def test_every_listed_authority_is_recognised_where_it_prints_itself():
    rows = authorities()
    assert len(rows) == 310  # 290 kommuner and 20 regions (Gotland is both)
    assert sum(a.kind == "region" for a in rows) == 20
    seen = collections.Counter()
    for position, authority in enumerate(rows):
        bodies = REGION_BODIES if authority.kind == "region" else BODIES
        body = bodies[position % len(bodies)]
        variants = _variants(authority, body)
        text, place = variants[position % len(variants)]
        result = parse_document(text.encode())
        m = result.meeting
        assert (m.org, m.body) == (authority.canonical, body), (text[:200], m)
        if "Sammanträdesdatum" in text:
            assert m.date == dt.date(2024, 3, 12)
        assert m.org_from.source == place and m.body_from.source == place
        assert not m.org_from.warning and not m.body_from.warning, result.messages
        seen[place] += 1
    assert seen["front page"] > 150 and seen["running header"] > 60


def test_hogsby_style_every_page_headed_and_a_slogan_in_a_title():
    pages = []
    for page in range(5):
        pages.append(f"HÖGSBY KOMMUN\nSAMMANTRÄDESPROTOKOLL\n{page + 1}(5)\n\n"
                     f"§ {page + 1} Möjligheternas kommun\n\nBeslut\nMöjligheternas kommun "
                     "är vår vision.\n")
    result = parse_document("\f".join(pages).encode())
    m = result.meeting
    assert m.org == "Högsby kommun"
    assert m.org_from.source == "front page" or m.org_from.source == "running header"
    assert m.org_from.printed == "HÖGSBY KOMMUN"
    assert m.body is None and m.body_from is None  # no body printed: unknown, not guessed


def test_titles_and_text_that_name_a_body_never_become_the_body():
    text = ("PROTOKOLL\nSammanträdesdatum 2024-03-12\n\nÄrendelista\n1. Årsrapport för "
            "kommunstyrelsen\nKommunstyrelsen\nValnämnden\n\n" + _paragraphs()
            + "\nKommunstyrelsen\nKommunstyrelsen\nKommunstyrelsen\n")
    result = parse_document(text.encode())
    assert result.meeting.body is None and result.meeting.org is None
    assert result.meeting.date == dt.date(2024, 3, 12)
    assert [p.title for p in result.paragraphs][:2] == [
        "Årsrapport för kommunstyrelsen", "Rättelse av kommunstyrelsen"]


@pytest.mark.parametrize("text", [
    "Årsrapport för kommunstyrelsen", "Rättelse av kommunstyrelsen", "Information från "
    "regionstyrelsen", "Val till kommunfullmäktige", "kommunfullmäktige.", "Beslutet skickas "
    "till nämnden", "Motion om ny nämnd", "§ 5 Kommunstyrelsen", "Möjligheternas kommun",
    "Motion om gemensam nämnd för IT-drift", "Nämnd för teknik",
])
def test_phrases_that_mention_a_body_are_not_body_names(text):
    assert body_name(text) is None


@pytest.mark.parametrize(("text", "name", "kind"), [
    ("KOMMUNSTYRELSEN", "Kommunstyrelsen", "styrelse"),
    ("Kommunstyrelsens arbetsutskott", "Kommunstyrelsens arbetsutskott", "utskott"),
    ("Kommunfullmäktiges", "Kommunfullmäktige", "fullmäktige"),
    ("Miljö- och byggnadsnämnden", "Miljö- och byggnadsnämnden", "nämnd"),
    ("Regionens samverkansråd", "Regionens samverkansråd", "råd"),
    ("Gemensamma nämnden för IT-drift och stöd", "Gemensamma nämnden för IT-drift och stöd",
     "nämnd"),
    ("Direktionen", "Direktionen", "direktion"),
    ("Arvodesberedningen", "Arvodesberedningen", "beredning"),
    ("Gemensam nämnd för drift och service", "Gemensam nämnd för drift och service", "nämnd"),
])
def test_body_names_by_their_kind(text, name, kind):
    assert body_name(text) == name and kind_of(name) == kind


@pytest.mark.parametrize(("printed", "canonical"), [
    ("HÖGSBY KOMMUN", "Högsby kommun"), ("Högsby kommuns", "Högsby kommun"),
    ("Göteborgs kommun", "Göteborgs Stad"), ("GÖTEBORGS STADS", "Göteborgs Stad"),
    ("Region Jämtland Härjedalens", "Region Jämtland Härjedalen"),
    ("Kalmar läns landsting", "Region Kalmar län"), ("Landstinget Kronoberg", "Region Kronoberg"),
    ("Västra Götalandsregionen", "Västra Götalandsregionen"),
    ("Gotlands kommun", "Region Gotland"), ("Borås Stad", "Borås Stad"),
])
def test_printed_forms_map_to_one_name(printed, canonical):
    assert lookup(printed).canonical == canonical


def test_an_unlisted_municipality_is_flagged_and_a_slogan_is_no_authority():
    flagged = parse_document((_front("Åsjö kommun", "Kulturnämnden") + _paragraphs()).encode())
    assert flagged.meeting.org == "Åsjö kommun" and flagged.status == "warnings"
    assert flagged.meeting.org_from.warning and any(
        "not in the list" in m for m in flagged.messages)
    slogan = parse_document((_front("Möjligheternas kommun", "Kulturnämnden")
                             + _paragraphs()).encode())
    assert slogan.meeting.org is None and slogan.status == "ok"


def test_disagreeing_places_are_flagged_not_silently_chosen():
    text = _front("Ale kommun", "Kommunstyrelsen") + "\f".join(
        f"Ale kommun Kommunfullmäktige, protokoll\n§ {n} Ärende\n\nBeslut\nOk.\n"
        for n in range(1, 5))
    result = parse_document(text.encode())
    assert result.meeting.body == "Kommunstyrelsen"
    assert result.status == "warnings"
    assert "several bodies are printed" in result.meeting.body_from.warning


def test_an_inferred_year_is_flagged():
    text = ("Ale kommun\nKommunstyrelsen\nPlats och tid Kommunhuset, den 21 augusti kl. 13.00\n"
            "§ 1 Budget 2019\n\nBeslut\nBudgeten för 2019 antas, se beslut 2019-06-10.\n")
    result = parse_document(text.encode())
    assert result.meeting.date == dt.date(2019, 8, 21)
    assert "year is not printed" in result.meeting.date_from.warning
    assert result.status == "warnings"


def test_parse_json_shows_each_fact_and_its_source(tmp_path):
    path = tmp_path / "ks.txt"
    path.write_text(_front("HÖGSBY KOMMUN", "Kommunstyrelsen") + _paragraphs(), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "paragraf_se.cli", "parse", str(path), "--json"],
                         capture_output=True, text=True, check=True, cwd=tmp_path)
    meeting = json.loads(run.stdout)["meeting"]
    assert (meeting["org"], meeting["body"], meeting["date"]) == (
        "Högsby kommun", "Kommunstyrelsen", "2024-03-12")
    assert meeting["provenance"] == {
        "org": {"source": "front page", "printed": "HÖGSBY KOMMUN"},
        "body": {"source": "front page", "printed": "Kommunstyrelsen"},
        "date": {"source": "front page", "printed": "Sammanträdesdatum 2024-03-12"},
    }


# The real seeds and the Göteborg corpus: facts stay right or become unknown, never wrong.

def test_seed_facts_are_right_or_unknown():
    protocol = parse_document(seed("000_").read_bytes(), "text/plain").meeting
    assert protocol.org in (None, "Region Jämtland Härjedalen")
    assert protocol.body == "Regionens samverkansråd"
    assert protocol.date == dt.date(2017, 8, 21)
    for prefix in ("001_", "003_"):
        page = parse_document(seed(prefix).read_bytes(), "text/html").meeting
        assert page.org in (None, "Region Jämtland Härjedalen")
        assert page.body in (None, "Regionens samverkansråd")


def test_goteborg_meetings_facts_are_right_or_unknown():
    corpus = shared_path("corpora", "goteborg-ks", "paragraphs.jsonl")
    rows = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    meetings = collections.defaultdict(list)
    for row in rows:
        meetings[(row["organ"], row["datum"])].append(row["fulltext"])
    known = 0
    for (organ, datum), texts in meetings.items():
        m = parse_document("\n".join(texts).encode()).meeting
        assert m.org in (None, "Göteborgs Stad"), (datum, m.org)
        assert m.body in (None, organ), (datum, m.body, m.body_from)
        assert m.date in (None, dt.date.fromisoformat(datum)), (datum, m.date)
        known += m.date is not None
    assert known >= 40


def test_a_pdf_headed_on_every_page_through_paragraf_parse(tmp_path):
    pages = [["HÖGSBY KOMMUN", "SAMMANTRÄDESPROTOKOLL", "Kommunstyrelsen",
              "Sammanträdesdatum 2024-03-12", "Plats och tid Kommunhuset kl. 13.00",
              "Beslutande Anna Ek (S), ordförande", "Bo Berg (M)", "Utses att justera Bo Berg (M)"]]
    for n in range(1, 4):
        pages.append([f"HÖGSBY KOMMUN Sammanträdesprotokoll {n + 1} ({4})", "Kommunstyrelsen",
                      f"§ {n} Årsrapport för nämnd {n}", "Beslut",
                      "Möjligheternas kommun tackar Kultur- och fritidsnämnden.",
                      "Beslutet skickas till", "Socialnämnden"])
    path = tmp_path / "ks.pdf"
    path.write_bytes(make_pdf(pages))
    run = subprocess.run([sys.executable, "-m", "paragraf_se.cli", "parse", str(path), "--json"],
                         capture_output=True, text=True, check=True, cwd=tmp_path)
    out = json.loads(run.stdout)
    meeting = out["meeting"]
    assert (meeting["org"], meeting["body"], meeting["date"]) == (
        "Högsby kommun", "Kommunstyrelsen", "2024-03-12")
    assert meeting["provenance"]["org"]["source"] == "front page"
    assert [a["name"] for a in meeting["attendees"]] == ["Anna Ek", "Bo Berg"]
    assert out["status"] == "ok", out["messages"]


def test_crawl_source_facts_win_and_make_the_documents_doubts_moot(tmp_path):
    archive = Archive(tmp_path / "archive")
    index = WhooshIndex(tmp_path / "index")
    try:
        text = (_front("Åsjö kommun", "Kulturnämnden") + _paragraphs()).encode()
        assert parse_document(text).status == "warnings"  # Åsjö is not a real municipality
        stored = archive.store_resource(
            text, source="https://example.org/p.txt", content_type="text/plain",
            metadata={"org": "Åsjö kommun", "role": "protocol", "source_name": "asjo",
                      "source_kind": "links"})
        outcome = Pipeline(archive, index).index_capture(stored.capture)
        assert outcome.status == "ok", outcome.messages
        paragraph = index.all().__next__()
        assert paragraph.org == "Åsjö kommun"
        assert paragraph.meeting.org_from.source == "crawl source"
        assert paragraph.meeting.body_from.source == "front page"
        assert paragraph.meeting.date_from.printed == "Sammanträdesdatum 2024-03-12"
    finally:
        index.close()
        archive.close()


def test_authorities_and_bodies_named_only_in_titles_and_text_stay_unknown():
    for position, authority in enumerate(authorities()):
        name = authority.canonical
        body = BODIES[position % len(BODIES)]
        text = (f"PROTOKOLL 1(3)\nSammanträdesdatum 2024-03-12\n\n§ 1 {name}\n\nBeslut\n"
                f"{name} och {body.lower()} informeras.\n\n§ 2 {body}\n\nBeslut\nBeslutet "
                f"skickas till\n{body}\n{name}\n\n§ 3 Årsrapport för {name.upper()}\n\n"
                f"Beslut\nLäggs till handlingarna av {body}.\n")
        m = parse_document(text.encode()).meeting
        assert (m.org, m.body) == (None, None), (name, body, m)


def test_the_meeting_date_label_wins_over_an_anslagsbevis_date():
    text = ("Ale kommun\nKommunstyrelsen\nDatum då anslaget sätts upp 2024-03-20\n"
            "Sammanträdesdatum 2024-03-12\n\n§ 1 Val\n\nBeslut\nOk.\n")
    m = parse_document(text.encode()).meeting
    assert m.date == dt.date(2024, 3, 12)
    assert m.date_from == Provenance("front page", "Sammanträdesdatum 2024-03-12")


def test_a_body_with_its_abbreviation():
    text = _front("Ale kommun", "Barn- och utbildningsnämnden (BUN)") + _paragraphs()
    assert parse_document(text.encode()).meeting.body == "Barn- och utbildningsnämnden"
