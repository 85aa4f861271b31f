"""Progress of long commands (crawl, ingest) on stderr: n/N, rates, counters.

On a terminal a tqdm bar (maintained, handles resizing and redraws); anywhere
else (a log file, a pipe, systemd's journal) plain lines, at most one every
``interval`` seconds plus a final one, so logs stay readable. Results belong on
stdout and never go through here; :meth:`ProgressReporter.write` prints a line
without tearing the bar.

    with ProgressReporter("ingest", total=len(files), unit="files", rates=("§",)) as p:
        for f in files:
            ...
            p.update(1, {"§": paragraphs, "failed": int(failed)})
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from typing import TextIO

from tqdm import tqdm

DEFAULT_INTERVAL = 10.0  # seconds between plain progress lines


def _rate(count: float, seconds: float) -> str:
    if seconds <= 0:
        return "-"
    value = count / seconds
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


class ProgressReporter:
    """Reports ``n/N unit`` with rates to ``stream`` (stderr by default).

    ``total`` may be None (unknown) or change while running (a crawl finds
    new URLs). ``rates`` names the counters that also get a per-second rate
    (e.g. ``"§"`` for paragraphs); other counters are shown as plain totals.
    ``tty`` overrides terminal detection; ``clock`` is injectable for tests.
    """

    def __init__(self, label: str, total: int | None = None, *, unit: str = "items",
                 rates: tuple[str, ...] = (), stream: TextIO | None = None,
                 interval: float = DEFAULT_INTERVAL, tty: bool | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.label = label
        self.total = total
        self.unit = unit
        self.rates = rates
        self.stream = stream if stream is not None else sys.stderr
        self.interval = interval
        self.n = 0
        self.counts: dict[str, int] = {}
        self._clock = clock
        self._started = clock()
        self._last_line = self._started
        self._closed = False
        is_tty = tty if tty is not None else _isatty(self.stream)
        self._bar: tqdm | None = None
        if is_tty:
            width = _columns(self.stream)  # 0 on a pseudo-terminal nobody sized
            self._bar = tqdm(total=total, desc=label, unit=f" {unit}", file=self.stream,
                             dynamic_ncols=width > 0, ncols=None if width > 0 else 100,
                             leave=True, mininterval=0.2)

    def __enter__(self) -> ProgressReporter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def update(self, n: int = 1, counts: Mapping[str, int] | None = None, *,
               total: int | None = None) -> None:
        """``n`` more items done; ``counts`` are added to the named counters."""
        self.n += n
        for key, value in (counts or {}).items():
            self.counts[key] = self.counts.get(key, 0) + value
        if total is not None:
            self.total = total
        if self._bar is not None:
            if total is not None and total != self._bar.total:
                self._bar.total = total
            self._bar.set_postfix_str(self._counters(), refresh=False)
            self._bar.update(n)
            return
        now = self._clock()
        if now - self._last_line >= self.interval:
            self._last_line = now
            self._emit(self.line())

    def set(self, done: int, counts: Mapping[str, int] | None = None, *,
            total: int | None = None) -> None:
        """Absolute values instead of increments (for callers that keep their own counts)."""
        delta = {k: v - self.counts.get(k, 0) for k, v in (counts or {}).items()}
        self.update(done - self.n, delta, total=total)

    def write(self, text: str, stream: TextIO | None = None) -> None:
        """Print ``text`` (a result or a failure) without breaking the bar."""
        target = stream if stream is not None else sys.stdout
        if self._bar is not None:
            self._bar.write(text, file=target)
        else:
            print(text, file=target, flush=True)

    def line(self) -> str:
        """The plain progress line as of now."""
        elapsed = self._clock() - self._started
        total = f"/{self.total:,}" if self.total is not None else ""
        percent = (f" ({100 * self.n / self.total:.0f}%)"
                   if self.total else "")
        parts = [f"{self.label}: {self.n:,}{total} {self.unit}{percent}",
                 f"{_rate(self.n, elapsed)} {self.unit}/s"]
        counters = self._counters(elapsed)
        if counters:
            parts.append(counters)
        parts.append(f"{elapsed:,.0f} s")
        return ", ".join(parts)

    def _counters(self, elapsed: float | None = None) -> str:
        if elapsed is None:
            elapsed = self._clock() - self._started
        shown = []
        for key, value in self.counts.items():
            if key in self.rates:
                shown.append(f"{value:,} {key} ({_rate(value, elapsed)} {key}/s)")
            else:
                shown.append(f"{key} {value:,}")
        return ", ".join(shown)

    def close(self) -> None:
        """Finish: the bar's last state stays; in plain mode a final line."""
        if self._closed:
            return
        self._closed = True
        if self._bar is not None:
            self._bar.set_postfix_str(self._counters(), refresh=False)
            self._bar.close()
        else:
            self._emit(self.line())

    def _emit(self, text: str) -> None:
        try:
            self.stream.write(text + "\n")
            self.stream.flush()
        except (BrokenPipeError, ValueError):
            pass  # progress is never worth failing the command for


def _columns(stream: TextIO) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        return 0


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
