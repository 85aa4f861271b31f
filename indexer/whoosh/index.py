"""The Whoosh-backed index: writing paragraphs, reading them, answering searches.

Readers are long-lived: one searcher per thread (a Whoosh ``Searcher`` is not
thread-safe), refreshed when a commit has made a newer generation.
"""

from __future__ import annotations

import functools
import itertools
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import FileStorage, RamStorage, Storage
from whoosh.index import LockError

from paragraf_se.indexer.budget import EXPORT_SECONDS, Budget
from paragraf_se.indexer.cases import normalise_dnr
from paragraf_se.indexer.engine import BodySummary, IndexChange, SearchRequest
from paragraf_se.indexer.errors import IndexBusy
from paragraf_se.indexer.model import Paragraph
from paragraf_se.indexer.query import ParsedQuery
from paragraf_se.indexer.source_replace import plan_replace
from paragraf_se.indexer.whoosh import segment_merge
from paragraf_se.indexer.whoosh.batch import PendingBatch
from paragraf_se.indexer.whoosh.bulk_stream import SegmentStream
from paragraf_se.indexer.whoosh.bulk_writer import SegmentsWriter, bulk_load, write_segments
from paragraf_se.indexer.whoosh.evaluator import Evaluator
from paragraf_se.indexer.whoosh.facet_columns import FacetCache
from paragraf_se.indexer.whoosh.files import (
    INDEX_ID_FILE,
    INDEX_NAME,
    index_identity,
    open_existing,
)
from paragraf_se.indexer.whoosh.id_sets import IdSets
from paragraf_se.indexer.whoosh.priors import PriorCache
from paragraf_se.indexer.whoosh.query_compile import query_matcher
from paragraf_se.indexer.whoosh.schema import (
    DECISION_KIND_FIELD,
    build_schema,
    from_stored,
    source_key,
    to_document,
)
from paragraf_se.indexer.whoosh.searcher_pool import SearcherPool
from paragraf_se.indexer.whoosh.view import SearchParts, WhooshView

# Whoosh's writer lock is an fcntl lock: the kernel drops it when its process
# dies, so a crashed writer never leaves a stale lock behind.
WRITER_WAIT_S = 30.0
BATCH_DOCUMENTS = 100  # sources per commit inside batch()
# Worker processes take about a second to start: worth it for big commits only.
PARALLEL_FLUSH_FROM = 5_000  # paragraphs
MAX_PENDING_PARAGRAPHS = 40_000  # a batch commits at this many, whatever its sources
# Upserts of one apply() from which worker processes pay for their start-up.
PARALLEL_APPLY_MIN = 1000
# Postings per block. Whoosh's 128 suits its block-skipping matchers; queries
# here decode whole posting lists (indexer.whoosh.evaluator), where the per-block
# cost (a pickle and a zlib stream) dominates, so blocks are made larger.
POSTING_BLOCK = 1024


def posting_codec() -> W3Codec:
    """The codec every writer uses (segments remember it; readers need nothing)."""
    return W3Codec(blocklimit=POSTING_BLOCK)


class WhooshIndex:
    """Paragraph index in a directory (or in RAM when ``directory`` is None)."""

    def __init__(self, directory: Path | None, *, compounds: bool = True) -> None:
        storage: Storage
        if directory is None:
            storage = RamStorage()
        else:
            directory.mkdir(parents=True, exist_ok=True)
            storage = FileStorage(str(directory), supports_mmap=False)
        existing = open_existing(storage, directory)
        if existing is not None:
            self._ix = existing
        else:
            self._ix = storage.create_index(build_schema(compounds), indexname=INDEX_NAME)
            if directory is not None:
                (directory / INDEX_ID_FILE).write_text(uuid.uuid4().hex + "\n",
                                                       encoding="ascii")
        self.compounds = compounds
        # Indexes made before the common-grams field answer phrases by positions.
        self.grams = "grams" in self._ix.schema
        # An index made before a field existed is written without it until rebuilt.
        names = frozenset(self._ix.schema.names())
        self._to_document = (to_document if DECISION_KIND_FIELD in names
                             else functools.partial(to_document, fields=names))
        self._pool = SearcherPool(self._ix, identity=lambda: index_identity(self._ix))
        self.facet_cache = FacetCache()
        self.evaluator = Evaluator()
        self._parts = SearchParts(compounds, self.grams, self.evaluator, self.facet_cache,
                                  PriorCache())
        self._batch: PendingBatch | None = None
        self._id_sets = IdSets()
        self._write_lock = threading.RLock()  # one batch per index object

    # -- reading ---------------------------------------------------------

    def count(self) -> int:
        with self._pool.searcher() as s:
            return s.doc_count()

    def generation(self) -> int:
        """The generation number of the index on disk (grows with every commit)."""
        return self._ix.latest_generation()

    def get(self, paragraph_id: str) -> Paragraph | None:
        with self._pool.searcher() as s:
            fields = s.document(id=paragraph_id)
        return from_stored(fields) if fields else None

    def by_case(self, diarienummer: str) -> list[Paragraph]:
        """Every paragraph carrying ``diarienummer`` (compared normalised)."""
        key = normalise_dnr(diarienummer)
        return self._find("dnr", key) if key else []

    def _find(self, field: str, value: str) -> list[Paragraph]:
        """All paragraphs whose ``field`` holds the term ``value``."""
        with self._pool.searcher() as s:
            return [from_stored(s.stored_fields(n))
                    for n in s.docs_for_query(wq.Term(field, value))]

    def meeting(self, meeting_id: str) -> list[Paragraph]:
        """A meeting's paragraphs in § order."""
        return sorted(self._find("meeting", meeting_id), key=_number_order)

    def id_count(self, paragraph_id: str) -> int:
        """How many live documents carry this id (exactly one when healthy)."""
        with self._pool.searcher() as s:
            return sum(1 for _ in s.docs_for_query(wq.Term("id", paragraph_id)))

    def by_source(self, url: str) -> list[Paragraph]:
        return self._find("sources", source_key(url))

    def all(self) -> Iterator[Paragraph]:
        with self._pool.searcher() as s:
            for fields in s.all_stored_fields():
                yield from_stored(fields)

    def bodies(self) -> list[BodySummary]:
        """Every (organisation, body) with its paragraph count and year span."""
        with self._pool.searcher() as s:
            columns = self.facet_cache.columns(s)
            live = np.fromiter(s.reader().all_doc_ids(), dtype=np.int64)
        org, body, year = (columns[f] for f in ("org", "body", "year"))  # the summary's own facts
        spans: dict[tuple[str, str], list[int]] = {}
        for o, b, y in zip(org.codes[live], body.codes[live], year.codes[live], strict=True):
            key = (org.values[o], body.values[b])
            yr = int(year.values[y])
            span = spans.setdefault(key, [0, yr, yr])
            span[0] += 1
            span[1], span[2] = min(span[1], yr), max(span[2], yr)
        return [BodySummary(o, b, n, lo, hi) for (o, b), (n, lo, hi) in sorted(spans.items())]

    def iter_matches(self, request: SearchRequest, parsed: ParsedQuery,
                     budget: Budget | None = None) -> Iterator[Paragraph]:
        """Every paragraph a search matches, in its order, one at a time (for exports).

        Uses a searcher of its own, closed when the iterator ends or is closed,
        because a streaming response may resume it on any worker thread.
        (Relaxing to any word is :func:`indexer.search.export_matches`'s policy.)
        ``budget`` (default: ``EXPORT_SECONDS``) bounds the evaluation; when it
        is cancelled the iterator raises ``SearchCancelled`` at the next row.
        """
        budget = budget or Budget(EXPORT_SECONDS)
        s = self._ix.searcher()
        try:
            docnums = WhooshView(self._parts, s).ordered_docnums(request, parsed, budget)
            for docnum in docnums:
                budget.check()
                yield from_stored(s.stored_fields(docnum))
        finally:
            s.close()

    def word_matcher(self, q: str, mode: str = "stemmed") -> Callable[[str], bool] | None:
        """Which lowercased words the search ``q`` matches (for marking them in a page)."""
        return query_matcher(q, mode, compounds=self.compounds)

    @contextmanager
    def view(self) -> Iterator[WhooshView]:
        """One pooled searcher as a :class:`~indexer.engine.ReadView` for one search."""
        with self._pool.searcher() as s:
            yield WhooshView(self._parts, s)

    # -- writing ---------------------------------------------------------

    @contextmanager
    def _writer(self, merge: bool = True):
        try:
            w = SegmentsWriter(self._ix, timeout=WRITER_WAIT_S, codec=posting_codec())
        except LockError:
            raise IndexBusy(
                f"another process has been writing the index for {WRITER_WAIT_S:.0f} s; "
                "try again when it has finished"
            ) from None
        try:
            yield w
        except BaseException:
            w.cancel()
            raise
        else:
            w.commit(merge=merge)

    @contextmanager
    def batch(self, max_documents: int = BATCH_DOCUMENTS, *, procs: int = 1) -> Iterator[None]:
        """Group :meth:`replace_source` calls into few commits.

        A commit per document dominated ingest time; inside a batch the
        changes wait in memory and are written with one writer every
        ``max_documents`` sources (and at the end). A crash loses only the
        uncommitted index work; the originals are already archived and the
        next run indexes them again. ``procs`` > 1 writes each commit's new
        segments in that many bulk-writer processes: started once the batch
        holds PARALLEL_FLUSH_FROM paragraphs, fed as paragraphs come (they
        analyse while the caller parses), and reused for every later commit
        until the batch ends (:class:`~indexer.whoosh.bulk_stream.SegmentStream`).
        """
        with self._write_lock:
            if self._batch is not None:
                yield
                return
            if not isinstance(self._ix.storage, FileStorage):
                procs = 1
            self._batch = PendingBatch(max_documents, procs, seen=index_identity(self._ix))
            try:
                yield
                self._flush()
            finally:
                stream, self._batch = self._batch.stream, None
                if stream is not None:
                    stream.close()

    def has_uncommitted(self) -> bool:
        """True while changes wait in the current batch (False right after a commit)."""
        batch = self._batch
        return batch is not None and bool(batch.pending or batch.deleted)

    def commit_pending(self) -> None:
        """Commit the current batch's waiting changes now (nothing outside a batch)."""
        with self._write_lock:
            self._flush()

    def _flush(self) -> None:
        batch = self._batch
        if batch is None or not (batch.pending or batch.deleted):
            return
        with self._writer() as w:
            # Deleting every pending id first and adding the new versions as
            # one segment is update_document() for the whole batch, written by
            # the bulk writer instead of posting by posting. Under the lock: if
            # another process committed since the lookups, every id is deleted.
            known = batch.seen is not None and index_identity(self._ix) == batch.seen
            with w.searcher() as ds:
                for pid in itertools.chain(batch.deleted, batch.pending):
                    if not known or pid in batch.in_index:
                        w.delete_by_term("id", pid, searcher=ds)
            if batch.stream is not None:
                # Every pending paragraph was streamed; the rest are superseded copies.
                try:
                    segments = batch.stream.flush(batch.superseded)
                except BaseException:
                    # The stream is closed; pending stays, for a retry written here.
                    batch.stream = None
                    batch.streamed.clear()
                    batch.superseded.clear()
                    raise
                w.add_segments(segments)
            elif batch.procs > 1 and len(batch.pending) >= PARALLEL_FLUSH_FROM:
                segments, _ = write_segments(self._ix, list(batch.pending.values()),
                                             codec=posting_codec(), procs=batch.procs,
                                             to_fields=self._to_document)
                w.add_segments(segments)
            else:
                w.add_documents(self._to_document(p) for p in batch.pending.values())
        batch.pending.clear()
        batch.deleted.clear()
        batch.by_url.clear()
        batch.in_index.clear()
        batch.streamed.clear()
        batch.superseded.clear()
        batch.seen = index_identity(self._ix)  # our own commit; lookups start afresh
        batch.sources = 0

    def _current_many(self, pids: Sequence[str]) -> dict[str, Paragraph | None]:
        """:meth:`_current` of many ids, with one searcher for those not pending."""
        out: dict[str, Paragraph | None] = {}
        missing = []
        batch = self._batch
        for pid in pids:
            if batch is not None and pid in batch.pending:
                out[pid] = batch.pending[pid]
            elif batch is not None and pid in batch.deleted:
                out[pid] = None
            else:
                missing.append(pid)
        if missing:
            with self._pool.searcher() as s:
                # A set lookup answers "never indexed" (most of a bulk import)
                # without a query; a present id may be deleted.
                present = self._id_sets.possibly_present(s.reader(), missing)
                for pid in missing:
                    if pid not in present:
                        out[pid] = None
                        continue
                    fields = s.document(id=pid)
                    out[pid] = from_stored(fields) if fields else None
                    if fields and batch is not None:
                        batch.in_index.add(pid)
        return out

    def _of_source(self, url: str) -> list[Paragraph]:
        found = {p.id: p for p in self.by_source(url)}
        batch = self._batch
        if batch is not None:
            batch.in_index.update(found)
            for pid in list(found):
                if pid in batch.deleted:
                    del found[pid]
                elif pid in batch.pending:
                    found[pid] = batch.pending[pid]
            for pid in batch.by_url.get(url, ()):
                if pid in batch.pending:
                    found[pid] = batch.pending[pid]
            # A pending version without this source overrides the indexed one.
            found = {pid: p for pid, p in found.items()
                     if any(src.url == url for src in p.sources)}
        return list(found.values())

    def replace_source(self, url: str, paragraphs: Sequence[Paragraph]) -> IndexChange:
        """Make the index hold exactly ``paragraphs`` from source ``url``.

        A paragraph already indexed from another source keeps that source too;
        the text shown is the best-ranked source's (the approved PDF wins).
        Paragraphs this source had before but no longer has lose it, and are
        removed when no source is left. Outside :meth:`batch` this commits.
        """
        with self.batch():
            change = self._replace(url, paragraphs, self._batch)
            self._maybe_stream(self._batch)
            self._batch.sources += 1
            if (self._batch.sources >= self._batch.max_documents
                    or len(self._batch.pending) >= MAX_PENDING_PARAGRAPHS):
                self._flush()
        return change

    def _replace(self, url: str, paragraphs: Sequence[Paragraph],
                 batch: PendingBatch) -> IndexChange:
        plan = plan_replace(url, paragraphs, self._current_many([p.id for p in paragraphs]),
                            self._of_source(url))
        for p in plan.writes:
            batch.put(p)
        for old in plan.deletes:
            batch.drop(old.id)
        return plan.change

    def _maybe_stream(self, batch: PendingBatch) -> None:
        """Start a batch's bulk-writer processes once its commit is worth them."""
        if (batch.stream is None and batch.procs > 1
                and len(batch.pending) >= PARALLEL_FLUSH_FROM):
            batch.start_stream(SegmentStream(self._ix, codec=posting_codec(), procs=batch.procs,
                                             to_fields=self._to_document))

    def apply(self, upserts: Iterable[Paragraph], deletes: Sequence[str],
              before_commit: Callable[[int], None] | None = None, *, procs: int = 1,
              upserts_deleted: bool = False) -> int:
        """Write exact versions of paragraphs (a replica's path: no merging of sources).

        ``deletes`` and the ids of ``upserts`` are removed and ``upserts``
        written as new segments, all in one commit. ``upserts`` may be an
        iterator (a node streams a large change set from the database while
        the bulk writer analyses it); then the caller names every id in
        ``deletes`` and passes ``upserts_deleted=True``. ``before_commit`` is
        called with the generation the commit will create, before it is
        written, so a caller can record what that generation contains.
        With ``procs`` > 1, a sequence of at least PARALLEL_APPLY_MIN upserts
        (any iterator) is analysed in that many worker processes (a node
        catching up: analysis is the cost, and starting workers only pays
        for large batches). The commit merges no segments: Whoosh's merge
        re-writes small segments posting by posting in Python, which made
        every few small applies take seconds; :meth:`compact` merges them
        with the bulk writer instead, off the apply path.
        Returns that generation.
        """
        if isinstance(upserts, Sequence):
            big = len(upserts) >= PARALLEL_APPLY_MIN
        else:
            big = upserts_deleted
        if not upserts_deleted:
            upserts = list(upserts)
        parallel = procs > 1 and big and isinstance(self._ix.storage, FileStorage)
        with self._write_lock, self._writer(merge=False) as w:
            # One searcher for every deletion: without one Whoosh opens a
            # reader over every segment per id.
            with w.searcher() as ds:
                ids = deletes if upserts_deleted else itertools.chain(
                    deletes, (p.id for p in upserts))
                for pid in ids:
                    w.delete_by_term("id", pid, searcher=ds)
            if parallel:
                segments, _ = write_segments(self._ix, upserts, codec=posting_codec(),
                                             procs=procs, to_fields=self._to_document)
                w.add_segments(segments)
            else:
                w.add_documents(self._to_document(p) for p in upserts)
            generation = w.generation
            if before_commit is not None:
                before_commit(generation)
        return generation

    def segment_sizes(self) -> list[int]:
        """Live documents per segment of the current generation (what merging acts on)."""
        return [s.doc_count() for s in self._ix._read_toc().segments]

    def compact(self, before_commit: Callable[[int], None] | None = None, **policy) -> int | None:
        """Merge small segments (:mod:`indexer.whoosh.segment_merge`); the new generation or None.

        The merged segments are analysed without holding the writer lock, so
        commits of :meth:`apply` go on meanwhile; the lock is held only to
        move the new files in and commit. ``before_commit`` is as in
        :meth:`apply`. ``policy`` passes ``fanout``/``max_docs`` to the plan.
        None when nothing needed merging or another merge got there first.
        """
        if not isinstance(self._ix.storage, FileStorage):  # RamStorage has a folder too
            return None
        folder = self._ix.storage.folder
        merge = segment_merge.plan(self._ix, **policy)
        if merge is None:
            return None
        scratch = Path(folder).with_name(Path(folder).name + ".merging")
        try:
            merged = segment_merge.build(self._ix, merge, scratch, decode=from_stored,
                                         to_fields=self._to_document, codec=posting_codec())
            with self._write_lock:
                try:
                    w = SegmentsWriter(self._ix, timeout=WRITER_WAIT_S, codec=posting_codec())
                except LockError:
                    raise IndexBusy("another process is writing the index") from None
                try:
                    if not segment_merge.install(w, merge, merged):
                        w.cancel()
                        return None
                    generation = w.generation
                    if before_commit is not None:
                        before_commit(generation)
                except BaseException:
                    w.cancel()
                    raise
                w.commit(mergetype=segment_merge.drop(merge))
            return generation
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def add_many(self, paragraphs: Iterable[Paragraph], *, procs: int = 1) -> int:
        """Bulk-load paragraphs into an index being rebuilt (no merging of sources).

        Written by :mod:`indexer.whoosh.bulk_writer` as new segments, committed as
        one generation; ``procs`` > 1 analyses and writes in that many worker
        processes (an in-memory index has no files to share, so one).
        """
        if not isinstance(self._ix.storage, FileStorage):
            procs = 1
        try:
            return bulk_load(self._ix, paragraphs, codec=posting_codec(), procs=procs,
                             to_fields=self._to_document, timeout=WRITER_WAIT_S)
        except LockError:
            raise IndexBusy("another process is writing the index") from None

    def snapshot(self, dest: Path) -> int:
        """Copy the index files to ``dest`` while holding the writer lock.

        Segments change only at commits, which the lock holds off, so the copy
        is one consistent generation. Returns the number of files copied.
        """
        # RamStorage has a "folder" too (empty: the working directory), so ask the type.
        if not isinstance(self._ix.storage, FileStorage):
            raise ValueError("an in-memory index has no files to copy")
        directory = self._ix.storage.folder
        lock = self._ix.lock("WRITELOCK")
        deadline = time.monotonic() + WRITER_WAIT_S
        while not lock.acquire(blocking=False):
            if time.monotonic() > deadline:
                raise IndexBusy("the index is being written; backup gave up waiting")
            time.sleep(0.05)
        try:
            dest.mkdir(parents=True, exist_ok=True)
            count = 0
            for path in sorted(Path(directory).iterdir()):
                if path.is_file() and not path.name.endswith("LOCK"):
                    shutil.copy2(path, dest / path.name)
                    count += 1
            return count
        finally:
            lock.release()

    def segment_ids(self) -> set[str]:
        """The ids of the current generation's segments (for checking a backup's files)."""
        return {s.segment_id() for s in self._ix._segments()}

    def close(self) -> None:
        self._pool.close()
        self._ix.close()


def _number_order(p: Paragraph) -> tuple[int, str]:
    digits = "".join(ch for ch in p.number if ch.isdigit())
    return (int(digits) if digits else 0, p.number)
