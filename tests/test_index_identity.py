"""A running server sees every rebuild, though every rebuild is generation 1 again."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import httpx

from paragraf_se.archive.store import Archive
from paragraf_se.indexer.whoosh.index import WhooshIndex, index_identity
from paragraf_se.pipeline import Pipeline
from paragraf_se.settings import DataDir
from paragraf_se.web import create_app
from tests.paragraph_factory import make_paragraph
from tests.serving import live_server

FIXTURE = Path(__file__).parent / "fixtures" / "web" / "ks-2022-03-02.txt"
REPO = Path(__file__).resolve().parents[1]


def _meeting(folder: Path, i: int) -> Path:
    date = f"2023-{1 + i // 28:02d}-{1 + i % 28:02d}"
    path = folder / f"ks-{date}.txt"
    path.write_text(FIXTURE.read_text(encoding="utf-8").replace("2022-03-02", date)
                    .replace("onsdagen den 2 mars 2022", ""), encoding="utf-8")
    return path


def _total(client: httpx.Client) -> int:
    r = client.get("/api/search", params={"year": "2023", "size": 1})
    assert r.status_code == 200, r.text
    return r.json()["total"]


def test_running_server_answers_the_rebuilt_index(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    data = DataDir(tmp_path / "data")
    archive, index = Archive(data.archive), WhooshIndex(data.index)
    pipeline = Pipeline(archive, index)
    with index.batch():  # one commit: generation 1, as after a rebuild
        for i in range(4):
            assert pipeline.ingest_file(_meeting(folder, i), {}).paragraphs == 3
    for i in range(4, 20):  # archived but never indexed (a crash, an old version)
        path = _meeting(folder, i)
        archive.store_resource(path.read_bytes(), source=path.resolve().as_uri(),
                               content_type="text/plain", metadata={"role": "local"})
    assert index_identity(index._ix)[1] == 1
    index.close()
    archive.close()

    with live_server(create_app(data)) as url, httpx.Client(base_url=url, timeout=60) as c:
        assert _total(c) == 12
        seen: list[int] = []
        errors: list[str] = []
        stop = threading.Event()

        def keep_asking() -> None:
            with httpx.Client(base_url=url, timeout=60) as own:
                while not stop.is_set():
                    try:
                        seen.append(_total(own))
                    except Exception as err:
                        errors.append(repr(err))

        askers = [threading.Thread(target=keep_asking) for _ in range(3)]
        for t in askers:
            t.start()
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        try:
            done = subprocess.run(
                [sys.executable, "-m", "paragraf_se.cli", "--data-dir", str(data.root),
                 "index", "--rebuild"], env=env, capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stderr
            assert "60 paragraphs" in done.stdout
            # The first request after the swap already gets the new index.
            assert _total(c) == 60
            after = len(seen)
            assert _total(c) == 60
        finally:
            stop.set()
            for t in askers:
                t.join()
        assert not errors, errors[:3]
        assert set(seen) <= {12, 60}
        # Once any request has seen the new index, none sees the old one again.
        assert 12 not in seen[after:]
        # A second rebuild of the same archive: same generation, same count,
        # new index; still served (the stale pool served the first forever).
        again = subprocess.run(
            [sys.executable, "-m", "paragraf_se.cli", "--data-dir", str(data.root),
             "index", "--rebuild"], env=env, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr
        assert _total(c) == 60


def test_identity_changes_with_every_rebuild_at_the_same_generation(tmp_path):
    paragraphs = [make_paragraph(number=str(n)) for n in range(1, 4)]
    first = WhooshIndex(tmp_path / "a")
    first.add_many(paragraphs)
    second = WhooshIndex(tmp_path / "b")
    second.add_many(paragraphs)
    try:
        a, b = index_identity(first._ix), index_identity(second._ix)
        assert a is not None and b is not None
        assert a[1] == b[1]  # the same generation number...
        assert a != b  # ...but not the same index
        assert a[0] != b[0] and len(a[0]) == 32  # each index has its own id
    finally:
        first.close()
        second.close()
