"""The NumPy evaluator answers exactly what Whoosh's matchers answer."""

import numpy as np
import pytest
from whoosh import query as wq

from paragraf_se.indexer.whoosh.evaluator import Evaluator, top
from paragraf_se.indexer.whoosh.index import WhooshIndex
from paragraf_se.indexer.whoosh.postings_sidecar import sidecar_of
from tests.test_whoosh_engine import CORPUS

QUERIES = [
    wq.Term("text", "avfall"),
    wq.Or([wq.Term("title", "avfallsplan", boost=3.0), wq.Term("text", "avfall")]),
    wq.And([wq.Term("text", "eldning"), wq.Term("text", "trädgårdsavfall")]),
    wq.AndNot(wq.Every(), wq.Term("org_slug", "region-mellanland")),
    wq.Prefix("text", "ladd"),
    wq.TermRange("date", "2021-01-01", "2022-12-31"),
    wq.Phrase("text", ["minska", "mängden"]),
]


@pytest.fixture(params=["whoosh-writer", "bulk-writer"])
def index(request, tmp_path, monkeypatch):
    ix = WhooshIndex(tmp_path / "ix")
    if request.param == "bulk-writer":
        # Every posting list in the sidecar, so the evaluator reads it there.
        monkeypatch.setattr("paragraf_se.indexer.whoosh.bulk_writer.MIN_DOC_FREQ", 1)
        ix.add_many(CORPUS)
        with ix._pool.searcher() as s:
            assert all(sidecar_of(leaf) for leaf, _ in s.reader().leaf_readers())
    else:
        for p in CORPUS:
            ix.replace_source(p.source.url + p.id, [p])
    # A deleted document must not come back from cached postings.
    with ix._writer() as w:
        w.delete_by_term("id", CORPUS[2].id)
    yield ix
    ix.close()


@pytest.mark.parametrize("q", QUERIES, ids=str)
def test_same_matches_and_scores_as_whoosh(index, q):
    with index._pool.searcher() as s:
        fast = Evaluator().evaluate(s, q)
        assert fast is not None
        expected = np.sort(np.fromiter(s.docs_for_query(q), dtype=np.int64))
        assert np.array_equal(fast.ids, expected)
        whoosh_top = [(h.docnum, round(h.score, 4)) for h in s.search(q, limit=3)]
        ours = [(d, round(sc, 4)) for d, sc in top(fast, 0, 3)]
        if not isinstance(q, (wq.Prefix, wq.TermRange, wq.AndNot)):
            assert ours == whoosh_top


def test_paging_through_top_is_consistent(index):
    with index._pool.searcher() as s:
        m = Evaluator().evaluate(s, wq.Every())
    pages = [d for start in range(0, 4, 2) for d, _ in top(m, start, start + 2)]
    assert sorted(pages) == sorted(m.ids.tolist()) and len(set(pages)) == len(pages)


def test_unreadable_sidecar_falls_back_to_whoosh_postings(tmp_path, monkeypatch):
    monkeypatch.setattr("paragraf_se.indexer.whoosh.bulk_writer.MIN_DOC_FREQ", 1)
    ix = WhooshIndex(tmp_path / "ix")
    ix.add_many(CORPUS)
    try:
        with ix._pool.searcher() as s:
            for leaf, _ in s.reader().leaf_readers():
                sidecar_of(leaf)._path = str(tmp_path / "moved-away.seg")
            q = wq.Term("text", "avfall")
            fast = Evaluator().evaluate(s, q)
            expected = sorted(s.docs_for_query(q))
        assert expected and fast.ids.tolist() == expected
    finally:
        ix.close()
