"""``paragraf ingest DIR`` with sidecar files and manifests, run as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx

from paragraf_se.settings import DataDir
from paragraf_se.web import create_app
from tests.serving import live_server

PROTOCOL = """PROTOKOLL 1(2)
Sammanträdesdatum 2024-03-12

§ 1 Årsrapport för kommunstyrelsen

Beslut
Rapporten läggs till handlingarna.

§ 2 Rättelse av kommunstyrelsen

Beslut
Rättelsen godkänns.
"""
# Prints its own organisation and body: a sidecar's facts still win.
PRINTED = """HÖGSBY KOMMUN
Kommunstyrelsen
Sammanträdesdatum 2024-04-02

§ 5 Budget

Beslut
Budgeten antas.
"""


def ingest(data: Path, *args: str) -> tuple[int, list[dict]]:
    run = subprocess.run(
        [sys.executable, "-m", "paragraf_se.cli", "--data-dir", str(data), "ingest", "--json",
         *args], capture_output=True, text=True, timeout=300)
    assert "Traceback" not in run.stderr, run.stderr
    return run.returncode, [json.loads(line) for line in run.stdout.splitlines()]


def by_name(outcomes: list[dict]) -> dict[str, dict]:
    return {Path(o["file"]).name: o for o in outcomes}


def meeting(data: Path, org: str, body: str, date: str) -> dict:
    with live_server(create_app(DataDir(data))) as base:
        response = httpx.get(f"{base}/api/meetings/{org}/{body}/{date}", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def test_sidecars_supply_facts_and_unsupported_files_are_reported(tmp_path):
    folder = tmp_path / "in"
    (folder / "ks").mkdir(parents=True)
    (folder / "ks" / "a.txt").write_text(PROTOCOL, encoding="utf-8")
    (folder / "ks" / "a.txt.meta.json").write_text(json.dumps(
        {"org": "Högsby kommun", "body": "Kommunstyrelsen", "date": "2024-03-12",
         "title": "KS 12 mars", "url": "https://www.hogsby.se/ks/2024-03-12.pdf"},
        ensure_ascii=False), encoding="utf-8")
    (folder / "printed.txt").write_text(PRINTED, encoding="utf-8")
    (folder / "printed.txt.meta.json").write_text('{"body": "Kommunstyrelsens arbetsutskott"}',
                                                  encoding="utf-8")
    (folder / "notes.docx").write_bytes(b"PK\x03\x04 not a protocol")
    (folder / "bare.txt").write_text(PROTOCOL, encoding="utf-8")  # no facts anywhere
    data = tmp_path / "data"
    code, outcomes = ingest(data, str(folder))
    assert code == 1  # bare.txt cannot be placed in a meeting
    found = by_name(outcomes)
    assert set(found) == {"a.txt", "printed.txt", "notes.docx", "bare.txt"}  # no .meta.json
    assert found["a.txt"]["status"] == "ok" and found["a.txt"]["paragraphs"] == 2
    assert found["notes.docx"]["status"] == "skipped"
    assert "only PDF, HTML and text" in found["notes.docx"]["messages"][0]
    assert found["bare.txt"]["status"] == "failed"
    assert "could not read organisation (use --org), body (use --body)" in (
        found["bare.txt"]["messages"][-1])
    assert found["printed.txt"]["status"] == "ok"

    ks = meeting(data, "hogsby-kommun", "kommunstyrelsen", "2024-03-12")
    assert [p["title"] for p in ks["paragraphs"]] == ["Årsrapport för kommunstyrelsen",
                                                      "Rättelse av kommunstyrelsen"]
    assert ks["provenance"]["org"]["source"] == "sidecar"
    assert ks["provenance"]["org"]["printed"].endswith("a.txt.meta.json line 1")
    assert ks["provenance"]["date"]["source"] == "sidecar"

    au = meeting(data, "hogsby-kommun", "kommunstyrelsens-arbetsutskott", "2024-04-02")
    assert au["provenance"]["body"]["source"] == "sidecar"
    assert au["provenance"]["org"] == {"source": "front page", "printed": "HÖGSBY KOMMUN"}
    assert au["provenance"]["date"]["source"] == "front page"


def test_options_win_over_sidecars(tmp_path):
    (tmp_path / "a.txt").write_text(PROTOCOL, encoding="utf-8")
    (tmp_path / "a.txt.meta.json").write_text(
        '{"org": "Ale kommun", "body": "Valnämnden", "date": "2024-03-12"}', encoding="utf-8")
    code, outcomes = ingest(tmp_path / "data", str(tmp_path / "a.txt"), "--org", "Alvesta kommun")
    assert code == 0 and outcomes[0]["status"] == "ok"
    got = meeting(tmp_path / "data", "alvesta-kommun", "valnamnden", "2024-03-12")
    assert got["provenance"]["org"]["source"] == "option"
    assert got["provenance"]["body"]["source"] == "sidecar"


def test_malformed_sidecars_name_file_and_line_and_lose_nothing_else(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, sidecar in (("bad-json.txt", '{"org": "Ale kommun",\n "body": }'),
                          ("bad-date.txt", '{"org": "Ale kommun",\n "body": "Valnämnden",\n'
                                           ' "date": "2024-13-01"}'),
                          ("bad-key.txt", '{"organisation": "Ale kommun"}'),
                          ("good.txt", '{"org": "Ale kommun", "body": "Valnämnden"}')):
        (folder / name).write_text(PROTOCOL, encoding="utf-8")
        (folder / f"{name}.meta.json").write_text(sidecar, encoding="utf-8")
    code, outcomes = ingest(tmp_path / "data", str(folder))
    found = by_name(outcomes)
    assert code == 1
    assert found["good.txt"]["status"] == "ok" and found["good.txt"]["paragraphs"] == 2
    bad_json = found["bad-json.txt"]
    assert bad_json["status"] == "failed" and bad_json["capture_id"] is None
    assert "bad-json.txt.meta.json line 2: not valid JSON" in bad_json["messages"][0]
    assert "bad-date.txt.meta.json line 3: date '2024-13-01' is not a date YYYY-MM-DD" in (
        found["bad-date.txt"]["messages"][0])
    assert "unknown key 'organisation'" in found["bad-key.txt"]["messages"][0]


def test_csv_manifest_for_a_whole_set(tmp_path):
    folder = tmp_path / "set"
    (folder / "2024").mkdir(parents=True)
    for name in ("a.txt", "b.txt", "c.txt"):
        (folder / "2024" / name).write_text(PROTOCOL, encoding="utf-8")
    manifest = folder / "manifest.csv"
    manifest.write_text(
        "path,org,body,date\n"
        "2024/a.txt,Högsby kommun,Kommunstyrelsen,2024-03-12\n"
        "2024/b.txt,Högsby kommun,Socialnämnden,12 mars\n"
        "2024/c.txt,Högsby kommun\n"
        ",Högsby kommun,Kommunstyrelsen,2024-03-12\n", encoding="utf-8")
    data = tmp_path / "data"
    # No paths: the files the manifest lists are ingested.
    code, outcomes = ingest(data, "--manifest", str(manifest))
    assert code == 1
    messages = [m for o in outcomes for m in o["messages"]]
    assert any(m.endswith("manifest.csv line 5: no path") for m in messages)
    found = by_name(outcomes)
    assert found["a.txt"]["status"] == "ok"
    assert "manifest.csv line 3: date '12 mars' is not a date YYYY-MM-DD" in (
        found["b.txt"]["messages"][0])
    assert "manifest.csv line 4: 2 columns where the header has 4" in (
        found.get("c.txt", found.get("manifest.csv"))["messages"][0])
    got = meeting(data, "hogsby-kommun", "kommunstyrelsen", "2024-03-12")
    assert got["provenance"]["body"] == {"source": "manifest",
                                         "printed": f"{manifest} line 2"}


def test_jsonl_manifest_with_a_directory_and_the_manifest_inside_it(tmp_path):
    folder = tmp_path / "set"
    folder.mkdir()
    (folder / "a.txt").write_text(PROTOCOL, encoding="utf-8")
    (folder / "b.txt").write_text(PROTOCOL, encoding="utf-8")
    manifest = folder / "facts.jsonl"
    manifest.write_text(
        '{"path": "a.txt", "org": "Region Skåne", "body": "Regionstyrelsen", '
        '"date": "2024-03-12"}\n'
        'not json\n'
        '{"path": "b.txt", "org": "Region Skåne", "body": "Regionfullmäktige", '
        '"date": 20240312}\n', encoding="utf-8")
    code, outcomes = ingest(tmp_path / "data", str(folder), "--manifest", str(manifest))
    assert code == 1
    found = by_name(outcomes)
    assert "facts.jsonl" in found  # the unusable row is reported under the manifest
    assert "facts.jsonl line 2: not valid JSON" in found["facts.jsonl"]["messages"][0]
    assert found["a.txt"]["status"] == "ok"
    assert "facts.jsonl line 3: date must be a string" in found["b.txt"]["messages"][0]
    assert len([o for o in outcomes if o["file"].endswith("facts.jsonl")]) == 1
    got = meeting(tmp_path / "data", "region-skane", "regionstyrelsen", "2024-03-12")
    assert got["provenance"]["org"]["source"] == "manifest"


def test_an_unreadable_manifest_is_a_clear_error(tmp_path):
    bad = tmp_path / "facts.xlsx"
    bad.write_text("x", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "paragraf_se.cli", "--data-dir",
                          str(tmp_path / "data"), "ingest", "--manifest", str(bad)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert "a manifest is a .csv or .jsonl file" in run.stderr and "Traceback" not in run.stderr
    run = subprocess.run([sys.executable, "-m", "paragraf_se.cli", "--data-dir",
                          str(tmp_path / "data"), "ingest"], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 2 and "nothing to ingest" in run.stderr


def test_semicolon_csv_and_a_sidecar_named_on_its_own(tmp_path):
    (tmp_path / "a.txt").write_text(PROTOCOL, encoding="utf-8")
    (tmp_path / "a.txt.meta.json").write_text('{"body": "Valnämnden"}', encoding="utf-8")
    manifest = tmp_path / "m.csv"
    manifest.write_text("\ufeffpath;org;date\na.txt;Ale kommun;2024-03-12\n", encoding="utf-8")
    code, outcomes = ingest(tmp_path / "data", str(tmp_path / "a.txt"),
                            str(tmp_path / "a.txt.meta.json"), "--manifest", str(manifest))
    found = by_name(outcomes)
    assert code == 0
    assert found["a.txt"]["status"] == "ok"
    assert found["a.txt.meta.json"]["status"] == "skipped"
    got = meeting(tmp_path / "data", "ale-kommun", "valnamnden", "2024-03-12")
    assert (got["provenance"]["org"]["source"], got["provenance"]["body"]["source"]) == (
        "manifest", "sidecar")
