"""index --rebuild parses with several parsers at once and loads one index."""

from __future__ import annotations

import threading
from pathlib import Path

from paragraf_se.archive.store import Archive
from paragraf_se.indexer.parsing import parse_document
from paragraf_se.indexer.whoosh.index import WhooshIndex
from paragraf_se.pipeline import Pipeline

FIXTURE = Path(__file__).parent / "fixtures" / "web" / "ks-2022-03-02.txt"


class CountingParser:
    """parse_document, noting which threads used it and whether two did at once."""

    def __init__(self) -> None:
        self.calls = 0
        self.busy = threading.Lock()
        self.overlapped = False

    def __call__(self, *args, **kwargs):
        if not self.busy.acquire(blocking=False):
            self.overlapped = True  # one parser must never serve two threads at once
            self.busy.acquire()
        try:
            self.calls += 1
            return parse_document(*args, **kwargs)
        finally:
            self.busy.release()


def _archive_with_meetings(tmp_path: Path, n: int) -> Archive:
    text = FIXTURE.read_text(encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    archive = Archive(tmp_path / "archive")
    index = WhooshIndex(tmp_path / "scratch")
    try:
        for i in range(n):
            date = f"2023-{1 + i // 28:02d}-{1 + i % 28:02d}"
            path = folder / f"ks-{date}.txt"
            path.write_text(text.replace("2022-03-02", date)
                            .replace("onsdagen den 2 mars 2022", ""), encoding="utf-8")
            assert not Pipeline(archive, index).ingest_file(path, {}).failed
    finally:
        index.close()
    return archive


def _rebuilt(archive: Archive, target: Path, parsers) -> tuple[list[str], list[tuple]]:
    index = WhooshIndex(target)
    try:
        outcomes = [o.name for o in Pipeline(archive, index).rebuild(procs=1, parsers=parsers)]
        rows = sorted((p.id, p.title, p.text, tuple(s.url for s in p.sources))
                      for p in index.all())
    finally:
        index.close()
    return outcomes, rows


def test_parallel_rebuild_equals_sequential(tmp_path):
    archive = _archive_with_meetings(tmp_path, 12)
    try:
        parsers = [CountingParser(), CountingParser()]
        parallel = _rebuilt(archive, tmp_path / "parallel", parsers)
        sequential = _rebuilt(archive, tmp_path / "sequential", ())
    finally:
        archive.close()
    assert parallel == sequential  # same documents in the same order, same paragraphs
    assert len(parallel[1]) == 36
    assert sum(p.calls for p in parsers) == 12
    assert not any(p.overlapped for p in parsers)
