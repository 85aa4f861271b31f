"""No worker outlives a SIGKILLed ``paragraf index --rebuild``, whenever the kill lands.

The rebuild runs in its own session, so its process group id is its pid;
after the kill, every process still in that group is an orphan (parsers or
bulk-writer workers). Kills are spread over the parse and the load phases.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.synth import SyntheticCorpus, protocol_text
from paragraf_se.archive.store import Archive
from paragraf_se.check import check
from paragraf_se.index_swap import recover
from paragraf_se.settings import DataDir

REPO = Path(__file__).resolve().parents[1]
PARAGRAPHS = 5_000
ORPHAN_GRACE_S = 30.0  # a liveness bound, not a timing assertion: orphans quit in ~0.2 s


def _group(pgid: int) -> list[tuple[int, bytes]]:
    """Live (not zombie) processes of process group ``pgid``, with their command lines."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        # Fields after the parenthesised command: state ppid pgrp ...
        state, _ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if int(pgrp) == pgid and state != "Z":
            found.append((int(entry.name), cmd))
    return found


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> DataDir:
    """A data directory whose archive holds protocols the index has never seen."""
    data = DataDir(tmp_path_factory.mktemp("orphans"))
    archive = Archive(data.archive)
    try:
        for i, meeting in enumerate(SyntheticCorpus(11).meetings(PARAGRAPHS)):
            archive.store_resource(protocol_text(meeting).encode("utf-8"),
                                   source=f"file:///in/protocol-{i:05d}.txt",
                                   content_type="text/plain",
                                   metadata={"role": "local", "org": meeting.org.name})
    finally:
        archive.close()
    return data


def _rebuild(data: DataDir) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "paragraf_se.cli", "--data-dir", str(data.root), "index",
         "--rebuild"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
        start_new_session=True)


def _helpers(pgid: int) -> int:
    """Spawned helper processes (parsers and bulk-writer workers) in the group."""
    return sum(1 for pid, cmd in _group(pgid)
               if pid != pgid and b"spawn_main" in cmd and b"resource_tracker" not in cmd)


def test_no_worker_survives_a_killed_rebuild(data):
    # Spread over the whole run: start-up, parsing, the bulk load, the swap.
    delays = (0.3, 1.0, 2.0, 3.0, 4.0, 5.0, 6.5, 8.0, 10.0)
    most_helpers = 0
    for delay in delays:
        proc = _rebuild(data)
        deadline = time.monotonic() + delay
        helpers = 0
        while time.monotonic() < deadline and proc.poll() is None:
            helpers = max(helpers, _helpers(proc.pid))
            time.sleep(0.05)
        if proc.poll() is not None:
            break  # the rebuild finished before this kill point
        helpers = max(helpers, _helpers(proc.pid))
        most_helpers = max(most_helpers, helpers)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        give_up = time.monotonic() + ORPHAN_GRACE_S
        while survivors := _group(proc.pid):
            assert time.monotonic() < give_up, (
                f"killed after {delay} s, still running: {survivors}")
            time.sleep(0.1)
        recover(data)
    # At least one kill landed while parsers and bulk workers both ran.
    assert most_helpers >= 4, most_helpers
    final = _rebuild(data)
    assert final.wait(timeout=600) == 0
    report = check(data)
    assert report.ok, report.problems
    assert report.paragraphs_indexed == PARAGRAPHS


BLOCKED_CHILD = """
import multiprocessing as mp, os, sys, time
from paragraf_se.indexer.orphan_guard import die_with_parent

def child(q, parent, guard, kernel):
    if guard:
        die_with_parent(parent, kernel_signal=kernel)
    q.get()  # blocks for good: this process holds the queue's write end too

if __name__ == "__main__":
    guard, kernel = sys.argv[1] == "1", sys.argv[2] == "1"
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=child, args=(q, os.getpid(), guard, kernel))
    p.start()
    time.sleep(1.0)  # let the child reach its blocking read
    print(p.pid, flush=True)
    time.sleep(600)
"""


def _orphan_after_parent_killed(tmp_path: Path, guard: bool, kernel: bool) -> bool:
    script = tmp_path / "blocked.py"
    script.write_text(BLOCKED_CHILD, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    parent = subprocess.Popen([sys.executable, str(script), str(int(guard)), str(int(kernel))],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                              start_new_session=True)
    child = int(parent.stdout.readline())
    parent.stdout.close()
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    give_up = time.monotonic() + (ORPHAN_GRACE_S if guard else 3.0)
    while any(pid == child for pid, _ in _group(parent.pid)):
        if time.monotonic() > give_up:
            os.kill(child, signal.SIGKILL)  # clean up the orphan this test made
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("kernel", [True, False], ids=["pdeathsig", "watchdog-only"])
def test_a_child_blocked_on_its_own_pipe_dies_with_its_parent(tmp_path, kernel):
    assert not _orphan_after_parent_killed(tmp_path, guard=True, kernel=kernel)


def test_without_the_guard_such_a_child_is_orphaned(tmp_path):
    # The defect itself, reproduced: EOF never comes, the child waits forever.
    assert _orphan_after_parent_killed(tmp_path, guard=False, kernel=False)
