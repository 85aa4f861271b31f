"""End-to-end bulk import: ``paragraf ingest DIR`` of generated protocol files.

The synthetic meetings are written as plain-text protocol files, one per
meeting, into a directory; then ``paragraf ingest DIR`` runs as a subprocess
(archive, parse, index: everything a user's import does) in its own session,
and the summed RSS of its whole process group (the CLI, its parsers and its
bulk-writer workers) is sampled for the peak.

    python -m benchmarks.ingest_bench --paragraphs 50000 [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.synth import Meeting, SyntheticCorpus, protocol_text

REPO = Path(__file__).resolve().parents[1]
SAMPLE_S = 0.25


@dataclass(frozen=True)
class IngestRun:
    paragraphs: int  # generated
    files: int
    indexed: int  # the CLI's count of paragraphs indexed
    failed_files: int
    seconds: float
    peak_rss_mb: float  # summed over the process group, sampled
    largest_process_mb: float  # the largest single process (getrusage of children)
    procs: str  # what ran: parsers and writers
    load: float  # 1-minute load average when the run started

    @property
    def rate(self) -> float:
        return self.indexed / self.seconds if self.seconds else 0.0


def protocol_file_text(meeting: Meeting) -> str:
    """A meeting as a protocol file whose header names the organisation as protocols do."""
    text = protocol_text(meeting)
    # protocol_text's header is the name in capitals; a file names it as written
    # ("Broholm kommun"), which is what the parser reads as the organisation.
    return text.replace(meeting.org.name.upper(), meeting.org.name, 1)


def write_files(corpus: SyntheticCorpus, paragraphs: int, folder: Path) -> tuple[int, int]:
    """Write meetings totalling ``paragraphs`` as files; returns (files, paragraphs)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = total = 0
    for i, meeting in enumerate(corpus.meetings(paragraphs)):
        sub = folder / f"{i // 1000:03d}"  # no directory of 15,000 entries
        sub.mkdir(exist_ok=True)
        (sub / f"protokoll-{i:06d}.txt").write_text(protocol_file_text(meeting),
                                                     encoding="utf-8")
        files += 1
        total += len(meeting.paragraphs)
    return files, total


def _group_rss_mb(pgid: int) -> float:
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:
                continue
            total += int(fields[21]) * os.sysconf("SC_PAGE_SIZE")  # rss in pages
        except (OSError, IndexError, ValueError):
            continue
    return total / 2**20


def run_ingest(folder: Path, data_root: Path, *, nice: int = 0) -> tuple[float, float, float,
                                                                           str]:
    """Time ``paragraf ingest folder``; (seconds, peak group RSS, largest process, stdout)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "paragraf_se.cli", "--data-dir", str(data_root), "ingest",
           str(folder)]
    if nice:
        cmd = ["nice", "-n", str(nice), *cmd]
    peak = 0.0
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, start_new_session=True)
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.append(proc.stdout.read()))
    reader.start()
    while proc.poll() is None:
        peak = max(peak, _group_rss_mb(proc.pid))
        time.sleep(SAMPLE_S)
    seconds = time.perf_counter() - start
    reader.join()
    proc.stdout.close()
    import resource

    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, peak, largest, "".join(out)


def measure_ingest(corpus: SyntheticCorpus, paragraphs: int, work: Path, *,
                   nice: int = 0) -> IngestRun:
    """Write the files (not timed), then time one ingest of them into an empty data dir."""
    import shutil

    folder = work / f"ingest-files-{paragraphs}"
    marker = folder / ".complete"
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        files, total = write_files(corpus, paragraphs, folder)
        marker.write_text(json.dumps([files, total]))
    files, total = json.loads(marker.read_text())
    data_root = work / f"ingest-data-{paragraphs}"
    shutil.rmtree(data_root, ignore_errors=True)
    load = os.getloadavg()[0]  # other work on the machine skews the figure
    seconds, peak, largest, stdout = run_ingest(folder, data_root, nice=nice)
    failed = sum(1 for line in stdout.splitlines() if line.startswith("FAILED"))
    indexed = sum(int(line.split(": ", 1)[1].split(" paragraphs", 1)[0])
                  for line in stdout.splitlines()
                  if line.startswith(("OK ", "WARNINGS")) and ": " in line
                  and " paragraphs" in line)
    from paragraf_se.commands import INGEST_PROCS

    return IngestRun(total, files, indexed, failed, seconds, peak, largest,
                     f"{INGEST_PROCS} isolated parsers, {INGEST_PROCS} bulk-writer processes",
                     round(load, 1))


def ingest_result(run: IngestRun) -> dict:
    """The figures as saved in a results file, with the rate and the load at the time."""
    return asdict(run) | {"rate": run.rate}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--paragraphs", type=int, default=50_000)
    ap.add_argument("--work", type=Path, default=Path("/tmp/paragraf-bench/ingest"))
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--nice", type=int, default=0)
    ap.add_argument("--compare-rebuild", action="store_true",
                    help="then time `paragraf index --rebuild` of the same data directory")
    args = ap.parse_args(argv)
    run = measure_ingest(SyntheticCorpus(args.seed), args.paragraphs, args.work,
                         nice=args.nice)
    result = ingest_result(run)
    if args.compare_rebuild:
        # The same machine at about the same moment: what the import is measured against.
        cmd = [sys.executable, "-m", "paragraf_se.cli", "--data-dir",
               str(args.work / f"ingest-data-{args.paragraphs}"), "index", "--rebuild"]
        if args.nice:
            cmd = ["nice", "-n", str(args.nice), *cmd]
        load = os.getloadavg()[0]
        start = time.perf_counter()
        subprocess.run(cmd, env={**os.environ, "PYTHONPATH": str(REPO)}, check=True,
                       stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        result["rebuild"] = {"seconds": seconds, "rate": run.indexed / seconds,
                             "load": round(load, 1)}
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
