"""Crawl workers on one PostgreSQL frontier: real crawl processes, a loopback site, kill -9."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from paragraf_se.archive.store import Archive
from paragraf_se.archive.warcfile import list_warc_files, tag_of
from paragraf_se.cli import main
from paragraf_se.db import migrate
from paragraf_se.db.catalog import PgCatalog
from paragraf_se.db.connection import connect
from tests.crawl_sites import PDF_TYPE, RouteHandler, html, serve
from tests.pdfgen import make_pdf
from tests.pg_cluster import running_cluster

REPO = Path(__file__).resolve().parents[1]
DELAY = 0.2
# Request starts are recorded by the server after the request line arrived:
# scheduling jitter between two client processes may shave a little off a gap.
TOLERANCE = 0.05


@pytest.fixture(scope="module")
def cluster():
    with running_cluster() as servers:
        yield servers


@pytest.fixture()
def db(cluster):
    """A migrated database, emptied after the test."""
    url = cluster[0].url
    with connect(url) as conn:
        migrate.migrate(conn)
        yield url, conn
        conn.execute("TRUNCATE paragraphs, paragraph_sources, change_log, documents, frontier,"
                     " crawl_hosts, parse_queue, captures, visits, warc_files, permalinks,"
                     " permalink_redirects, permalink_tombstones CASCADE")


class Log:
    """Every request the site answered: (monotonic start, path, User-Agent)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: list[tuple[float, str, str]] = []

    def add(self, handler: RouteHandler) -> None:
        with self.lock:
            self.entries.append((time.monotonic(), handler.path,
                                 handler.headers.get("User-Agent", "")))

    def pages(self) -> list[tuple[float, str, str]]:
        with self.lock:
            return [e for e in self.entries if e[1] != "/robots.txt"]


def _site(pages: int, log: Log, slow: float = 0.0,
          slower: dict[str, float] | None = None) -> dict[str, object]:
    """An index linking to meeting pages, each linking to its protocol PDF."""
    def route(body: tuple[int, dict[str, str], bytes]):
        def answer(handler: RouteHandler) -> None:
            log.add(handler)
            # A fetch that takes a while, so leases are held.
            time.sleep((slower or {}).get(handler.path, slow))
            handler.send(body[0], body[2], body[1])
        return answer

    def robots(handler: RouteHandler) -> None:
        log.add(handler)
        handler.send(404, b"", {"Content-Type": "text/plain"})

    links = "".join(f"<a href='/sida{i}'>möte {i}</a>" for i in range(pages))
    routes: dict[str, object] = {"/": route(html(links)), "/robots.txt": robots}
    for i in range(pages):
        routes[f"/sida{i}"] = route(html(f"<a href='/protokoll-{i}.pdf'>protokoll</a>"))
        date = f"2023-{1 + i // 28:02d}-{1 + i % 28:02d}"
        routes[f"/protokoll-{i}.pdf"] = route((200, PDF_TYPE, make_pdf([[
            "Tallby kommun", "Kommunstyrelsen", "PROTOKOLL", f"Sammanträdesdatum {date}",
            f"§ {2 * i + 1} Val av justerare", "Till justerare utses Eva Ek (C).",
            f"§ {2 * i + 2} Ärende nummer {i}", f"Beslut om ärende {i}."]])))
    return routes


def _expected(pages: int) -> set[str]:
    return {"/", *(f"/sida{i}" for i in range(pages)),
            *(f"/protokoll-{i}.pdf" for i in range(pages))}


def _worker(tmp: Path, url: str, seed: str, name: str, *extra: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "paragraf_se.cli", "--data-dir", str(tmp / name),
           "--database", url, "crawl", "--seed", seed, "--org", "Tallby kommun",
           "--contact", f"mailto:{name}@example.invalid", "--archive-dir", str(tmp / "shared"),
           *extra]
    return subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _finish(proc: subprocess.Popen, timeout: float = 120) -> tuple[int, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out + err


def _scalar(conn, sql: str, *params: object):
    return conn.execute(sql, params).fetchone()[0]


def test_two_workers_fetch_each_url_once_and_keep_the_host_delay(
        db, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url, conn = db
    pages = 10
    log = Log()
    # The first worker holds the start page a while, so that the second (whose
    # start may lag on a busy machine) finds the run open and joins it.
    with serve(_site(pages, log, slower={"/": 3.0})) as site:
        workers = [_worker(tmp_path, url, site.url("/"), name, "--delay", str(DELAY),
                           "--no-parse") for name in ("w1", "w2")]
        results = [_finish(w) for w in workers]
    for code, output in results:
        assert code == 0, output
    fetched = log.pages()
    counts = Counter(path for _, path, _ in fetched)
    # Every URL exactly once across both workers.
    assert set(counts) == _expected(pages)
    assert set(counts.values()) == {1}, counts
    # Both took part, each with its own User-Agent (its contact).
    agents = Counter("w1@" in agent for _, _, agent in fetched)
    assert agents[True] >= 1 and agents[False] >= 1, agents
    # The per-host delay held across both processes.
    starts = sorted(start for start, _, _ in fetched)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= DELAY - TOLERANCE, gaps
    # The frontier is done; every capture is on the parse queue, none parsed yet.
    assert _scalar(conn, "SELECT count(*) FROM frontier WHERE state <> 'done'") == 0
    assert _scalar(conn, "SELECT count(*) FROM captures") == len(_expected(pages))
    assert _scalar(conn, "SELECT count(*) FROM parse_queue WHERE taken_at IS NULL") == \
        len(_expected(pages))
    assert _scalar(conn, "SELECT count(*) FROM paragraphs") == 0
    # Each process wrote WARC files of its own into the shared directory.
    names = list_warc_files(tmp_path / "shared" / "warc")
    assert len({tag_of(name) for name in names}) == 2 and None not in {tag_of(n) for n in names}
    archive = Archive(tmp_path / "shared", catalog=PgCatalog(connect(url)), writer_tag="check")
    try:
        report = archive.verify()
        assert report.ok and report.checked >= len(_expected(pages)), report.problems
        assert {c.source.removeprefix(site.base) for c in archive.captures()} == \
            _expected(pages)
    finally:
        archive.close()
    shared = ["--database", url, "--archive-dir", str(tmp_path / "shared")]
    assert main(["--data-dir", str(tmp_path / "p1"), "archive", "verify", *shared]) == 0
    assert f"{len(_expected(pages))} capture(s): ok" in capsys.readouterr().out
    # A parse worker indexes what was crawled into the store of record.
    done = subprocess.run(
        [sys.executable, "-m", "paragraf_se.cli", "--data-dir", str(tmp_path / "p1"),
         "--database", url, "worker", "parse", "--once", "--json",
         "--archive-dir", str(tmp_path / "shared")],
        cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert '"paragraphs": 20' in done.stdout
    assert _scalar(conn, "SELECT count(*) FROM paragraphs") == 2 * pages
    assert _scalar(conn, "SELECT count(*) FROM parse_queue WHERE taken_at IS NULL") == 0
    assert _scalar(conn, "SELECT count(DISTINCT paragraph_id) FROM change_log") == 2 * pages
    # Permalinks and parse status are shared too (every node answers alike).
    assert _scalar(conn, "SELECT count(*) FROM permalinks") == 2 * pages
    assert _scalar(conn, "SELECT count(*) FROM documents WHERE status = 'ok'") == pages


def test_a_killed_workers_urls_are_finished_by_the_other(db, tmp_path: Path) -> None:
    url, conn = db
    pages = 12
    log = Log()
    with serve(_site(pages, log, slow=0.4)) as site:
        victim = _worker(tmp_path, url, site.url("/"), "w1", "--delay", "0", "--lease", "2")
        survivor = _worker(tmp_path, url, site.url("/"), "w2", "--delay", "0", "--lease", "2")
        held: list[str] = []
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and victim.poll() is None:
                held = [r[0] for r in conn.execute(
                    "SELECT url FROM frontier WHERE state = 'leased' AND leased_by LIKE %s",
                    (f"%:{victim.pid}:%",)).fetchall()]
                done = _scalar(conn, "SELECT count(*) FROM frontier WHERE state = 'done'")
                if held and done >= 3:
                    break
                time.sleep(0.02)
            assert victim.poll() is None, "the worker ended before it could be killed"
            os.kill(victim.pid, signal.SIGKILL)
            victim.communicate(timeout=30)
            killed_at = time.monotonic()
            held = [r[0] for r in conn.execute(
                "SELECT url FROM frontier WHERE state = 'leased' AND leased_by LIKE %s",
                (f"%:{victim.pid}:%",)).fetchall()]
            assert held, "the killed worker held no lease"
            code, output = _finish(survivor)
        finally:
            for proc in (victim, survivor):
                if proc.poll() is None:
                    proc.kill()
                if proc.stdout is not None and not proc.stdout.closed:
                    proc.communicate(timeout=30)
    assert victim.returncode == -signal.SIGKILL
    assert code == 0, output
    # Nothing lost: every URL done, the killed worker's leases among them,
    # refetched by the survivor after the kill.
    assert _scalar(conn, "SELECT count(*) FROM frontier WHERE state <> 'done'") == 0
    fetched = log.pages()
    assert {path for _, path, _ in fetched} == _expected(pages)
    assert max(Counter(path for _, path, _ in fetched).values()) <= 2
    for leased in held:
        path = leased.removeprefix(site.base)
        assert any(p == path and "w2@" in agent and start >= killed_at
                   for start, p, agent in fetched), (path, fetched)
    # The survivor parsed everything, including what the victim had queued.
    assert _scalar(conn, "SELECT count(*) FROM captures") == len(_expected(pages))
    assert _scalar(conn, "SELECT count(*) FROM parse_queue WHERE taken_at IS NULL") == 0
    assert _scalar(conn, "SELECT count(*) FROM paragraphs") == 2 * pages


def test_a_long_fetch_keeps_its_lease(db, tmp_path: Path) -> None:
    """Fetches far longer than the lease: renewals keep them from a second worker."""
    url, conn = db
    pages = 4
    log = Log()
    slower = {"/": 3.0, "/sida0": 3.5, "/protokoll-1.pdf": 3.5}
    with serve(_site(pages, log, slower=slower)) as site:
        workers = [_worker(tmp_path, url, site.url("/"), name, "--delay", "0", "--lease", "1",
                           "--no-parse") for name in ("w1", "w2")]
        results = [_finish(w) for w in workers]
    for code, output in results:
        assert code == 0, output
    counts = Counter(path for _, path, _ in log.pages())
    assert set(counts) == _expected(pages) and set(counts.values()) == {1}, counts
    assert _scalar(conn, "SELECT max(attempts) FROM frontier") == 1


def test_worker_errors_are_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PARAGRAF_DATABASE_URL", raising=False)
    data = ["--data-dir", str(tmp_path / "d")]
    assert main([*data, "worker", "parse", "--once"]) == 2
    assert "worker needs --database" in capsys.readouterr().err
    seed = ["crawl", "--seed", "http://127.0.0.1:9/", "--org", "Tallby kommun"]
    assert main([*data, "--database", "postgresql://nobody@127.0.0.1:9/x", *seed,
                 "--lease", "0.5"]) == 2
    assert "--lease must be at least 1 second" in capsys.readouterr().err
    assert main([*data, "--database", "postgresql://nobody@127.0.0.1:9/x", *seed]) == 2
    err = capsys.readouterr().err
    assert err.startswith("paragraf: cannot connect to postgresql://nobody@127.0.0.1:9/x")
    assert "Traceback" not in err
