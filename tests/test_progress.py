"""paragraf.progress: plain progress lines (a pipe, a log) and the tqdm bar (a terminal)."""

from __future__ import annotations

import io

from paragraf_se.progress import ProgressReporter


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_plain_lines_at_most_every_interval_and_a_final_one() -> None:
    clock, stream = _Clock(), io.StringIO()
    with ProgressReporter("ingest", 4, unit="files", rates=("§",), stream=stream,
                          interval=10, clock=clock) as progress:
        clock.now += 2
        progress.update(1, {"§": 30, "failed": 0})
        assert stream.getvalue() == ""  # under the interval: nothing yet
        clock.now += 8
        progress.update(1, {"§": 10, "failed": 1})
        clock.now += 1
        progress.update(1, {"§": 5})
    lines = stream.getvalue().splitlines()
    assert lines == [
        "ingest: 2/4 files (50%), 0.2 files/s, 40 § (4.0 §/s), failed 1, 10 s",
        "ingest: 3/4 files (75%), 0.3 files/s, 45 § (4.1 §/s), failed 1, 11 s",
    ]


def test_absolute_counts_and_a_growing_or_unknown_total() -> None:
    clock, stream = _Clock(), io.StringIO()
    progress = ProgressReporter("crawl s", unit="pages", stream=stream, interval=0, clock=clock)
    clock.now += 1
    progress.set(3, {"new": 2}, total=10)
    progress.set(5, {"new": 4}, total=12)
    progress.close()
    progress.close()  # closing twice prints one final line
    unknown = ProgressReporter("scan", unit="files", stream=stream, interval=0, clock=clock)
    unknown.update(7)
    assert stream.getvalue().splitlines() == [
        "crawl s: 3/10 pages (30%), 3.0 pages/s, new 2, 1 s",
        "crawl s: 5/12 pages (42%), 5.0 pages/s, new 4, 1 s",
        "crawl s: 5/12 pages (42%), 5.0 pages/s, new 4, 1 s",
        "scan: 7 files, - files/s, 0 s",
    ]


def test_a_terminal_gets_a_tqdm_bar_and_lines_written_through_it() -> None:
    screen, results = io.StringIO(), io.StringIO()
    with ProgressReporter("ingest", 2, unit="files", rates=("§",), stream=screen,
                          tty=True) as progress:
        progress.update(1, {"§": 3})
        progress.write("OK a.txt", results)
        progress.update(1, {"§": 4})
    drawn = screen.getvalue()
    assert "ingest" in drawn and "2/2" in drawn and "files/s" in drawn and "7 §" in drawn
    assert "\r" in drawn  # redrawn in place, not a new line per update
    assert results.getvalue() == "OK a.txt\n"
