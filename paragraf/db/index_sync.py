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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg

from paragraf_se.db import paragraph_store
from paragraf_se.indexer.engine import Engine
from paragraf_se.indexer.model import Paragraph
from paragraf_se.wiring import open_engine

_POSITION = "sync-position-{generation}.json"
# Change-log rows per commit: large enough that a catching-up node's worker
# processes pay for their start-up rarely. The rows themselves are streamed
# (FETCH_CHUNK at a time), so only the batch's ids are held in memory.
APPLY_BATCH = 100_000
FETCH_CHUNK = 2000
# From this many paragraphs an apply is streamed and analysed in
# APPLY_PROCS worker processes; below it, one process (starting workers
# costs about a second, more than a small apply).
PARALLEL_APPLY_MIN = 1000
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
    """Remove the files of older generations, once ``generation`` is committed.

    Only older ones: a newer file belongs to a commit another thread (the
    node's merger, or its applier) is making right now.
    """
    for path in index_dir.glob("sync-position-*.json"):
        try:
            older = int(path.stem.rsplit("-", 1)[1]) < generation
        except ValueError:
            older = True
        if older:
            path.unlink(missing_ok=True)


def apply_changes(index: Engine, index_dir: Path, conn: psycopg.Connection,
                  limit: int = APPLY_BATCH) -> ApplyResult:
    """Apply up to ``limit`` change-log rows after the index's position, in one commit.

    A small change set is read whole and written in this process; a large
    one (a node catching up) is streamed from the database in chunks while
    the bulk writer's worker processes analyse what came before, so reading
    and analysis overlap and memory stays bounded by the chunk.
    """
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
        new_position = changes[-1].seq
        upserted = 0

        def rows() -> Iterator[Paragraph]:
            nonlocal upserted
            for lo in range(0, len(touched), FETCH_CHUNK):
                current = paragraph_store.fetch(conn, touched[lo:lo + FETCH_CHUNK])
                upserted += len(current)
                yield from current.values()

        # Every touched id is deleted and the ones still in the store written
        # again: an upsert is the paragraph's current row, a delete its absence.
        big = len(touched) >= PARALLEL_APPLY_MIN
        generation = index.apply(
            rows() if big else list(rows()), touched,
            before_commit=lambda gen: _write_position(index_dir, gen, new_position),
            procs=APPLY_PROCS if big else 1, upserts_deleted=True)
    _prune_positions(index_dir, generation)
    return ApplyResult(len(changes), upserted, len(touched) - upserted, new_position)


def compact(index: Engine, index_dir: Path) -> int | None:
    """Merge the index's small segments (see ``Engine.compact``); the new generation.

    The merge changes no paragraph, so the new generation contains the same
    change-log position as the one it follows, recorded before its commit.
    """
    def carry(generation: int) -> None:
        position = read_position(index_dir, generation - 1)
        if position is None:
            raise RuntimeError(f"index in {index_dir} lost its sync position")
        _write_position(index_dir, generation, position)

    generation = index.compact(before_commit=carry)
    if generation is not None:
        _prune_positions(index_dir, generation)
    return generation


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
            loaded = index.add_many(paragraph_store.iter_in_log_order(conn), procs=procs)
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
