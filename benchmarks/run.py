"""One benchmark run: Paragraf and its peers on one synthetic corpus, written as Markdown.

Usage::

    python -m benchmarks.run --size 50k [--size 300k] [--peers sqlite,postgres,tantivy]
                             [--work /tmp/paragraf-bench] [--out docs/benchmarks.md]

Each size's raw figures are kept in ``benchmarks/results/<size>.json``; the
Markdown report is regenerated from every results file present, so sizes can
be run one at a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks.corpus_file import write_corpus
from benchmarks.http_load import measure_http
from benchmarks.ingest_bench import ingest_result, measure_ingest
from benchmarks.paragraf_bench import (
    build_paragraf,
    incremental_adds,
    paragraf_runner,
    profile_build,
    profile_queries,
    run_queries,
)
from benchmarks.parse_bench import pdf_parse_rate, pipeline_rate
from benchmarks.peer_runs import PEERS, in_child, measure_peer, unavailable
from benchmarks.querymix import query_mix
from benchmarks.report import write_report
from benchmarks.stats import Timer, machine, versions
from benchmarks.synth import SIZES, SyntheticCorpus
from paragraf_se.settings import DataDir
from paragraf_se.wiring import open_engine

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
DISTRIBUTIONS = ("whoosh3", "snowballstemmer", "PyStemmer", "numpy", "uvicorn", "starlette",
                 "pypdfium2", "wordfreq", "tantivy", "psycopg", "psycopg-binary")


@dataclass
class Config:
    size: int
    label: str
    work: Path
    peers: tuple[str, ...] = PEERS
    seed: int = 2026
    rounds: int = 3
    http_levels: tuple[int, ...] = (1, 8, 32)
    http_requests: int = 140
    http_seconds: float = 30.0
    pdf_documents: int = 8
    pipeline_paragraphs: int = 3000
    profile: bool = True
    ingest: bool = True  # end-to-end `paragraf ingest DIR` of protocol files
    progress: bool = True
    extra: dict = field(default_factory=dict)


def _say(cfg: Config, message: str) -> None:
    if cfg.progress:
        print(f"[{dt.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def run(cfg: Config) -> dict:
    """Every measurement for one corpus size; returns the results as plain data."""
    cfg.work.mkdir(parents=True, exist_ok=True)
    corpus = SyntheticCorpus(cfg.seed)
    bodies = corpus.orgs[0].bodies
    warm = query_mix(corpus.vocab, bodies, seed=100)
    timed = [query_mix(corpus.vocab, bodies, seed=11 + i) for i in range(cfg.rounds)]
    fresh = query_mix(corpus.vocab, bodies, seed=200)  # for the profile: never run before
    out: dict = {"size": cfg.size, "label": cfg.label,
                 "date": dt.datetime.now().astimezone().isoformat(timespec="minutes"),
                 "machine": machine(), "versions": versions(DISTRIBUTIONS),
                 "vocabulary": corpus.vocab.source, "lengths": corpus.length_source,
                 "rounds": cfg.rounds, "queries": len(warm), "commit": _commit()}
    _say(cfg, f"writing corpus of {cfg.size:,} paragraphs")
    with Timer() as t:
        corpus_path = write_corpus(corpus, cfg.size, cfg.work / f"corpus-{cfg.size}.jsonl")
    out["corpus_seconds"] = t.seconds
    out["corpus_stats"] = _corpus_stats(corpus_path)

    data = DataDir(cfg.work / "paragraf-data")
    _say(cfg, "Paragraf: full build")
    out["build"] = [asdict(in_child(build_paragraf, corpus_path, data.index))]
    _say(cfg, "Paragraf: queries")
    index = open_engine(data.index)
    try:
        pruns = run_queries(paragraf_runner(index), warm, timed)
        out["queries_run"] = {"Paragraf (Whoosh)": asdict(pruns)}
        if cfg.profile:
            slowest = max(pruns.per_class, key=lambda c: pruns.per_class[c].p50)
            _say(cfg, f"Paragraf: profiling '{slowest}' and indexing")
            out["profile_query_class"] = slowest
            out["profile_query"] = profile_queries(index,
                                                   [s for s in fresh if s.cls == slowest])
            out["profile_build"] = profile_build(corpus_path, cfg.work)
    finally:
        index.close()
    if cfg.http_levels:
        _say(cfg, f"HTTP: {cfg.http_levels} clients")
        # Distinct queries for every request, so the server's result cache
        # does not answer them (the warm-up uses yet another mix).
        http_mix = [q for seed in range(300, 312) for q in query_mix(corpus.vocab, bodies,
                                                                     seed=seed)]
        loads, rss = measure_http(data.root, query_mix(corpus.vocab, bodies, seed=299),
                                  http_mix, cfg.http_levels, cfg.http_requests,
                                  cfg.http_seconds)
        out["http"] = [asdict(r) | {"rate": r.rate} for r in loads]
        out["http_server_peak_rss_mb"] = rss
    if cfg.ingest:
        _say(cfg, f"Paragraf: ingest DIR of {cfg.size:,} paragraphs as protocol files")
        out["ingest"] = ingest_result(measure_ingest(corpus, cfg.size, cfg.work))
    _say(cfg, "Paragraf: incremental adds")
    index = open_engine(data.index)
    try:
        out["incremental"] = asdict(incremental_adds(index, corpus))
    finally:
        index.close()
    _say(cfg, "parsing: PDF and pipeline")
    pdf = pdf_parse_rate(corpus, cfg.pdf_documents)
    out["pdf"] = asdict(pdf) | {"rate": pdf.rate}
    parse_only, whole = pipeline_rate(corpus, cfg.pipeline_paragraphs, cfg.work)
    out["pipeline"] = {"parse": asdict(parse_only) | {"rate": parse_only.rate},
                       "parse_index": asdict(whole) | {"rate": whole.rate}}
    out["peers_skipped"] = {}
    for peer in cfg.peers:
        why = unavailable(peer)
        if why:
            out["peers_skipped"][peer] = why
            _say(cfg, f"peer {peer} skipped: {why}")
            continue
        _say(cfg, f"peer {peer}")
        try:
            build, qrun = measure_peer(peer, corpus_path, cfg.work, warm, timed)
        except Exception as err:  # a broken peer is reported, not fatal
            out["peers_skipped"][peer] = f"failed: {err!r}"[:300]
            continue
        out["build"].append(asdict(build))
        out["queries_run"][build.engine] = asdict(qrun)
    return out


def _commit() -> str:
    """The code measured: commit, plus '-dirty' when engine files differ from it."""
    import subprocess

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True,
                              check=False).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "indexer", "paragraf", "search_api", "ui")
    return head + ("-dirty" if dirty else "")


def _corpus_stats(path: Path) -> dict:
    import numpy as np

    from benchmarks.corpus_file import read_corpus

    lengths = np.array([len(p.text) for p in read_corpus(path)])
    return {"mean_chars": float(lengths.mean()), "p50": float(np.median(lengths)),
            "p99": float(np.percentile(lengths, 99)), "max": int(lengths.max()),
            "bytes": path.stat().st_size}


def save(result: dict, results_dir: Path = RESULTS) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"{result['label']}.json"
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", action="append", choices=sorted(SIZES), help="corpus size(s)")
    ap.add_argument("--peers", default=",".join(PEERS),
                    help="comma-separated peers, or 'none'")
    ap.add_argument("--work", type=Path, default=Path("/tmp/paragraf-bench"))
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "benchmarks.md")
    ap.add_argument("--rounds", type=int, default=3, help="timed rounds of the query mix")
    ap.add_argument("--no-profile", action="store_true")
    ap.add_argument("--report-only", action="store_true",
                    help="rewrite the Markdown from saved results")
    args = ap.parse_args(argv)
    peers = () if args.peers == "none" else tuple(p for p in args.peers.split(",") if p)
    for p in peers:
        if p not in PEERS:
            ap.error(f"unknown peer {p!r}; choose from {', '.join(PEERS)}")
    if not args.report_only:
        for label in args.size or ["50k"]:
            cfg = Config(SIZES[label], label, args.work / label, peers, rounds=args.rounds,
                         profile=not args.no_profile)
            save(run(cfg))
    results = [json.loads(p.read_text(encoding="utf-8"))
               for p in sorted(RESULTS.glob("*.json"))]
    results = [r for r in results if "size" in r]  # other files there are not runs
    # The cluster section (benchmarks/cluster.py) is kept when `make bench` rewrites the file.
    from benchmarks.cluster_report import load_results, section

    write_report(sorted(results, key=lambda r: r["size"]), args.out, section(load_results()))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
