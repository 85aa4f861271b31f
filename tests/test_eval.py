"""The search-quality evaluation (benchmarks/eval_search.py) and its floors.

Floors sit slightly below what Paragraf measured when the relevance set was
judged, so a change that makes Swedish search worse fails here. The Göteborg
part needs ../shared beside the checkout and skips without it.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from tests.shared_data import shared_path

_SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "eval_search.py"
_SPEC = importlib.util.spec_from_file_location("eval_search", _SCRIPT)
assert _SPEC is not None and _SPEC.loader is not None
eval_search = importlib.util.module_from_spec(_SPEC)
sys.modules.setdefault("eval_search", eval_search)  # dataclasses look it up there
_SPEC.loader.exec_module(eval_search)

# Measured with decision ranking and partial matches (issue 16, docs/search-quality.md):
# sample (14 queries) nDCG 0.919 / R 0.876 / MRR 1.0; Göteborg (49) nDCG 0.926 / R 0.936 /
# MRR 1.0. Before them, on the same queries: sample 0.854 / 0.784, Göteborg 0.890 / 0.915.
FLOORS = {
    "sample": {"nDCG@10": 0.89, "Recall@10": 0.85, "MRR@10": 0.95},
    "goteborg": {"nDCG@10": 0.90, "Recall@10": 0.91, "MRR@10": 0.95},
}


def _queries(collection: str):
    return [q for q in eval_search.load_queries() if q.collection == collection]


@pytest.fixture(scope="module")
def sample_results():
    return eval_search.evaluate_collection(
        _queries("sample"), eval_search.sample_site_paragraphs()
    )


@pytest.fixture(scope="module")
def goteborg_results():
    corpus = shared_path("corpora", "goteborg-ks", "paragraphs.jsonl")
    return eval_search.evaluate_collection(
        _queries("goteborg"), eval_search.goteborg_paragraphs(corpus)
    )


def _assert_quality(results, collection: str) -> None:
    table = eval_search.macro(results)
    mine = table["Paragraf"]
    for metric, floor in FLOORS[collection].items():
        assert mine[metric] >= floor, (collection, metric, mine[metric])
    for baseline in ("Snowball", "Exakt BM25"):
        for metric in ("nDCG@10", "Recall@10"):
            assert mine[metric] > table[baseline][metric], (collection, baseline, metric, table)


def test_relevance_set_shape():
    queries = eval_search.load_queries()
    assert len(queries) >= 40
    assert len(_queries("sample")) >= 8
    assert len({q.qid for q in queries}) == len(queries)
    assert all(q.relevant for q in queries)


def test_sample_judgments_name_sample_paragraphs():
    paragraphs = eval_search.sample_site_paragraphs()
    eval_search.check_keys(_queries("sample"), paragraphs)
    assert "region-mellanland/regionstyrelsen/2021-06-14/90" in paragraphs


def test_sample_site_quality(sample_results):
    _assert_quality(sample_results, "sample")


def test_compound_queries_find_their_paragraphs(sample_results):
    # The issue's own examples: "avfall" -> avfallsplan, "eldning förbud" -> eldningsförbud.
    by = {(r.query.text, r.system): r for r in sample_results}
    avfall = by[("avfall", "Paragraf")]
    assert "asjo-kommun/kommunfullmaktige/2022-06-13/48" in avfall.ranking
    eldning = by[("eldning förbud", "Paragraf")]
    assert eldning.ranking[0] == "asjo-kommun/kommunstyrelsen/2022-05-11/62"
    assert not eldning.relaxed  # found with AND, not by the OR fallback
    assert by[("RS/559/2021", "Paragraf")].scores["Recall@10"] == 1.0


def test_goteborg_quality(goteborg_results):
    _assert_quality(goteborg_results, "goteborg")


def _paragraf(results, qid):
    return next(r for r in results if r.query.qid == qid and r.system == "Paragraf")


def test_partial_matches_continue_short_pages(sample_results):
    # Two paragraphs have both words; the page goes on with those that have one.
    for qid in ("p01", "p02"):
        r = _paragraf(sample_results, qid)
        assert r.scores["Recall@10"] >= 0.85 and not r.relaxed, (qid, r.scores)
        assert len(r.ranking) > r.total  # more hits than full matches


def test_the_decision_ranks_above_its_postponements(goteborg_results):
    # Cases tabled or referred back several times before being decided: the
    # deciding paragraph (grade 2) comes first.
    for qid in ("d03", "d04", "d06"):
        r = _paragraf(goteborg_results, qid)
        assert r.query.judgments[r.ranking[0]] == 2, (qid, r.ranking[:3])
    # "budget 2025": both budget decisions in the top 10, above the postponement.
    budget = _paragraf(goteborg_results, "d01")
    decided = [budget.ranking.index(k) for k in ("ks-2024-10-23-§870", "ks-2024-12-11-§1022")]
    postponed = "ks-2024-10-09-§830"
    assert postponed not in budget.ranking or max(decided) < budget.ranking.index(postponed)


def test_metrics_by_hand():
    rel = frozenset({"a", "b"})
    assert eval_search.recall_at(["x", "a"], rel) == 0.5
    assert eval_search.reciprocal_rank(["x", "a"], rel) == 0.5
    assert eval_search.reciprocal_rank(["x"], rel) == 0.0
    assert eval_search.ndcg_at(["a", "b"], {"a": 2, "b": 1}) == pytest.approx(1.0)
    assert eval_search.ndcg_at(["b", "a"], {"a": 2, "b": 1}) < 1.0
    # More relevant than the cut-off: a full top 10 of relevant ones is perfect recall.
    many = frozenset(str(i) for i in range(15))
    assert eval_search.recall_at([str(i) for i in range(10)], many) == 1.0


def test_malformed_relevance_files_are_refused(tmp_path):
    (tmp_path / "queries.tsv").write_text("q1\tnowhere\tavfall\n", encoding="utf-8")
    (tmp_path / "qrels.tsv").write_text("q1\tx\t2\n", encoding="utf-8")
    with pytest.raises(eval_search.RelevanceError):
        eval_search.load_queries(tmp_path)
    (tmp_path / "queries.tsv").write_text("q1\tsample\tavfall\n", encoding="utf-8")
    (tmp_path / "qrels.tsv").write_text("q1\tx\t0\n", encoding="utf-8")
    with pytest.raises(eval_search.RelevanceError, match="no relevant"):
        eval_search.load_queries(tmp_path)


def test_script_requires_corpus_when_asked(tmp_path):
    missing = tmp_path / "none.jsonl"
    done = subprocess.run(
        [sys.executable, str(_SCRIPT), "--require-corpus", "--corpus", str(missing)],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 2
    assert "not found" in done.stderr


def test_script_without_corpus_evaluates_sample_only(tmp_path):
    done = subprocess.run(
        [sys.executable, str(_SCRIPT), "--corpus", str(tmp_path / "none.jsonl")],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "sample site only" in done.stdout
    assert "| Paragraf |" in done.stdout
    assert "goteborg:" not in done.stdout
