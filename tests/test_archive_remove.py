"""Symlinks out of an ingested directory, and removing an archived record (issue 17, defect 4).

A ``notes.txt`` linked to a file elsewhere on the server must not be archived
(and so published) unless the operator asks; material already archived that
must not be published is withdrawn with a tombstone and an audit entry: the
WARC stays append-only, the capture is no longer served, listed or indexed,
and rebuild, check and a rebuilt catalog respect the tombstone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from paragraf_se.archive.store import Archive
from paragraf_se.check import check
from paragraf_se.indexer.engine import SearchRequest
from paragraf_se.indexer.search import search
from paragraf_se.indexer.whoosh.index import WhooshIndex
from paragraf_se.parse_status import ParseStatusLog, status_path
from paragraf_se.permalinks import PermalinkRegistry, registry_path
from paragraf_se.pipeline import Pipeline
from paragraf_se.settings import DataDir
from paragraf_se.web import create_app
from tests.clock import TickingClock
from tests.serving import live_server

FIXTURE = Path(__file__).parent / "fixtures" / "web" / "ks-2022-03-02.txt"
REPO = Path(__file__).resolve().parents[1]


def paragraf(data: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "paragraf_se.cli", "--data-dir", str(data),
                           *args], capture_output=True, text=True, env=env, timeout=300)


def _protocol(path: Path, date: str, title: str = "Avfallsplan") -> Path:
    path.write_text(FIXTURE.read_text(encoding="utf-8").replace("2022-03-02", date)
                    .replace("onsdagen den 2 mars 2022", "")
                    .replace("Avfallsplan", title), encoding="utf-8")
    return path


# -- symlinks -------------------------------------------------------------


@pytest.fixture()
def linked(tmp_path):
    """An input directory with a protocol, a link out of it, and a link within it."""
    elsewhere = tmp_path / "etc-on-the-server"
    elsewhere.mkdir()
    secret = _protocol(elsewhere / "hemligt.txt", "2022-05-05", "Hemlig personalfråga")
    (elsewhere / "more").mkdir()
    _protocol(elsewhere / "more" / "mer.txt", "2022-06-06", "Annat hemligt")
    inputs = tmp_path / "inkommet"
    inputs.mkdir()
    shutil.copy(FIXTURE, inputs / "ks-2022-03-02.txt")
    (inputs / "notes.txt").symlink_to(secret)
    (inputs / "linked-dir").symlink_to(elsewhere / "more", target_is_directory=True)
    (inputs / "same.txt").symlink_to(inputs / "ks-2022-03-02.txt")  # stays inside
    return tmp_path / "data", inputs


def test_ingest_skips_links_out_of_the_directory_and_says_why(linked):
    data, inputs = linked
    run = paragraf(data, "ingest", str(inputs))
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stdout.splitlines()
    skipped = [line for line in lines if line.startswith("SKIPPED")]
    assert len(skipped) == 2, run.stdout
    assert any("notes.txt: symbolic link to a file outside" in line for line in skipped)
    assert any("linked-dir: symbolic link to a directory outside" in line for line in skipped)
    assert "--follow-symlinks" in skipped[0]
    assert "2 skipped" in lines[-1]
    listed = paragraf(data, "archive", "ls", "--json")
    sources = [json.loads(line)["source"] for line in listed.stdout.splitlines()]
    assert sources == [(inputs / "ks-2022-03-02.txt").as_uri()]
    assert paragraf(data, "search", "hemlig").stdout.startswith("0 paragraph")


def test_follow_symlinks_ingests_them(linked):
    data, inputs = linked
    run = paragraf(data, "ingest", "--follow-symlinks", str(inputs))
    assert run.returncode == 0, run.stderr
    assert "SKIPPED" not in run.stdout
    listed = paragraf(data, "archive", "ls", "--json").stdout.splitlines()
    assert len(listed) == 3  # the protocol (twice named: one capture), notes.txt, mer.txt


# -- removal --------------------------------------------------------------


@pytest.fixture()
def archived(tmp_path):
    """A data directory with two protocols; the second must not be published."""
    data = DataDir(tmp_path / "data")
    public = _protocol(tmp_path / "ks-2022-03-02.txt", "2022-03-02")
    secret = _protocol(tmp_path / "ks-2022-05-05.txt", "2022-05-05", "Skyddad personuppgift")
    archive, index = Archive(data.archive, clock=TickingClock()), WhooshIndex(data.index)
    log = ParseStatusLog(status_path(data.root))
    pipeline = Pipeline(archive, index, status_log=log,
                        permalinks=PermalinkRegistry(registry_path(data.root)))
    kept = pipeline.ingest_file(public, {})
    gone = pipeline.ingest_file(secret, {})
    assert kept.paragraphs == gone.paragraphs == 3
    yield data, pipeline, kept.capture_id, gone.capture_id, secret
    log.close()
    index.close()
    archive.close()


def _count(data: DataDir) -> int:
    index = WhooshIndex(data.index)
    try:
        return index.count()
    finally:
        index.close()


def _hits(data: DataDir, q: str) -> int:
    index = WhooshIndex(data.index)
    try:
        return search(index, SearchRequest(q=q)).total
    finally:
        index.close()


def test_removal_keeps_an_audit_entry_with_the_injected_clock(archived):
    _data, pipeline, _kept, gone, _secret = archived
    removal, outcome = pipeline.remove_capture(gone, reason="Innehåller skyddade "
                                               "personuppgifter", by="registrator")
    assert removal.removed_at.isoformat() == "2024-03-01T09:00:03+00:00"
    assert (removal.removed_by, removal.reason) == ("registrator",
                                                    "Innehåller skyddade personuppgifter")
    assert outcome.change.removed == 3
    assert pipeline.archive.removals() == [removal]
    again, _ = pipeline.remove_capture(gone, reason="igen", by="någon annan")
    assert again == removal  # the first tombstone stands
    assert [c.id for c in pipeline.archive.captures()] == [_kept]
    assert len(list(pipeline.archive.captures(include_removed=True))) == 2


def test_removed_capture_is_not_served_listed_indexed_or_rebuilt(archived):
    data, pipeline, kept, gone, secret = archived
    pipeline.index.close()
    pipeline.archive.close()
    assert _hits(data, "personuppgift") >= 1 and _count(data) == 6
    run = paragraf(data.root, "archive", "remove", gone, "--reason",
                   "Skyddade personuppgifter (beslut 2024-03-01)", "--by", "registrator")
    assert run.returncode == 0, run.stderr
    assert "3 paragraph(s) removed" in run.stdout
    listed = paragraf(data.root, "archive", "ls", "--removed", "--json")
    (entry,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert (entry["id"], entry["removed_by"]) == (gone, "registrator")
    assert entry["reason"] == "Skyddade personuppgifter (beslut 2024-03-01)"
    assert gone not in paragraf(data.root, "archive", "ls").stdout
    assert _hits(data, "personuppgift") == 0 and _count(data) == 3

    with live_server(create_app(data)) as url, httpx.Client(base_url=url, timeout=10) as c:
        assert c.get(f"/archive/{kept}").status_code == 200
        response = c.get(f"/archive/{gone}")
        assert response.status_code == 410
        assert "personuppgift" not in response.text.lower()
        documents = c.get("/api/documents").json()["documents"]
        assert [d["capture_id"] for d in documents] == [kept]
        assert c.get("/api/search", params={"q": "personuppgift"}).json()["total"] == 0

    # The WARC keeps the record: verify is clean and counts every record.
    verify = paragraf(data.root, "archive", "verify")
    assert verify.returncode == 0, verify.stdout
    # Rebuild, check, and re-ingesting the same file all respect the tombstone.
    assert paragraf(data.root, "index", "--rebuild").returncode == 0
    assert _hits(data, "personuppgift") == 0 and _count(data) == 3
    report = check(data)
    assert report.ok, report.problems
    again = paragraf(data.root, "ingest", str(secret))
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("SKIPPED") and "removed from publication" in again.stdout
    assert _hits(data, "personuppgift") == 0
    # A catalog rebuilt from the WARC files alone still has the tombstone.
    for path in data.archive.glob("catalog.sqlite*"):
        path.unlink()
    with Archive(data.archive) as archive:
        assert [r.capture_id for r in archive.removals()] == [gone]
        assert [c.id for c in archive.captures()] == [kept]


def test_removing_an_unknown_capture_is_a_clear_error(archived):
    data, pipeline, *_ = archived
    pipeline.index.close()
    pipeline.archive.close()
    run = paragraf(data.root, "archive", "remove", "0" * 20, "--reason", "x")
    assert run.returncode == 2
    assert "cannot remove" in run.stderr and "Traceback" not in run.stderr
