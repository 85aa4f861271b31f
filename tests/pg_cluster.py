"""Real PostgreSQL servers for the tests: Debian's binaries, private socket and port.

A primary is created with ``initdb`` and started with ``pg_ctl``; a streaming
replica is cloned from it with ``pg_basebackup -R``. Nothing listens beyond
127.0.0.1, and everything lives in a temporary directory the fixture removes.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# Debian keeps the server binaries out of PATH, under a versioned folder.
_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def pg_bin(name: str) -> str | None:
    """The path of a PostgreSQL server program, or None when none is installed."""
    for folder in _BIN_DIRS:
        if (folder / name).exists():
            return str(folder / name)
    return shutil.which(name)


def require_postgresql() -> None:
    """Skip outside CI when PostgreSQL's server is missing; fail in CI."""
    if pg_bin("initdb") and pg_bin("pg_ctl"):
        return
    message = "PostgreSQL server (initdb, pg_ctl) not installed: apt-get install postgresql"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres_user() -> dict:
    """initdb refuses to run as root: run the servers as the 'postgres' account."""
    if os.geteuid() != 0:
        return {}
    try:
        entry = pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
        entry = pwd.getpwnam("postgres")
    return {"user": entry.pw_uid, "group": entry.pw_gid}


@dataclass
class PgServer:
    """One running server: its data directory, socket directory and port."""

    datadir: Path
    sockdir: Path
    port: int
    user: str
    run_as: dict

    @property
    def url(self) -> str:
        """A libpq URL over TCP on loopback (what a deployment would use)."""
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/paragraf"

    def ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [pg_bin("pg_ctl"), "-D", str(self.datadir), "-w", "-t", "60", *args]
        return subprocess.run(cmd, check=check, capture_output=True, text=True, **self.run_as)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.sockdir} -c listen_addresses=127.0.0.1"
        self.ctl("-o", options, "-l", str(self.datadir.parent / f"{self.datadir.name}.log"),
                 "start")

    def stop(self, mode: str = "fast") -> None:
        self.ctl("-m", mode, "stop", check=False)

    def psql(self, sql: str, db: str = "paragraf") -> str:
        out = subprocess.run(
            [pg_bin("psql") or "psql", "-h", str(self.sockdir), "-p", str(self.port),
             "-U", self.user, "-d", db, "-At", "-c", sql],
            check=True, capture_output=True, text=True)
        return out.stdout.strip()


def _chown_tree(path: Path, run_as: dict) -> None:
    if run_as:
        for p in [path, *path.rglob("*")]:
            os.chown(p, run_as["user"], run_as["group"])


def start_primary(root: Path) -> PgServer:
    """initdb a cluster under ``root`` that allows replication from loopback, and start it.

    ``root`` must be reachable by the server's account (pytest's own temporary
    folders are private to root): :func:`running_cluster` makes one in /tmp.
    """
    run_as = _as_postgres_user()
    user = "postgres" if run_as else getpass.getuser()
    root.mkdir(parents=True, exist_ok=True)
    sockdir = root / "sock"
    sockdir.mkdir(exist_ok=True)
    _chown_tree(root, run_as)
    datadir = root / "primary"
    done = subprocess.run([pg_bin("initdb"), "-D", str(datadir), "-U", user, "-A", "trust",
                           "-E", "UTF8", "--locale=C.UTF-8"],
                          capture_output=True, text=True, **run_as)
    if done.returncode:
        raise RuntimeError(f"initdb failed: {done.stderr.strip()}")
    with open(datadir / "postgresql.conf", "a", encoding="utf-8") as conf:
        conf.write("wal_level = replica\nmax_wal_senders = 4\nfsync = off\n"
                   "synchronous_commit = off\nfull_page_writes = off\n")
    with open(datadir / "pg_hba.conf", "a", encoding="utf-8") as hba:
        hba.write("host replication all 127.0.0.1/32 trust\n")
    server = PgServer(datadir, sockdir, _free_port(), user, run_as)
    server.start()
    server.psql("CREATE DATABASE paragraf", db="postgres")
    return server


def start_replica(primary: PgServer) -> PgServer:
    """A streaming replica of ``primary`` cloned with ``pg_basebackup -R``."""
    datadir = primary.datadir.parent / "replica"
    subprocess.run([pg_bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port),
                    "-U", primary.user, "-D", str(datadir), "-R", "-X", "stream"],
                   check=True, capture_output=True, **primary.run_as)
    replica = PgServer(datadir, primary.sockdir, _free_port(), primary.user, primary.run_as)
    replica.start()
    return replica


def wait_replayed(primary: PgServer, replica: PgServer, timeout: float = 30.0) -> None:
    """Wait until the replica has replayed everything the primary has written."""
    # The insert position, not the write position: with synchronous_commit off a
    # commit record can still be in WAL buffers, beyond what was written and sent.
    target = primary.psql("SELECT pg_current_wal_insert_lsn()")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = replica.psql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")
        if done == "t":
            return
        time.sleep(0.05)
    raise TimeoutError("replica did not catch up")


@contextlib.contextmanager
def running_cluster(replica: bool = False) -> Iterator[tuple[PgServer, ...]]:
    """A primary (and optionally a replica), stopped and removed afterwards."""
    require_postgresql()
    root = Path(tempfile.mkdtemp(prefix="paragraf-pg-"))
    root.chmod(0o755)
    servers: list[PgServer] = []
    try:
        servers.append(start_primary(root))
        if replica:
            servers.append(start_replica(servers[0]))
        yield tuple(servers)
    finally:
        for server in reversed(servers):
            server.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)
