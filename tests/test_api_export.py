"""Export encoders: one row at a time, spreadsheet-safe cells, JSON Lines."""

import csv
import io
import json

from paragraf_se.search_api.export import CSV_COLUMNS, csv_rows, jsonl_rows
from tests.paragraph_factory import make_paragraph


def test_csv_rows_are_produced_lazily_one_per_paragraph():
    taken = []

    def paragraphs():
        for n in ("1", "2"):
            taken.append(n)
            yield make_paragraph(n, f"Titel {n}")

    rows = csv_rows(paragraphs(), "http://h")
    header = next(rows)
    assert header.startswith(b"\xef\xbb\xbf") and not taken, "header before any paragraph"
    first = next(rows)
    assert taken == ["1"] and b"Titel 1" in first
    assert len(list(rows)) == 1


def test_csv_cells_cannot_become_spreadsheet_formulas():
    p = make_paragraph("1", "=HYPERLINK(\"http://x\")", "+1", decision="-2")
    text = b"".join(csv_rows([p], "http://h")).decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(text)))
    assert list(row) == list(CSV_COLUMNS)
    assert row["title"] == "'=HYPERLINK(\"http://x\")" and row["decision"] == "'-2"
    assert row["permalink"] == "http://h" + p.permalink
    assert row["citation"] == ("Åsjö kommun, Kommunstyrelsen, 2022-03-02, § 1, "
                               "”=HYPERLINK(\"http://x\")”. http://h" + p.permalink)


def test_jsonl_lines_parse_and_keep_unicode():
    ps = [make_paragraph("1", "Åtgärder för älvar"), make_paragraph("2")]
    lines = b"".join(jsonl_rows(ps, "http://h")).decode("utf-8").splitlines()
    assert [json.loads(line)["title"] for line in lines] == ["Åtgärder för älvar", "Titel"]
    assert "Åtgärder" in lines[0]
