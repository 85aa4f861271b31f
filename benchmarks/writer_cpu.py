"""Bulk-writer CPU per paragraph: the analysis share of ``ingest``, ``index --rebuild`` and a
node's apply.

Builds one segment of N generated paragraphs in one process with
:class:`indexer.whoosh.bulk_writer.SegmentBuilder` (what each bulk-writer
process runs) into memory, and reports CPU microseconds per paragraph from
``time.process_time`` (CPU, not wall: the benchmark machine is shared) for
the three steps: the paragraph's fields (``to_document``), analysing and
buffering (``add_document``) and writing the segment (``finish``). Each
figure is the lowest of ``--rounds`` rounds; ``--profile`` adds a cProfile
top list of one more round.

    python -m benchmarks.writer_cpu --paragraphs 20000 [--rounds 3] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import time
from dataclasses import asdict, dataclass

from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import RamStorage

from benchmarks.synth import SyntheticCorpus
from paragraf_se.indexer.whoosh.bulk_writer import SegmentBuilder
from paragraf_se.indexer.whoosh.schema import build_schema, to_document


@dataclass(frozen=True)
class WriterCpu:
    paragraphs: int
    to_document_us: float
    add_document_us: float
    finish_us: float

    @property
    def total_us(self) -> float:
        return self.to_document_us + self.add_document_us + self.finish_us


def one_round(paragraphs: list, schema) -> tuple[float, float, float]:
    """CPU seconds of (to_document, add_document, finish) for one segment of ``paragraphs``."""
    t0 = time.process_time()
    docs = [to_document(p) for p in paragraphs]
    storage = RamStorage()
    storage.create_index(schema)
    builder = SegmentBuilder(storage, "MAIN", schema, W3Codec())
    t1 = time.process_time()
    for doc in docs:
        builder.add_document(doc)
    t2 = time.process_time()
    builder.finish()
    return t1 - t0, t2 - t1, time.process_time() - t2


def measure(n: int, rounds: int = 3, seed: int = 2026) -> WriterCpu:
    """The lowest CPU per paragraph of each step over ``rounds`` rounds."""
    paragraphs = list(SyntheticCorpus(seed).paragraphs(n))
    schema = build_schema()
    best = [float("inf")] * 3
    for _ in range(rounds):
        for i, seconds in enumerate(one_round(paragraphs, schema)):
            best[i] = min(best[i], seconds / n * 1e6)
    return WriterCpu(n, *best)


def profile(n: int, seed: int = 2026, top: int = 25) -> str:
    """A cProfile top list (by own time) of one round."""
    paragraphs = list(SyntheticCorpus(seed).paragraphs(n))
    schema = build_schema()
    prof = cProfile.Profile()
    prof.enable()
    one_round(paragraphs, schema)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--paragraphs", type=int, default=20_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args(argv)
    result = measure(args.paragraphs, args.rounds, args.seed)
    print(json.dumps(asdict(result) | {"total_us": result.total_us}, indent=1))
    if args.profile:
        print(profile(args.paragraphs, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
