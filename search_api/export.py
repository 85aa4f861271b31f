"""The full result set of a search as CSV or JSON Lines, produced row by row.

Rows are encoded one at a time from the engine's match iterator, so an export
of the whole archive never holds more than one paragraph in memory.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from paragraf_se.indexer.model import Paragraph
from paragraf_se.search_api.representation import full_citation, paragraph_json

FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}
CSV_COLUMNS = ("id", "org", "body", "date", "number", "title", "diarienummer", "decision",
               "text", "permalink", "citation", "source_url", "sha256")
# Spreadsheets run cells starting with these as formulas; a leading apostrophe
# keeps protocol text inert when an export is opened in Excel or LibreOffice.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def csv_rows(paragraphs: Iterable[Paragraph], base_url: str) -> Iterator[bytes]:
    """A header line, then one CSV line per paragraph (UTF-8 with BOM for spreadsheets)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def take() -> bytes:
        data = buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        return data

    writer.writerow(CSV_COLUMNS)
    yield b"\xef\xbb\xbf" + take()
    for p in paragraphs:
        writer.writerow([_cell(v) for v in (
            p.id, p.org, p.body, p.date.isoformat(), p.number, p.title,
            "; ".join(p.diarienummer), p.decision, p.text, base_url + p.permalink,
            full_citation(p, base_url), p.source.public_url, p.source.sha256,
        )])
        yield take()


def jsonl_rows(paragraphs: Iterable[Paragraph], base_url: str) -> Iterator[bytes]:
    """One JSON object per line: the API's paragraph body plus its absolute permalink."""
    for p in paragraphs:
        body = paragraph_json(p)
        body["permalink_url"] = base_url + p.permalink
        yield (json.dumps(body, ensure_ascii=False) + "\n").encode("utf-8")
