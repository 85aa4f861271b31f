"""Versioned schema migrations, applied on request by ``paragraf db migrate``.

Migrations are SQL files shipped in this package (``migrations/NNNN_name.sql``).
Each is applied in its own transaction under an advisory lock, so two nodes
running ``migrate`` at once apply each file once. The SHA-256 of every applied
file is recorded; a shipped file that no longer matches its record is an error,
because the database would then not be what the code believes it is.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources

import psycopg

from paragraf_se.db.errors import MigrationError, NotMigrated

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# An arbitrary constant that names Paragraf's migration lock among advisory locks.
_LOCK_KEY = 0x50415241  # "PARA"

_BOOKKEEPING = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    sha256     text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)"""


@dataclass(frozen=True)
class Migration:
    """One shipped migration file."""

    version: int
    name: str
    sql: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class MigrationState:
    """What is applied and what is pending."""

    applied: tuple[int, ...]
    pending: tuple[Migration, ...]

    @property
    def current(self) -> int:
        return max(self.applied, default=0)


def shipped_migrations() -> tuple[Migration, ...]:
    """Every migration shipped with this version, in version order."""
    folder = resources.files("paragraf_se.db") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name,
                                   entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two migrations share a version: {versions}")
    return tuple(found)


def _applied(conn: psycopg.Connection) -> dict[int, str]:
    exists = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()[0]
    if not exists:
        return {}
    return dict(conn.execute("SELECT version, sha256 FROM schema_migrations").fetchall())


def _check_recorded(recorded: dict[int, str], shipped: tuple[Migration, ...]) -> None:
    by_version = {m.version: m for m in shipped}
    for version, digest in sorted(recorded.items()):
        migration = by_version.get(version)
        if migration is None:
            raise MigrationError(
                f"the database has migration {version:04d}, which this version does not know: "
                "it was migrated by a newer Paragraf")
        if migration.sha256 != digest:
            raise MigrationError(
                f"migration {migration.name} was changed after it was applied "
                f"(recorded {digest[:12]}, shipped {migration.sha256[:12]})")


def state(conn: psycopg.Connection) -> MigrationState:
    """Applied and pending migrations; raises MigrationError on a changed file."""
    shipped = shipped_migrations()
    recorded = _applied(conn)
    _check_recorded(recorded, shipped)
    return MigrationState(tuple(sorted(recorded)),
                          tuple(m for m in shipped if m.version not in recorded))


def migrate(conn: psycopg.Connection) -> tuple[Migration, ...]:
    """Apply every pending migration, each in its own transaction; return those applied."""
    applied: list[Migration] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
        conn.execute(_BOOKKEEPING)
    for migration in shipped_migrations():
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            recorded = _applied(conn)
            _check_recorded(recorded, shipped_migrations())
            if migration.version in recorded:
                continue
            try:
                conn.execute(migration.sql)
            except psycopg.Error as exc:
                raise MigrationError(f"migration {migration.name} failed: {exc}") from exc
            conn.execute(
                "INSERT INTO schema_migrations (version, name, sha256) VALUES (%s, %s, %s)",
                (migration.version, migration.name, migration.sha256))
            applied.append(migration)
    return tuple(applied)


def require_current(conn: psycopg.Connection) -> None:
    """Raise NotMigrated unless every shipped migration is applied (checked at start)."""
    current = state(conn)
    if current.pending:
        names = ", ".join(m.name for m in current.pending)
        raise NotMigrated(f"the database needs migrations ({names}): run `paragraf db migrate`")
