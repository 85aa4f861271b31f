"""Parsing in a child process: a time limit and a memory cap per document.

A hostile or broken document must not hang or exhaust the process that
ingests thousands of others, and a crash inside PDFium must not take it down.
:class:`IsolatedParser` keeps one worker process, sends it a document at a
time, and replaces it when a document overruns its time or kills it.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import resource
from multiprocessing.connection import Connection

from paragraf_se.indexer.model import MeetingInfo, ParseResult
from paragraf_se.indexer.orphan_guard import die_with_parent
from paragraf_se.indexer.parsing import parse_document

DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MEMORY_BYTES = 2 * 1024**3


def _failed(message: str) -> ParseResult:
    return ParseResult(MeetingInfo(), (), status="failed", messages=(message,))


def _worker(conn: Connection, memory_bytes: int, parent: int) -> None:
    # A killed ingest leaves no parser behind. No parent-death signal: a
    # parser is started by whichever parse thread needs it first, and that
    # thread may end long before the process that owns the parser.
    die_with_parent(parent, kernel_signal=False)
    # The cap applies to this child only; a bomb fails with MemoryError here.
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        data, content_type, filename = job
        try:
            result = parse_document(data, content_type, filename=filename)
        except MemoryError:
            result = _failed("document needs more memory than the parser may use")
        conn.send(result)


class IsolatedParser:
    """Callable like :func:`parse_document`, but bounded in time and memory."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT_S,
                 memory_bytes: int = DEFAULT_MEMORY_BYTES) -> None:
        self.timeout = timeout
        self.memory_bytes = memory_bytes
        # "spawn": a clean interpreter, no copied locks or open index handles.
        self._ctx = mp.get_context("spawn")
        self._proc: mp.process.BaseProcess | None = None
        self._conn: Connection | None = None

    def _start(self) -> Connection:
        parent, child = self._ctx.Pipe()
        self._proc = self._ctx.Process(target=_worker,
                                       args=(child, self.memory_bytes, os.getpid()),
                                       daemon=True, name="paragraf-parser")
        self._proc.start()
        child.close()
        self._conn = parent
        return parent

    def _stop(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.join(timeout=5)
        if self._conn is not None:
            self._conn.close()
        self._proc = self._conn = None

    def __call__(self, data: bytes, content_type: str | None = None, *,
                 filename: str | None = None) -> ParseResult:
        conn = self._conn if self._proc is not None and self._proc.is_alive() else None
        if conn is None:
            self._stop()
            conn = self._start()
        try:
            conn.send((data, content_type, filename))
            if conn.poll(self.timeout):
                return conn.recv()
        except (EOFError, BrokenPipeError, ConnectionResetError):
            self._stop()
            return _failed("the parser process died on this document")
        self._stop()
        return _failed(f"parsing took longer than {self.timeout:.0f} s and was stopped")

    def close(self) -> None:
        self._stop()

    def __enter__(self) -> IsolatedParser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
