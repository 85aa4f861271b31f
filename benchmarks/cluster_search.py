"""Synced node against embedded, again, over a saved cluster run's two indexes: more queries,
no result cache.

``benchmarks.cluster`` compares the two indexes on 105 queries (3 rounds of the
mix), where p99 is the second-slowest query and moves by tens of percent from
run to run. This re-runs the paired comparison (each query on both indexes,
alternating which goes first) over ``--rounds`` rounds with the result cache
off, so a query repeated across rounds is evaluated every time.

    python -m benchmarks.cluster_search --size 300k [--rounds 10]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchmarks.cluster import paired_queries
from benchmarks.querymix import query_mix
from benchmarks.synth import SyntheticCorpus
from paragraf_se.indexer.search import _cache_of
from paragraf_se.indexer.whoosh.index import WhooshIndex


def compare(work: Path, rounds: int, seed: int = 2026) -> dict:
    """The paired comparison of ``work``'s embedded index and fresh node index."""
    corpus = SyntheticCorpus(seed)
    bodies = corpus.orgs[0].bodies
    warm = query_mix(corpus.vocab, bodies, seed=100)
    timed = [query_mix(corpus.vocab, bodies, seed=11 + i) for i in range(rounds)]
    a, b = WhooshIndex(work / "embedded-index"), WhooshIndex(work / "node-fresh")
    try:
        for index in (a, b):
            _cache_of(index).capacity = 0  # every query evaluated, repeated or not
        return paired_queries(a, b, warm, timed)
    finally:
        a.close()
        b.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="300k")
    ap.add_argument("--work", type=Path, default=Path("/tmp/paragraf-bench-cluster"))
    ap.add_argument("--rounds", type=int, default=10)
    args = ap.parse_args(argv)
    result = compare(args.work / args.size, args.rounds)
    for name in ("embedded", "synced"):
        print(name, json.dumps({k: round(v, 1) if isinstance(v, float) else v
                                for k, v in result[name].items()}))
    e, s = result["embedded"], result["synced"]
    print(json.dumps({"queries": result["queries"],
                      "totals_differ": result["totals_differ_count"],
                      "p50_vs_embedded": f"{s['p50'] / e['p50'] - 1:+.1%}",
                      "p99_vs_embedded": f"{s['p99'] / e['p99'] - 1:+.1%}"}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
