"""Bulk import: ingest_files with parallel parsers and bulk-writer commits.

The parallel path must give exactly the index the one-file-at-a-time path
gives (same paragraphs, texts, sources and counts), archive every file
before it is parsed, and report every file in order.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.ingest_bench import protocol_file_text
from benchmarks.synth import SyntheticCorpus
from paragraf_se.archive.store import Archive
from paragraf_se.indexer.parsing import parse_document
from paragraf_se.indexer.whoosh import index as whoosh_engine
from paragraf_se.indexer.whoosh.index import WhooshIndex
from paragraf_se.isolated_parse import IsolatedParser
from paragraf_se.pipeline import Pipeline

FIXTURE = Path(__file__).parent / "fixtures" / "web" / "ks-2022-03-02.txt"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("in")
    paths = []
    for i, meeting in enumerate(SyntheticCorpus(21).meetings(600)):
        path = folder / f"p-{i:03d}.txt"
        path.write_text(protocol_file_text(meeting), encoding="utf-8")
        paths.append(path)
    # The same protocol as text and HTML-ish text: one paragraph, two sources.
    (folder / "ks.txt").write_text(FIXTURE.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "ks-copy.txt").write_text(FIXTURE.read_text(encoding="utf-8") + "\n",
                                        encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    paths += [folder / "ks.txt", folder / "ks-copy.txt", folder / "broken.pdf",
              folder / "missing.txt"]
    return paths


def _rows(index: WhooshIndex) -> list[tuple]:
    return sorted((p.id, p.title, p.text, p.decision, tuple(sorted(s.url for s in p.sources)))
                  for p in index.all())


def _sequential(root: Path, paths: list[Path]):
    archive, index = Archive(root / "archive"), WhooshIndex(root / "index")
    pipeline = Pipeline(archive, index)
    try:
        with index.batch():
            outcomes = [pipeline.ingest_file(p, {}) for p in paths]
        return outcomes, _rows(index), index.count()
    finally:
        index.close()
        archive.close()


def test_parallel_ingest_equals_sequential(tmp_path, inputs, monkeypatch):
    seq_outcomes, seq_rows, seq_count = _sequential(tmp_path / "seq", inputs)
    # Commits of any size go through bulk-writer processes here.
    monkeypatch.setattr(whoosh_engine, "PARALLEL_FLUSH_FROM", 1)
    archive, index = Archive(tmp_path / "par" / "archive"), WhooshIndex(tmp_path / "par" / "index")
    parsers = [IsolatedParser(), IsolatedParser()]
    try:
        pipeline = Pipeline(archive, index, parse=parsers[0])
        with index.batch(250, procs=2):
            outcomes = list(pipeline.ingest_files([(p, {}) for p in inputs], parsers))
        rows, count = _rows(index), index.count()
        assert archive.verify().ok
    finally:
        for parser in parsers:
            parser.close()
        index.close()
        archive.close()
    assert [o.name for o in outcomes] == [str(p) for p in inputs]
    assert [(o.status, o.paragraphs, o.new_in_archive, o.change) for o in outcomes] == [
        (o.status, o.paragraphs, o.new_in_archive, o.change) for o in seq_outcomes]
    assert rows == seq_rows and count == seq_count
    assert outcomes[-1].failed and outcomes[-2].failed  # missing file, broken PDF
    two_sources = [r for r in rows if len(r[4]) == 2]
    assert len(two_sources) == 3  # the fixture's three paragraphs, from both copies


def test_a_second_ingest_of_the_same_files_changes_nothing(tmp_path, inputs):
    archive, index = Archive(tmp_path / "archive"), WhooshIndex(tmp_path / "index")
    pipeline = Pipeline(archive, index, parse=parse_document)
    try:
        with index.batch(100, procs=2):
            first = list(pipeline.ingest_files([(p, {}) for p in inputs[:20]]))
        before = _rows(index)
        with index.batch(100, procs=2):
            again = list(pipeline.ingest_files([(p, {}) for p in inputs[:20]]))
        assert _rows(index) == before
        assert all(o.new_in_archive for o in first)
        assert not any(o.new_in_archive for o in again)
        assert all(o.change.added == 0 and o.change.updated == 0 for o in again)
        assert archive.count() == 20
    finally:
        index.close()
        archive.close()


def test_store_resources_is_store_resource_for_a_group(tmp_path):
    one, group = Archive(tmp_path / "one"), Archive(tmp_path / "group")
    items = [(f"fil {i}".encode(), f"file:///in/{i}.txt", "text/plain", {"org": "Åsjö"})
             for i in range(5)]
    try:
        singles = [one.store_resource(d, source=s, content_type=c, metadata=m)
                   for d, s, c, m in items]
        grouped = group.store_resources([*items[:3], items[0], *items[3:]])
        assert [r.new for r in grouped] == [True, True, True, False, True, True]
        assert grouped[3].capture == grouped[0].capture
        assert [r.capture.id for r in singles] == [r.capture.id for i, r in enumerate(grouped)
                                                   if i != 3]
        # Stored again, one by one or grouped: nothing new, metadata merged.
        again = group.store_resources([(d, s, c, {"body": "KS"}) for d, s, c, _ in items])
        assert not any(r.new for r in again)
        assert again[0].capture.meta()["body"] == "KS"
        for r in grouped:
            assert group.read(r.capture.id) == one.read(r.capture.id)
        assert group.verify().ok and group.count() == 5
    finally:
        one.close()
        group.close()


def test_a_commit_by_another_writer_during_a_batch_leaves_no_duplicate(tmp_path):
    from tests.paragraph_factory import make_paragraph

    first, other = WhooshIndex(tmp_path / "ix"), WhooshIndex(tmp_path / "ix")
    p = make_paragraph("7", text="Första versionen.", url="file:///a.txt")
    try:
        with first.batch():
            # The lookup finds nothing: p is new to this batch...
            assert first.replace_source("file:///a.txt", [p]).added == 1
            # ...but another process commits the same paragraph before the flush.
            other.replace_source("file:///b.txt",
                                 [make_paragraph("7", text="Annan.", url="file:///b.txt")])
        assert first.id_count(p.id) == 1
        assert first.count() == 1
    finally:
        first.close()
        other.close()


def test_updates_inside_one_batch_replace_the_indexed_version(tmp_path):
    from tests.paragraph_factory import make_paragraph

    ix = WhooshIndex(tmp_path / "ix")
    try:
        ix.replace_source("file:///a.txt", [make_paragraph(str(n), url="file:///a.txt")
                                            for n in range(1, 6)])
        with ix.batch(procs=2):
            change = ix.replace_source("file:///a.txt", [
                make_paragraph(str(n), text="Ny text.", url="file:///a.txt")
                for n in range(1, 4)])
        assert (change.updated, change.removed) == (3, 2)
        assert ix.count() == 3
        assert all(ix.id_count(p.id) == 1 and p.text == "Ny text." for p in ix.all())
    finally:
        ix.close()
