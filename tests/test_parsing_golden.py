"""Golden files: whole fixture documents parsed and compared with reviewed JSON.

Regenerate after a deliberate change with ``PARAGRAF_UPDATE_GOLDEN=1`` and review
the diff before committing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from pathlib import Path

import pytest

from paragraf_se.indexer.model import ParseResult
from paragraf_se.indexer.parsing import parse_document

FIXTURES = Path(__file__).parent / "fixtures" / "parsing"
DOCUMENTS = [
    "region_protocol.txt",
    "classic_protocol.txt",
    "meetingsplus_protocol.html",
    "meetingsplus_kallelse.html",
]


def as_json(result: ParseResult) -> dict:
    def default(value: object) -> str:
        if isinstance(value, dt.date):
            return value.isoformat()
        raise TypeError(type(value))

    return json.loads(json.dumps(dataclasses.asdict(result), default=default))


@pytest.mark.parametrize("name", DOCUMENTS)
def test_fixture_matches_golden_file(name):
    result = parse_document((FIXTURES / name).read_bytes(), filename=name)
    golden = FIXTURES / f"{name}.expected.json"
    if os.environ.get("PARAGRAF_UPDATE_GOLDEN"):
        golden.write_text(json.dumps(as_json(result), ensure_ascii=False, indent=1) + "\n",
                          encoding="utf-8")
    assert as_json(result) == json.loads(golden.read_text(encoding="utf-8"))
