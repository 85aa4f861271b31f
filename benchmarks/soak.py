"""Soak test: many clients mixing searches, permalinks and feeds while an ingest runs.

Loopback only and bounded: it builds a data directory from the embedded
sample site, starts ``paragraf serve`` on 127.0.0.1, starts ``paragraf
ingest`` of generated protocols in another process, and runs ``--clients``
threads for ``--duration`` seconds. Reports requests, errors by kind,
latency percentiles and the server's memory at start and end.

    .venv/bin/python benchmarks/soak.py --duration 300 --clients 32
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from paragraf_se.demo import crawl_and_index  # noqa: E402
from paragraf_se.settings import DataDir  # noqa: E402

QUERIES = ["avfall", "eldning förbud", "laddning av elbilar", "budget", "skola",
           '"för att"', "detaljplan", "kollektivtrafik", "RS/559/2021", "årsredovisning",
           "organ:\"Åsjö kommun\" avfall", "avfalsplan", "x" * 300, '"obalanserad']


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def make_protocols(folder: Path, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        date = f"2025-{1 + i // 28:02d}-{1 + i % 28:02d}"
        body = "\n\n".join(
            f"§ {n} Ärende {n} om avfall och laddning\nDnr KS 2025/{i * 10 + n}\n\n"
            f"Sammanfattning\nFörvaltningen redovisar ärende {n} för sammanträdet {date}.\n\n"
            f"Kommunstyrelsens beslut\nÄrendet läggs till handlingarna."
            for n in range(1, 8))
        (folder / f"ks-{date}.txt").write_text(
            f"Åsjö kommun\nKommunstyrelsen\nSammanträdesdatum {date}\n\n{body}\n",
            encoding="utf-8")


def client(base: str, stop: float, seed: int, latencies: list[float], outcomes: Counter,
           permalinks: list[str], lock: threading.Lock) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=30) as c:
        while time.monotonic() < stop:
            kind = rng.choice(["search", "search", "api", "permalink", "feed"])
            q = rng.choice(QUERIES)
            if kind == "search":
                url, params = "/", {"q": q}
            elif kind == "api":
                url, params = "/api/search", {"q": q, "size": 20}
            elif kind == "feed":
                url, params = "/feed.atom", {"q": q}
            else:
                url, params = rng.choice(permalinks), {}
            t0 = time.perf_counter()
            try:
                status = c.get(url, params=params).status_code
                outcome = "ok" if status < 400 else f"http-{status}"
            except httpx.HTTPError as err:
                outcome = type(err).__name__
            with lock:
                latencies.append(time.perf_counter() - t0)
                outcomes[outcome] += 1


def run(duration: float, clients: int, documents: int) -> dict[str, object]:
    work = Path(tempfile.mkdtemp(prefix="paragraf-soak-"))
    data = DataDir(work / "data")
    crawl_and_index(data, io.StringIO())
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    server = subprocess.Popen(
        [sys.executable, "-m", "paragraf_se.cli", "--data-dir", str(data.root), "serve",
         "--port", str(port), "--rate-limit", "0"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(base + "/api/search", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        hits = httpx.get(base + "/api/search", params={"size": 100}, timeout=10).json()["hits"]
        permalinks = [h["permalink"] for h in hits] + ["/p/x/y/2020-01-01/1"]
        rss_start = rss_kib(server.pid)
        make_protocols(work / "incoming", documents)
        ingest = subprocess.Popen(
            [sys.executable, "-m", "paragraf_se.cli", "--data-dir", str(data.root), "ingest",
             str(work / "incoming")], env=env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        latencies: list[float] = []
        outcomes: Counter[str] = Counter()
        lock = threading.Lock()
        stop = time.monotonic() + duration
        threads = [threading.Thread(target=client, args=(base, stop, i, latencies, outcomes,
                                                         permalinks, lock))
                   for i in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ingest_status = ingest.wait(timeout=600)
        rss_end = rss_kib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    latencies.sort()

    def pct(p: float) -> float:
        return round(1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))], 1)

    errors = sum(n for k, n in outcomes.items() if k not in ("ok", "http-404"))
    return {
        "duration_s": duration, "clients": clients, "requests": len(latencies),
        "requests_per_s": round(len(latencies) / duration, 1),
        "outcomes": dict(outcomes), "errors": errors,
        "p50_ms": pct(0.50), "p99_ms": pct(0.99), "max_ms": pct(1.0),
        "server_rss_start_mib": round(rss_start / 1024, 1),
        "server_rss_end_mib": round(rss_end / 1024, 1),
        "ingest_exit": ingest_status, "documents_ingested": documents,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=300.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--documents", type=int, default=200)
    args = parser.parse_args(argv)
    report = run(args.duration, args.clients, args.documents)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0 if report["errors"] == 0 and report["ingest_exit"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
