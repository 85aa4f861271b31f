"""Bulk-writer processes that live for a whole batch (indexer.whoosh.bulk_stream).

Inside ``WhooshIndex.batch(procs=2)`` the writer processes start once the
batch is big enough, analyse paragraphs as they come, and serve every later
commit of the batch; copies superseded before a commit never reach the
index; a SIGKILL mid-import leaves no process behind and loses nothing.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from paragraf_se.archive.store import Archive
from paragraf_se.check import check
from paragraf_se.index_swap import recover
from paragraf_se.indexer.whoosh import index as whoosh_engine
from paragraf_se.indexer.whoosh.bulk_stream import PRIVATE_PREFIX, SegmentStream
from paragraf_se.indexer.whoosh.bulk_writer import SegmentsWriter
from paragraf_se.indexer.whoosh.index import WhooshIndex, posting_codec
from paragraf_se.settings import DataDir
from tests.paragraph_factory import make_paragraph
from tests.test_crash_safety import DOCUMENTS, REPO, make_inputs

WRITER_NAME = "paragraf-bulk-writer"


def _writers() -> set[int]:
    return {p.pid for p in multiprocessing.active_children() if p.name == WRITER_NAME}


def _meeting(i: int, *, text: str = "Text.", url: str | None = None) -> tuple[str, list]:
    url = url or f"file:///m-{i}.txt"
    date = f"2022-{1 + i // 28:02d}-{1 + i % 28:02d}"
    return url, [make_paragraph(str(n), text=f"{text} {n}", date=date, url=url)
                 for n in range(1, 4)]


def _rows(index: WhooshIndex) -> list[tuple]:
    return sorted((p.id, p.text, tuple(sorted(s.url for s in p.sources))) for p in index.all())


def test_writer_processes_serve_every_commit_of_a_batch(tmp_path, monkeypatch):
    monkeypatch.setattr(whoosh_engine, "PARALLEL_FLUSH_FROM", 6)
    ix = WhooshIndex(tmp_path / "ix")
    seen: list[tuple[int, set[int]]] = []  # (generation, writer pids) after each source
    try:
        with ix.batch(5, procs=2):  # a commit every 5 sources
            for i in range(23):
                ix.replace_source(*_meeting(i))
                seen.append((ix.generation(), _writers()))
            during = _writers()
        after = _writers()
        assert ix.count() == 23 * 3
        assert all(ix.id_count(p.id) == 1 for p in ix.all())
        assert not list((tmp_path / "ix").glob(f"{PRIVATE_PREFIX}*"))
    finally:
        ix.close()
    generations = {g for g, _ in seen}
    assert len(generations) >= 4  # several commits happened inside the batch
    started = [pids for _, pids in seen if pids]
    # Started once (after two sources: 6 paragraphs), then the same two for every commit.
    assert len(started[0]) == 2 and all(pids == started[0] for pids in started)
    assert during == started[0]
    assert not (after & during)  # gone when the batch ends


def test_copies_superseded_before_a_commit_never_reach_the_index(tmp_path, monkeypatch):
    def run(root: Path, procs: int) -> tuple[list, list]:
        ix = WhooshIndex(root)
        changes = []
        try:
            with ix.batch(100, procs=procs):
                for i in range(8):
                    changes.append(ix.replace_source(*_meeting(i)))
                # The same paragraphs from a second source (one paragraph, two sources)...
                url, paragraphs = _meeting(3, url="file:///copy-of-3.txt")
                changes.append(ix.replace_source(url, paragraphs))
                # ...a source published again with new text, then with one § fewer...
                changes.append(ix.replace_source(*_meeting(5, text="Rättad text.")))
                url, paragraphs = _meeting(6)
                changes.append(ix.replace_source(url, paragraphs[:2]))
                # ...and a source withdrawn altogether.
                changes.append(ix.replace_source("file:///m-7.txt", []))
            return _rows(ix), changes
        finally:
            ix.close()

    expected, expected_changes = run(tmp_path / "one", procs=1)
    monkeypatch.setattr(whoosh_engine, "PARALLEL_FLUSH_FROM", 1)
    rows, changes = run(tmp_path / "streamed", procs=2)
    assert rows == expected and changes == expected_changes
    assert len(rows) == 8 * 3 - 1 - 3
    assert sum(1 for r in rows if len(r[2]) == 2) == 3


def test_a_stream_marks_superseded_items_and_removes_abandoned_folders(tmp_path):
    ix = WhooshIndex(tmp_path / "ix")
    # A folder left by a killed process (no such pid) is removed; a live one's is kept.
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    abandoned = tmp_path / "ix" / f"{PRIVATE_PREFIX}{dead}-0000"
    abandoned.mkdir()
    alive = tmp_path / "ix" / f"{PRIVATE_PREFIX}{os.getpid()}-ffff"
    alive.mkdir()
    try:
        raw = ix._ix
        stream = SegmentStream(raw, codec=posting_codec(), procs=2,
                               to_fields=ix._to_document)
        with stream:
            assert not abandoned.exists() and alive.exists()
            paragraphs = [make_paragraph(str(n), url="file:///a.txt") for n in range(1, 1201)]
            seqs = [stream.add(p) for p in paragraphs]
            assert seqs == list(range(1200))
            superseded = [0, 499, 500, 501, 1000, 1199]  # both workers, chunk edges
            writer = SegmentsWriter(raw, codec=posting_codec())
            segments = stream.flush(superseded)
            writer.add_segments(segments)
            writer.commit(merge=False)
            assert stream.count == 0
            pids = stream.pids
            assert all(os.path.exists(f"/proc/{pid}") for pid in pids)
        assert not any(p.name.startswith(PRIVATE_PREFIX) and p != alive
                       for p in (tmp_path / "ix").iterdir())
        kept = {p.number for p in ix.all()}
        assert kept == {str(n) for n in range(1, 1201)} - {str(s + 1) for s in superseded}
    finally:
        ix.close()


DRIVER = """
import sys
from paragraf_se import commands
from paragraf_se.indexer.whoosh import index as whoosh_engine
# Small enough to stream and commit several times within a short test.
whoosh_engine.PARALLEL_FLUSH_FROM = 30
commands.INGEST_BATCH_DOCUMENTS = 20
from paragraf_se.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _group_alive(pgid: int) -> list[int]:
    alive = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", encoding="ascii") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                alive.append(int(entry.name))
    return alive


@pytest.mark.parametrize("after_lines", [45, 110])
def test_a_killed_streaming_ingest_loses_nothing_and_leaves_no_process(tmp_path, after_lines):
    inputs = tmp_path / "in"
    make_inputs(inputs)
    data = DataDir(tmp_path / "data")
    cmd = [sys.executable, "-c", DRIVER, "--data-dir", str(data.root), "ingest", str(inputs),
           "--body", "Kommunstyrelsen", "--org", "Åsjö kommun"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=env, start_new_session=True)
    reported: list[str] = []
    enough = threading.Event()

    def read() -> None:
        for line in proc.stdout:
            if line.startswith(("OK", "WARNINGS")):
                reported.append(line.split()[1].rstrip(":"))
                if len(reported) >= after_lines:
                    enough.set()
        enough.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    enough.wait(timeout=300)
    proc.send_signal(signal.SIGKILL)  # the ingest process only, as `kill -9 PID`
    proc.wait()
    reader.join(timeout=30)
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL, "the ingest ended before the kill"
    assert len(reported) >= after_lines
    # The writers and parsers notice their parent is gone and quit.
    end = time.monotonic() + 30
    while _group_alive(proc.pid) and time.monotonic() < end:
        time.sleep(0.2)
    assert not _group_alive(proc.pid)

    # Every file reported before the kill is archived; the index opens, holds no
    # paragraph twice, and a re-run completes the import.
    recover(data)
    archive = Archive(data.archive)
    try:
        archived = {c.source.rsplit("/", 1)[-1] for c in archive.captures()}
    finally:
        archive.close()
    assert {Path(name).name for name in reported} <= archived
    index = WhooshIndex(data.index)
    try:
        assert all(index.id_count(p.id) == 1 for p in index.all())
    finally:
        index.close()
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-2000:]
    report = check(data)
    assert report.ok, report.problems
    assert report.paragraphs_indexed == report.paragraphs_expected == DOCUMENTS * 3
    assert not list(data.index.glob(f"{PRIVATE_PREFIX}*"))
