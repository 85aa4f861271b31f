"""The immutable archive of originals: WARC files plus a SQLite catalog.

Layout under ``root``::

    warc/paragraf-YYYYMMDDhhmmss-00001.warc.gz   gzip-per-record WARC/1.1, rotated by size
    catalog.sqlite                               the catalog (WAL mode)
    .writer.lock                                 flock()ed by whoever is writing

Shared mode (``writer_tag`` and an injected ``catalog``, e.g. PostgreSQL):
many processes, possibly on several machines over shared storage, write at
once. Each appends only to WARC files whose name carries its own tag
(``paragraf-YYYYMMDDhhmmss-00001-<tag>.warc.gz``), so no file lock is
needed; the shared catalog is the truth as before. A process never appends
to another's file, so a torn tail left by a dead writer is simply never
extended (``verify`` tolerates it past the committed size).

Write protocol (crash safety): a record is appended to the WARC file,
flushed and fsynced, and only then is the catalog row committed. The
catalog is the truth: a record without a row (crash between the two steps)
is an orphan that nothing refers to, and a half-written record at the end
of the newest file (a torn tail) is cut off before the next append.

Concurrency: writing operations (``store_*``, ``record_not_modified``,
``rebuild_catalog``) take an exclusive ``fcntl.flock`` on ``.writer.lock``
for their duration, so processes (a crawler and a CLI ingest) take turns;
one that waits longer than ``lock_timeout`` gets ``ArchiveLocked``.
Readers (``get``, ``read``, ``captures``, ``latest``, ``verify`` ...)
never take it: committed records are never rewritten, and SQLite's WAL
lets them read while a writer commits.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from types import TracebackType

from paragraf_se.archive import recovery, warcfile
from paragraf_se.archive.catalog import (
    Catalog,
    Removal,
    StoredCapture,
    Visit,
    capture_id,
    is_capture_id,
    metadata_tuple,
)
from paragraf_se.archive.errors import (
    ArchiveCorrupt,
    ArchiveLocked,
    ArchiveReadOnly,
    ArchiveReplaced,
    CaptureNotFound,
    CaptureRemoved,
)
from paragraf_se.archive.model import Capture
from paragraf_se.archive.record_commit import commit_new, commit_revisit, restore_resource
from paragraf_se.archive.record_input import (
    check_headers,
    check_source,
    check_status,
    checked_metadata,
    header_value,
)
from paragraf_se.archive.recovery import VerifyReport
from paragraf_se.archive.results import StoreResult
from paragraf_se.archive.sniff import sniff
from paragraf_se.archive.warc_appender import WarcAppender
from paragraf_se.archive.warcfile import BadMember, BuiltRecord

__all__ = [
    "DEFAULT_LOCK_TIMEOUT",
    "DEFAULT_MAX_WARC_BYTES",
    "Archive",
    "Removal",
    "StoreResult",
    "VerifyReport",
    "Visit",
    "capture_id",
    "is_capture_id",
    "utc_now",
]

DEFAULT_MAX_WARC_BYTES = 256 * 1024 * 1024
DEFAULT_LOCK_TIMEOUT = 30.0

_LOCK_POLL_SECONDS = 0.05


def utc_now() -> dt.datetime:
    """The default clock: the current time, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


class Archive:
    """The archive of originals under ``root``; see the module docstring for the layout."""

    def __init__(
        self,
        root: Path,
        *,
        clock: Callable[[], dt.datetime] = utc_now,
        max_warc_bytes: int = DEFAULT_MAX_WARC_BYTES,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        readonly: bool = False,
        catalog: Catalog | None = None,
        writer_tag: str | None = None,
    ) -> None:
        """Open (creating if needed) the archive at ``root``.

        If no other process is writing, a torn WARC tail left by a crash is
        cut off now, and a lost catalog is rebuilt from the WARC files.

        ``readonly`` writes nothing, not even a lock file: for reading
        commands, which must work on a full disk or a read-only mount.
        Writing methods then raise ArchiveReadOnly; the archive must exist.

        With ``catalog`` and ``writer_tag`` (shared mode, see the module
        docstring) the catalog is the caller's and this process writes only
        to files of its own tag, without the file lock.
        """
        if (catalog is None) != (writer_tag is None):
            raise ValueError("a shared catalog and a writer tag go together")
        if max_warc_bytes <= 0:
            raise ValueError("max_warc_bytes must be positive")
        self.root = Path(root)
        self.warc_dir = self.root / "warc"
        self._clock = clock
        self._max_warc_bytes = max_warc_bytes
        self._lock_timeout = lock_timeout
        self._thread_lock = threading.RLock()
        self._readonly = readonly
        self._open = True
        self._writer_tag = writer_tag
        if catalog is not None:
            # Shared mode: no lock file (several machines write at once), and
            # no tail repair or catalog rebuild from one writer's view.
            self._catalog = catalog
            self._lock_fd = -1
            if not readonly:
                self.warc_dir.mkdir(parents=True, exist_ok=True)
            return
        catalog_path = self.root / "catalog.sqlite"
        if readonly:
            self._lock_fd = -1
            try:
                self._catalog = Catalog(catalog_path, readonly=True)
            except sqlite3.Error as exc:
                raise ArchiveCorrupt(f"cannot read the catalog {catalog_path}: {exc}") from exc
            return
        self.warc_dir.mkdir(parents=True, exist_ok=True)
        catalog_lost = not catalog_path.exists()
        self._catalog = Catalog(catalog_path)
        self._lock_fd = os.open(self.root / ".writer.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            with self._writer(timeout=0):
                if catalog_lost and warcfile.list_warc_files(self.warc_dir):
                    recovery.rebuild(self._catalog, self.warc_dir)
                self._appender.prepare_current()
        except ArchiveLocked:
            pass  # someone else is writing; they (or our next write) repair the tail

    # -- lifecycle -------------------------------------------------------

    def close(self) -> None:
        """Release the catalog connection and the lock file."""
        with self._thread_lock:
            if self._open:
                self._open = False
                self._catalog.close()
                if self._lock_fd >= 0:
                    os.close(self._lock_fd)
                    self._lock_fd = -1

    def __enter__(self) -> Archive:
        """Use as a context manager; closes on exit."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- reading ---------------------------------------------------------

    def get(self, capture_id: str) -> Capture:
        """The capture with this id; CaptureNotFound for unknown or malformed ids."""
        return self._lookup(capture_id).capture

    def read(self, capture_id: str) -> bytes:
        """The payload bytes of a capture, checked against its sha256 (else ArchiveCorrupt).

        A removed capture's bytes are not handed out (CaptureRemoved).
        """
        capture = self.get(capture_id)
        if self._catalog.removal(capture.id) is not None:
            raise CaptureRemoved(capture.id)
        try:
            with open(self._warc_path(capture.warc_file), "rb") as fh:
                raw = warcfile.read_member(fh, capture.offset, capture.length)
            record = warcfile.parse_record(raw)
        except (OSError, BadMember, ValueError) as exc:
            raise ArchiveCorrupt(f"capture {capture.id}: {exc}") from exc
        if hashlib.sha256(record.payload).hexdigest() != capture.sha256:
            raise ArchiveCorrupt(f"capture {capture.id}: payload does not match its sha256")
        return record.payload

    def captures(self, *, source_prefix: str | None = None,
                 include_removed: bool = False) -> Iterator[Capture]:
        """All captures (or those whose source starts with the prefix), by fetched_at, id.

        Removed captures are left out unless ``include_removed``.
        """
        return iter(self._catalog.captures(source_prefix, include_removed=include_removed))

    def removal(self, capture_id: str) -> Removal | None:
        """The tombstone of a removed capture (who, when, why), or None."""
        return self._catalog.removal(capture_id) if is_capture_id(capture_id) else None

    def removals(self) -> list[Removal]:
        """The audit log of removals, oldest first."""
        return self._catalog.removals()

    def latest(self, source: str) -> Capture | None:
        """The capture the newest visit of ``source`` saw, i.e. what the source holds now."""
        stored = self._catalog.latest(source)
        return stored.capture if stored else None

    def validators(self, source: str) -> tuple[str | None, str | None]:
        """(etag, last_modified) of the newest successful fetch, for a conditional request."""
        return self._catalog.validators(source)

    def visits(self, source: str) -> tuple[Visit, ...]:
        """Every time ``source`` was seen, oldest first."""
        return tuple(self._catalog.visits(source))

    def count(self) -> int:
        """Number of captures."""
        return self._catalog.count()

    # -- writing ---------------------------------------------------------

    def store_resource(
        self,
        data: bytes,
        *,
        source: str,
        content_type: str,
        metadata: Mapping[str, str] | None = None,
    ) -> StoreResult:
        """Archive a local file's bytes as a ``resource`` record (source: ``file:///...``).

        Storing the same bytes from the same source again writes no payload:
        the visit is logged, and metadata that differs is merged into the
        capture (a small ``metadata`` record keeps that rebuildable).
        """
        check_source(source)
        data = bytes(data)
        sha256 = hashlib.sha256(data).hexdigest()
        cid = capture_id(source, sha256)
        declared = (content_type or "").strip()
        effective = sniff(data, declared)
        meta = checked_metadata(metadata, declared)
        with self._writer():
            now = self._now()
            existing = self._catalog.get(cid)
            if existing is not None:
                return restore_resource(self._catalog, self._appender, existing, meta, now)
            extra = warcfile.paragraf_headers(
                cid, sha256=sha256, content_type=effective, metadata=meta
            )
            record = warcfile.build_resource(
                source, data, when=now, content_type=effective, extra=extra
            )
            capture = Capture(
                id=cid,
                source=source,
                sha256=sha256,
                content_type=effective,
                fetched_at=now,
                kind="resource",
                warc_file="",
                offset=0,
                length=0,
                size=len(data),
                metadata=metadata_tuple(meta),
            )
            return commit_new(self._catalog, self._appender, capture, [record],
                              Visit(source, now, None, cid, False))

    def store_resources(
        self, items: Sequence[tuple[bytes, str, str, Mapping[str, str] | None]]
    ) -> list[StoreResult]:
        """Archive several local files at once: (data, source, content_type, metadata) each.

        The same records as :meth:`store_resource` one by one, but the new
        ones are appended with one write and one fsync, and catalogued in one
        transaction: a bulk import pays for durability per group, not per
        file. Every file is durable when this returns, as with
        :meth:`store_resource`.
        """
        prepared = []
        for data, source, content_type, metadata in items:
            check_source(source)
            data = bytes(data)
            sha256 = hashlib.sha256(data).hexdigest()
            declared = (content_type or "").strip()
            prepared.append((data, source, sha256, capture_id(source, sha256), declared,
                             checked_metadata(metadata, declared)))
        results: list[StoreResult | None] = [None] * len(prepared)
        with self._writer():
            now = self._now()
            new: list[tuple[int, Capture, BuiltRecord]] = []
            in_group: dict[str, int] = {}
            for i, (data, source, sha256, cid, declared, meta) in enumerate(prepared):
                existing = self._catalog.get(cid)
                if existing is not None:
                    results[i] = restore_resource(self._catalog, self._appender, existing,
                                                  meta, now)
                    continue
                if cid in in_group:  # the same file twice in one group
                    continue
                effective = sniff(data, declared)
                extra = warcfile.paragraf_headers(cid, sha256=sha256, content_type=effective,
                                                  metadata=meta)
                record = warcfile.build_resource(source, data, when=now,
                                                 content_type=effective, extra=extra)
                capture = Capture(id=cid, source=source, sha256=sha256,
                                  content_type=effective, fetched_at=now, kind="resource",
                                  warc_file="", offset=0, length=0, size=len(data),
                                  metadata=metadata_tuple(meta))
                in_group[cid] = i
                new.append((i, capture, record))
            if new:
                locations, end = self._appender.append([record for _, _, record in new], now)
                with self._catalog.transaction():
                    for (i, capture, record), where in zip(new, locations, strict=True):
                        capture = replace(capture, warc_file=where.warc_file,
                                          offset=where.offset, length=where.length)
                        self._catalog.insert_capture(capture, record_id=record.record_id,
                                                     payload_digest=record.payload_digest or "")
                        self._catalog.add_visit(Visit(capture.source, now, None, capture.id,
                                                      False), where)
                        results[i] = StoreResult(capture, True)
                    self._catalog.set_committed_size(locations[0].warc_file, end)
        for i, (_, _, _, cid, _, _) in enumerate(prepared):
            if results[i] is None:  # the repeat of a file stored earlier in this group
                results[i] = StoreResult(results[in_group[cid]].capture, False)
        return results  # type: ignore[return-value]

    def store_response(
        self,
        url: str,
        *,
        status: int,
        headers: Sequence[tuple[str, str]],
        body: bytes,
        request_headers: Sequence[tuple[str, str]] = (),
        metadata: Mapping[str, str] | None = None,
    ) -> StoreResult:
        """Archive an HTTP response as ``response`` + ``request`` records.

        ``body`` is the payload as the client delivered it (de-chunked and
        decoded); headers that would contradict that are kept renamed (see
        ``warcfile.consistent_headers``). Identical bytes from the same URL
        become a ``revisit`` record pointing at the original capture.
        """
        check_source(url)
        check_status(status)
        headers = check_headers(headers)
        request_headers = check_headers(request_headers)
        body = bytes(body)
        sha256 = hashlib.sha256(body).hexdigest()
        cid = capture_id(url, sha256)
        declared = (header_value(headers, "Content-Type") or "").strip()
        meta = checked_metadata(metadata, declared)
        visit_validators = (header_value(headers, "ETag"), header_value(headers, "Last-Modified"))
        with self._writer():
            now = self._now()
            existing = self._catalog.get(cid)
            if existing is not None:
                visit = Visit(url, now, status, cid, True, *visit_validators)
                capture = commit_revisit(self._catalog, self._appender, existing, visit,
                                         headers, request_headers, meta)
                return StoreResult(capture, False)
            effective = sniff(body, declared)
            extra = warcfile.paragraf_headers(
                cid, sha256=sha256, content_type=effective, metadata=meta
            )
            response = warcfile.build_response(
                url, status=status, headers=headers, body=body, when=now, extra=extra
            )
            request = warcfile.build_request(
                url, headers=request_headers, when=now, concurrent_to=response.record_id
            )
            capture = Capture(
                id=cid,
                source=url,
                sha256=sha256,
                content_type=effective,
                fetched_at=now,
                kind="response",
                warc_file="",
                offset=0,
                length=0,
                size=len(body),
                status=status,
                metadata=metadata_tuple(meta),
            )
            visit = Visit(url, now, status, cid, False, *visit_validators)
            return commit_new(self._catalog, self._appender, capture, [response, request], visit)

    def record_not_modified(
        self,
        url: str,
        *,
        request_headers: Sequence[tuple[str, str]] = (),
        headers: Sequence[tuple[str, str]] = (),
    ) -> Capture | None:
        """Log a 304 answer as a visit of the latest capture of ``url``.

        Writes a ``revisit`` record (profile server-not-modified). Returns
        that capture, or None (and writes nothing) if ``url`` was never captured.
        """
        check_source(url)
        headers = check_headers(headers)
        request_headers = check_headers(request_headers)
        with self._writer():
            latest = self._catalog.latest(url)
            if latest is None:
                return None
            etag, last_modified = self._catalog.validators_after(
                url, header_value(headers, "ETag"), header_value(headers, "Last-Modified")
            )
            visit = Visit(url, self._now(), 304, latest.capture.id, True, etag, last_modified)
            commit_revisit(self._catalog, self._appender, latest, visit, headers,
                           request_headers, {})
            return latest.capture

    def remove(self, capture_id: str, *, reason: str, by: str) -> Removal:
        """Withdraw a capture from publication: a tombstone with an audit entry.

        The WARC stays append-only: a ``metadata`` record naming the capture,
        who removed it, when and why is appended (so a rebuilt catalog keeps
        the tombstone), and the catalog records it. The capture's bytes are
        no longer read out, it leaves :meth:`captures` and :meth:`latest`.
        Removing a removed capture again returns the first tombstone.
        """
        reason, by = " ".join(reason.split()), " ".join(by.split())
        if not reason or not by:
            raise ValueError("a removal needs a reason and who removes it")
        with self._writer():
            existing = self._lookup(capture_id)
            earlier = self._catalog.removal(existing.capture.id)
            if earlier is not None:
                return earlier
            now = self._now()
            audit = json.dumps({"at": now.isoformat(), "by": by, "reason": reason},
                               ensure_ascii=True, sort_keys=True)
            record = warcfile.build_metadata(
                existing.capture.source, when=now, refers_to=existing.record_id,
                extra={**warcfile.paragraf_headers(existing.capture.id),
                       warcfile.H_REMOVED: audit})
            locations, end = self._appender.append([record], now)
            removal = Removal(existing.capture.id, existing.capture.source, now, by, reason)
            with self._catalog.transaction():
                self._catalog.add_removal(removal, locations[0])
                self._catalog.set_committed_size(locations[0].warc_file, end)
            return removal

    def snapshot(self, dest: Path) -> int:
        """Copy the archive to ``dest`` consistently while writers keep going.

        The catalog is copied under the writer lock (a moment); WARC files are
        append-only, so the prefix the copied catalog knows is committed can be
        copied afterwards without the lock. Returns the number of bytes copied.
        """
        dest = Path(dest)
        (dest / "warc").mkdir(parents=True, exist_ok=True)
        with self._writer():
            sizes = self._catalog.backup_to(dest / "catalog.sqlite")
        for name, size in sorted(sizes.items()):
            if not warcfile.copy_prefix(self._warc_path(name), dest / "warc" / name, size):
                raise ArchiveCorrupt(f"{name} is shorter than its committed size")
        return sum(sizes.values())

    def rebuild_catalog(self) -> int:
        """Re-create the catalog from the WARC files alone; returns the number of captures.

        Loses only what no WARC record holds: visits of re-ingested local
        files whose metadata did not change.
        """
        with self._writer():
            return recovery.rebuild(self._catalog, self.warc_dir)

    # -- verification ----------------------------------------------------

    def verify(self) -> VerifyReport:
        """Re-read every WARC record: gzip CRCs, WARC digests, and each capture's sha256.

        A torn tail beyond the committed end of the newest file is not a
        problem (a writer is mid-append, or crashed and the next write cuts it).
        """
        return recovery.verify(self._catalog, self.warc_dir)

    # -- internals -------------------------------------------------------

    @property
    def _appender(self) -> WarcAppender:
        # Stateless but for these four: the catalog is the truth about every file.
        return WarcAppender(self.warc_dir, self._catalog, self._writer_tag, self._max_warc_bytes)

    def _now(self) -> dt.datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the archive clock must return timezone-aware datetimes")
        return now.astimezone(dt.UTC)

    def _lookup(self, capture_id: str) -> StoredCapture:
        # Ids arrive from URLs: anything but 20 hex digits is simply not found.
        if not is_capture_id(capture_id):
            raise CaptureNotFound(capture_id)
        stored = self._catalog.get(capture_id)
        if stored is None:
            raise CaptureNotFound(capture_id)
        return stored

    def _warc_path(self, name: str) -> Path:
        # Names come from the catalog; refuse anything else even so.
        if warcfile.sequence_of(name) is None:
            raise ArchiveCorrupt(f"catalog names an invalid WARC file: {name!r}")
        return self.warc_dir / name

    @contextmanager
    def _writer(self, timeout: float | None = None) -> Iterator[None]:
        """Hold the cross-process writer lock (and this object's thread lock)."""
        limit = self._lock_timeout if timeout is None else timeout
        with self._thread_lock:
            if self._readonly:
                raise ArchiveReadOnly(f"{self.root} was opened read-only")
            if not self._open:
                raise ValueError("archive is closed")
            if self._writer_tag is not None:
                yield  # shared mode: our files are ours alone
                return
            deadline = time.monotonic() + limit
            while True:
                try:
                    fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise ArchiveLocked(f"{self.root} is being written elsewhere") from None
                    time.sleep(_LOCK_POLL_SECONDS)
            try:
                self._check_not_replaced()
                yield
            finally:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _check_not_replaced(self) -> None:
        """Refuse to write when our lock file is no longer the archive's (a restore swapped it).

        Writing on would put records into a directory that is gone, and
        report them stored.
        """
        try:
            current = os.stat(self.root / ".writer.lock")
        except FileNotFoundError:
            current = None
        mine = os.fstat(self._lock_fd)
        if current is None or (current.st_dev, current.st_ino) != (mine.st_dev, mine.st_ino):
            raise ArchiveReplaced(
                f"the archive in {self.root} was replaced (restored) after this process opened "
                "it; nothing more was written: run the command again")
