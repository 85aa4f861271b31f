"""Peer: PostgreSQL full-text search, ``swedish`` config, GIN index, ts_headline.

The harness starts its own throw-away server (initdb in a temporary directory,
Unix socket only, private port), as the ``postgres`` system user when run as
root, and stops it afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchmarks.peers.common import PeerResult
from benchmarks.querymix import QuerySpec

NAME = "PostgreSQL swedish + GIN"
PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
SERVER_SETTINGS = {
    # Benchmark server, thrown away afterwards: durability off like the others
    # (Whoosh and tantivy do not fsync per document either).
    "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
    "shared_buffers": "512MB", "maintenance_work_mem": "512MB", "work_mem": "64MB",
    "listen_addresses": "''", "max_connections": "20",
}
DOC_TSV = ("setweight(to_tsvector('swedish', title), 'A') || "
           "setweight(to_tsvector('swedish', decision), 'B') || "
           "to_tsvector('swedish', text)")


def _bin(name: str) -> str | None:
    for d in PG_BIN_DIRS:
        if (d / name).exists():
            return str(d / name)
    return shutil.which(name)


class PostgresServer:
    """A private PostgreSQL cluster in a temporary directory."""

    def __init__(self, port: int = 54329) -> None:
        self.port = port
        self.root = Path(tempfile.mkdtemp(prefix="paragraf-pg-"))
        self.data = self.root / "data"
        self.sock = self.root / "sock"
        self._as_postgres = os.geteuid() == 0
        self.pid: int | None = None

    @staticmethod
    def available() -> str | None:
        if not _bin("initdb") or not _bin("pg_ctl"):
            return "PostgreSQL server binaries not found (apt-get install postgresql)"
        try:
            import psycopg  # noqa: F401
        except ImportError:
            return "psycopg not installed (pip install -r benchmarks/requirements.txt)"
        if os.geteuid() == 0 and not shutil.which("runuser"):
            return "running as root without runuser"
        return None

    def _run(self, *cmd: str) -> None:
        full = list(cmd)
        if self._as_postgres:
            full = ["runuser", "-u", "postgres", "--", *full]
        subprocess.run(full, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> None:
        self.sock.mkdir()
        if self._as_postgres:
            shutil.chown(self.root, "postgres")
            shutil.chown(self.sock, "postgres")
        self._run(str(_bin("initdb")), "-D", str(self.data), "-U", "postgres",
                  "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        opts = " ".join(f"-c {k}={v}" for k, v in SERVER_SETTINGS.items())
        self._run(str(_bin("pg_ctl")), "-D", str(self.data), "-w", "-l",
                  str(self.root / "server.log"), "-o",
                  f"-p {self.port} -k {self.sock} {opts}", "start")
        pidfile = self.data / "postmaster.pid"
        deadline = time.monotonic() + 10
        while not pidfile.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.pid = int(pidfile.read_text().split()[0])

    def connect(self):
        import psycopg

        return psycopg.connect(host=str(self.sock), port=self.port, user="postgres",
                               dbname="postgres", autocommit=True)

    def stop(self) -> None:
        try:
            self._run(str(_bin("pg_ctl")), "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


class PostgresPeer:
    """One table with a generated weighted tsvector and a GIN index on it."""

    name = NAME

    def __init__(self, server: PostgresServer) -> None:
        self.server = server
        self.con = server.connect()

    def build(self, paragraphs) -> int:
        cur = self.con.cursor()
        cur.execute("DROP TABLE IF EXISTS docs")
        cur.execute(f"""CREATE TABLE docs (pid text, org text, body text, year int, date date,
                        title text, decision text, text text,
                        tsv tsvector GENERATED ALWAYS AS ({DOC_TSV}) STORED)""")
        n = 0
        with cur.copy("COPY docs (pid, org, body, year, date, title, decision, text) "
                      "FROM STDIN") as copy:
            for p in paragraphs:
                copy.write_row((p.id, p.org, p.body, p.year, p.date, p.title, p.decision,
                                p.text))
                n += 1
        cur.execute("CREATE INDEX docs_tsv ON docs USING gin (tsv)")
        cur.execute("CREATE INDEX docs_date ON docs (date)")
        cur.execute("VACUUM ANALYZE docs")
        return n

    def size_mb(self) -> float:
        row = self.con.execute("SELECT pg_total_relation_size('docs')").fetchone()
        return row[0] / 2**20

    def search(self, spec: QuerySpec) -> PeerResult:
        text = " ".join(spec.words)
        fn = "phraseto_tsquery" if spec.phrase else "plainto_tsquery"
        where, args = f"tsv @@ {fn}('swedish', %s)", [text]
        if spec.body:
            where += " AND body = %s"
            args.append(spec.body)
        if spec.year:
            where += " AND year = %s"
            args.append(spec.year)
        facets: dict[str, Counter] = {"org": Counter(), "body": Counter(), "year": Counter()}
        total = 0
        for org, body, year, c in self.con.execute(
            f"SELECT org, body, year, count(*) FROM docs WHERE {where} GROUP BY 1, 2, 3", args
        ):
            facets["org"][org] += c
            facets["body"][body] += c
            facets["year"][year] += c
            total += c
        order = ("date DESC" if spec.sort == "newest"
                 else f"ts_rank(tsv, {fn}('swedish', %s)) DESC")
        order_args = [] if spec.sort == "newest" else [text]
        rows = self.con.execute(
            f"""SELECT pid, ts_headline('swedish', text, {fn}('swedish', %s),
                       'MaxFragments=1, MinWords=15, MaxWords=35')
                FROM (SELECT pid, text FROM docs WHERE {where} ORDER BY {order}
                      LIMIT %s OFFSET %s) page""",
            [text, *args, *order_args, spec.size, (spec.page - 1) * spec.size],
        ).fetchall()
        return PeerResult(total, [r[0] for r in rows], [r[1] for r in rows], facets)

    def close(self) -> None:
        self.con.close()
