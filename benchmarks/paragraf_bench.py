"""Paragraf's own figures: index build, incremental add, warm query latency, profiles."""

from __future__ import annotations

import cProfile
import io
import pstats
import resource
import shutil
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from benchmarks.corpus_file import read_corpus
from benchmarks.querymix import QuerySpec
from benchmarks.stats import Latency, Timer, dir_size_mb, peak_rss_mb
from benchmarks.synth import SyntheticCorpus
from paragraf_se.indexer.engine import Engine
from paragraf_se.indexer.search import search
from paragraf_se.wiring import open_engine


@dataclass(frozen=True)
class BuildResult:
    """One full build from the corpus file."""

    engine: str
    paragraphs: int
    seconds: float
    peak_rss_mb: float | None
    size_mb: float
    note: str = ""

    @property
    def rate(self) -> float:
        return self.paragraphs / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class QueryRun:
    """Latencies per query class and overall, with each query's total for cross-checks.

    ``repeat`` times the first timed mix once more: what a result cache gives.
    """

    per_class: dict[str, Latency]
    overall: Latency
    repeat: Latency
    totals: dict[str, int]  # query text + filters -> total matches
    errors: int = 0


BUILD_PROCS = 2


def build_paragraf(corpus_path: Path, index_dir: Path) -> BuildResult:
    """Full build into a fresh index directory: the bulk loader, one commit.

    Meant to run in a child process so peak RSS is the build's own. The
    writing happens in BUILD_PROCS worker processes, so the peak reported is
    the parent's plus BUILD_PROCS times the largest worker's: an upper
    bound of their sum (the kernel keeps only the largest child's peak).
    """
    if index_dir.exists():
        shutil.rmtree(index_dir)
    with Timer() as t:
        ix = open_engine(index_dir)
        n = ix.add_many(read_corpus(corpus_path), procs=BUILD_PROCS)
        ix.close()
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return BuildResult("Paragraf (Whoosh)", n, t.seconds,
                       peak_rss_mb() + BUILD_PROCS * workers, dir_size_mb(index_dir),
                       note=f"{BUILD_PROCS} writer processes; RSS is parent + "
                            f"{BUILD_PROCS} x largest worker")


def spec_key(spec: QuerySpec) -> str:
    return f"{spec.q}|{spec.body}|{spec.year}|{spec.sort}|{spec.page}"


def _timed(run_one, spec: QuerySpec) -> tuple[float | None, int | None]:
    with Timer() as t:
        try:
            total = run_one(spec)
        except Exception:  # a peer failing one query must not end the run
            return None, None
    return t.seconds, total


def run_queries(run_one, warm: list[QuerySpec], timed: list[list[QuerySpec]]) -> QueryRun:
    """Time ``run_one(spec) -> total``: the ``warm`` mix untimed, then each timed mix."""
    errors = 0
    for spec in warm:
        if _timed(run_one, spec)[0] is None:
            errors += 1
    samples: dict[str, list[float]] = defaultdict(list)
    totals: dict[str, int] = {}
    for mix in timed:
        for spec in mix:
            seconds, total = _timed(run_one, spec)
            if seconds is None:
                errors += 1
                continue
            samples[spec.cls].append(seconds)
            totals.setdefault(spec_key(spec), total)
    repeats = [s for s in (_timed(run_one, spec)[0] for spec in timed[0]) if s is not None]
    everything = [s for v in samples.values() for s in v]
    return QueryRun({c: Latency.of(v) for c, v in samples.items()}, Latency.of(everything),
                    Latency.of(repeats), totals, errors)


def paragraf_runner(index: Engine):
    """``run_one`` for Paragraf: the real search function (facets, highlights, total)."""

    def run_one(spec: QuerySpec) -> int:
        return search(index, spec.request()).total

    return run_one


def incremental_adds(index: Engine, corpus: SyntheticCorpus, meetings: int = 5,
                     size: int = 15) -> Latency:
    """Index ``meetings`` new meetings of ``size`` paragraphs, one replace_source each."""
    times = []
    for slot in corpus.slots[:meetings]:
        m = corpus.meeting(int(slot), limit=size, extra=True)
        with Timer() as t:
            index.replace_source(m.url, m.paragraphs)
        times.append(t.seconds)
    return Latency.of(times)


def profile_text(func, *, top: int = 25, sort: str = "cumulative") -> str:
    """Run ``func`` under cProfile; the top ``top`` rows sorted by ``sort``, as text."""
    prof = cProfile.Profile()
    prof.enable()
    try:
        func()
    finally:
        prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.strip_dirs().sort_stats(sort).print_stats(top)
    text = out.getvalue()
    # Keep the table only: from the header row on.
    start = text.find("   ncalls")
    return text[start:].rstrip() if start >= 0 else text.rstrip()


def profile_build(corpus_path: Path, work: Path, n: int = 3000) -> str:
    """Profile of indexing the first ``n`` paragraphs into a fresh index."""
    target = work / "profile-index"
    if target.exists():
        shutil.rmtree(target)
    paragraphs = []
    for p in read_corpus(corpus_path):
        paragraphs.append(p)
        if len(paragraphs) >= n:
            break
    ix = open_engine(target)
    try:
        return profile_text(lambda: ix.add_many(paragraphs), sort="tottime")
    finally:
        ix.close()
        shutil.rmtree(target, ignore_errors=True)


def profile_queries(index: Engine, specs: list[QuerySpec]) -> str:
    """Profile of running ``specs`` once (use queries not run before: no cache hits)."""
    run_one = paragraf_runner(index)
    return profile_text(lambda: [run_one(s) for s in specs])
