"""Bulk-writer processes that live for a whole batch and analyse while it fills.

:func:`indexer.whoosh.bulk_writer.write_segments` starts its worker processes at a
commit, sends them the commit's documents and waits: the processes start
anew for every commit (about a second each), and while they analyse, the
process feeding them (archiving, parsing, lookups) has nothing to do; while
it works, they do not exist. A :class:`SegmentStream` starts the workers
once and is fed document by document as the batch fills, so analysis runs
alongside the rest of the import; a commit then only waits for the last
chunk. Between commits the same processes go on with the next batch.

A document sent early may be superseded before the commit (the same
paragraph again from a second source, or removed): the caller names such
documents by the sequence number :meth:`SegmentStream.add` returned, and
:meth:`SegmentStream.flush` marks them deleted in the new segments, so the
commit holds exactly the batch's last version of each paragraph.

The workers write into a private hidden folder inside the index folder,
not into the index folder itself: writing now happens outside the index's
writer lock, and another process's commit removes every segment file of the
index folder that its generation does not name (Whoosh's ``clean_files``),
which would take a stream's unfinished files from under it. :meth:`flush`,
called while the writer lock is held, moves the finished segment files in
(a rename); the caller then commits them. Nothing is visible before that
commit, and a folder a killed process left behind is removed by the next
stream.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import secrets
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from whoosh.codec.whoosh3 import W3Codec
from whoosh.index import FileIndex

from paragraf_se.indexer.orphan_guard import die_with_parent
from paragraf_se.indexer.whoosh.bulk_writer import (
    CHUNK_DOCUMENTS,
    SEGMENT_POSTINGS,
    WORKER_POLL_S,
    BulkLoadError,
    _build_segments,
    next_chunk,
)

PRIVATE_PREFIX = ".bulk-"  # hidden: Whoosh's clean-up and snapshots skip it
_FLUSH = "flush"  # inbox message: write what you have as segments and report them
INBOX_CHUNKS = 4  # chunks waiting per worker: back-pressure on the feeding process


class _Stop(Exception):
    """The worker was told to end: what it buffered is not written."""


def _stream_worker(wid: int, folder: str, private: str, indexname: str, blocklimit: int,
                   inbox, outbox, to_fields: Callable[[object], dict[str, object]] | None,
                   segment_postings: int, parent: int) -> None:
    """Worker process: for each round, segments of the documents received until a flush."""
    die_with_parent(parent)  # before anything that can block (see indexer.orphan_guard)
    try:
        from whoosh.filedb.filestore import FileStorage

        schema = FileStorage(folder, supports_mmap=False).open_index(indexname).schema
        storage = FileStorage(private, supports_mmap=False)
        codec = W3Codec(blocklimit=blocklimit)

        def documents() -> Iterator[dict[str, object]]:
            while True:
                chunk = next_chunk(inbox, parent)
                if chunk is None:
                    raise _Stop
                if chunk == _FLUSH:
                    return
                for item in chunk:
                    yield to_fields(item) if to_fields else item

        while True:
            segments = _build_segments(storage, indexname, schema, codec, documents(),
                                       segment_postings)
            outbox.put(("ok", wid, segments))
    except _Stop:
        return
    except BaseException as exc:  # reported to the parent, which cancels the commit
        # A failed write (a full disk) keeps its errno: the parent raises it as one.
        outbox.put(("error", wid, (f"{type(exc).__name__}: {exc}",
                                   getattr(exc, "errno", None) if isinstance(exc, OSError)
                                   else None)))
    # A non-zero exit code lets a parent blocked on this worker's full inbox
    # notice; the queue is flushed before the process ends.
    raise SystemExit(1)


class SegmentStream:
    """``procs`` bulk-writer processes fed item by item, reused for commit after commit.

    :meth:`add` sends an item (analysed by ``to_fields`` in a worker, so it
    must be importable) and returns its sequence number in the current
    round; :meth:`flush` ends the round and returns the new segments, not
    committed. Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, ix: FileIndex, *, codec: W3Codec, procs: int,
                 to_fields: Callable[[object], dict[str, object]] | None = None,
                 segment_postings: int = SEGMENT_POSTINGS) -> None:
        if procs < 1:
            raise ValueError("procs must be at least 1")
        ctx = multiprocessing.get_context("spawn")
        self.procs = procs
        self._folder = Path(ix.storage.folder)
        _remove_abandoned(self._folder)
        self._private = self._folder / f"{PRIVATE_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        self._private.mkdir()
        self._outbox = ctx.Queue()
        self._inboxes = [ctx.Queue(maxsize=INBOX_CHUNKS) for _ in range(procs)]
        self._workers = [ctx.Process(target=_stream_worker, daemon=True,
                                     name="paragraf-bulk-writer",
                                     args=(wid, ix.storage.folder, str(self._private),
                                           ix.indexname,
                                           codec._blocklimit, inbox, self._outbox, to_fields,
                                           segment_postings, os.getpid()))
                         for wid, inbox in enumerate(self._inboxes)]
        for w in self._workers:
            w.start()
        self._chunk: list = []
        self._sent_chunks = 0  # chunks sent this round
        self._count = 0  # items added this round
        self._closed = False

    @property
    def pids(self) -> list[int]:
        """The worker processes' ids (the same for every round)."""
        return [w.pid for w in self._workers]

    @property
    def count(self) -> int:
        """Items added in the current round."""
        return self._count

    def add(self, item: object) -> int:
        """Send one item for the current round; returns its sequence number in the round."""
        if self._closed:
            raise BulkLoadError("the bulk-writer processes were stopped")
        self._chunk.append(item)
        seq = self._count
        self._count += 1
        if len(self._chunk) >= CHUNK_DOCUMENTS:
            self._send_chunk()
        return seq

    def _send_chunk(self) -> None:
        chunk, self._chunk = self._chunk, []
        self._put(self._sent_chunks % self.procs, chunk)
        self._sent_chunks += 1

    def _where(self, seq: int) -> tuple[int, int]:
        """(worker, position among that worker's documents of the round) of item ``seq``."""
        # Every chunk but the round's last is full, and chunks go round-robin from worker 0.
        chunk, offset = divmod(seq, CHUNK_DOCUMENTS)
        return chunk % self.procs, (chunk // self.procs) * CHUNK_DOCUMENTS + offset

    def flush(self, superseded: Iterable[int] = ()) -> list:
        """End the round: the segments of its items, ``superseded`` ones marked deleted.

        Call it holding the index's writer lock: the finished segment files
        are moved into the index folder, where they belong to no generation
        until the caller commits them. Segments whose every document was
        superseded are left out. Raises :class:`BulkLoadError` when a worker
        failed (the stream is then closed).
        """
        if self._closed:
            raise BulkLoadError("the bulk-writer processes were stopped")
        try:
            if self._chunk:
                self._send_chunk()
            for wid in range(self.procs):
                self._put(wid, _FLUSH)
            by_worker: dict[int, list] = {}
            while len(by_worker) < self.procs:
                status, wid, payload = self._receive()
                if status != "ok":
                    raise _failure(payload)
                by_worker[wid] = payload
        except BaseException:
            self.close()
            raise
        for seq in superseded:
            wid, pos = self._where(seq)
            for segment in by_worker[wid]:
                n = segment.doc_count_all()
                if pos < n:
                    segment.delete_document(pos)
                    break
                pos -= n
        self._sent_chunks = self._count = 0
        segments = [s for wid in range(self.procs) for s in by_worker[wid]]
        for segment in segments:
            prefix = segment.make_filename("")
            for path in self._private.iterdir():
                if path.name.startswith(prefix):
                    path.rename(self._folder / path.name)
        return [s for s in segments if s.doc_count()]

    def close(self) -> None:
        """Stop the workers; what they buffered since the last flush is not written."""
        if self._closed:
            return
        self._closed = True
        for inbox, w in zip(self._inboxes, self._workers, strict=True):
            if w.is_alive():
                with contextlib.suppress(queue.Full):
                    inbox.put(None, timeout=WORKER_POLL_S)
        for w in self._workers:
            w.join(timeout=5 * WORKER_POLL_S)
            if w.is_alive():
                w.terminate()
                w.join()
        for inbox in self._inboxes:
            inbox.cancel_join_thread()  # a terminated worker reads nothing more
            inbox.close()
        self._outbox.close()
        shutil.rmtree(self._private, ignore_errors=True)

    def __enter__(self) -> SegmentStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- talking to the workers ----------------------------------------------

    def _put(self, wid: int, message) -> None:
        # A worker that died would leave put() blocked on a full queue forever.
        while True:
            try:
                self._inboxes[wid].put(message, timeout=WORKER_POLL_S)
                return
            except queue.Full:
                self._check_alive()

    def _receive(self):
        while True:
            try:
                return self._outbox.get(timeout=WORKER_POLL_S)
            except queue.Empty:
                self._check_alive()

    def _check_alive(self) -> None:
        for w in self._workers:
            if not w.is_alive() and w.exitcode not in (0, None):
                try:
                    _status, _wid, payload = self._outbox.get(timeout=WORKER_POLL_S)
                except queue.Empty:
                    payload = (f"exit code {w.exitcode}", None)
                raise _failure(payload)


def _failure(payload: tuple[str, int | None]) -> Exception:
    """What a worker's failure raises here: an OSError for a failed write, as in-process."""
    message, code = payload
    if code is not None:
        return OSError(code, f"a bulk-load worker failed: {message}")
    return BulkLoadError(f"a bulk-load worker failed: {message}")


def _remove_abandoned(folder: Path) -> None:
    """Remove private folders of streams whose process is gone (killed mid-batch)."""
    for path in folder.glob(f"{PRIVATE_PREFIX}*"):
        try:
            pid = int(path.name[len(PRIVATE_PREFIX):].split("-", 1)[0])
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except (ValueError, OSError):
            continue  # not ours to judge, or alive (a pid reused is left for later)
