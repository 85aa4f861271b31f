"""Parse CPU per paragraph: the parser's share of ``paragraf ingest DIR``.

Parses the protocol files that ``benchmarks.ingest_bench`` writes, in one
process, with ``parse_document`` (what each isolated parser process runs), and
reports CPU microseconds per parsed paragraph from ``time.process_time`` (CPU,
not wall: the benchmark machine is shared) and optionally a cProfile top list.

    python -m benchmarks.parse_cpu --paragraphs 8000 --work /tmp/parse-cpu [--profile]
    python -m benchmarks.parse_cpu --real [PATH]  # the Göteborg corpus in ../shared

The files are generated into ``WORK/files-N-SEED`` once (same seed, same corpus)
and reused by later runs. ``--real`` parses real protocols instead: the rows of
``corpora/goteborg-ks/paragraphs.jsonl`` joined into one document per meeting,
as ``benchmarks/parse_accuracy.py`` does.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.ingest_bench import write_files
from benchmarks.parse_accuracy import DEFAULT_CORPUS
from benchmarks.synth import SyntheticCorpus
from paragraf_se.indexer.parsing import dates, parse_document

# The Göteborg corpus in ../shared, as the parse accuracy benchmark finds it.
REAL_CORPUS = DEFAULT_CORPUS


@dataclass(frozen=True)
class ParseCpu:
    files: int
    paragraphs: int  # parsed
    cpu_seconds: float

    @property
    def us_per_paragraph(self) -> float:
        return self.cpu_seconds / self.paragraphs * 1e6 if self.paragraphs else 0.0


def protocol_files(paragraphs: int, work: Path, seed: int = 2026) -> list[Path]:
    """The generated protocol files under ``work/files`` (written when missing)."""
    folder = work / f"files-{paragraphs}-{seed}"
    if not folder.exists():
        staging = work / f".files-{paragraphs}-{seed}.tmp"
        write_files(SyntheticCorpus(seed), paragraphs, staging)
        staging.rename(folder)
    return sorted(folder.rglob("*.txt"))


def real_documents(path: Path) -> list[tuple[bytes, str]]:
    """One text document per meeting of the corpus (rows grouped by date)."""
    meetings: dict[str, list[str]] = {}
    for row in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(row)
        meetings.setdefault(record["datum"], []).append(record["fulltext"])
    return [("\n".join(texts).encode("utf-8"), f"{date}.txt")
            for date, texts in meetings.items()]


def measure(files: list[Path], *, rounds: int = 1) -> ParseCpu:
    """Parse every file ``rounds`` times; the best round's CPU time."""
    return measure_documents([(f.read_bytes(), f.name) for f in files], rounds=rounds)


def measure_documents(documents: list[tuple[bytes, str]], *, rounds: int = 1) -> ParseCpu:
    """Parse every (bytes, name) document ``rounds`` times; the best round's CPU time."""
    best = float("inf")
    found = 0
    for _ in range(rounds):
        _forget_caches()
        found = 0
        start = time.process_time()
        for data, name in documents:
            found += len(parse_document(data, "text/plain", filename=name).paragraphs)
        best = min(best, time.process_time() - start)
    return ParseCpu(len(documents), found, best)


def _forget_caches() -> None:
    """Each round parses as a fresh parser process would: the date cache
    (dates._parse_day_month) would otherwise hold every date of the documents
    from the first round on."""
    cached = getattr(dates._parse_day_month, "cache_clear", None)
    if cached is not None:  # older code had no cache
        cached()


def profile(documents: list[tuple[bytes, str]], top: int = 25) -> str:
    """A cProfile list of the ``top`` functions by own time over one parse of ``documents``."""
    profiler = cProfile.Profile()
    profiler.enable()
    for data, name in documents:
        parse_document(data, "text/plain", filename=name)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=8000,
                        help="paragraphs' worth of protocol files to generate and parse")
    parser.add_argument("--work", type=Path, default=Path("/tmp/parse-cpu"),
                        help="folder for the generated files (kept for later runs)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="parse the files this many times and report the best")
    parser.add_argument("--seed", type=int, default=2026, help="corpus seed")
    parser.add_argument("--profile", action="store_true",
                        help="also print a cProfile top list (by own time)")
    parser.add_argument("--real", nargs="?", type=Path, const=REAL_CORPUS, default=None,
                        metavar="PATH", help="parse the real Göteborg corpus (paragraphs.jsonl, "
                        "one document per meeting) instead of generated files")
    args = parser.parse_args(argv)
    if args.real is not None:
        if not args.real.exists():
            parser.error(f"{args.real} not found (the corpus lives in ../shared)")
        documents = real_documents(args.real)
    else:
        files = protocol_files(args.paragraphs, args.work, args.seed)
        documents = [(f.read_bytes(), f.name) for f in files]
    run = measure_documents(documents, rounds=args.rounds)
    print(f"parsed {run.paragraphs} paragraphs from {run.files} files: "
          f"{run.cpu_seconds:.2f} s CPU, {run.us_per_paragraph:.0f} µs CPU per paragraph "
          f"(best of {args.rounds})")
    if args.profile:
        print(profile(documents))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
