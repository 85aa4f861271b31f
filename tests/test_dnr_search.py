"""Every case identifier printed in a paragraph header is searchable as typed.

A protocol with one header form per paragraph is ingested with the real CLI
into a real index, then searched for each number exactly as the header prints
it, as free text and as a ``dnr:`` filter.
"""

from __future__ import annotations

import json

import pytest

from paragraf_se.cli import main

PROTOCOL = """Åsjö kommun
Kommunstyrelsen
Sammanträdesdatum 2024-05-02

§ 240 Diarienummer 00910/20241.1.2
Svar på motion om utökad skolskjuts

Beslut
Motionen avslås.

§ 241 1360/22
Detaljplan för kvarteret Eken

Beslut
Detaljplanen antas.

KS § 242          DNR:KNSLI/20014197

Revisionsrapport om intern kontroll

Beslut
Rapporten läggs till handlingarna.

§ 243 Ärende nr 00501/20231.2.2.
Taxa för bygglov 2025

Beslut
Taxan fastställs.

§ 244 Dnr KS 2023/123 Budget för år 2025

Beslut
Budgeten fastställs.

§ 245 RS/559/2019
Samverkansavtal om räddningstjänst

Beslut
Avtalet godkänns.

§ 246 Ärendenummer SLK-2024-00078
Reglemente för valnämnden

Beslut
Reglementet antas.

§ 247 123456
Avgifter inom äldreomsorgen

Beslut
Avgifterna höjs.

§ 248 Dnr. KU/2007.9
Kulturplan för Åsjö kommun

Beslut
Kulturplanen antas.
"""

# (query as a user types it, the paragraph it must find)
QUERIES = [
    ("00910/2024", "240"),
    ("dnr:00910/2024", "240"),
    ("Diarienummer 00910/2024", "240"),
    ("00910/20241.1.2", "240"),  # copied with its glued classification code
    ("dnr:00910/20241.1.2", "240"),
    ("1360/22", "241"),
    ("dnr:1360/22", "241"),
    ("KNSLI/20014197", "242"),
    ("dnr:KNSLI/20014197", "242"),
    ("00501/2023", "243"),
    ("dnr:00501/2023", "243"),
    ("KS 2023/123", "244"),
    ("Dnr KS 2023/123", "244"),
    ('dnr:"KS 2023/123"', "244"),
    ("RS/559/2019", "245"),
    ("SLK-2024-00078", "246"),
    ("dnr:SLK-2024-00078", "246"),
    ("123456", "247"),
    ("dnr:123456", "247"),
    ("KU/2007.9", "248"),
    ("dnr:KU/2007.9", "248"),
]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("dnr")
    path = root / "protokoll.txt"
    path.write_text(PROTOCOL, encoding="utf-8")
    data = str(root / "data")
    assert main(["--data-dir", data, "ingest", str(path)]) == 0
    return data


def test_header_forms_parse_to_their_case_numbers(tmp_path, capsys):
    path = tmp_path / "protokoll.txt"
    path.write_text(PROTOCOL, encoding="utf-8")
    assert main(["parse", str(path), "--json"]) == 0
    parsed = json.loads(capsys.readouterr().out)
    by_number = {p["number"]: p for p in parsed["paragraphs"]}
    assert by_number["240"]["diarienummer"][0] == "00910/2024"
    assert by_number["240"]["classification_codes"] == ["1.1.2"]
    assert by_number["243"]["diarienummer"][0] == "00501/2023"
    assert by_number["243"]["classification_codes"] == ["1.2.2"]
    assert by_number["242"]["title"] == "Revisionsrapport om intern kontroll"
    assert by_number["242"]["text"] == "Beslut\nRapporten läggs till handlingarna."
    assert by_number["244"]["title"] == "Budget för år 2025"
    assert by_number["247"]["diarienummer"] == ["123456"]


@pytest.mark.parametrize(("query", "number"), QUERIES)
def test_case_number_found_as_typed(data_dir, capsys, query, number):
    capsys.readouterr()
    assert main(["--data-dir", data_dir, "search", query, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    numbers = [hit["paragraph"]["number"] if "paragraph" in hit else hit["number"]
               for hit in result["hits"]]
    assert numbers[:1] == [number], (query, numbers)


def test_printed_label_before_a_number_is_not_a_search_word():
    from paragraf_se.indexer.query import parse_query

    for query in ("Diarienummer 00910/2024", "Ärende nr 00910/2024", "Dnr. 00910/2024"):
        parsed = parse_query(query)
        assert [c.alternatives[0].text for c in parsed.clauses] == ["00910/2024"], query
    # Without a number the label is an ordinary word.
    assert [c.alternatives[0].text for c in parse_query("diarienummer").clauses] == [
        "diarienummer"]


def test_classification_codes_survive_into_the_stored_paragraph():
    from paragraf_se.indexer.model import SourceRef
    from paragraf_se.indexer.parsing import parse_document
    from paragraf_se.indexer.serialize import paragraph_from_dict, paragraph_to_dict
    from paragraf_se.meeting_identity import build_paragraphs, resolve_identity

    result = parse_document(PROTOCOL.encode("utf-8"), "text/plain")
    source = SourceRef("c" * 20, "file:///protokoll.txt", "0" * 64, "text/plain")
    paragraphs, _ = build_paragraphs(result, resolve_identity(result, {}), source)
    p240 = next(p for p in paragraphs if p.number == "240")
    stored = paragraph_to_dict(p240)
    assert stored["classification_codes"] == ["1.1.2"]
    assert paragraph_from_dict(stored) == p240
