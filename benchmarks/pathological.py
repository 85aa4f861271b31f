"""What pathological queries cost, alone and beside ordinary searches.

Builds a synthetic index (``--paragraphs``), then:

1. times each pathological input through the one search function, in
   process (a fresh query each repetition, so no result cache helps), and
   reports p50 / p99 / max milliseconds per input;
2. starts ``paragraf serve`` on 127.0.0.1 and sends the pathological inputs
   from ``--attackers`` threads to ``/api/search``, ``/`` and ``/feed.atom``
   while one client times ordinary searches; reports the ordinary search's
   latency with and without the attack, and the attack requests' own;
3. with ``--disconnects N``, sends N pathological requests whose client
   closes the socket after 50 ms, and reports the server's count of searches
   it stopped because the client was gone (``/metrics``).

    .venv/bin/python benchmarks/pathological.py --paragraphs 50000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.synth import SyntheticCorpus  # noqa: E402
from paragraf_se.indexer.engine import SearchRequest  # noqa: E402
from paragraf_se.indexer.search import search  # noqa: E402
from paragraf_se.settings import DataDir  # noqa: E402
from paragraf_se.wiring import open_engine  # noqa: E402

ORDINARY = ("budget", "detaljplan", "skola", "kollektivtrafik", "yttrande", "motion")


def _word(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.ascii_lowercase + "åäö") for _ in range(n))


def pathological(rng: random.Random) -> dict[str, str]:
    """One fresh instance of each pathological input."""
    words = [_word(rng, rng.randint(5, 10)) for _ in range(2000)]
    long_text = " ".join(_word(rng, 9) for _ in range(800))[:8000]
    # A fresh choice of prefixes each time: no cache of an earlier query helps.
    pairs = [a + b for a in "abdefghklmnoprstv" for b in "aeiloruyn"]
    two = " OR ".join(f"{p}*" for p in rng.sample(pairs, 56))
    three = " OR ".join(f"{p}{c}*" for p, c in zip(rng.sample(pairs, 56),
                                                    rng.choices("abdegiklmnorstv", k=56),
                                                    strict=True))
    return {
        "8,000 characters of unknown words": long_text,
        "2,000 random words": " ".join(words),
        "56 two-letter prefixes (OR)": two,
        "56 three-letter prefixes (OR)": three,
        "one-letter prefixes, all of a-ö (OR)": " OR ".join(f"{c}*" for c in
                                                            string.ascii_lowercase + "åäö"),
        "10 KB one word": _word(rng, 10_000),
    }


def build_index(data: DataDir, paragraphs: int) -> float:
    index = open_engine(data.index)
    start = time.perf_counter()
    try:
        index.add_many(SyntheticCorpus(2026).paragraphs(paragraphs), procs=2)
    finally:
        index.close()
    return time.perf_counter() - start


def in_process(data: DataDir, repeats: int) -> dict[str, dict[str, object]]:
    index = open_engine(data.index)
    times: dict[str, list[float]] = {}
    notes: dict[str, dict[str, object]] = {}
    try:
        search(index, SearchRequest(q="budget"))  # warm caches
        for r in range(repeats):
            for name, q in pathological(random.Random(r)).items():
                # Another page each time: the result cache never answers.
                request = SearchRequest(q=q, page=1 + r % 50)
                t = time.perf_counter()
                result = search(index, request)
                times.setdefault(name, []).append((time.perf_counter() - t) * 1000)
                notes[name] = {"total": result.total, "suggestion": result.suggestion is not None,
                               "notices": len(result.notices)}
    finally:
        index.close()
    return {k: {"p50_ms": _pct(v, 0.5), "p99_ms": _pct(v, 0.99), "max_ms": max(v),
                "n": len(v), **notes[k]} for k, v in times.items()}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ordinary_latencies(url: str, seconds: float) -> list[float]:
    times = []
    stop = time.monotonic() + seconds
    with httpx.Client(base_url=url, timeout=300) as c:
        i = 0
        while time.monotonic() < stop:
            q = f"{ORDINARY[i % len(ORDINARY)]} {ORDINARY[(i // 6) % len(ORDINARY)]}"
            t = time.perf_counter()
            r = c.get("/api/search", params={"q": q, "page": 1 + i % 50})
            times.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, r.status_code
            i += 1
            time.sleep(0.05)
    return times


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))] if values else float("nan")


def under_attack(data: DataDir, attackers: int, seconds: float,
                 disconnects: int = 0) -> dict[str, object]:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    server = subprocess.Popen(
        [sys.executable, "-m", "paragraf_se.cli", "--data-dir", str(data.root), "serve",
         "--host", "127.0.0.1", "--port", str(port), "--rate-limit", "0"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(url + "/api/search?q=budget", timeout=5)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        quiet = _ordinary_latencies(url, seconds / 2)
        stop = threading.Event()
        attack_times: list[float] = []
        statuses: dict[int, int] = {}

        def attack(seed: int) -> None:
            rng = random.Random(1000 + seed)
            paths = ("/api/search", "/", "/feed.atom")
            with httpx.Client(base_url=url, timeout=600) as c:
                while not stop.is_set():
                    q = rng.choice(list(pathological(rng).values()))
                    t = time.perf_counter()
                    r = c.get(rng.choice(paths), params={"q": q})
                    attack_times.append((time.perf_counter() - t) * 1000)
                    statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

        threads = [threading.Thread(target=attack, args=(i,)) for i in range(attackers)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        loaded = _ordinary_latencies(url, seconds)
        stop.set()
        for t in threads:
            t.join()
        hangups = _disconnects(url, disconnects) if disconnects else None
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "ordinary_quiet_ms": {"p50": _pct(quiet, 0.5), "p99": _pct(quiet, 0.99),
                              "max": max(quiet)},
        "ordinary_under_attack_ms": {"p50": _pct(loaded, 0.5), "p99": _pct(loaded, 0.99),
                                     "max": max(loaded), "n": len(loaded)},
        "attack_requests": len(attack_times),
        "attack_ms": {"p50": _pct(attack_times, 0.5), "p99": _pct(attack_times, 0.99),
                      "max": max(attack_times, default=0)},
        "attack_statuses": statuses,
        **({"disconnects": hangups} if hangups else {}),
    }


def _cancelled_count(url: str) -> float:
    """The server's count of searches stopped because their client was gone."""
    total = 0.0
    for line in httpx.get(url + "/metrics", timeout=30).text.splitlines():
        if line.startswith("paragraf_searches_cancelled_total"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def _disconnects(url: str, n: int) -> dict[str, float]:
    """Send ``n`` pathological requests and hang up on each after 50 ms."""
    host, port = url.removeprefix("http://").split(":")
    before = _cancelled_count(url)
    rng = random.Random(77)
    paths = ("/api/search", "/", "/feed.atom", "/api/export")
    for i in range(n):
        q = rng.choice(list(pathological(rng).values()))
        target = httpx.URL(url + paths[i % len(paths)], params={"q": q}).raw_path.decode()
        with socket.create_connection((host, int(port))) as sock:
            sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            time.sleep(0.05)
    time.sleep(2.0)  # let the server notice the last ones
    return {"sent": n, "cancelled_by_server": _cancelled_count(url) - before}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--paragraphs", type=int, default=50_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--attackers", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--data-dir", type=Path, help="reuse (or keep) this data directory")
    ap.add_argument("--disconnects", type=int, default=0,
                    help="also send this many requests whose client hangs up")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="paragraf-patho-") as tmp:
        data = DataDir(args.data_dir or Path(tmp))
        if not data.index.exists():
            print(f"building {args.paragraphs:,} paragraphs ...", file=sys.stderr)
            build_index(data, args.paragraphs)
        report = {"paragraphs": args.paragraphs,
                  "in_process": in_process(data, args.repeats),
                  "server": under_attack(data, args.attackers, args.seconds,
                                        args.disconnects)}
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
