"""Cluster figures (issue 14): PostgreSQL as the store of record, nodes with synced indexes.

Usage::

    python -m benchmarks.cluster --size 50k [--size 300k] [--work /tmp/paragraf-bench-cluster]
                                 [--lag-seconds 60] [--ingest-rate 50] [--out docs/benchmarks.md]
                                 [--no-http] [--no-embedded]

One run starts its own PostgreSQL (Debian's binaries, ``initdb``/``pg_ctl`` on a
private port, as the tests do) and measures, on the synthetic corpus of
``benchmarks/synth.py``:

1. search latency on a node whose index was built from PostgreSQL against the
   embedded default built from the same paragraphs (paired: each query runs on
   both, alternating which goes first, so background load hits both alike);
2. the write rate into PostgreSQL (``add_many``), the change-log apply rate of a
   node catching up from an empty index (``apply_changes`` loop) and the time to
   build a fresh node (``build_from_database``);
3. the lag from commit to searchable on a running ``paragraf serve --database``
   node while a writer process commits meetings at a steady rate, each meeting
   carrying a unique token the node is polled for;
4. HTTP throughput of one node against two (two ``serve`` processes on one
   database, 32 clients spread over them).

Raw figures go to ``benchmarks/results/cluster/<size>.json``; the Markdown is
regenerated (with ``make bench``'s sections) from every results file present.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

import httpx

from benchmarks.cluster_report import RESULTS
from benchmarks.corpus_file import read_corpus, write_corpus
from benchmarks.http_load import _free_port, _load
from benchmarks.paragraf_bench import build_paragraf, spec_key
from benchmarks.peer_runs import in_child
from benchmarks.querymix import QuerySpec, query_mix
from benchmarks.stats import Latency, Timer, dir_size_mb, machine, proc_peak_rss_mb, versions
from benchmarks.synth import SIZES, SyntheticCorpus
from paragraf_se.db import index_sync, paragraph_store
from paragraf_se.db.connection import connect
from paragraf_se.db.migrate import migrate
from paragraf_se.indexer.search import search
from paragraf_se.indexer.whoosh.index import WhooshIndex

REPO = Path(__file__).resolve().parents[1]
DISTRIBUTIONS = ("whoosh3", "numpy", "uvicorn", "starlette", "psycopg", "psycopg-binary")


def _cpu() -> float:
    """CPU seconds of this process and its reaped children (worker processes) so far."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _say(message: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# -- PostgreSQL --------------------------------------------------------------------


@contextmanager
def postgres() -> Iterator[tuple[str, str]]:
    """A private PostgreSQL for the run; yields (URL, server version)."""
    from tests.pg_cluster import pg_bin, start_primary

    if not (pg_bin("initdb") and pg_bin("pg_ctl")):
        raise SystemExit("PostgreSQL server not installed: apt-get install postgresql")
    root = Path(tempfile.mkdtemp(prefix="paragraf-bench-pg-"))
    root.chmod(0o755)
    server = None
    try:
        server = start_primary(root)
        yield server.url, server.psql("SHOW server_version")
    finally:
        if server is not None:
            server.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


# -- 1. search: synced node against embedded ------------------------------------------


def paired_queries(a: WhooshIndex, b: WhooshIndex, warm: list[QuerySpec],
                   timed: list[list[QuerySpec]]) -> dict:
    """Each query on both indexes, alternating which runs first; latencies and totals."""
    for spec in warm:
        search(a, spec.request())
        search(b, spec.request())
    times: dict[str, list[float]] = {"a": [], "b": []}
    disagree = []
    i = 0
    for mix in timed:
        for spec in mix:
            order = (("a", a), ("b", b)) if i % 2 == 0 else (("b", b), ("a", a))
            totals = {}
            for name, index in order:
                with Timer() as t:
                    totals[name] = search(index, spec.request()).total
                times[name].append(t.seconds)
            if totals["a"] != totals["b"]:
                disagree.append(spec_key(spec))
            i += 1
    return {"embedded": asdict(Latency.of(times["a"])),
            "synced": asdict(Latency.of(times["b"])),
            "queries": i, "totals_differ": disagree[:20], "totals_differ_count": len(disagree)}


# -- 2. write, apply, fresh build -------------------------------------------------------


def write_and_apply(url: str, corpus_path: Path, work: Path, n: int) -> dict:
    """add_many into PostgreSQL, an empty node catching up, and a fresh node's build."""
    out: dict = {}
    catching = work / "node-catching-up"
    shutil.rmtree(catching, ignore_errors=True)
    with connect(url) as conn:
        migrate(conn)
        # The node exists before the writes: an empty index at position 0.
        index_sync.build_from_database(catching, conn)
        _say(f"PostgreSQL: add_many of {n:,} paragraphs")
        cpu = _cpu()
        with Timer() as t:
            written = paragraph_store.add_many(conn, read_corpus(corpus_path))
        out["write"] = {"paragraphs": written, "seconds": t.seconds, "rate": written / t.seconds,
                        "client_cpu_seconds": _cpu() - cpu}
        out["db_size_mb"] = conn.execute(
            "SELECT pg_database_size(current_database())").fetchone()[0] / 2**20
        _say("node: applying the change log (catch-up from empty)")
        index = WhooshIndex(catching)
        steps = []
        cpu = _cpu()
        try:
            with Timer() as t:
                while True:
                    with Timer() as step:
                        result = index_sync.apply_changes(index, catching, conn)
                    if not result.changes:
                        break
                    steps.append(step.seconds)
            applied_count = index.count()
            caught_up_segments = index.segment_sizes()
        finally:
            index.close()
        cpu = _cpu() - cpu
        changes = paragraph_store.head(conn)
        out["apply"] = {"changes": changes, "seconds": t.seconds, "rate": changes / t.seconds,
                        "cpu_seconds": cpu,
                        "batches": len(steps), "batch": index_sync.APPLY_BATCH,
                        "batch_seconds": asdict(Latency.of(steps)),
                        "paragraphs_in_index": applied_count,
                        "segments": caught_up_segments}
        _say("node: fresh build from PostgreSQL")
    cpu = _cpu()
    out["fresh_build"] = in_child(_fresh_build, url, work / "node-fresh")
    out["fresh_build"]["cpu_seconds"] = _cpu() - cpu
    shutil.rmtree(catching, ignore_errors=True)
    return out


def _fresh_build(url: str, target: Path) -> dict:
    shutil.rmtree(target, ignore_errors=True)
    with connect(url) as conn, Timer() as t:
        n = index_sync.build_from_database(target, conn)
    return {"paragraphs": n, "seconds": t.seconds, "rate": n / t.seconds,
            "size_mb": dir_size_mb(target)}


# -- serve nodes ---------------------------------------------------------------------


@contextmanager
def node(url: str, data_root: Path, seed_index: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """``paragraf serve --database`` over a copy of ``seed_index``; yields (base URL, process)."""
    shutil.rmtree(data_root, ignore_errors=True)
    data_root.mkdir(parents=True)
    shutil.copytree(seed_index, data_root / "node-index")
    port = _free_port()
    log = open(data_root / "serve.log", "w", encoding="utf-8")  # noqa: SIM115
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("paragraf")), "--data-dir", str(data_root),
         "--database", url, "serve", "--host", "127.0.0.1", "--port", str(port),
         "--rate-limit", "0", "--no-access-log", "--log-level", "warning"],
        cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"serve exited at start: see {data_root / 'serve.log'}")
            try:
                if httpx.get(base + "/readyz", timeout=10).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("node not ready in 300 s")
            time.sleep(0.2)
        yield base, proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


# -- 3. lag under steady ingest ---------------------------------------------------------


def token(k: int) -> str:
    """A unique, analyser-stable word: consonants only (no suffix the stemmer strips),
    ending in 'x' (no consonant-pair rule applies)."""
    letters = "bcdfghjklmnpqrtvwz"
    word = ""
    while True:
        k, r = divmod(k, len(letters))
        word = letters[r] + word
        if k == 0:
            break
    return f"qz{word}x"


def measure_lag(url: str, base: str, work: Path, seconds: float, rate: float,
                per_commit: int) -> dict:
    """A writer process commits ``rate`` §/s; poll ``base`` for each commit's token."""
    log_path = work / "writer.jsonl"
    log_path.unlink(missing_ok=True)
    writer = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.cluster_writer", "--database", url,
         "--rate", str(rate), "--per-commit", str(per_commit), "--seconds", str(seconds),
         "--out", str(log_path)], cwd=REPO)
    seen: dict[str, float] = {}
    commits: dict[str, float] = {}
    polls = 0
    errors = 0
    next_k = 0
    # The node's own view, once a second: change-log rows it has not applied yet.
    behind: list[tuple[float, int | None]] = []
    next_sample = 0.0
    started = time.time()
    deadline = started + seconds + 60
    with httpx.Client(base_url=base, timeout=30) as client:
        while time.time() < deadline:
            if time.time() >= next_sample:
                next_sample = time.time() + 1.0
                try:
                    check = client.get("/readyz").json()["checks"]["database"]
                    behind.append((round(time.time() - started, 1), check.get("lag_changes")))
                except (httpx.HTTPError, ValueError, KeyError):
                    errors += 1
            if log_path.exists():
                # Only complete lines: the writer may be mid-line.
                for line in log_path.read_text(encoding="utf-8").split("\n")[:-1]:
                    if line.strip():
                        rec = json.loads(line)
                        commits.setdefault(rec["token"], rec["committed"])
            done = writer.poll() is not None
            # The node applies the log in order, so only the oldest unseen token
            # needs polling; once it shows, the following ones are checked at once.
            while token(next_k) in commits:
                polls += 1
                try:
                    r = client.get("/api/search", params={"q": token(next_k)})
                    found = r.status_code == 200 and r.json()["total"] > 0
                except (httpx.HTTPError, ValueError, KeyError):
                    errors += 1
                    found = False
                if not found:
                    break
                seen[token(next_k)] = time.time()
                next_k += 1
            if done and next_k >= len(commits):
                break
            time.sleep(0.02)
    writer.wait(timeout=60)
    lags = [seen[t] - c for t, c in commits.items() if t in seen]
    achieved = 0.0
    if len(commits) > 1:
        span = max(commits.values()) - min(commits.values())
        achieved = (len(commits) - 1) * per_commit / span if span else 0.0
    return {"commits": len(commits), "paragraphs": len(commits) * per_commit,
            "seen": len(seen), "never_seen": len(commits) - len(seen),
            "target_rate": rate, "achieved_rate": achieved, "per_commit": per_commit,
            "seconds": seconds, "poll_interval_ms": 20, "polls": polls, "errors": errors,
            "lag": asdict(Latency.of(lags)),
            "lags": [round(x, 2) for x in lags],
            "node_behind": behind,
            "node_behind_max": max((b for _, b in behind if b is not None), default=None)}


# -- 4. one node against two -----------------------------------------------------------




def measure_nodes(bases: Sequence[str], procs: Sequence[subprocess.Popen],
                  warm: list[QuerySpec], mix: list[QuerySpec], clients: int,
                  max_requests: int, max_seconds: float) -> dict:
    asyncio.run(_load(bases, warm, clients, len(warm), max_seconds))
    r = asyncio.run(_load(bases, mix, clients, max_requests, max_seconds))
    return asdict(r) | {"rate": r.rate, "nodes": len(bases),
                        "peak_rss_mb": [proc_peak_rss_mb(p.pid) for p in procs]}


# -- the run ------------------------------------------------------------------------


def run(label: str, work: Path, *, seed: int = 2026, rounds: int = 3, lag_seconds: float = 60,
        ingest_rate: float = 50, per_commit: int = 10, clients: int = 32,
        http_requests: int = 2000, http_seconds: float = 30, http: bool = True,
        embedded: bool = True) -> dict:
    size = SIZES[label]
    work.mkdir(parents=True, exist_ok=True)
    corpus = SyntheticCorpus(seed)
    bodies = corpus.orgs[0].bodies
    out: dict = {"size": size, "label": label, "machine": machine(),
                 "date": dt.datetime.now().astimezone().isoformat(timespec="minutes"),
                 "versions": versions(DISTRIBUTIONS), "commit": _commit(),
                 "load": os.getloadavg(), "nice": os.nice(0)}
    _say(f"writing corpus of {size:,} paragraphs")
    corpus_path = write_corpus(corpus, size, work / f"corpus-{size}.jsonl")
    embedded_dir = work / "embedded-index"
    out["embedded_build"] = out["search"] = None
    if embedded:
        _say("embedded: full build")
        cpu = _cpu()
        out["embedded_build"] = asdict(in_child(build_paragraf, corpus_path, embedded_dir))
        out["embedded_build"]["cpu_seconds"] = _cpu() - cpu
    with postgres() as (url, server_version):
        out["postgresql"] = server_version
        out |= write_and_apply(url, corpus_path, work, size)
        if embedded:
            _say("search: synced node against embedded")
            warm = query_mix(corpus.vocab, bodies, seed=100)
            timed = [query_mix(corpus.vocab, bodies, seed=11 + i) for i in range(rounds)]
            a, b = WhooshIndex(embedded_dir), WhooshIndex(work / "node-fresh")
            try:
                out["search"] = paired_queries(a, b, warm, timed)
                out["segments"] = {"embedded": a.segment_sizes(),
                                   "synced": b.segment_sizes()}
            finally:
                a.close()
                b.close()
        out |= serving(url, work, corpus, lag_seconds=lag_seconds, ingest_rate=ingest_rate,
                       per_commit=per_commit, clients=clients, http_requests=http_requests,
                       http_seconds=http_seconds, http=http)
    out["load_after"] = os.getloadavg()
    return out


def serving(url: str, work: Path, corpus: SyntheticCorpus, *, lag_seconds: float,
            ingest_rate: float, per_commit: int, clients: int, http_requests: int,
            http_seconds: float, http: bool = True) -> dict:
    """Lag under a steady ingest, then one node against two (each node caught up first)."""
    bodies = corpus.orgs[0].bodies
    out: dict = {"http": []}
    http_warm = query_mix(corpus.vocab, bodies, seed=299)
    http_mix = [q for s in range(300, 312) for q in query_mix(corpus.vocab, bodies, seed=s)]
    seed_index = work / "node-fresh"
    with node(url, work / "node-a", seed_index) as (base_a, proc_a):
        # A serving node has answered searches before an ingest starts: the first
        # search after start reads every segment's columns and lengths, which is
        # a start-up cost (reported), not commit-to-searchable lag.
        with Timer() as warm:
            httpx.get(base_a + "/api/search", params={"q": "beslut"}, timeout=600)
        _say(f"lag: {ingest_rate:g} §/s for {lag_seconds:g} s, node polled for tokens")
        out["lag"] = measure_lag(url, base_a, work, lag_seconds, ingest_rate, per_commit)
        out["lag"]["first_search_seconds"] = warm.seconds
        out["lag"]["segments_after"] = _segment_sizes(work / "node-a" / "node-index")
        if not http:
            return out
        wait_caught_up(base_a)
        _say(f"HTTP: one node, {clients} clients")
        one = measure_nodes([base_a], [proc_a], http_warm, http_mix, clients,
                            http_requests, http_seconds)
        with node(url, work / "node-b", seed_index) as (base_b, proc_b):
            # The copied index predates the lag run's writes: catch up before measuring.
            wait_caught_up(base_b)
            _say(f"HTTP: two nodes, {clients} clients")
            shift = http_requests % len(http_mix)
            two = measure_nodes([base_a, base_b], [proc_a, proc_b], http_warm,
                                http_mix[shift:] + http_mix[:shift], clients,
                                http_requests, http_seconds)
        out["http"] = [one, two]
    return out


def wait_caught_up(base: str, timeout: float = 600) -> None:
    """Until the node's /readyz says it has applied every change-log row."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            check = httpx.get(base + "/readyz", timeout=10).json()["checks"]["database"]
            if check.get("lag_changes") == 0:
                return
        except (httpx.HTTPError, ValueError, KeyError):
            pass
        time.sleep(0.5)
    raise TimeoutError(f"node {base} not caught up in {timeout:.0f} s")


def rerun_serving(label: str, work: Path, **kwargs) -> dict:
    """Lag and HTTP again over a saved run's node index, into its saved results.

    The store is reloaded from the same corpus file with ``add_many``: same rows,
    same change-log positions, so the saved fresh-node index is in step with it.
    """
    path = RESULTS / f"{label}.json"
    result = json.loads(path.read_text(encoding="utf-8"))
    corpus = SyntheticCorpus(2026)
    corpus_path = work / f"corpus-{SIZES[label]}.jsonl"
    with postgres() as (url, _), connect(url) as conn:
        migrate(conn)
        paragraph_store.add_many(conn, read_corpus(corpus_path))
        position = index_sync.read_position(work / "node-fresh", _generation(work / "node-fresh"))
        if position != paragraph_store.head(conn):
            raise SystemExit(f"saved node index at {position}, store at "
                             f"{paragraph_store.head(conn)}: run the whole benchmark")
        load = os.getloadavg()
        result |= serving(url, work, corpus, **kwargs)
    result["serving_rerun"] = {"commit": _commit(), "load": load,
                               "load_after": os.getloadavg(),
                               "date": dt.datetime.now().astimezone().isoformat(
                                   timespec="minutes")}
    return result


def _segment_sizes(index_dir: Path) -> list[int]:
    """Live paragraphs per segment of an index (read-only: a node may be writing it)."""
    index = WhooshIndex(index_dir)
    try:
        return index.segment_sizes()
    finally:
        index.close()


def _generation(index_dir: Path) -> int:
    index = WhooshIndex(index_dir)
    try:
        return index.generation()
    finally:
        index.close()


def _commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True,
                              check=False).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "indexer", "paragraf")
    return head + ("-dirty" if dirty else "")


def save(result: dict, results_dir: Path = RESULTS) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"{result['label']}.json"
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", action="append", choices=sorted(SIZES), help="corpus size(s)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/paragraf-bench-cluster"))
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "benchmarks.md")
    ap.add_argument("--rounds", type=int, default=3, help="timed rounds of the query mix")
    ap.add_argument("--lag-seconds", type=float, default=60, help="steady ingest duration")
    ap.add_argument("--ingest-rate", type=float, default=50, help="paragraphs per second")
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--no-http", action="store_true", help="skip one node against two")
    ap.add_argument("--no-embedded", action="store_true",
                    help="skip the embedded build and the search comparison (saves a full "
                         "build's time at large sizes)")
    ap.add_argument("--serving-only", action="store_true",
                    help="re-measure lag and HTTP over a saved run's node index")
    ap.add_argument("--report-only", action="store_true",
                    help="rewrite the Markdown from saved results")
    args = ap.parse_args(argv)
    if not args.report_only:
        for label in args.size or ["50k"]:
            if args.serving_only:
                save(rerun_serving(label, args.work / label, lag_seconds=args.lag_seconds,
                                   ingest_rate=args.ingest_rate, per_commit=10,
                                   clients=args.clients, http_requests=2000,
                                   http_seconds=30, http=not args.no_http))
                continue
            save(run(label, args.work / label, rounds=args.rounds,
                     lag_seconds=args.lag_seconds, ingest_rate=args.ingest_rate,
                     clients=args.clients, http=not args.no_http,
                     embedded=not args.no_embedded))
    from benchmarks.run import main as run_main

    run_main(["--report-only", "--out", str(args.out)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
