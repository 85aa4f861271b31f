"""A full disk and a read-only data directory (issue 17, defect 8), on a real 6 MB tmpfs.

Ingest must stop at the first failed write with one clear English error and
an exact report of what was committed (archived, and of that indexed);
``archive ls``, ``archive verify``, ``check`` and ``serve`` must keep working
on the full disk and on a read-only remount. Needs root to mount; outside CI
the tests skip with a message when mounting is not permitted.
"""

from __future__ import annotations

import base64
import json
import os
import random
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from paragraf_se.indexer.whoosh.index import WhooshIndex

FIXTURE = Path(__file__).parent / "fixtures" / "web" / "ks-2022-03-02.txt"
REPO = Path(__file__).resolve().parents[1]
FILES = 60


@pytest.fixture()
def tmpfs(tmp_path) -> Iterator[Path]:
    """A 6 MB tmpfs, unmounted afterwards."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mnt)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"cannot mount a tmpfs in CI: {done.stderr.strip()}")
        pytest.skip(f"mounting a tmpfs is not permitted here: {done.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _remount(mnt: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(mnt)], check=True)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    """60 meeting pages of ~200 kB each: ~13 MB to archive, 3 paragraphs each to index.

    The bulk is an incompressible script, which the archive keeps and the
    parser drops, so the archive fills the disk rather than the index.
    """
    folder = tmp_path_factory.mktemp("inputs")
    rng = random.Random(17)
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    for i in range(FILES):
        date = f"2023-{1 + i // 28:02d}-{1 + i % 28:02d}"
        body = "".join(f"<p>{line}</p>" for line in lines)
        body = body.replace("2022-03-02", date).replace("onsdagen den 2 mars 2022", "")
        noise = base64.b64encode(rng.randbytes(150_000)).decode()
        (folder / f"ks-{date}.html").write_text(
            f"<html><head><title>Kommunstyrelsen {date}</title>"
            f"<script>/* {noise} */</script></head><body>{body}</body></html>",
            encoding="utf-8")
    return folder


def paragraf(data: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "paragraf_se.cli", "--data-dir", str(data),
                           *args], capture_output=True, text=True, env=env, timeout=600)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(data: Path) -> Iterator[httpx.Client]:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "paragraf_se.cli", "--data-dir", str(data),
                             "serve", "--port", str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"serve exited: {proc.stdout.read()}")
                try:
                    client.get("/api/bodies")
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        pytest.fail("serve did not start")
                    time.sleep(0.2)
            yield client
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stdout.close()


def _indexed_files(data: Path) -> dict[str, int]:
    """Paragraphs in the index per source file name."""
    index = WhooshIndex(data / "index")
    try:
        counts: dict[str, int] = {}
        for p in index.all():
            for s in p.sources:
                name = s.url.rsplit("/", 1)[-1]
                counts[name] = counts.get(name, 0) + 1
        return counts
    finally:
        index.close()


def test_full_disk_stops_ingest_with_an_exact_report_and_reading_still_works(tmpfs, inputs):
    data = tmpfs / "data"
    run = paragraf(data, "ingest", str(inputs))
    assert run.returncode == 2, run.stdout[-2000:] + run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    # Progress lines ("ingest: n/N files …") go to stderr too; the error is one line.
    errors = [line for line in run.stderr.strip().splitlines()
              if not line.startswith("ingest: ")]
    assert len(errors) == 1 and errors[0].startswith("paragraf: stopped: the disk is full"), (
        run.stderr)
    out = run.stdout
    m = re.search(r"Committed before the stop: (\d+) file\(s\) archived, (\d+) of them indexed",
                  out)
    assert m, out[-2000:]
    archived, indexed = int(m.group(1)), int(m.group(2))
    # Files are archived in groups with one fsync each: a group the disk cannot hold is
    # not archived at all, so the report may rightly say none was.
    assert 0 <= archived < FILES
    listed = re.findall(r"^  (\S+\.html)$", out, re.M)
    assert len(listed) == archived - indexed

    # Reading commands on the full disk: the report is exact.
    ls = paragraf(data, "archive", "ls", "--json")
    assert ls.returncode == 0, ls.stderr
    assert len(ls.stdout.splitlines()) == archived
    verify = paragraf(data, "archive", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    in_index = _indexed_files(data)
    not_indexed = {Path(n).name for n in listed}
    reported_ok = [line.split()[1].rstrip(":") for line in out.splitlines()
                   if line.startswith("OK")]
    for name in reported_ok:
        expected = 0 if Path(name).name in not_indexed else 3
        assert in_index.get(Path(name).name, 0) == expected, name
    check = paragraf(data, "check")
    assert "Traceback" not in check.stderr
    assert check.returncode == (1 if not_indexed else 0), check.stdout
    with serving(data) as client:
        body = client.get("/api/search", params={"q": "avfallsplan"}).json()
        assert body["total"] == indexed
        assert client.get("/api/documents").status_code == 200

    # Space again: the same command completes, and everything is there once.
    _remount(tmpfs, "size=256m")
    again = paragraf(data, "ingest", str(inputs))
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr
    report = paragraf(data, "check")
    assert report.returncode == 0, report.stdout
    assert f"paragraphs in the index:  {3 * FILES}" in report.stdout


def test_read_only_data_directory_serves_and_refuses_writes_cleanly(tmpfs, inputs):
    data = tmpfs / "data"
    _remount(tmpfs, "size=256m")
    few = sorted(inputs.iterdir())[:5]
    assert paragraf(data, "ingest", *map(str, few)).returncode == 0
    hits = paragraf(data, "search", "avfallsplan").stdout.splitlines()[0]
    assert hits.endswith("paragraph(s)") and int(hits.split()[0]) >= 5
    _remount(tmpfs, "ro")
    with pytest.raises(OSError):
        (tmpfs / "probe").write_text("x")

    ls = paragraf(data, "archive", "ls", "--json")
    assert ls.returncode == 0, ls.stderr
    # Ingest archives files in groups with one fsync: one group shares its time.
    assert sorted(json.loads(line)["source"].rsplit("/", 1)[-1]
                  for line in ls.stdout.splitlines()) == sorted(p.name for p in few)
    assert paragraf(data, "archive", "verify").returncode == 0
    check = paragraf(data, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    search = paragraf(data, "search", "avfallsplan")
    assert search.returncode == 0 and search.stdout.splitlines()[0] == hits, search.stdout
    with serving(data) as client:
        total = client.get("/api/search", params={"q": "avfallsplan"}).json()["total"]
        assert total == int(hits.split()[0])
        assert client.get("/?q=avfallsplan").status_code == 200
        assert client.get("/api/documents").json()["total"] == 5

    ingest = paragraf(data, "ingest", str(inputs))
    assert ingest.returncode == 2
    assert "Traceback" not in ingest.stderr + ingest.stdout
    assert "read-only" in ingest.stderr, ingest.stderr
