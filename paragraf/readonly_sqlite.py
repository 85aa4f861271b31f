"""Opening our small SQLite side files when the data directory cannot be written.

On a full disk or a read-only mount the server must still serve searches.
SQLite's read-only mode may itself need to create a ``-shm`` file; its
``immutable`` mode reads the database file alone. A side file that does not
exist at all is an empty in-memory database with the caller's schema.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def connect_readonly(path: Path, schema: str) -> sqlite3.Connection:
    """A connection to ``path`` that never writes it (see the module docstring)."""
    if path.is_file():
        uri = path.resolve().as_uri()
        for mode in ("mode=ro", "mode=ro&immutable=1"):
            db = sqlite3.connect(f"{uri}?{mode}", uri=True, check_same_thread=False,
                                 isolation_level=None)
            try:
                db.execute("SELECT count(*) FROM sqlite_master").fetchone()
                return db
            except sqlite3.Error:
                db.close()
    db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
    db.executescript(schema)
    return db
