"""Several `paragraf serve` nodes on one PostgreSQL: real processes, real server, kill -9."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from paragraf_se.db import paragraph_store
from paragraf_se.db.connection import connect
from tests.paragraph_factory import make_paragraph
from tests.pg_cluster import running_cluster

PROTOCOL = """Protokoll

§ 12 Avfallsplan för kommunen

Kommunstyrelsen beslutar att anta avfallsplanen för 2025–2030.

§ 13 Cykelväg längs ån

Kommunstyrelsen beslutar att bygga en cykelväg längs ån.
"""


@pytest.fixture(scope="module")
def cluster():
    with running_cluster(replica=True) as servers:
        yield servers


def _paragraf(data: Path, url: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "paragraf_se.cli", "--data-dir", str(data),
           "--database", url, *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kwargs)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    """One `paragraf serve --database` process on a loopback port."""

    def __init__(self, data: Path, url: str, *extra: str) -> None:
        self.data, self.url, self.extra = data, url, extra
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Node:
        cmd = [sys.executable, "-m", "paragraf_se.cli", "--data-dir", str(self.data),
               "--database", self.url, "serve", "--port", str(self.port),
               "--rate-limit", "0", *self.extra]
        self.log = self.data.with_name(self.data.name + f"-{self.port}.log")
        self.data.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log,
                                         start_new_session=True)
        wait_for(lambda: self._up(), what=f"node on {self.port} to start")
        return self

    def _up(self) -> bool:
        if self.proc.poll() is not None:
            raise RuntimeError(f"node exited: {self.log.read_text()[-2000:]}")
        try:
            return httpx.get(self.base + "/api/bodies", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def kill9(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill9()

    def paragraphs(self) -> int:
        bodies = httpx.get(self.base + "/api/bodies", timeout=10).json()
        return sum(org["paragraphs"] for org in bodies["organisations"])

    def hits(self, q: str) -> int:
        return httpx.get(self.base + "/api/search", params={"q": q}, timeout=10).json()["total"]


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 120) -> None:
    """Poll until ``condition`` holds (a wait for a real process, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}")


@pytest.fixture()
def database(cluster):
    primary = cluster[0]
    with connect(primary.url) as conn:
        conn.execute("DROP TABLE IF EXISTS schema_migrations")
        conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    done = _paragraf(Path("/nonexistent"), primary.url, "db", "migrate")
    assert done.returncode == 0, done.stderr
    assert "applied 0001_store_of_record.sql" in done.stdout
    return primary.url


def test_an_ingest_through_one_writer_is_searchable_on_two_nodes(cluster, database, tmp_path):
    replica = cluster[1]
    a = Node(tmp_path / "a", database).start()
    b = Node(tmp_path / "b", database, "--replica", replica.url).start()
    try:
        protocol = tmp_path / "ks-2024-03-05.txt"
        protocol.write_text(PROTOCOL, encoding="utf-8")
        done = _paragraf(tmp_path / "writer", database, "ingest", str(protocol),
                         "--org", "Åsjö kommun", "--body", "Kommunstyrelsen",
                         "--date", "2024-03-05")
        assert done.returncode == 0, done.stderr
        wait_for(lambda: a.hits("avfallsplan") == 1, "node a to see the ingest")
        # Node b reads the replica, where NOTIFY does not arrive: its poll finds it.
        wait_for(lambda: b.hits("cykelväg") == 1, "node b to see the ingest")
        assert a.paragraphs() == b.paragraphs() == 2
        # The writer kept no index of its own: the database is the store of record.
        assert not (tmp_path / "writer" / "index").exists()
        # Parse status and permalinks are shared: every node lists the document, and a
        # paragraph removed from a re-published protocol answers 410 on every node.
        docs = httpx.get(b.base + "/api/documents", timeout=10).json()
        assert docs["total"] == 1 and docs["documents"][0]["paragraphs"] == 2
        hit = httpx.get(a.base + "/api/search", params={"q": "cykelväg"}, timeout=10).json()
        removed = hit["hits"][0]["id"]
        protocol.write_text(PROTOCOL.split("§ 13")[0], encoding="utf-8")
        done = _paragraf(tmp_path / "writer", database, "ingest", str(protocol),
                         "--org", "Åsjö kommun", "--body", "Kommunstyrelsen",
                         "--date", "2024-03-05")
        assert done.returncode == 0, done.stderr
        wait_for(lambda: b.hits("cykelväg") == 0, "node b to see the removal")
        for node in (a, b):
            gone = httpx.get(f"{node.base}/api/paragraphs/{removed}", timeout=10)
            assert gone.status_code == 410
    finally:
        a.stop()
        b.stop()


def test_a_node_killed_during_a_large_apply_resumes_exactly(database, tmp_path):
    node = Node(tmp_path / "n", database).start()
    total = 6_000
    with connect(database) as conn:
        paragraph_store.add_many(conn, (
            make_paragraph(str(i), f"Ärende {i}", f"Beslut om detaljplan {i}.",
                           url=f"https://x/{i}.pdf", content_type="application/pdf")
            for i in range(total)), batch_size=500)
    # Kill it while it is applying: some, not all, of the changes are in.
    wait_for(lambda: node.paragraphs() > 0, "the node to start applying")
    node.kill9()
    restarted = Node(tmp_path / "n", database).start()
    try:
        wait_for(lambda: restarted.paragraphs() == total, "the restarted node to catch up")
        assert restarted.hits("detaljplan") == total
    finally:
        restarted.stop()


def test_a_node_keeps_answering_while_the_database_is_away(cluster, database, tmp_path):
    primary = cluster[0]
    first = make_paragraph("1", "Bygglov", "Bygglov för skola.", url="https://x/1.txt")
    with connect(database) as conn:
        paragraph_store.replace_source(conn, first.source.url, [first])
    node = Node(tmp_path / "n", database).start()
    try:
        wait_for(lambda: node.hits("bygglov") == 1, "the node to sync")
        ready = httpx.get(node.base + "/readyz", timeout=10).json()
        assert ready["status"] == "ready" and ready["checks"]["database"]["lag_changes"] == 0
        primary.stop("fast")
        try:
            assert node.hits("bygglov") == 1  # searches answer from the local index
            wait_for(lambda: httpx.get(node.base + "/readyz", timeout=10).json()["status"]
                     == "stale", "/readyz to report the node stale")
            stale = httpx.get(node.base + "/readyz", timeout=10)
            assert stale.status_code == 200
            assert stale.json()["checks"]["database"]["connected"] is False
            assert "lag_changes" in stale.json()["checks"]["database"]
            assert httpx.get(node.base + "/readyz?strict=1", timeout=10).status_code == 503
            # What lives only in the database is unavailable, said so, never a 500.
            away = httpx.get(node.base + "/api/paragraphs/0123456789abcdef", timeout=30)
            assert away.status_code == 503 and away.json()["status"] == 503
        finally:
            primary.start()
        later = make_paragraph("2", "Bygglov för förskola", url="https://x/2.txt")
        with connect(database) as conn:
            paragraph_store.replace_source(conn, later.source.url, [later])
        wait_for(lambda: node.hits("bygglov") == 2, "the node to catch up after the outage")
    finally:
        node.stop()


def test_db_commands_explain_a_missing_database(tmp_path):
    done = subprocess.run([sys.executable, "-m", "paragraf_se.cli", "--data-dir",
                           str(tmp_path), "db", "status"],
                          capture_output=True, text=True, env={**os.environ,
                                                               "PARAGRAF_DATABASE_URL": ""})
    assert done.returncode == 2
    assert "no database: give --database" in done.stderr and "Traceback" not in done.stderr
    done = _paragraf(tmp_path, "postgresql://nobody@127.0.0.1:1/none", "db", "status")
    assert done.returncode == 2 and "cannot connect to" in done.stderr


def test_db_import_and_export_round_trip(database, tmp_path):
    protocol = tmp_path / "ks.txt"
    protocol.write_text(PROTOCOL, encoding="utf-8")
    local = tmp_path / "local"
    done = subprocess.run([sys.executable, "-m", "paragraf_se.cli", "--data-dir", str(local),
                           "ingest", str(protocol), "--org", "Åsjö kommun", "--body",
                           "Kommunstyrelsen", "--date", "2024-03-05"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    done = _paragraf(local, database, "db", "import")
    assert done.returncode == 0 and "imported 2 paragraphs" in done.stdout, done.stderr
    back = tmp_path / "back"
    done = _paragraf(back, database, "db", "export")
    assert done.returncode == 0 and "exported 2 paragraphs" in done.stdout, done.stderr
    with connect(database) as conn:
        stored = sorted(p.number for p in paragraph_store.iter_all(conn))
    assert stored == ["12", "13"]
    # check agrees: the archive's documents, re-parsed, give exactly the database's paragraphs.
    done = _paragraf(local, database, "check")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "paragraphs in the database: 2" in done.stdout
    # A node that has applied the whole log holds exactly the database's paragraphs; one
    # paragraph missing from the database is found.
    done = _paragraf(local, database, "db", "sync")
    assert done.returncode == 0 and "2 paragraphs" in done.stdout, done.stderr
    assert _paragraf(local, database, "check").returncode == 0
    with connect(database) as conn:
        conn.execute("DELETE FROM paragraphs WHERE number = '13'")
    done = _paragraf(local, database, "check")
    assert done.returncode == 1
    assert "is in the node index but not in the database" in done.stdout
