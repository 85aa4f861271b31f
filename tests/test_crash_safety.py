"""Real SIGKILLs of real ``paragraf`` processes: nothing lost, nothing duplicated."""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from paragraf_se.check import check
from paragraf_se.index_swap import COMPLETE, recover, swap_in
from paragraf_se.indexer.engine import SearchRequest
from paragraf_se.indexer.search import search
from paragraf_se.indexer.whoosh.index import WhooshIndex
from paragraf_se.settings import DataDir

FIXTURE = Path(__file__).parent / "fixtures" / "web" / "ks-2022-03-02.txt"
REPO = Path(__file__).resolve().parents[1]
DOCUMENTS = 240


def make_inputs(folder: Path) -> None:
    folder.mkdir()
    text = FIXTURE.read_text(encoding="utf-8")
    for i in range(DOCUMENTS):
        month, day = 1 + i // 28, 1 + i % 28
        date = f"{2023 + month // 13}-{1 + (month - 1) % 12:02d}-{day:02d}"
        (folder / f"ks-{date}.txt").write_text(
            text.replace("2022-03-02", date).replace("onsdagen den 2 mars 2022", ""),
            encoding="utf-8")


def paragraf(data: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "paragraf_se.cli", "--data-dir", str(data), *args]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)


def kill_after(proc: subprocess.Popen, seconds: float) -> bool:
    """SIGKILL after ``seconds``; False when it had already finished."""
    try:
        proc.wait(timeout=seconds)
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True


def assert_searchable(data: DataDir) -> int:
    index = WhooshIndex(data.index)
    try:
        result = search(index, SearchRequest(q="avfallsplan", mode="exact"))
        return result.total
    finally:
        index.close()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ingest_survives_sigkill_and_rerun_completes(tmp_path, seed):
    inputs = tmp_path / "in"
    make_inputs(inputs)
    data = DataDir(tmp_path / "data")
    rng = random.Random(seed)
    kills = 0
    for _ in range(3):
        if kill_after(paragraf(data.root, "ingest", str(inputs), "--body", "Kommunstyrelsen",
                               "--org", "Åsjö kommun"), rng.uniform(0.4, 1.6)):
            kills += 1
        recover(data)
        assert assert_searchable(data) >= 0  # the index opens and answers after every kill
    final = paragraf(data.root, "ingest", str(inputs), "--body", "Kommunstyrelsen",
                     "--org", "Åsjö kommun")
    assert final.wait(timeout=120) == 0
    report = check(data)
    assert report.ok, report.problems
    assert report.paragraphs_indexed == report.paragraphs_expected == DOCUMENTS * 3
    assert assert_searchable(data) == DOCUMENTS
    assert kills >= 1 or seed != 1  # the first seed's timings always land mid-run


def test_rebuild_killed_keeps_the_old_index_answering(tmp_path):
    inputs = tmp_path / "in"
    make_inputs(inputs)
    data = DataDir(tmp_path / "data")
    assert paragraf(data.root, "ingest", str(inputs)).wait(timeout=120) == 0
    before = assert_searchable(data)
    for delay in (0.5, 1.0, 1.6):
        kill_after(paragraf(data.root, "index", "--rebuild"), delay)
        recover(data)
        assert assert_searchable(data) == before
    assert paragraf(data.root, "index", "--rebuild").wait(timeout=120) == 0
    assert not list(data.root.glob("index.rebuild-*"))
    report = check(data)
    assert report.ok, report.problems


def test_recover_finishes_or_undoes_each_swap_step(tmp_path):
    data = DataDir(tmp_path / "data")
    WhooshIndex(data.index).close()
    # Crash after the live index was moved aside, before the rebuild moved in.
    fresh = data.root / "index.rebuild-1"
    WhooshIndex(fresh).close()
    (fresh / COMPLETE).write_text("ok")
    data.index.rename(data.root / "index.old-1")
    assert recover(data) == "finished an interrupted index swap"
    assert data.index.is_dir() and not list(data.root.glob("index.*"))
    # Crash with the rebuild incomplete: the old index comes back.
    WhooshIndex(data.root / "index.rebuild-2").close()
    data.index.rename(data.root / "index.old-2")
    assert recover(data) == "restored the index an interrupted swap had moved aside"
    assert data.index.is_dir() and not list(data.root.glob("index.*"))
    # A normal swap leaves nothing behind.
    fresh = data.root / "index.rebuild-3"
    WhooshIndex(fresh).close()
    swap_in(data, fresh)
    assert recover(data) is None


def test_a_second_writer_waits_for_the_first(tmp_path):
    inputs = tmp_path / "in"
    make_inputs(inputs)
    data = DataDir(tmp_path / "data")
    first = paragraf(data.root, "ingest", str(inputs))
    time.sleep(0.3)
    second = paragraf(data.root, "ingest", str(FIXTURE))
    assert first.wait(timeout=120) == 0 and second.wait(timeout=120) == 0
    assert check(data).ok
