"""A serving node's own index, kept in step with PostgreSQL's change log.

The node's index directory holds a Whoosh index and, for each generation
this module commits, a small file naming the change-log position that
generation contains (``sync-position-{generation}.json``). The file is written
before the generation's commit, and only the file of the generation readers
see counts, so the position is atomic with the index: a node killed between
the two re-applies the same changes, which is harmless because applying
writes exact versions (an upsert is the paragraph's current row, a delete an
absence).

A node with no index (or an index without a position) builds one from the
paragraphs table at bulk-writer speed, in a folder beside the live one that
is renamed into place when complete.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg

from paragraf_se.db import paragraph_store
from paragraf_se.indexer.engine import Engine
from paragraf_se.wiring import open_engine

_POSITION = "sync-position-{generation}.json"
# Change-log rows per commit: large enough that a catching-up node's worker
# processes pay for their start-up, small enough to hold in memory.
APPLY_BATCH = 20000
# Worker processes analysing a large batch (a node catching up): analysis is
# the apply's cost, and one process alone stays under 1,000 paragraphs/s.
APPLY_PROCS = 2


@dataclass(frozen=True)
class ApplyResult:
    """What one apply step did."""

    changes: int  # change-log rows consumed
    upserts: int
    deletes: int
    position: int  # change-log position the index now contains


def read_position(index_dir: Path, generation: int) -> int | None:
    """The change-log position that ``generation`` of the index contains, if recorded."""
    path = index_dir / _POSITION.format(generation=generation)
    try:
        return int(json.loads(path.read_text(encoding="utf-8"))["position"])
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None


def _write_position(index_dir: Path, generation: int, position: int) -> None:
    path = index_dir / _POSITION.format(generation=generation)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump({"position": position, "generation": generation}, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _prune_positions(index_dir: Path, generation: int) -> None:
    """Remove the files of other generations, once ``generation`` is committed."""
    keep = index_dir / _POSITION.format(generation=generation)
    for old in index_dir.glob("sync-position-*.json"):
        if old != keep:
            old.unlink(missing_ok=True)


def apply_changes(index: Engine, index_dir: Path, conn: psycopg.Connection,
                  limit: int = APPLY_BATCH) -> ApplyResult:
    """Apply up to ``limit`` change-log rows after the index's position, in one commit."""
    position = read_position(index_dir, index.generation())
    if position is None:
        raise RuntimeError(f"index in {index_dir} has no sync position: build it from the database")
    # One snapshot for the log and the rows, so the rows are at least as new as the log.
    with conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        changes = paragraph_store.changes_since(conn, position, limit)
        if not changes:
            return ApplyResult(0, 0, 0, position)
        touched = list(dict.fromkeys(c.paragraph_id for c in changes))
        current = paragraph_store.fetch(conn, touched)
    upserts = [current[pid] for pid in touched if pid in current]
    deletes = [pid for pid in touched if pid not in current]
    new_position = changes[-1].seq
    generation = index.apply(
        upserts, deletes, before_commit=lambda gen: _write_position(index_dir, gen, new_position),
        procs=APPLY_PROCS)
    _prune_positions(index_dir, generation)
    return ApplyResult(len(changes), len(upserts), len(deletes), new_position)


def build_from_database(index_dir: Path, conn: psycopg.Connection, *, procs: int = 2,
                        open_index: Callable[[Path], Engine] = open_engine) -> int:
    """Build ``index_dir`` from every paragraph in the store; returns the paragraph count.

    Built in ``index_dir.with_name(name + ".building")`` and renamed into place,
    so a node killed mid-build starts the build again rather than serving half.
    """
    building = index_dir.with_name(index_dir.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    with conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        position = paragraph_store.head(conn)
        index = open_index(building)
        try:
            loaded = index.add_many(paragraph_store.iter_all(conn), procs=procs)
            _write_position(building, index.generation(), position)
        finally:
            index.close()
    old = index_dir.with_name(index_dir.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if index_dir.exists():
        os.replace(index_dir, old)
    os.replace(building, index_dir)
    shutil.rmtree(old, ignore_errors=True)
    return loaded


def open_synced(index_dir: Path, conn: psycopg.Connection, *,
                open_index: Callable[[Path], Engine] = open_engine) -> Engine:
    """Open the node's index, building it first when it is missing or has no position."""
    if index_dir.exists():
        index = open_index(index_dir)
        if read_position(index_dir, index.generation()) is not None:
            return index
        index.close()
    build_from_database(index_dir, conn, open_index=open_index)
    return open_index(index_dir)
