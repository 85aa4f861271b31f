"""Merging small segments with the bulk writer (indexer/whoosh/segment_merge.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from whoosh.index import LockError

from benchmarks.synth import SyntheticCorpus
from paragraf_se.indexer.search import SearchRequest, search
from paragraf_se.indexer.whoosh import segment_merge
from paragraf_se.indexer.whoosh.bulk_writer import SegmentsWriter
from paragraf_se.indexer.whoosh.index import WhooshIndex, posting_codec
from tests.test_bulk_writer import _everything


@pytest.fixture(scope="module")
def paragraphs():
    return list(SyntheticCorpus(11).paragraphs(130))


def _applied(path, paragraphs, per_commit=10):
    """An index written the way a node writes it: one small commit per change set."""
    index = WhooshIndex(path)
    for lo in range(0, len(paragraphs), per_commit):
        index.apply(paragraphs[lo:lo + per_commit], [])
    return index


def test_choose_merges_the_lowest_full_tier_and_everything_below():
    assert segment_merge.tier(9) == 0 and segment_merge.tier(10) == 1
    assert segment_merge.tier(999) == 2 and segment_merge.tier(1000) == 3
    nine = [(f"s{i}", 5) for i in range(9)]
    assert segment_merge.choose(nine) == []
    ten = [*nine, ("s9", 7)]
    assert sorted(segment_merge.choose(ten)) == sorted(s for s, _ in ten)
    # Ten segments of tier 2 take the smaller ones along; the large one stays.
    mixed = [(f"m{i}", 150) for i in range(10)] + [("small", 12), ("big", 50_000)]
    assert sorted(segment_merge.choose(mixed)) == sorted([f"m{i}" for i in range(10)] + ["small"])
    # An emptied segment is always dropped; segments past max_docs never merge.
    assert segment_merge.choose([("gone", 0), ("a", 5)]) == ["gone"]
    huge = [(f"h{i}", 300_000) for i in range(12)]
    assert segment_merge.choose(huge, max_docs=200_000) == []


def test_a_merged_index_equals_one_written_in_one_go(tmp_path, paragraphs):
    index = _applied(tmp_path / "applied", paragraphs)
    removed = [paragraphs[3].id, paragraphs[77].id]
    index.apply([], removed)
    assert len(index.segment_sizes()) == 13
    before = {q: search(index, SearchRequest(q=q)).total for q in ("beslut", "nämnden", "plan")}

    generation = index.compact()
    assert generation is not None
    # 13 segments of 10 are tier 1 (ten or more): all merge into one.
    assert index.segment_sizes() == [128]
    assert {q: search(index, SearchRequest(q=q)).total for q in before} == before

    # Same terms, postings, stored fields, lengths and columns as the bulk
    # writer makes from the live paragraphs in the same order.
    fresh = WhooshIndex(tmp_path / "fresh")
    fresh.add_many([p for p in paragraphs if p.id not in removed])
    with index._ix.reader() as merged, fresh._ix.reader() as expected:
        assert _everything(merged) == _everything(expected)
    assert index.compact() is None  # nothing left to merge
    fresh.close()
    index.close()


def test_changes_committed_during_a_merge_are_kept(tmp_path, paragraphs, monkeypatch):
    index = _applied(tmp_path / "ix", paragraphs[:100])
    gone, changed = paragraphs[5], paragraphs[42]
    newer = replace(changed, title="Omskriven rubrik")
    real_build = segment_merge.build

    def build_then_write(*args, **kwargs):
        merged = real_build(*args, **kwargs)
        # While the merge was being analysed, the node applied more changes.
        index.apply([newer], [gone.id])
        index.apply(paragraphs[100:110], [])
        return merged

    monkeypatch.setattr(segment_merge, "build", build_then_write)
    seen = []
    assert index.compact(before_commit=seen.append) is not None
    assert seen == [index.generation()]
    assert index.get(gone.id) is None
    assert index.get(changed.id).title == "Omskriven rubrik"
    assert index.id_count(changed.id) == 1
    assert index.count() == 109
    # The merged segment (without the two) and the two commits made meanwhile.
    assert sorted(index.segment_sizes()) == [1, 10, 98]
    index.close()


def test_a_stale_merge_is_dropped(tmp_path, paragraphs):
    index = _applied(tmp_path / "ix", paragraphs[:100])
    first = segment_merge.plan(index._ix)
    second = segment_merge.plan(index._ix)
    built = [segment_merge.build(index._ix, plan, tmp_path / f"merging-{i}",
                                 decode=_decode, to_fields=index._to_document,
                                 codec=posting_codec())
             for i, plan in enumerate((first, second))]
    w = SegmentsWriter(index._ix, codec=posting_codec())
    assert segment_merge.install(w, first, built[0])
    w.commit(mergetype=segment_merge.drop(first))
    w = SegmentsWriter(index._ix, codec=posting_codec())
    assert not segment_merge.install(w, second, built[1])  # its segments are gone
    w.cancel()
    assert index.segment_sizes() == [100] and index.count() == 100
    index.close()


def test_a_merge_waits_for_nothing_but_the_install(tmp_path, paragraphs, monkeypatch):
    """The writer lock is free while the merge is analysed."""
    index = _applied(tmp_path / "ix", paragraphs[:100])
    real_build = segment_merge.build
    free = []

    def build_and_probe(*args, **kwargs):
        merged = real_build(*args, **kwargs)
        try:
            SegmentsWriter(index._ix, codec=posting_codec()).cancel()
            free.append(True)
        except LockError:
            free.append(False)
        return merged

    monkeypatch.setattr(segment_merge, "build", build_and_probe)
    assert index.compact() is not None
    assert free == [True]
    index.close()


def _decode(stored):
    from paragraf_se.indexer.whoosh.schema import from_stored

    return from_stored(stored)


def test_columns_read_per_segment_equal_a_whole_read(tmp_path, paragraphs):
    from paragraf_se.indexer.whoosh.facet_columns import SegmentColumns, _read_column

    index = _applied(tmp_path / "ix", paragraphs[:60], per_commit=7)
    cache = SegmentColumns()

    def check():
        with index._ix.reader() as r:
            for field in ("org", "body", "year", "date"):
                got, want = cache.column(r, field), _read_column(r, field)
                assert got.values == want.values
                assert got.codes.tolist() == want.codes.tolist()

    check()
    index.apply(paragraphs[60:75], [paragraphs[0].id])  # a new segment, a deletion
    check()
    index.compact()  # the segments merged: cached columns of gone segments dropped
    check()
    assert len(cache._cache) == 4 * len(index.segment_sizes())
    index.close()


def test_deleted_documents_stay_out_after_each_commit(tmp_path, paragraphs):
    index = _applied(tmp_path / "ix", paragraphs[:40])
    word = "förslag"
    everything = search(index, SearchRequest(q=word)).total
    assert everything > 0
    hits = [h.paragraph.id for h in search(index, SearchRequest(q=word, size=50)).hits]
    index.apply([], hits[:3])
    assert search(index, SearchRequest(q=word)).total == everything - 3
    index.close()
