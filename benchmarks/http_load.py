"""Throughput through the real HTTP server: uvicorn in a subprocess, asyncio clients.

Traffic goes to 127.0.0.1 only; every load level is bounded in requests and time.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from benchmarks.querymix import QuerySpec
from benchmarks.stats import Latency, proc_peak_rss_mb


@dataclass(frozen=True)
class LoadResult:
    clients: int
    requests: int
    errors: int
    seconds: float
    latency: Latency

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(data_dir: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """uvicorn serving ``create_app`` over ``data_dir``; yields (base URL, process)."""
    port = _free_port()
    env = dict(os.environ, PARAGRAF_DATA_DIR=str(data_dir))
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "benchmarks.serve_app:app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
         "--no-access-log"],
        env=env, cwd=Path(__file__).resolve().parents[1],
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError("uvicorn exited during start-up")
            try:
                httpx.get(base + "/api/search?q=x", timeout=30).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def _load(bases: Sequence[str], mix: list[QuerySpec], clients: int, max_requests: int,
                max_seconds: float) -> LoadResult:
    """Search load over HTTP: ``clients`` concurrent clients, client ``w`` sent to node
    ``w % len(bases)`` (one base: a single server)."""
    latencies: list[float] = []
    errors = 0
    issued = 0
    start = time.perf_counter()
    per_node = -(-clients // len(bases))
    limits = httpx.Limits(max_connections=per_node, max_keepalive_connections=per_node)
    pool = [httpx.AsyncClient(base_url=b, limits=limits, timeout=60) for b in bases]
    try:
        async def worker(w: int) -> None:
            nonlocal issued, errors
            client = pool[w % len(pool)]
            i = w
            while issued < max_requests and time.perf_counter() - start < max_seconds:
                issued += 1
                spec = mix[i % len(mix)]
                i += clients
                t0 = time.perf_counter()
                try:
                    r = await client.get("/api/search", params=spec.params())
                    ok = r.status_code == 200 and "total" in r.json()
                except (httpx.HTTPError, ValueError):
                    ok = False
                if ok:
                    latencies.append(time.perf_counter() - t0)
                else:
                    errors += 1

        await asyncio.gather(*(worker(w) for w in range(clients)))
    finally:
        for c in pool:
            await c.aclose()
    return LoadResult(clients, len(latencies) + errors, errors, time.perf_counter() - start,
                      Latency.of(latencies))


def measure_http(data_dir: Path, warm: list[QuerySpec], mix: list[QuerySpec],
                 levels=(1, 8, 32),
                 max_requests: int = 400, max_seconds: float = 30.0
                 ) -> tuple[list[LoadResult], float | None]:
    """Load results per concurrency level, and the server's peak RSS in MiB."""
    with server(data_dir) as (base, proc):
        # Warm-up at the highest level: every server thread opens its searcher.
        asyncio.run(_load([base], warm, max(levels), len(warm), max_seconds))
        results = []
        for i, c in enumerate(levels):
            # Each level starts elsewhere in the mix: no query repeats across levels.
            shift = (i * max_requests) % len(mix)
            results.append(asyncio.run(_load([base], mix[shift:] + mix[:shift], c,
                                             max_requests, max_seconds)))
        rss = proc_peak_rss_mb(proc.pid)
    return results, rss
