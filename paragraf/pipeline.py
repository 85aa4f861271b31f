"""The ingest pipeline: archive an original, parse it, index its paragraphs.

Order matters for safety: the original is archived (and fsynced) before any
parsing, so a document that later fails to parse is never lost; re-running
picks it up from the archive.
"""

from __future__ import annotations

import mimetypes
import queue
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from paragraf_se.archive.model import Capture
from paragraf_se.archive.store import Archive
from paragraf_se.indexer.model import Paragraph, ParseResult, SourceRef
from paragraf_se.indexer.parsing import parse_document
from paragraf_se.indexer.whoosh_engine import IndexChange, WhooshIndex, merge_sources
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


def iter_input_files(paths: Iterable[Path]) -> Iterator[Path | tuple[Path, str]]:
    """Files named, and the protocol files inside directories named (sorted).

    A path that does not exist is yielded as ``(path, reason)`` so it is
    reported like any other failure.
    """
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in SUFFIX_TYPES:
                    yield child
        elif path.is_file():
            yield path
        else:
            yield (path, "no such file or directory")


def guess_content_type(path: Path) -> str:
    ctype = SUFFIX_TYPES.get(path.suffix.lower())
    return ctype or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


class Pipeline:
    """Archive → parse → index for local files and archived captures."""

    def __init__(
        self,
        archive: Archive,
        index: WhooshIndex,
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

    def ingest_file(self, path: Path, facts: Mapping[str, str]) -> Outcome:
        """Archive one local file unchanged, then parse and index it."""
        archived = self._archive_file(path, facts)
        if isinstance(archived, Outcome):
            return archived
        stored, data = archived
        outcome = self.index_capture(stored.capture, data)
        return Outcome(str(path), outcome.status, outcome.capture_id, stored.new,
                       outcome.paragraphs, outcome.change, outcome.messages)

    def _archive_file(self, path: Path, facts: Mapping[str, str]):
        """(StoreResult, bytes) of a local file archived unchanged, or a failed Outcome."""
        item = self._read_file(path, facts)
        if isinstance(item, Outcome):
            return item
        data, source, content_type, metadata = item
        stored = self.archive.store_resource(data, source=source, content_type=content_type,
                                             metadata=metadata)
        return stored, data

    def _read_file(self, path: Path, facts: Mapping[str, str]):
        """What :meth:`Archive.store_resources` takes for a local file, or a failed Outcome."""
        try:
            data = path.read_bytes()
        except OSError as err:
            return Outcome(str(path), "failed",
                           messages=(f"cannot read file: {err.strerror}",))
        metadata = {k: v for k, v in facts.items() if v}
        metadata["role"] = "local"
        return data, path.resolve().as_uri(), guess_content_type(path), metadata

    def _archive_group(self, group: list[tuple[str, object]]) -> Iterator[tuple[str, object]]:
        """Archive a group of read files at once; (name, (StoreResult, bytes) or Outcome)."""
        readable = [item for _, item in group if isinstance(item, tuple)]
        stored = iter(self.archive.store_resources(readable) if readable else ())
        for name, item in group:
            yield name, ((next(stored), item[0]) if isinstance(item, tuple) else item)

    def ingest_files(self, files: Iterable[tuple[Path, Mapping[str, str]]],
                     parsers: Sequence[Callable[..., ParseResult]] = ()) -> Iterator[Outcome]:
        """Archive, parse and index many local files: (path, facts) pairs, in order.

        Each file is archived (and fsynced) before it is parsed, as
        :meth:`ingest_file` does; with two or more ``parsers`` (one
        :class:`~paragraf.isolated_parse.IsolatedParser` each) files are
        parsed in parallel, a few ahead of the one being indexed. Index
        changes go through the index as usual: call this inside
        ``index.batch(..., procs=N)`` for bulk commits. Yields one outcome
        per file, in order.
        """

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
                    yield from self._archive_group(group)
                    group, size = [], 0
            yield from self._archive_group(group)

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
            outcome = self._apply(stored.capture, parsed)
            yield Outcome(name, outcome.status, outcome.capture_id, stored.new,
                          outcome.paragraphs, outcome.change, outcome.messages)

    def index_capture(self, capture: Capture, data: bytes | None = None) -> Outcome:
        """Parse an archived capture and make the index agree with it."""
        facts = capture.meta()
        if facts.get("role", "") not in PARSED_ROLES:
            return Outcome(capture.source, "skipped", capture.id)
        return self._apply(capture, self.paragraphs_of(capture, data))

    def _apply(self, capture: Capture, parsed: ParsedCapture) -> Outcome:
        """Make the index agree with what a capture contributes; record its status."""
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
        status = "warnings" if (result.status == "warnings" or warnings) else "ok"
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
