"""Swapping a rebuilt index in, and finishing a swap a crash interrupted.

A rebuild writes ``index.rebuild-*`` beside the live index and marks it
complete; the swap is two renames. Whatever moment a process dies at,
:func:`recover` (run before the index is opened) leaves exactly one live index:
the complete rebuild if there is one, else the previous index.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from paragraf_se.settings import REBUILD_DIR_GLOB, REPLACED_INDEX_GLOB, DataDir

COMPLETE = "REBUILD_COMPLETE"


class RebuildRunning(Exception):
    """Another process is rebuilding the index of this data directory."""


@contextlib.contextmanager
def rebuild_lock(data_dir: DataDir, *, wait: bool = False) -> Iterator[None]:
    """Held for a whole rebuild; recovery never touches rebuild dirs while it is held."""
    data_dir.root.mkdir(parents=True, exist_ok=True)
    fd = os.open(data_dir.rebuild_lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise RebuildRunning(f"an index rebuild is running in {data_dir.root}") from None
        yield
    finally:
        os.close(fd)  # closing releases the lock


def new_rebuild_dir(data_dir: DataDir) -> Path:
    return data_dir.rebuild_dir(time.time_ns())


def mark_complete(rebuild_dir: Path) -> None:
    (rebuild_dir / COMPLETE).write_text("ok\n", encoding="utf-8")


def swap_in(data_dir: DataDir, rebuild_dir: Path) -> None:
    """Make the complete ``rebuild_dir`` the live index."""
    mark_complete(rebuild_dir)
    old = data_dir.replaced_index_dir(time.time_ns())
    if data_dir.index.exists():
        data_dir.index.rename(old)
    rebuild_dir.rename(data_dir.index)
    (data_dir.index / COMPLETE).unlink(missing_ok=True)
    shutil.rmtree(old, ignore_errors=True)


def recover(data_dir: DataDir) -> str | None:
    """Finish or undo an interrupted swap; drop abandoned rebuilds. Says what it did.

    Does nothing while another process holds the rebuild lock.
    """
    if not data_dir.root.exists():
        return None
    try:
        with rebuild_lock(data_dir):
            return _recover_locked(data_dir)
    except RebuildRunning:
        return None
    except OSError:
        return None  # a read-only or full disk: nothing can be finished, reading still works


def _recover_locked(data_dir: DataDir) -> str | None:
    rebuilds = sorted(data_dir.root.glob(REBUILD_DIR_GLOB))
    olds = sorted(data_dir.root.glob(REPLACED_INDEX_GLOB))
    done: str | None = None
    if not data_dir.index.exists():
        complete = [r for r in rebuilds if (r / COMPLETE).exists()]
        if complete:
            complete[-1].rename(data_dir.index)
            (data_dir.index / COMPLETE).unlink(missing_ok=True)
            rebuilds.remove(complete[-1])
            done = "finished an interrupted index swap"
        elif olds:
            olds[-1].rename(data_dir.index)
            olds.remove(olds[-1])
            done = "restored the index an interrupted swap had moved aside"
    for leftover in [*rebuilds, *olds]:
        shutil.rmtree(leftover, ignore_errors=True)
        done = done or "removed an abandoned index rebuild"
    return done
