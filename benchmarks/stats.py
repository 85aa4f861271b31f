"""Small measuring helpers: percentiles, peak RSS, directory sizes, machine facts."""

from __future__ import annotations

import os
import platform
import resource
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Latency:
    """Latency percentiles in milliseconds over ``n`` measurements."""

    n: int
    p50: float
    p95: float
    p99: float
    max: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Latency:
        if not seconds:
            return cls(0, float("nan"), float("nan"), float("nan"), float("nan"))
        ms = np.asarray(seconds) * 1000.0
        p50, p95, p99 = np.percentile(ms, [50, 95, 99])
        return cls(len(ms), float(p50), float(p95), float(p99), float(ms.max()))


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MiB.

    VmHWM first: ``ru_maxrss`` survives fork+exec, so a spawned child would
    report its parent's peak.
    """
    own = proc_peak_rss_mb(os.getpid())
    return own if own is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def proc_peak_rss_mb(pid: int) -> float | None:
    """Another process's peak RSS (VmHWM) in MiB, from /proc; None when unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def dir_size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


class Timer:
    """``with Timer() as t: ...`` then ``t.seconds``."""

    def __enter__(self) -> Timer:
        self._start = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self._start


def machine() -> dict[str, str]:
    """Cores, memory, CPU model, OS and Python of this machine."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cores": str(os.cpu_count()),
        "memory": f"{mem_gb:.1f} GiB",
        "cpu": cpu,
        "os": platform.platform(),
        "python": platform.python_version(),
    }


def versions(names: Sequence[str]) -> dict[str, str]:
    """Installed distribution versions ('absent' when not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in names:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "absent"
    return out
