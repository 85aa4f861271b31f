"""Building and querying each peer: builds in a child process (own peak RSS)."""

from __future__ import annotations

import multiprocessing
import shutil
import traceback
from pathlib import Path

from benchmarks.corpus_file import read_corpus
from benchmarks.paragraf_bench import BuildResult, QueryRun, run_queries
from benchmarks.peers.postgres import PostgresPeer, PostgresServer
from benchmarks.peers.sqlite_fts import SqlitePeer
from benchmarks.peers.tantivy_peer import TantivyPeer
from benchmarks.querymix import QuerySpec
from benchmarks.stats import Timer, peak_rss_mb

PEERS = ("sqlite", "postgres", "tantivy")


def unavailable(peer: str) -> str | None:
    """Why ``peer`` cannot run here, or None."""
    return {"sqlite": SqlitePeer.available, "postgres": PostgresServer.available,
            "tantivy": TantivyPeer.available}[peer]()


def _run_and_send(conn, func, args) -> None:
    try:
        conn.send(("ok", func(*args)))
    except BaseException:  # reported to the parent, which raises
        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


def in_child(func, *args):
    """Run ``func(*args)`` in a fresh spawned process and return its result.

    A plain (non-daemonic) process, not a Pool worker, so the function may
    start processes of its own (Paragraf's build uses two writer processes).
    """
    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_run_and_send, args=(sender, func, args))
    child.start()
    sender.close()
    try:
        status, value = receiver.recv()
    finally:
        child.join()
    if status != "ok":
        raise RuntimeError(f"benchmark child failed:\n{value}")
    return value


def _build_local(peer: str, corpus_path: Path, target: Path) -> BuildResult:
    if target.exists():
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink()
    engine = SqlitePeer(target) if peer == "sqlite" else TantivyPeer(target)
    with Timer() as t:
        n = engine.build(read_corpus(corpus_path))
    size = engine.size_mb()
    engine.close()
    return BuildResult(engine.name, n, t.seconds, peak_rss_mb(), size)


def _build_postgres(port: int, sock: str, corpus_path: Path) -> tuple[int, float, float]:
    server = PostgresServer(port)
    server.sock = Path(sock)
    peer = PostgresPeer(server)
    with Timer() as t:
        n = peer.build(read_corpus(corpus_path))
    size = peer.size_mb()
    peer.close()
    return n, t.seconds, size


def measure_peer(peer: str, corpus_path: Path, work: Path, warm: list[QuerySpec],
                 timed: list[list[QuerySpec]]) -> tuple[BuildResult, QueryRun]:
    """Build ``peer`` from the corpus file, then time the query mix on it."""
    if peer == "postgres":
        server = PostgresServer()
        server.start()
        try:
            n, seconds, size = in_child(_build_postgres, server.port, str(server.sock),
                                        corpus_path)
            build = BuildResult(PostgresPeer.name, n, seconds, None, size,
                                note="RSS: server processes, not measured")
            engine = PostgresPeer(server)
            try:
                run = run_queries(lambda s: engine.search(s).total, warm, timed)
            finally:
                engine.close()
        finally:
            server.stop()
        return build, run
    target = work / ("sqlite.db" if peer == "sqlite" else "tantivy-index")
    build = in_child(_build_local, peer, corpus_path, target)
    engine = SqlitePeer(target) if peer == "sqlite" else TantivyPeer(target)
    try:
        run = run_queries(lambda s: engine.search(s).total, warm, timed)
    finally:
        engine.close()
    return build, run
