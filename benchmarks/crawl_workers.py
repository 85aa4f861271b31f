"""Crawl throughput of 1 against 2 workers on one PostgreSQL frontier (loopback, no delays).

Generates the Meetings Plus-shaped site of ``crawl_throughput.py``, serves it
on 127.0.0.1, starts a private PostgreSQL (as the tests do: Debian's
binaries, initdb/pg_ctl, a temporary directory) and runs ``paragraf
--database URL crawl --no-parse`` as 1, then as 2 worker processes on a
fresh frontier and archive, politeness delay 0. The figure is pages fetched
and archived per second of wall time from the first start to the last exit
(process start-up included; the embedded crawl also parses and indexes,
so compare its crawl phase), and per second of the crawl itself (first to
last archived fetch, from the catalog's visit times). The embedded default (SQLite frontier, one
process) is measured the same way for reference.

    nice .venv/bin/python benchmarks/crawl_workers.py [--bodies 10] [--meetings 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.crawl_throughput import generate  # noqa: E402
from paragraf_se.db import migrate  # noqa: E402
from paragraf_se.db.connection import connect  # noqa: E402
from paragraf_se.sample_site.server import serve_sample_site  # noqa: E402
from tests.pg_cluster import running_cluster  # noqa: E402

_TABLES = ("frontier, crawl_hosts, parse_queue, captures, visits, warc_files, documents, "
           "paragraphs, paragraph_sources, change_log")


def _config(path: Path, start: str, threads: int) -> Path:
    path.write_text(
        '[crawler]\nuser_agent = "Paragraf-bench/0.1"\ncontact = "mailto:b@example.invalid"\n'
        f"delay = 0\nretries = 0\nworkers = {threads}\nconcurrency_per_host = {threads}\n"
        f"max_pages = 100000\n\n[[source]]\nname = \"bench\"\norganisation = \"Benchkommun\"\n"
        f'kind = "meetingsplus"\nstart_urls = ["{start}"]\n', encoding="utf-8")
    return path


def _run(workers: int, config: Path, work: Path, database: str | None) -> float:
    """Seconds from starting ``workers`` crawl processes until the last has exited."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    procs = []
    started = time.perf_counter()
    for n in range(workers):
        cmd = [sys.executable, "-m", "paragraf_se.cli", "--data-dir", str(work / f"d{n}"),
               "crawl", "--config", str(config)]
        if database:
            cmd += ["--database", database, "--no-parse", "--archive-dir", str(work / "shared")]
        procs.append(subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE, text=True))
    for proc in procs:
        _, err = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"crawl worker failed ({proc.returncode}): {err.strip()[-500:]}")
    return time.perf_counter() - started


def _embedded_span(work: Path) -> float:
    with sqlite3.connect(work / "d0" / "archive" / "catalog.sqlite") as db:
        first, last = db.execute("SELECT min(fetched_at), max(fetched_at) FROM visits").fetchone()
    return (dt.datetime.fromisoformat(last) - dt.datetime.fromisoformat(first)).total_seconds()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bodies", type=int, default=10)
    parser.add_argument("--meetings", type=int, default=20)
    parser.add_argument("--threads", type=int, default=4, help="fetch threads per worker")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, running_cluster() as (primary,):
        root = Path(tmp)
        urls = generate(root / "site", args.bodies, args.meetings)
        with connect(primary.url) as conn:
            migrate.migrate(conn)
        with serve_sample_site("bench", root=root / "site") as server:
            config = _config(root / "sources.toml", server.url("bench", "committees"),
                             args.threads)
            seconds = _run(1, config, root / "embedded", None)
            span = _embedded_span(root / "embedded")
            print(f"embedded (SQLite frontier), 1 process: {urls} URLs in {seconds:.2f} s "
                  f"(parsing and indexing included: it has no --no-parse); crawl phase "
                  f"{span:.2f} s = {urls / span:.0f} pages/s")
            for workers in (1, 2):
                with connect(primary.url) as conn:
                    conn.execute(f"TRUNCATE {_TABLES} CASCADE")
                seconds = _run(workers, config, root / f"pg{workers}", primary.url)
                with connect(primary.url) as conn:
                    done = conn.execute("SELECT count(*) FROM frontier WHERE state = 'done'"
                                        ).fetchone()[0]
                    span = conn.execute("SELECT extract(epoch FROM max(fetched_at)"
                                        " - min(fetched_at)) FROM visits").fetchone()[0]
                    by_worker = conn.execute(
                        "SELECT count(DISTINCT substring(warc_file"
                        " from '^paragraf-[0-9]{14}-[0-9]+-(.*)[.]warc[.]gz$')) FROM captures"
                        ).fetchone()[0]
                print(f"PostgreSQL frontier, {workers} worker(s): {done} URLs in "
                      f"{seconds:.2f} s = {done / seconds:.0f} pages/s; crawl phase "
                      f"{float(span):.2f} s = {done / float(span):.0f} pages/s "
                      f"(WARC files from {by_worker} writer(s))")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
