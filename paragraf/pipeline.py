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
from paragraf_se.ingest_facts import FileFacts, is_sidecar
from paragraf_se.meeting_identity import IdentityMissing, build_paragraphs, resolve_identity
from paragraf_se.parse_status import ParseStatusLog
from paragraf_se.permalinks import PermalinkRegistry

SUFFIX_TYPES = {".pdf": "application/pdf", ".html": "text/html", ".htm": "text/html",
                ".txt": "text/plain"}
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


@dataclass(frozen=True)
class NotIngested:
    """An input that is not ingested: ``status`` "failed" (e.g. it does not exist)
    or "skipped" (a file in a directory that is no protocol format)."""

    path: Path
    status: str
    reason: str


def iter_input_files(paths: Iterable[Path]) -> Iterator[Path | NotIngested]:
    """Files named, and the files inside directories named (sorted).

    A path that does not exist is a failure, a file in a directory that is not
    PDF, HTML or text is reported as skipped; both are yielded as
    :class:`NotIngested` so they are reported like any other file. Sidecar
    files (``<file>.meta.json``) are read with their file, not reported.
    """
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if not child.is_file() or is_sidecar(child):
                    continue
                if child.suffix.lower() in SUFFIX_TYPES:
                    yield child
                else:
                    yield NotIngested(child, "skipped", "not a protocol file: only PDF, HTML "
                                      "and text files (.pdf, .html, .htm, .txt) are ingested")
        elif path.is_file() and is_sidecar(path):
            yield NotIngested(path, "skipped", "a sidecar is read with the file it describes")
        elif path.is_file():
            yield path
        else:
            yield NotIngested(path, "failed", "no such file or directory")


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
        stored = self.archive.store_resource(
            data, source=path.resolve().as_uri(), content_type=guess_content_type(path),
            metadata=metadata,
        )
        outcome = self.index_capture(stored.capture, data)
        return Outcome(name, outcome.status, outcome.capture_id, stored.new,
                       outcome.paragraphs, outcome.change, outcome.messages)

    def index_capture(self, capture: Capture, data: bytes | None = None) -> Outcome:
        """Parse an archived capture and make the index agree with it."""
        facts = capture.meta()
        if facts.get("role", "") not in PARSED_ROLES:
            return Outcome(capture.source, "skipped", capture.id)
        parsed = self.paragraphs_of(capture, data)
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
        if len(parsers) < 2:
            for capture in captures:
                yield capture, self.paragraphs_of(capture)
            return
        free: queue.SimpleQueue = queue.SimpleQueue()
        for parser in parsers:
            free.put(parser)

        def work(capture: Capture, data: bytes) -> ParsedCapture:
            parser = free.get()
            try:
                return self.paragraphs_of(capture, data, parse=parser)
            finally:
                free.put(parser)

        # The archive is read here, in this thread; only parsing runs in the
        # pool. A short window of documents in flight bounds the memory held.
        window: deque[tuple[Capture, Future[ParsedCapture]]] = deque()
        with ThreadPoolExecutor(len(parsers), thread_name_prefix="parse") as pool:
            for capture in captures:
                window.append((capture, pool.submit(work, capture, self.archive.read(capture.id))))
                if len(window) > 2 * len(parsers):
                    done, future = window.popleft()
                    yield done, future.result()
            while window:
                done, future = window.popleft()
                yield done, future.result()

    def reindex_all(self) -> Iterator[Outcome]:
        """Re-parse every latest capture per source (PDFs last, so their text wins)."""
        for cap in self.latest_parsed_captures():
            yield self.index_capture(cap)
