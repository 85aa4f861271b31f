"""The benchmark harness works end to end on a small corpus (no timing is asserted)."""

from __future__ import annotations

import json

import pytest

from benchmarks.corpus_file import read_corpus, write_corpus
from benchmarks.peer_runs import unavailable
from benchmarks.querymix import CLASSES, query_mix
from benchmarks.report import write_report
from benchmarks.run import Config, run
from benchmarks.synth import SyntheticCorpus, protocol_text
from paragraf_se.indexer.parsing import parse_document


@pytest.fixture(scope="module")
def corpus() -> SyntheticCorpus:
    return SyntheticCorpus(seed=5)


def test_generator_is_deterministic_and_prefix_stable(corpus):
    small = [p.id for p in corpus.paragraphs(300)]
    again = [p.id for p in SyntheticCorpus(seed=5).paragraphs(600)]
    assert small == again[:300]
    assert len(set(again)) == 600  # ids unique
    other = [p.id for p in SyntheticCorpus(seed=6).paragraphs(300)]
    assert other != small


def test_generated_paragraphs_look_like_protocols(corpus):
    ps = list(corpus.paragraphs(2000))
    assert {p.year for p in ps} <= set(range(2000, 2027))
    assert len({p.org for p in ps}) > 10
    mean = sum(len(p.text) for p in ps) / len(ps)
    assert 400 < mean < 1200  # the Göteborg corpus mean is ~760 characters
    assert max(len(p.text) for p in ps) > 3000  # a long tail
    assert sum("för att" in p.text for p in ps) > 100
    assert any(p.diarienummer for p in ps) and any(p.decision for p in ps)


def test_protocol_text_parses_back_to_the_same_paragraphs(corpus):
    meeting = next(corpus.meetings(40))
    result = parse_document(protocol_text(meeting).encode("utf-8"), "text/plain")
    assert [p.number for p in result.paragraphs] == [p.number for p in meeting.paragraphs]


def test_corpus_file_round_trips(corpus, tmp_path):
    path = write_corpus(corpus, 50, tmp_path / "c.jsonl")
    assert list(read_corpus(path)) == list(corpus.paragraphs(50))


def test_query_mix_covers_every_class_and_differs_by_seed(corpus):
    a = query_mix(corpus.vocab, corpus.orgs[0].bodies, seed=1)
    b = query_mix(corpus.vocab, corpus.orgs[0].bodies, seed=2)
    assert {q.cls for q in a} == set(CLASSES)
    assert [q.q for q in a] != [q.q for q in b]
    assert any(q.phrase for q in a) and any(q.page == 50 for q in a)


def test_small_run_writes_a_report(tmp_path):
    peers = tuple(p for p in ("sqlite", "tantivy") if unavailable(p) is None)
    cfg = Config(5000, "5k", tmp_path / "work", peers, rounds=1, http_levels=(1, 4),
                 http_requests=30, http_seconds=10, pdf_documents=1,
                 pipeline_paragraphs=100, profile=False, progress=False)
    result = run(cfg)
    json.dumps(result)  # saved as JSON: must serialise
    build = result["build"][0]
    assert build["engine"] == "Paragraf (Whoosh)" and build["paragraphs"] == 5000
    paragraf = result["queries_run"]["Paragraf (Whoosh)"]
    assert paragraf["errors"] == 0 and paragraf["overall"]["n"] == len(CLASSES) * 5
    assert any(total > 0 for total in paragraf["totals"].values())
    assert [h["clients"] for h in result["http"]] == [1, 4]
    assert all(h["errors"] == 0 and h["requests"] > 0 for h in result["http"])
    assert result["pipeline"]["parse_index"]["items"] == 100
    assert result["pdf"]["items"] > 1
    ingest = result["ingest"]  # paragraf ingest DIR, end to end, as a subprocess
    assert ingest["indexed"] == ingest["paragraphs"] == 5000 and ingest["failed_files"] == 0
    assert ingest["peak_rss_mb"] > ingest["largest_process_mb"] > 0
    for peer in peers:
        assert any(b["engine"].lower().startswith(peer) for b in result["build"])
    out = tmp_path / "benchmarks.md"
    write_report([result], out)
    text = out.read_text(encoding="utf-8")
    assert "## 5,000 paragraphs" in text and "| deep page 50 |" in text
    assert "| Paragraf (Whoosh) |" in text
    assert "### End-to-end import: `paragraf ingest DIR`" in text


def test_parse_cpu_parses_every_generated_paragraph(tmp_path):
    from benchmarks.parse_cpu import main, measure, protocol_files

    files = protocol_files(120, tmp_path)
    assert files and protocol_files(120, tmp_path) == files  # generated once, then reused
    run = measure(files)
    assert run.paragraphs == 120 and run.files == len(files)
    assert main(["--paragraphs", "120", "--work", str(tmp_path), "--rounds", "1"]) == 0


def test_writer_cpu_reports_each_step_of_one_segment(capsys):
    from benchmarks.synth import SyntheticCorpus
    from benchmarks.writer_cpu import main, measure, one_round
    from paragraf_se.indexer.whoosh.schema import build_schema

    run = measure(60, rounds=1)
    assert run.paragraphs == 60
    assert run.to_document_us > 0 and run.add_document_us > 0 and run.finish_us > 0
    assert run.total_us == run.to_document_us + run.add_document_us + run.finish_us
    assert len(one_round(list(SyntheticCorpus(1).paragraphs(5)), build_schema())) == 3
    assert main(["--paragraphs", "40", "--rounds", "1"]) == 0
    assert '"total_us"' in capsys.readouterr().out


def test_cluster_search_compares_two_indexes_query_by_query(tmp_path):
    from benchmarks.cluster_search import compare
    from benchmarks.synth import SyntheticCorpus
    from paragraf_se.indexer.whoosh.index import WhooshIndex

    for name in ("embedded-index", "node-fresh"):
        index = WhooshIndex(tmp_path / name)
        index.add_many(SyntheticCorpus(3).paragraphs(80))
        index.close()
    result = compare(tmp_path, rounds=1)
    assert result["queries"] > 0
    assert result["embedded"]["n"] == result["synced"]["n"] == result["queries"]
    assert result["totals_differ_count"] == 0  # the same paragraphs: the same totals
