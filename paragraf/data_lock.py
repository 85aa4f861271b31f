"""One lock for a whole data directory: writers share it, a restore takes it alone.

The archive and the index each have their own writer lock, held per write.
Those cannot stop a restore from swapping the directories away between two
writes of a long ingest, which then writes into files that are gone. So every
command that writes (ingest, crawl, index --rebuild, check --repair, archive
remove) holds ``.writers.lock`` shared for its whole run, and ``restore``
takes it exclusively: it never swaps while a writer runs, and a writer that
starts during a restore waits for it (or gives up with a clear message).

``fcntl.flock`` locks are released by the kernel when their process dies,
so a killed writer never leaves the data directory locked.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator

from paragraf_se.settings import DataDir

DEFAULT_WAIT_S = 30.0
_POLL_S = 0.05


class DataDirBusy(Exception):
    """The data directory is being restored, or written while a restore wants it."""


@contextlib.contextmanager
def data_dir_lock(data_dir: DataDir, *, exclusive: bool = False,
                  wait: float = DEFAULT_WAIT_S) -> Iterator[None]:
    """Hold the data directory's writers lock: shared (a writer) or ``exclusive`` (restore).

    Waits up to ``wait`` seconds, then raises :class:`DataDirBusy`.
    """
    data_dir.root.mkdir(parents=True, exist_ok=True)
    fd = os.open(data_dir.writers_lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, mode)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise DataDirBusy(_busy(data_dir, exclusive, wait)) from None
                time.sleep(_POLL_S)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _busy(data_dir: DataDir, exclusive: bool, wait: float) -> str:
    waited = f" (waited {wait:.0f} s)" if wait >= 1 else ""
    if exclusive:
        return (f"another paragraf process (ingest, crawl, rebuild or repair) is writing to "
                f"{data_dir.root}{waited}; let it finish or stop it, then restore")
    return f"{data_dir.root} is being restored{waited}; try again when the restore has finished"
