"""``restore`` trusts a backup only as far as its checked manifest and its data agree (issue 17).

Each test pads or tampers with a real backup the way an attacker (or a bad
copy) would, and asserts that restore refuses it before the live data
directory changes at all. The last one races ``restore --force`` against a
real concurrent ``paragraf ingest`` process.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from paragraf_se.archive.store import Archive
from paragraf_se.backup import MANIFEST, BackupError, _manifest_checksum, backup, restore
from paragraf_se.check import check
from paragraf_se.indexer.engine import SearchRequest
from paragraf_se.indexer.search import search
from paragraf_se.indexer.whoosh.index import WhooshIndex
from paragraf_se.pipeline import Pipeline
from paragraf_se.settings import DataDir
from tests.paragraph_factory import make_paragraph

FIXTURE = Path(__file__).parent / "fixtures" / "web" / "ks-2022-03-02.txt"
REPO = Path(__file__).resolve().parents[1]


def _protocol(folder: Path, day: int, month: int = 4) -> Path:
    date = f"2022-{month:02d}-{day:02d}"
    path = folder / f"ks-{date}.txt"
    path.write_text(FIXTURE.read_text(encoding="utf-8").replace("2022-03-02", date)
                    .replace("onsdagen den 2 mars 2022", ""), encoding="utf-8")
    return path


def _ingest(data: DataDir, *paths: Path) -> None:
    with Archive(data.archive) as archive:
        index = WhooshIndex(data.index)
        try:
            for path in paths:
                assert not Pipeline(archive, index).ingest_file(path, {}).failed
        finally:
            index.close()


def _digest(path: Path) -> str:
    if path.suffix == ".sqlite":  # its contents: opening it may rewrite its header
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            return hashlib.sha256("\n".join(db.iterdump()).encode()).hexdigest()
        finally:
            db.close()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tree(data: DataDir) -> dict[str, str]:
    """Every file of the live archive and index with its checksum (lock files aside)."""
    return {str(p.relative_to(data.root)): _digest(p)
            for part in (data.archive, data.index) for p in sorted(part.rglob("*"))
            if p.is_file() and not p.name.lower().endswith("lock") and "-wal" not in p.name
            and "-shm" not in p.name}


def _reseal(src: Path, **changes) -> None:
    """Rewrite the manifest as a forger who knows the format would: files listed, checksum new."""
    manifest = json.loads((src / MANIFEST).read_text(encoding="utf-8"))
    manifest["files"] = {str(p.relative_to(src)): hashlib.sha256(p.read_bytes()).hexdigest()
                         for p in sorted(src.rglob("*")) if p.is_file() and p.name != MANIFEST}
    manifest["file_count"] = len(manifest["files"])
    manifest.update(changes)
    manifest["manifest_sha256"] = _manifest_checksum(manifest)
    (src / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


@pytest.fixture()
def setup(tmp_path):
    """(a backup of one protocol, a live data directory with two others, its tree)."""
    source = DataDir(tmp_path / "source")
    _ingest(source, FIXTURE)
    dest = tmp_path / "backup"
    backup(source, dest)
    live = DataDir(tmp_path / "live")
    _ingest(live, _protocol(tmp_path, 1), _protocol(tmp_path, 2))
    return dest, live, _tree(live)


def _refused(dest: Path, live: DataDir, before: dict[str, str], match: str) -> None:
    with pytest.raises(BackupError, match=match):
        restore(dest, live, force=True)
    assert _tree(live) == before, "a refused restore changed the live data"
    assert not list(live.root.glob(".restore-*"))
    assert check(live).ok


def _forge_generation(dest: Path, tmp_path: Path) -> list[str]:
    """A newer index generation holding "§ 999 Förfalskat beslut", copied into the backup."""
    work = tmp_path / "forged-index"
    shutil.copytree(dest / "index", work)
    index = WhooshIndex(work)
    forged = make_paragraph("999", "Förfalskat beslut", "Kommunstyrelsen beslutar att "
                            "förfalska.", date="2022-03-02", url="file:///forged.txt")
    index.replace_source("file:///forged.txt", [forged])
    index.close()
    added = sorted(set(os.listdir(work)) - set(os.listdir(dest / "index")))
    assert any(n.endswith(".toc") for n in added)
    for name in added:
        if not name.endswith("LOCK"):
            shutil.copy(work / name, dest / "index" / name)
    return added


def test_forged_index_generation_is_refused_even_with_a_resealed_manifest(setup, tmp_path):
    dest, live, before = setup
    _forge_generation(dest, tmp_path)
    _refused(dest, live, before, "files its manifest does not list: index/")
    # The forger lists the files too, but cannot make the manifest's checksum match ...
    manifest = json.loads((dest / MANIFEST).read_text(encoding="utf-8"))
    manifest["files"].update({str(p.relative_to(dest)): hashlib.sha256(p.read_bytes())
                              .hexdigest() for p in (dest / "index").iterdir()})
    (dest / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    _refused(dest, live, before, "manifest has been changed")
    # ... and one who recomputes it still has an index with two generations.
    _reseal(dest)
    _refused(dest, live, before, "holds 2 generations")
    # Only the forged generation: the counts no longer agree with the manifest.
    for toc in sorted((dest / "index").glob("_paragraphs_*.toc"))[:-1]:
        toc.unlink()
    _reseal(dest)
    _refused(dest, live, before, "segment|manifest counts 3 paragraphs")
    index = WhooshIndex(live.index)
    assert search(index, SearchRequest(q="förfalskat")).total == 0
    index.close()


def test_extra_warc_file_is_refused(setup):
    dest, live, before = setup
    warc = next((dest / "archive" / "warc").glob("*.warc.gz"))
    extra = warc.with_name(warc.name.replace("-00001", "-00002"))
    assert extra != warc
    shutil.copy(warc, extra)
    _refused(dest, live, before, "files its manifest does not list: archive/warc/")
    _reseal(dest)
    _refused(dest, live, before, "WARC files its catalog does not record")


def test_extra_generation_that_does_not_open_is_refused(setup):
    dest, live, before = setup
    (dest / "index" / "_paragraphs_7.toc").write_bytes(b"not a table of contents")
    _refused(dest, live, before, "does not list: index/_paragraphs_7.toc")
    _reseal(dest)
    _refused(dest, live, before, "holds 2 generations")
    for toc in (dest / "index").glob("_paragraphs_*.toc"):
        if toc.name != "_paragraphs_7.toc":
            toc.unlink()
    _reseal(dest)
    _refused(dest, live, before, "does not open")


def test_manifest_counts_must_match_what_is_restored(setup):
    dest, live, before = setup
    manifest = json.loads((dest / MANIFEST).read_text(encoding="utf-8"))
    assert (manifest["captures"], manifest["paragraphs"]) == (1, 3)
    manifest["paragraphs"] = 4
    (dest / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    _refused(dest, live, before, "manifest has been changed")
    _reseal(dest, paragraphs=4)
    _refused(dest, live, before, "manifest counts 4 paragraphs but the backup's index holds 3")
    _reseal(dest, paragraphs=3, captures=2)
    _refused(dest, live, before, "manifest counts 2 captures but the backup's catalog holds 1")
    _reseal(dest, paragraphs=3, captures=1, file_count=99)
    _refused(dest, live, before, "manifest counts 99 files but lists")


def test_tampered_file_is_refused_even_when_listed_anew(setup):
    dest, live, before = setup
    warc = next((dest / "archive" / "warc").glob("*.warc.gz"))
    raw = bytearray(warc.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    warc.write_bytes(bytes(raw))
    _refused(dest, live, before, "checksum differs: archive/warc/")
    _reseal(dest)  # the WARC's own record digests still give it away
    _refused(dest, live, before, "does not pass check")


def test_intact_backup_replaces_the_live_data(setup):
    from paragraf_se.parse_status import ParseStatusLog, status_path

    dest, live, _before = setup
    log = ParseStatusLog(status_path(live.root))
    log.record("f" * 20, "file:///ghost.txt", "ok", (), 3)  # a capture the backup lacks
    log.close()
    summary = restore(dest, live, force=True)
    log = ParseStatusLog(status_path(live.root))
    assert log.list()[0] == 0  # /api/documents lists no capture that is not restored
    log.close()
    assert (summary.captures, summary.paragraphs) == (1, 3)
    report = check(live)
    assert report.ok and report.paragraphs_indexed == 3
    assert not list(live.root.glob(".restore-*"))


def _cli(data: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "paragraf_se.cli", "--data-dir", str(data),
                             *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)


def test_restore_force_never_swaps_under_a_running_ingest(setup, tmp_path):
    dest, live, _before = setup
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for month in range(5, 10):
        for day in range(1, 29):
            _protocol(inputs, day, month)
    files = sorted(inputs.iterdir())
    ingest = _cli(live.root, "ingest", str(inputs))
    first = ingest.stdout.readline()
    # "Åsjö kommun" is fictional, not in the list of authorities: flagged, so WARNINGS.
    assert first.startswith(("OK", "WARNINGS")), first + ingest.stderr.read()
    restoring = _cli(live.root, "restore", "--force", str(dest))
    _, r_err = restoring.communicate(timeout=300)
    rest, i_err = ingest.communicate(timeout=300)
    i_out = first + rest
    # The ingest finished untouched: every file reported OK is archived and indexed.
    assert ingest.returncode == 0, i_err
    assert "Traceback" not in i_err and "Traceback" not in r_err
    assert sum(line.startswith(("OK", "WARNINGS")) for line in i_out.splitlines()) == len(files)
    if restoring.returncode == 0:
        # Possible only if the ingest had already finished: then the backup replaced it.
        assert check(live).paragraphs_indexed == 3
    else:
        # Refused while the ingest wrote: nothing of the live data was swapped.
        assert restoring.returncode == 2
        assert "is writing to" in r_err, r_err
        report = check(live)
        assert report.ok, report.problems
        assert report.documents == 2 + len(files)
    # A restore that waits for the writer then goes through, and check passes.
    again = _cli(live.root, "restore", "--force", "--wait", "60", str(dest))
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    report = check(live)
    assert report.ok and report.paragraphs_indexed == 3


def test_a_writer_whose_archive_was_restored_away_fails_cleanly(setup, tmp_path):
    from paragraf_se.archive.errors import ArchiveReplaced

    dest, live, _before = setup
    archive = Archive(live.archive)  # opened before the restore, like a long ingest's
    try:
        restore(dest, live, force=True)
        with pytest.raises(ArchiveReplaced, match="was replaced"):
            archive.store_resource(b"x", source="file:///late.txt", content_type="text/plain")
    finally:
        archive.close()
    with Archive(live.archive) as fresh:
        assert [c.source for c in fresh.captures()] == [FIXTURE.resolve().as_uri()]


def test_a_restore_interrupted_mid_swap_is_finished_by_the_next_command(setup, tmp_path):
    from paragraf_se.backup import READY, STAGING_PREFIX, _copy_verified, verify_backup

    dest, live, _before = setup
    manifest = verify_backup(dest)
    abandoned = live.root / f"{STAGING_PREFIX}1"  # never marked ready: removed
    _copy_verified(dest, abandoned, manifest["files"])
    staging = live.root / f"{STAGING_PREFIX}2"
    _copy_verified(dest, staging, manifest["files"])
    (staging / READY).write_text("ok\n", encoding="utf-8")
    # The crash came after the live archive was moved aside, before the copy moved in.
    live.archive.rename(staging / "archive.replaced")
    inputs = tmp_path / "later"
    inputs.mkdir()
    run = _cli(live.root, "ingest", str(_protocol(inputs, 9)))
    _, err = run.communicate(timeout=300)
    assert run.returncode == 0, err
    assert "finished an interrupted restore" in err
    assert not list(live.root.glob(f"{STAGING_PREFIX}*"))
    report = check(live)
    assert report.ok, report.problems
    assert report.paragraphs_indexed == 3 + 3  # the backup's, and the file ingested after


def test_a_link_in_the_backup_is_refused(setup, tmp_path):
    dest, live, before = setup
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("server file", encoding="utf-8")
    (dest / "index" / "paragraphs_zzzz.seg").symlink_to(outside)
    _refused(dest, live, before, "a symbolic link")
