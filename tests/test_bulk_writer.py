"""The bulk writer writes the same segment Whoosh's own writer writes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as windex
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import FileStorage

from benchmarks.synth import SyntheticCorpus
from paragraf_se.indexer.whoosh import text_postings
from paragraf_se.indexer.whoosh.bulk_writer import SegmentBuilder, bulk_load
from paragraf_se.indexer.whoosh.evaluator import _decode_postings
from paragraf_se.indexer.whoosh.index import WhooshIndex
from paragraf_se.indexer.whoosh.postings_sidecar import sidecar_of
from paragraf_se.indexer.whoosh.schema import build_schema, to_document

REPO = Path(__file__).resolve().parents[1]
BLOCK = 8  # small blocks, so posting lists span several of them


@pytest.fixture(scope="module")
def paragraphs():
    generated = list(SyntheticCorpus(7).paragraphs(120))
    # Edge cases among them: no decision, no words at all, a word whose
    # lowercase is longer ("İ"), words repeated (positions of one term in one
    # document), stopword pairs across lines, a very long text.
    base = generated[5]
    edges = [
        replace(base, id=base.id + "-a", decision="", text="Inga ord här?"),
        replace(base, id=base.id + "-b", title=".,;", decision="", text=" -- "),
        replace(base, id=base.id + "-c", title="İstanbul ÅÄÖ",
                text="İSTANBUL och Straße\nför att för att för att eldningsförbudet"),
        replace(base, id=base.id + "-d", text=("budget och avfall i " * 400) + base.decision),
    ]
    return generated[:60] + edges + generated[60:]


def _new_index(path):
    path.mkdir()
    return FileStorage(str(path), supports_mmap=False).create_index(build_schema(), "t")


def _whoosh_built(path, paragraphs):
    ix = _new_index(path)
    w = ix.writer(codec=W3Codec(blocklimit=BLOCK))
    for p in paragraphs:
        w.add_document(**to_document(p))
    w.commit(merge=False)
    return ix


def _everything(reader):
    """Every term's info and postings, every stored document and column value."""
    terms = {}
    for field in sorted(reader.indexed_field_names()):
        for btext in reader.lexicon(field):
            info = reader.term_info(field, btext)
            m = reader.postings(field, btext)
            postings = _walk(m)
            terms[(field, btext)] = (info.weight(), info.doc_frequency(),
                                     info.min_length(), info.max_length(),
                                     info.max_weight(), info.min_id(), info.max_id(),
                                     postings)
    stored = [reader.stored_fields(d) for d in range(reader.doc_count_all())]
    lengths = {f: [reader.doc_field_length(d, f) for d in range(reader.doc_count_all())]
               for f in ("title", "text", "decision", "exact", "grams")}
    columns = {f: list(reader.column_reader(f)) for f in ("org", "body", "year", "date")}
    return terms, stored, lengths, columns


def _walk(m):
    out = []
    while m.is_active():
        out.append((m.id(), m.weight(), m.value(), m.block_min_length(),
                    m.block_max_length(), m.block_max_weight()))
        m.next()
    return out


@pytest.mark.parametrize("digest_every", [1000, 7, 1])
def test_segment_matches_whoosh_writer(tmp_path, paragraphs, monkeypatch, digest_every):
    # Text fields are turned into postings every so many documents: the
    # segment must not depend on where those cuts fall.
    monkeypatch.setattr(text_postings, "DIGEST_DOCUMENTS", digest_every)
    expected_ix = _whoosh_built(tmp_path / "whoosh", paragraphs)
    ix = _new_index(tmp_path / "bulk")
    n = bulk_load(ix, paragraphs, codec=W3Codec(blocklimit=BLOCK), to_fields=to_document)
    assert n == len(paragraphs)
    with expected_ix.reader() as a, ix.reader() as b:
        assert b.doc_count_all() == len(paragraphs)
        ea, eb = _everything(a), _everything(b)
        assert len(ea[0]) > 1000
        assert ea[0] == eb[0]
        assert ea[1:] == eb[1:]
        for field in ("title", "text", "exact"):
            assert a.field_length(field) == b.field_length(field)


def test_sidecar_holds_long_posting_lists(tmp_path, paragraphs):
    ix = _new_index(tmp_path / "bulk")
    storage = ix.storage
    builder = SegmentBuilder(storage, "t", ix.schema, W3Codec(blocklimit=BLOCK),
                             sidecar_min_df=20)
    for p in paragraphs:
        builder.add_document(to_document(p))
    segment = builder.finish()
    segment.create_compound_file(storage)
    writer = ix.writer()
    writer._close_segment()
    writer._commit_toc([segment])
    writer._finish()
    with ix.reader() as reader:
        (leaf, _), = reader.leaf_readers()
        sidecar = sidecar_of(leaf)
        assert sidecar is not None
        checked = 0
        for field in ("text", "exact", "org"):
            for btext in reader.lexicon(field):
                got = sidecar.postings(field, btext)
                if reader.doc_frequency(field, btext) < 20:
                    assert got is None
                    continue
                ids, tfs = _decode_postings(leaf, field, btext)  # Whoosh's own blocks
                assert np.array_equal(got[0], ids) and np.array_equal(got[1], tfs)
                checked += 1
        assert checked > 20


def test_bulk_load_in_worker_processes(tmp_path, paragraphs):
    ix = _new_index(tmp_path / "bulk")
    n = bulk_load(ix, paragraphs, codec=W3Codec(blocklimit=BLOCK), procs=2,
                  to_fields=to_document, segment_postings=5_000)
    assert n == len(paragraphs)
    ix = windex.open_dir(str(tmp_path / "bulk"), indexname="t")
    with ix.searcher() as s:
        assert s.doc_count() == len(paragraphs)
        assert len(ix._segments()) > 2  # split by the posting budget
        ids = sorted(s.stored_fields(d)["id"] for d in range(s.doc_count_all()))
    assert ids == sorted(p.id for p in paragraphs)


def _boom(item):
    raise ValueError("cannot index this")


def test_failed_worker_commits_nothing(tmp_path, paragraphs):
    ix = _new_index(tmp_path / "bulk")
    with pytest.raises(Exception, match="cannot index this"):
        bulk_load(ix, paragraphs, codec=W3Codec(blocklimit=BLOCK), procs=2, to_fields=_boom)
    with ix.searcher() as s:
        assert s.doc_count() == 0
    ix.writer().cancel()  # the lock was released


TEXTS = ["", "  ,. ", " KS 2018/14 , ks 2018/14,,RS/559/2019 ", "a  b\tc\n\nd a",
         "Eldningsförbudet gäller; eldningsförbudet!", "För att för att för att",
         "İstanbul ÅÄÖ åäö straße 2019/123 KS-2018/14", "a " * 300, "IT-nämnden\nbudget 2024"]


@pytest.mark.parametrize("compounds", [True, False])
@pytest.mark.parametrize("text", TEXTS)
def test_fast_postings_equal_whoosh_field_index(text, compounds):
    from paragraf_se.indexer.whoosh.field_postings import field_postings

    schema = build_schema(compounds)
    for name in schema.names():
        field = schema[name]
        if not field.indexed:
            continue
        assert sorted(field_postings(field, text)) == sorted(field.index(text)), name


LOADER = """
import sys, time
from pathlib import Path
from benchmarks.synth import SyntheticCorpus
from paragraf_se.indexer.whoosh.index import WhooshIndex

def items():
    yield from SyntheticCorpus(7).paragraphs(40)
    print("loading", flush=True)
    while True:  # a source that never ends: the parent is killed mid-load
        time.sleep(1)

if __name__ == "__main__":
    WhooshIndex(Path(sys.argv[1])).add_many(items(), procs=2)
"""


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(c) for c in text.split()]


def _is_worker(pid: int) -> bool:
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"spawn_main" in cmd and b"resource_tracker" not in cmd


def test_workers_quit_when_the_loading_process_is_killed(tmp_path):
    script = tmp_path / "loader.py"
    script.write_text(LOADER, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, str(script), str(tmp_path / "ix")],
                            stdout=subprocess.PIPE, env=env)
    try:
        assert proc.stdout.readline().strip() == b"loading"
        deadline = time.monotonic() + 60
        while len(workers := [c for c in _children(proc.pid) if _is_worker(c)]) < 2:
            assert time.monotonic() < deadline, "workers did not start"
            time.sleep(0.1)
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
    deadline = time.monotonic() + 30
    while any(Path(f"/proc/{w}").exists() and _is_worker(w) for w in workers):
        assert time.monotonic() < deadline, "orphaned bulk-load workers kept running"
        time.sleep(0.2)
    ix = WhooshIndex(tmp_path / "ix")
    try:
        assert ix.count() == 0  # nothing of the killed load was committed
    finally:
        ix.close()
