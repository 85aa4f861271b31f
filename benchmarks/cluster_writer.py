"""The steady writer of the cluster benchmark's lag figure: meetings at a fixed rate.

Each commit is one ``replace_source`` of a new meeting (an extra meeting of a
slot from the end of the corpus order, never one the corpus holds) whose
paragraphs all carry the commit's unique token. After each commit one JSON
line ``{"token", "committed"}`` (wall-clock seconds) is appended to ``--out``.
Commits are scheduled at fixed times, so a slow one does not slow the rate.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

from benchmarks.cluster import token
from benchmarks.synth import SyntheticCorpus
from paragraf_se.db import paragraph_store
from paragraf_se.db.connection import connect


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database", required=True)
    ap.add_argument("--rate", type=float, default=50, help="paragraphs per second")
    ap.add_argument("--per-commit", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args(argv)
    corpus = SyntheticCorpus(args.seed)
    period = args.per_commit / args.rate
    commits = int(args.seconds / period)
    slots = corpus.slots[::-1][:commits]
    meetings = [corpus.meeting(int(s), limit=args.per_commit, extra=True) for s in slots]
    with connect(args.database) as conn, args.out.open("a", encoding="utf-8") as out:
        start = time.monotonic()
        for k, m in enumerate(meetings):
            wait = start + k * period - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            word = token(k)
            paragraphs = [replace(p, text=f"{p.text} {word}") for p in m.paragraphs]
            paragraph_store.replace_source(conn, m.url, paragraphs)
            out.write(json.dumps({"token": word, "committed": time.time()}) + "\n")
            out.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
