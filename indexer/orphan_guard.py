"""Worker processes that cannot outlive the process that started them.

A worker blocked in a read can miss its parent's death for good: a spawned
``multiprocessing.Queue`` carries both ends of its pipe into the child, so a
parent killed mid-message leaves the worker reading a pipe whose write end
it holds itself, and EOF never comes. Two mechanisms that need no help from
the worker's main thread:

- Linux ``prctl(PR_SET_PDEATHSIG, SIGKILL)``: the kernel kills the worker
  when the thread that forked it exits (the loading call waits for its
  workers, so that thread outlives them in normal operation);
- a watchdog thread that polls ``os.getppid()`` and ends the process when
  it has been re-parented (any POSIX system; covers the moment before the
  prctl call, and systems without prctl).

Call :func:`die_with_parent` first thing in the worker's target function.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
WATCH_INTERVAL_S = 0.2
ORPHAN_EXIT_CODE = 70


def _set_parent_death_signal() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _orphaned(parent: int) -> None:
    # os._exit: no clean-up that could block (queue feeder threads joining
    # pipes nobody reads). Half-written files belong to no committed segment.
    os._exit(ORPHAN_EXIT_CODE)


def die_with_parent(parent: int, interval: float = WATCH_INTERVAL_S, *,
                    kernel_signal: bool = True) -> None:
    """End this process as soon as process ``parent`` is gone.

    ``parent`` is passed in by the parent (``os.getpid()`` there), not read
    here: the parent may already have died before the child got this far,
    and then ``os.getppid()`` already names the reaper. ``kernel_signal``
    False leaves out the prctl, for a child whose forking thread may end
    before the parent does (a thread pool's thread starting a long-lived
    helper process).
    """
    if kernel_signal:
        _set_parent_death_signal()
    if os.getppid() != parent:
        _orphaned(parent)

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                _orphaned(parent)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()
