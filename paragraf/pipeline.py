"""The ingest pipeline: archive an original, parse it, index its paragraphs.

Order matters for safety: the original is archived (and fsynced) before any
parsing, so a document that later fails to parse is never lost; re-running
picks it up from the archive.
"""

from __future__ import annotations

import errno
import mimetypes
import queue
import sqlite3
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from paragraf_se.archive.errors import ArchiveError
from paragraf_se.archive.model import Capture
from paragraf_se.archive.store import Archive, Removal
from paragraf_se.indexer.engine import Engine, IndexChange
from paragraf_se.indexer.model import Paragraph, ParseResult, SourceRef
from paragraf_se.indexer.parsing import parse_document
from paragraf_se.indexer.source_replace import merge_sources
from paragraf_se.ingest_facts import FileFacts
from paragraf_se.input_files import NotTaken, iter_input_files  # noqa: F401 (re-exported)
from paragraf_se.meeting_identity import IdentityMissing, build_paragraphs, resolve_identity
from paragraf_se.parse_status import ParseStatusLog
from paragraf_se.permalinks import PermalinkRegistry

SUFFIX_TYPES = {".pdf": "application/pdf", ".html": "text/html", ".htm": "text/html",
                ".txt": "text/plain"}
# ingest_files archives this many files (or bytes) per fsync.
ARCHIVE_GROUP_FILES = 64
ARCHIVE_GROUP_BYTES = 16 * 1024 * 1024
# Archive metadata keys that mean "this is a protocol to parse", per crawler role.
PARSED_ROLES = frozenset({"", "protocol", "meeting-page", "local"})


@dataclass(frozen=True)
class ParsedCapture:
    """A capture's paragraphs (None when it cannot be indexed), status and messages."""

    paragraphs: list[Paragraph] | None
    status: str
    messages: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    """What happened to one document, for the report the user sees."""

    name: str  # the file path or URL
    status: str  # "ok" | "warnings" | "failed" | "skipped"
    capture_id: str | None = None
    new_in_archive: bool = False
    paragraphs: int = 0
    change: IndexChange = field(default_factory=IndexChange)
    messages: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        return self.status == "failed"


def guess_content_type(path: Path) -> str:
    ctype = SUFFIX_TYPES.get(path.suffix.lower())
    return ctype or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


# Errors of writing (a full disk, a read-only mount, a dying disk), as opposed
# to errors of the document being read.
WRITE_ERRORS = (OSError, sqlite3.Error)


class WriteFailed(Exception):
    """Writing to the data directory failed: the run must stop, with what was committed.

    ``archived`` says whether this document's original was committed to the
    archive before the failure (its index work then waits for a re-run).
    """

    def __init__(self, name: str, stage: str, archived: bool, cause: BaseException) -> None:
        super().__init__(f"{describe_write_error(cause)} while {stage} {name}")
        self.name = name
        self.stage = stage
        self.archived = archived
        self.cause = cause


def describe_write_error(err: BaseException) -> str:
    """One clear English phrase for a failed write: a full disk, a read-only directory, ..."""
    if isinstance(err, ArchiveError):
        return str(err)
    text = str(err).lower()
    code = getattr(err, "errno", None)
    if code in (errno.ENOSPC, errno.EDQUOT) or "disk is full" in text:
        return "the disk is full"
    if code == errno.EROFS or "readonly" in text or "read-only" in text:
        return "the data directory is read-only"
    if code in (errno.EACCES, errno.EPERM):
        return "the data directory cannot be written (permission denied)"
    if code == errno.EIO or "disk i/o error" in text:
        return "the disk reports an I/O error"
    detail = getattr(err, "strerror", None) or str(err) or type(err).__name__
    return f"writing failed ({detail})"


class Pipeline:
    """Archive → parse → index for local files and archived captures."""

    def __init__(
        self,
        archive: Archive,
        index: Engine,
        parse: Callable[..., ParseResult] = parse_document,
        permalinks: PermalinkRegistry | None = None,
        status_log: ParseStatusLog | None = None,
    ) -> None:
        self.archive = archive
        self.index = index
        self.parse = parse
        # Optional: when given, every issued id, rename and removal is recorded
        # so old permalinks answer 301 or 410 (see paragraf.permalinks).
        self.permalinks = permalinks
        self.status_log = status_log

    def ingest_file(self, path: Path, facts: FileFacts | Mapping[str, str]) -> Outcome:
        """Archive one local file unchanged, then parse and index it.

        ``facts`` (options, sidecar, manifest) are stored with the capture and win
        over what the document prints.
        """
        name = str(path)
        try:
            data = path.read_bytes()
        except OSError as err:
            return Outcome(name, "failed", messages=(f"cannot read file: {err.strerror}",))
        given = facts.metadata() if isinstance(facts, FileFacts) else facts
        metadata = {k: v for k, v in given.items() if v}
        metadata["role"] = "local"
        try:
            stored = self.archive.store_resource(
                data, source=path.resolve().as_uri(), content_type=guess_content_type(path),
                metadata=metadata,
            )
        except (*WRITE_ERRORS, ArchiveError) as err:
            raise WriteFailed(name, "archiving", False, err) from err
        try:
            outcome = self.index_capture(stored.capture, data)
        except WRITE_ERRORS as err:
            raise WriteFailed(name, "indexing", True, err) from err
        return Outcome(name, outcome.status, outcome.capture_id, stored.new,
                       outcome.paragraphs, outcome.change, outcome.messages)

    def _archive_file(self, path: Path, facts: FileFacts | Mapping[str, str]):
        """(StoreResult, bytes) of a local file archived unchanged, or a failed Outcome."""
        item = self._read_file(path, facts)
        if isinstance(item, Outcome):
            return item
        data, source, content_type, metadata = item
        stored = self.archive.store_resource(data, source=source, content_type=content_type,
                                             metadata=metadata)
        return stored, data

    def _read_file(self, path: Path, facts: FileFacts | Mapping[str, str]):
        """What :meth:`Archive.store_resources` takes for a local file, or a failed Outcome."""
        try:
            data = path.read_bytes()
        except OSError as err:
            return Outcome(str(path), "failed",
                           messages=(f"cannot read file: {err.strerror}",))
        given = facts.metadata() if isinstance(facts, FileFacts) else facts
        metadata = {k: v for k, v in given.items() if v}
        metadata["role"] = "local"
        return data, path.resolve().as_uri(), guess_content_type(path), metadata

    def _archive_group(self, group: list[tuple[str, object]]) -> Iterator[tuple[str, object]]:
        """Archive a group of read files at once; (name, (StoreResult, bytes) or Outcome)."""
        readable = [item for _, item in group if isinstance(item, tuple)]
        try:
            stored = iter(self.archive.store_resources(readable) if readable else ())
        except (*WRITE_ERRORS, ArchiveError) as err:
            # The group is one fsync: none of it is known to be archived.
            raise WriteFailed(group[0][0], "archiving", False, err) from err
        for name, item in group:
            yield name, ((next(stored), item[0]) if isinstance(item, tuple) else item)

    def ingest_files(self, files: Iterable[tuple[Path, FileFacts | Mapping[str, str]]],
                     parsers: Sequence[Callable[..., ParseResult]] = (), *,
                     on_archived: Callable[[str], None] | None = None) -> Iterator[Outcome]:
        """Archive, parse and index many local files: (path, facts) pairs, in order.

        Each file is archived (and fsynced) before it is parsed, as
        :meth:`ingest_file` does; with two or more ``parsers`` (one
        :class:`~paragraf.isolated_parse.IsolatedParser` each) files are
        parsed in parallel, a few ahead of the one being indexed. Index
        changes go through the index as usual: call this inside
        ``index.batch(..., procs=N)`` for bulk commits. Yields one outcome
        per file, in order. ``on_archived`` is told each file's name as soon as
        its group is durable in the archive (before it is parsed or indexed).
        """

        def durable(group: list[tuple[str, object]]) -> Iterator[tuple[str, object]]:
            for name, item in self._archive_group(group):
                if on_archived is not None and not isinstance(item, Outcome):
                    on_archived(name)
                yield name, item

        def archived() -> Iterator[tuple[str, object]]:
            # Read a group of files, archive them with one fsync, then hand
            # them on: each is durable before any of them is parsed.
            group: list[tuple[str, object]] = []
            size = 0
            for path, facts in files:
                item = self._read_file(path, facts)
                group.append((str(path), item))
                size += len(item[0]) if isinstance(item, tuple) else 0
                if len(group) >= ARCHIVE_GROUP_FILES or size >= ARCHIVE_GROUP_BYTES:
                    yield from durable(group)
                    group, size = [], 0
            yield from durable(group)

        def parse(job: tuple[str, object], parser) -> ParsedCapture | None:
            _, archived_file = job
            if isinstance(archived_file, Outcome):
                return None
            stored, data = archived_file
            return self.paragraphs_of(stored.capture, data, parse=parser)

        for (name, archived_file), parsed in _ordered_parallel(archived(), parse, parsers,
                                                               self.parse):
            if isinstance(archived_file, Outcome):
                yield archived_file
                continue
            stored, _ = archived_file
            try:
                outcome = self._apply(stored.capture, parsed)
            except WRITE_ERRORS as err:
                raise WriteFailed(name, "indexing", True, err) from err
            yield Outcome(name, outcome.status, outcome.capture_id, stored.new,
                          outcome.paragraphs, outcome.change, outcome.messages)

    def index_capture(self, capture: Capture, data: bytes | None = None) -> Outcome:
        """Parse an archived capture and make the index agree with it."""
        facts = capture.meta()
        if facts.get("role", "") not in PARSED_ROLES:
            return Outcome(capture.source, "skipped", capture.id)
        removal = self.archive.removal(capture.id)
        if removal is not None:
            return Outcome(capture.source, "skipped", capture.id, messages=(
                f"removed from publication on {removal.removed_at:%Y-%m-%d} by "
                f"{removal.removed_by}: {removal.reason}; not indexed",))
        return self._apply(capture, self.paragraphs_of(capture, data))

    def _apply(self, capture: Capture, parsed: ParsedCapture) -> Outcome:
        """Make the index agree with what a capture contributes; record its status."""
        removal = self.archive.removal(capture.id)
        if removal is not None:  # e.g. the same bytes ingested again after a removal
            return Outcome(capture.source, "skipped", capture.id, messages=(
                f"removed from publication on {removal.removed_at:%Y-%m-%d} by "
                f"{removal.removed_by}: {removal.reason}; not indexed",))
        if parsed.paragraphs is None:
            outcome = Outcome(capture.source, "failed", capture.id, messages=parsed.messages)
        else:
            change = self.index.replace_source(capture.source, parsed.paragraphs)
            if self.permalinks is not None:
                self.permalinks.record(capture.source, parsed.paragraphs, change.deleted)
            outcome = Outcome(capture.source, parsed.status, capture.id, False,
                              len(parsed.paragraphs), change, parsed.messages)
        if self.status_log is not None:
            self.status_log.record(capture.id, capture.source, outcome.status,
                                   outcome.messages, outcome.paragraphs)
        return outcome

    def remove_capture(self, capture_id: str, *, reason: str, by: str) -> tuple[Removal, Outcome]:
        """Withdraw a capture from publication and make the index agree.

        The archive keeps the record and a tombstone with the audit entry;
        the source is then indexed from its newest capture that is still
        published, or its paragraphs leave the index (those another source
        also has stay, with that source). Removed permalinks answer 410.
        """
        removal = self.archive.remove(capture_id, reason=reason, by=by)
        capture = self.archive.get(capture_id)
        if self.status_log is not None:
            self.status_log.forget(capture.id)
        successor = self.archive.latest(capture.source)
        if successor is not None and successor.meta().get("role", "") in PARSED_ROLES:
            return removal, self.index_capture(successor)
        change = self.index.replace_source(capture.source, [])
        if self.permalinks is not None:
            self.permalinks.record(capture.source, [], change.deleted)
        return removal, Outcome(capture.source, "ok", capture.id, change=change)

    def paragraphs_of(self, capture: Capture, data: bytes | None = None,
                      parse: Callable[..., ParseResult] | None = None) -> ParsedCapture:
        """What a capture should contribute to the index (pure apart from reading it).

        ``parse`` overrides the pipeline's parser (rebuild parses with several).
        """
        if data is None:
            data = self.archive.read(capture.id)
        result = (parse or self.parse)(data, capture.content_type, filename=capture.source)
        messages = list(result.messages)
        if result.status == "failed":
            return ParsedCapture(None, "failed", tuple(messages))
        if not result.paragraphs:
            # Not a protocol (an attachment, a cancelled meeting's page): nothing
            # to index, which is worth a warning but is no failure.
            return ParsedCapture([], "warnings", tuple(messages))
        try:
            identity = resolve_identity(result, capture.meta())
        except IdentityMissing as err:
            return ParsedCapture(None, "failed", (*messages, str(err)))
        source = SourceRef(capture.id, capture.source, capture.sha256, capture.content_type)
        paragraphs, warnings = build_paragraphs(result, identity, source)
        # A doubt about a fact the user or crawler supplied is moot.
        messages = [m for m in messages if m not in identity.moot_warnings]
        doubtful = result.status == "warnings" and (messages or not identity.moot_warnings)
        status = "warnings" if (doubtful or warnings) else "ok"
        return ParsedCapture(paragraphs, status, (*messages, *warnings))

    def latest_parsed_captures(self) -> list[Capture]:
        """The newest capture of every source that holds a protocol, PDFs last."""
        latest: dict[str, Capture] = {}
        for cap in self.archive.captures():
            latest[cap.source] = cap
        return sorted((c for c in latest.values() if c.meta().get("role", "") in PARSED_ROLES),
                      key=lambda c: (c.content_type == "application/pdf", c.fetched_at, c.id))

    def rebuild(self, procs: int = 2,
                parsers: Sequence[Callable[..., ParseResult]] = ()) -> Iterator[Outcome]:
        """Parse every latest capture, then bulk-load the paragraphs into an empty index.

        With two or more ``parsers`` (each used by one thread at a time, e.g.
        an :class:`~paragraf.isolated_parse.IsolatedParser` each) documents are
        parsed concurrently, in order of the captures all the same. Paragraphs
        found in several documents are merged in memory, then loaded with one
        commit by ``procs`` writer processes. Yields an outcome per document
        as it is parsed; the load happens when the iteration ends.
        """
        merged: dict[str, Paragraph] = {}
        for capture, parsed in self._parse_all(self.latest_parsed_captures(), parsers):
            if parsed.paragraphs is None:
                yield Outcome(capture.source, "failed", capture.id, messages=parsed.messages)
                continue
            for p in parsed.paragraphs:
                merged[p.id] = merge_sources(merged.get(p.id), p)
            yield Outcome(capture.source, parsed.status, capture.id, False,
                          len(parsed.paragraphs), IndexChange(added=len(parsed.paragraphs)),
                          parsed.messages)
        self.index.add_many(merged.values(), procs=procs)

    def _parse_all(self, captures: list[Capture], parsers: Sequence[Callable[..., ParseResult]]
                   ) -> Iterator[tuple[Capture, ParsedCapture]]:
        """(capture, what it contributes) in capture order, parsed by ``parsers`` in parallel."""
        # The archive is read here, in this thread; only parsing runs in the pool.
        jobs = ((c, self.archive.read(c.id)) for c in captures) if len(parsers) >= 2 else (
            (c, None) for c in captures)
        for (capture, _), parsed in _ordered_parallel(
                jobs, lambda job, parser: self.paragraphs_of(job[0], job[1], parse=parser),
                parsers, self.parse):
            yield capture, parsed

    def reindex_all(self) -> Iterator[Outcome]:
        """Re-parse every latest capture per source (PDFs last, so their text wins)."""
        for cap in self.latest_parsed_captures():
            yield self.index_capture(cap)


def _ordered_parallel(jobs: Iterable, work: Callable, parsers: Sequence, default) -> Iterator:
    """(job, work(job, parser)) in job order, with ``parsers`` working in parallel.

    Each parser is used by one thread at a time. Jobs are taken from
    ``jobs`` in this thread (archiving and archive reads stay here); a short
    window of jobs in flight bounds the memory held.
    """
    if len(parsers) < 2:
        parser = parsers[0] if parsers else default
        for job in jobs:
            yield job, work(job, parser)
        return
    free: queue.SimpleQueue = queue.SimpleQueue()
    for parser in parsers:
        free.put(parser)

    def run(job):
        parser = free.get()
        try:
            return work(job, parser)
        finally:
            free.put(parser)

    window: deque[tuple[object, Future]] = deque()
    with ThreadPoolExecutor(len(parsers), thread_name_prefix="parse") as pool:
        for job in jobs:
            window.append((job, pool.submit(run, job)))
            if len(window) > 2 * len(parsers):
                done, future = window.popleft()
                yield done, future.result()
        while window:
            done, future = window.popleft()
            yield done, future.result()
