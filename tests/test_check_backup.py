"""``paragraf check``, ``backup`` and ``restore`` on real data directories."""

import threading
from pathlib import Path

import pytest

from paragraf_se.archive.store import Archive
from paragraf_se.backup import BackupError, backup, restore
from paragraf_se.check import check
from paragraf_se.indexer.whoosh.index import WhooshIndex
from paragraf_se.pipeline import Pipeline
from paragraf_se.settings import DataDir

FIXTURE = Path(__file__).parent / "fixtures" / "web" / "ks-2022-03-02.txt"


def ingest(data: DataDir, *paths: Path, facts=None) -> None:
    archive, index = Archive(data.archive), WhooshIndex(data.index)
    try:
        for path in paths:
            assert not Pipeline(archive, index).ingest_file(path, facts or {}).failed
    finally:
        index.close()
        archive.close()


@pytest.fixture()
def data(tmp_path) -> DataDir:
    d = DataDir(tmp_path / "data")
    ingest(d, FIXTURE)
    return d


def test_check_passes_on_a_healthy_data_dir(data):
    report = check(data)
    assert report.ok, report.problems
    assert (report.documents, report.paragraphs_expected, report.paragraphs_indexed) == (1, 3, 3)


def test_check_finds_a_missing_paragraph(data):
    index = WhooshIndex(data.index)
    victim = next(iter(index.all()))
    with index._writer() as w:
        w.delete_by_term("id", victim.id)
    index.close()
    report = check(data)
    assert not report.ok
    assert any(victim.id in p and "0 times" in p for p in report.problems)


def test_check_finds_a_damaged_archive(data):
    warc = next((data.archive / "warc").glob("*.warc.gz"))
    raw = bytearray(warc.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    warc.write_bytes(bytes(raw))
    report = check(data)
    assert any(p.startswith("archive:") for p in report.problems)


def test_backup_and_restore_round_trip(data, tmp_path):
    dest = tmp_path / "backup"
    summary = backup(data, dest)
    assert (summary.captures, summary.paragraphs) == (1, 3)
    target = DataDir(tmp_path / "restored")
    restore(dest, target)
    assert check(target).ok
    with Archive(target.archive) as a:
        (cap,) = list(a.captures())
        assert a.read(cap.id) == FIXTURE.read_bytes()
    with pytest.raises(BackupError, match="already has an archive"):
        restore(dest, target)
    restore(dest, target, force=True)


def test_damaged_backup_is_refused_before_touching_anything(data, tmp_path):
    dest = tmp_path / "backup"
    backup(data, dest)
    catalog = dest / "archive" / "catalog.sqlite"
    catalog.write_bytes(catalog.read_bytes() + b"x")
    target = DataDir(tmp_path / "restored")
    with pytest.raises(BackupError, match="checksum differs"):
        restore(dest, target)
    assert not target.archive.exists()
    with pytest.raises(BackupError, match="not empty"):
        backup(data, dest)


def test_backup_while_ingesting_is_consistent(data, tmp_path):
    others = []
    for i in range(6):
        f = tmp_path / f"other-{i}.txt"
        f.write_text(FIXTURE.read_text(encoding="utf-8").replace("2022-03-02", f"2022-04-0{i+1}")
                     .replace("2 mars 2022", f"{i+1} april 2022"), encoding="utf-8")
        others.append(f)
    writer = threading.Thread(target=ingest, args=(data, *others))
    writer.start()
    dest = tmp_path / "backup"
    backup(data, dest)
    writer.join()
    target = DataDir(tmp_path / "restored")
    restore(dest, target)
    report = check(target)
    assert report.ok, report.problems
    assert report.paragraphs_indexed == report.paragraphs_expected


def test_repair_indexes_what_is_missing(data):
    from paragraf_se.check import repair

    index = WhooshIndex(data.index)
    victim = next(iter(index.all()))
    with index._writer() as w:
        w.delete_by_term("id", victim.id)
    index.close()
    assert not check(data).ok
    assert repair(data) == 1
    assert check(data).ok
    assert repair(data) == 0


def test_repair_records_permalinks_and_parse_status_as_an_ingest_does(data):
    """A repair opens the data directory as every command does, registries included."""
    from paragraf_se.check import repair
    from paragraf_se.parse_status import ParseStatusLog
    from paragraf_se.permalinks import PermalinkRegistry

    assert not data.permalinks.exists() and not data.parse_status.exists()  # ingested bare
    index = WhooshIndex(data.index)
    victim = next(iter(index.all()))
    with index._writer() as w:
        w.delete_by_term("id", victim.id)
    index.close()
    assert repair(data) == 1
    registry = PermalinkRegistry(data.permalinks)
    status = ParseStatusLog(data.parse_status)
    try:
        assert registry.issued_count() == 3  # every paragraph of the re-indexed document
        total, docs = status.list(None, offset=0, limit=10)
        assert total == 1 and docs[0].paragraphs == 3
    finally:
        registry.close()
        status.close()
