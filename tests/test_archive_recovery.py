"""Crashes and damage: verify(), torn tails, rebuilding the catalog, a real SIGKILL."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from paragraf_se.archive import warcfile
from paragraf_se.archive.errors import ArchiveCorrupt
from paragraf_se.archive.store import Archive
from tests.clock import TickingClock

REPO = Path(__file__).resolve().parents[1]
URL = "https://www.exempelby.se/protokoll/ks.pdf"


def _payload(n: int, size: int = 4000) -> bytes:
    # Random bytes do not compress, so a byte in the middle of a record is payload.
    return random.Random(n).randbytes(size)


def _fill(archive: Archive, count: int = 3) -> dict[str, bytes]:
    stored = {}
    for n in range(count):
        data = _payload(n)
        stored[
            archive.store_resource(data, source=f"file:///in/{n}.bin", content_type="").capture.id
        ] = data
    return stored


def _newest(archive: Archive) -> Path:
    return archive.warc_dir / warcfile.list_warc_files(archive.warc_dir)[-1]


def _history(archive: Archive) -> tuple[list, dict]:
    captures = list(archive.captures())
    return captures, {c.source: archive.visits(c.source) for c in captures}


def _remove_catalog(root: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        (root / f"catalog.sqlite{suffix}").unlink(missing_ok=True)


def test_verify_passes_on_an_intact_archive(tmp_path):
    with Archive(tmp_path / "a", clock=TickingClock()) as archive:
        _fill(archive)
        archive.store_response(URL, status=200, headers=[], body=_payload(9))
        archive.store_response(URL, status=200, headers=[], body=_payload(9))
        report = archive.verify()
    # warcinfo + 3 resources + response, request, revisit, request
    assert (report.checked, report.problems, report.ok) == (8, (), True)


def test_verify_and_read_detect_a_flipped_byte(tmp_path):
    with Archive(tmp_path / "a", clock=TickingClock()) as archive:
        stored = _fill(archive)
        victim = archive.get(list(stored)[1])
        with open(archive.warc_dir / victim.warc_file, "r+b") as fh:
            fh.seek(victim.offset + victim.length // 2)
            byte = fh.read(1)
            fh.seek(-1, os.SEEK_CUR)
            fh.write(bytes([byte[0] ^ 0x01]))
        report = archive.verify()
        assert not report.ok
        assert any(f"@{victim.offset}" in problem for problem in report.problems)
        assert any(victim.id in problem for problem in report.problems)
        with pytest.raises(ArchiveCorrupt):
            archive.read(victim.id)
        for cid, data in stored.items():  # the neighbours are untouched
            if cid != victim.id:
                assert archive.read(cid) == data


def test_verify_reports_a_missing_warc_file(tmp_path):
    with Archive(tmp_path / "a", clock=TickingClock(), max_warc_bytes=5000) as archive:
        stored = _fill(archive)
        lost = archive.get(next(iter(stored)))
        (archive.warc_dir / lost.warc_file).unlink()
        report = archive.verify()
        assert [p for p in report.problems if lost.id in p]
        with pytest.raises(ArchiveCorrupt):
            archive.read(lost.id)


def _append_torn_record(archive: Archive, n: int) -> int:
    """Simulate a crash mid-append: half a record at the end, no catalog row."""
    record = warcfile.build_resource(
        f"file:///in/torn-{n}.bin",
        _payload(100 + n),
        when=dt.datetime(2024, 3, 2, tzinfo=dt.UTC),
        content_type="application/octet-stream",
        extra={},
    )
    path = _newest(archive)
    intact = path.stat().st_size
    with open(path, "ab") as fh:
        fh.write(record.data[: len(record.data) // 2])
    return intact


def test_torn_tail_is_cut_off_on_open_and_later_records_are_sound(tmp_path):
    root = tmp_path / "a"
    with Archive(root, clock=TickingClock()) as archive:
        stored = _fill(archive)
        intact = _append_torn_record(archive, 1)
    with Archive(root, clock=TickingClock()) as archive:
        assert _newest(archive).stat().st_size == intact
        data = _payload(50)
        later = archive.store_resource(data, source="file:///in/later.bin", content_type="")
        stored[later.capture.id] = data
        assert later.capture.offset == intact
        assert archive.verify().ok
        assert all(archive.read(cid) == data for cid, data in stored.items())
        with open(_newest(archive), "rb") as fh:
            types = [record.rec_type for record in ArchiveIterator(fh)]
        assert types == ["warcinfo"] + ["resource"] * 4


def test_torn_tail_is_ignored_by_readers_and_cut_by_the_next_write(tmp_path):
    root = tmp_path / "a"
    with Archive(root, clock=TickingClock()) as archive:
        stored = _fill(archive)
        intact = _append_torn_record(archive, 2)
    other = os.open(root / ".writer.lock", os.O_RDWR)
    fcntl.flock(other, fcntl.LOCK_EX)  # a writer elsewhere: opening must not repair
    try:
        with Archive(root, clock=TickingClock()) as archive:
            assert _newest(archive).stat().st_size > intact
            assert archive.verify().ok
            assert all(archive.read(cid) == data for cid, data in stored.items())
            fcntl.flock(other, fcntl.LOCK_UN)
            archive.store_resource(b"next", source="file:///in/next", content_type="")
            assert archive.verify().ok
            assert archive.count() == 4
    finally:
        os.close(other)


def test_a_truncated_committed_record_is_reported_and_never_appended_to(tmp_path):
    root = tmp_path / "a"
    with Archive(root, clock=TickingClock()) as archive:
        stored = _fill(archive)
        last = archive.get(list(stored)[-1])
    with open(root / "warc" / last.warc_file, "r+b") as fh:
        fh.truncate(last.offset + last.length - 10)  # the disk lost what it promised
    with Archive(root, clock=TickingClock()) as archive:
        report = archive.verify()
        assert [p for p in report.problems if last.id in p]
        with pytest.raises(ArchiveCorrupt):
            archive.read(last.id)
        later = archive.store_resource(b"new", source="file:///in/new", content_type="").capture
        assert later.warc_file != last.warc_file
        assert archive.read(later.id) == b"new"
        for cid, data in stored.items():
            if cid != last.id:
                assert archive.read(cid) == data


def _varied_history(archive: Archive) -> None:
    _fill(archive)
    archive.store_resource(
        _payload(0), source="file:///in/0.bin", content_type="", metadata={"org": "Exempelby"}
    )
    archive.store_response(
        URL,
        status=200,
        headers=[("Content-Type", "application/pdf"), ("ETag", '"v1"')],
        body=b"<html><body>Fel</body></html>",
        metadata={"body": "KS"},
    )
    archive.store_response(URL, status=200, headers=[("ETag", '"v2"')], body=b"%PDF-1.4 a")
    archive.store_response(URL, status=200, headers=[("ETag", '"v2"')], body=b"%PDF-1.4 a")
    archive.record_not_modified(URL, headers=[("Date", "x")])


def test_lost_catalog_is_rebuilt_from_the_warc_files_on_open(tmp_path):
    root = tmp_path / "a"
    with Archive(root, clock=TickingClock(), max_warc_bytes=6000) as archive:
        _varied_history(archive)
        before = _history(archive)
        assert len(warcfile.list_warc_files(archive.warc_dir)) > 1
    _remove_catalog(root)
    with Archive(root) as archive:
        assert _history(archive) == before
        assert archive.validators(URL) == ('"v2"', None)
        assert archive.get(before[0][0].id).meta() == {"org": "Exempelby"}
        assert archive.verify().ok


def test_rebuild_catalog_reproduces_captures_and_visits(tmp_path):
    with Archive(tmp_path / "a", clock=TickingClock()) as archive:
        _varied_history(archive)
        before = _history(archive)
        assert archive.rebuild_catalog() == len(before[0])
        assert _history(archive) == before
        assert archive.latest(URL).content_type == "application/pdf"


def test_rebuild_steps_over_a_damaged_record_and_keeps_the_rest(tmp_path):
    with Archive(tmp_path / "a", clock=TickingClock()) as archive:
        stored = _fill(archive, 4)
        victim = archive.get(list(stored)[1])
        with open(archive.warc_dir / victim.warc_file, "r+b") as fh:
            fh.seek(victim.offset + 200)
            fh.write(b"\x00" * 50)
        assert archive.rebuild_catalog() == 3
        assert {c.id for c in archive.captures()} == set(stored) - {victim.id}
        for cid in set(stored) - {victim.id}:
            assert archive.read(cid) == stored[cid]


CHILD = """
import random, sys
from pathlib import Path
from paragraf_se.archive.store import Archive

start = int(sys.argv[2])
with Archive(Path(sys.argv[1]), max_warc_bytes=200_000) as archive:
    for n in range(start, start + 1000):
        data = random.Random(n).randbytes(30_000 + n % 1000)
        result = archive.store_resource(data, source=f"file:///loop/{n}.bin", content_type="")
        print(n, result.capture.id, flush=True)
"""


def _run_and_kill(root: Path, start: int, delay: float) -> list[tuple[str, str]]:
    """Run the storing child, SIGKILL it a little after its 5th record; what it printed."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    written: list[tuple[str, str]] = []
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, str(root), str(start)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    ) as child:
        for line in child.stdout:
            written.append(tuple(line.split()))
            if len(written) == 5:
                break
        # Killing right on the child's output would always land at the same
        # point of its loop; staggered delays make it land mid-append too.
        time.sleep(delay)
        child.kill()
        rest = child.stdout.read()
        child.wait()
    assert child.returncode == -signal.SIGKILL
    written.extend(tuple(line.split()) for line in rest.splitlines() if len(line.split()) == 2)
    return written


def test_sigkilled_writer_leaves_a_sound_archive(tmp_path):
    root = tmp_path / "killed"
    written: list[tuple[str, str]] = []
    for round_ in range(8):
        written += _run_and_kill(root, round_ * 1000, round_ * 0.0003)
        with Archive(root) as archive:
            report = archive.verify()
            assert report.ok, report.problems
            for n, cid in written:
                assert archive.read(cid) == random.Random(int(n)).randbytes(30_000 + int(n) % 1000)
            assert archive.count() >= len(written)
    with Archive(root) as archive:
        more = archive.store_resource(b"after the crash", source="file:///after", content_type="")
        assert archive.read(more.capture.id) == b"after the crash"
        assert archive.verify().ok
