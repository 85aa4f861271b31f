"""The Whoosh-backed index: writing paragraphs, reading them, answering searches.

Readers are long-lived: one searcher per thread (a Whoosh ``Searcher`` is not
thread-safe), refreshed when a commit has made a newer generation.
"""

from __future__ import annotations

import itertools
import pickle
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import FileStorage, RamStorage, Storage
from whoosh.index import LockError

from paragraf_se.indexer.analysis import stem
from paragraf_se.indexer.bulk_writer import SegmentsWriter, build_in_workers, bulk_load
from paragraf_se.indexer.compounds import split_cached
from paragraf_se.indexer.errors import IndexBusy, IndexFormatError
from paragraf_se.indexer.facets import FacetCache, count_facets
from paragraf_se.indexer.fast_eval import Evaluator, top
from paragraf_se.indexer.model import Paragraph, SourceRef
from paragraf_se.indexer.query import Clause, ParsedQuery, Term
from paragraf_se.indexer.result_cache import ResultCache
from paragraf_se.indexer.schema import (
    build_schema,
    from_stored,
    source_key,
    to_document,
    with_decision,
)
from paragraf_se.indexer.search import Hit, SearchRequest, SearchResult
from paragraf_se.indexer.searcher_pool import SearcherPool
from paragraf_se.indexer.snippets import make_snippet
from paragraf_se.indexer.spelling import SUGGEST_BELOW, suggest
from paragraf_se.indexer.whoosh_query import compile_query

INDEX_NAME = "paragraphs"
# Whoosh's writer lock is an fcntl lock: the kernel drops it when its process
# dies, so a crashed writer never leaves a stale lock behind.
WRITER_WAIT_S = 30.0
BATCH_DOCUMENTS = 100  # sources per commit inside batch()
# Upserts of one apply() from which worker processes pay for their start-up.
PARALLEL_APPLY_MIN = 1000
# Postings per block. Whoosh's 128 suits its block-skipping matchers; queries
# here decode whole posting lists (indexer.fast_eval), where the per-block
# cost (a pickle and a zlib stream) dominates, so blocks are made larger.
POSTING_BLOCK = 1024


def posting_codec() -> W3Codec:
    """The codec every writer uses (segments remember it; readers need nothing)."""
    return W3Codec(blocklimit=POSTING_BLOCK)


def source_rank(source: SourceRef) -> int:
    """Whose text wins when one paragraph has several sources: the approved PDF."""
    ct = source.content_type
    if ct == "application/pdf":
        return 3
    if ct.startswith("text/plain"):
        return 2
    return 1


@dataclass
class _Batch:
    """Index changes waiting for one commit."""

    max_documents: int
    pending: dict[str, Paragraph] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)
    sources: int = 0


@dataclass(frozen=True)
class IndexChange:
    """What one write did to the index.

    The detail fields say which paragraphs appeared and which left the index
    entirely (no source left), for the permalink registry; they are left out
    of equality so counts compare as before.
    """

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    added_ids: tuple[str, ...] = field(default=(), compare=False)
    deleted: tuple[Paragraph, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class BodySummary:
    """One body of one organisation: how many paragraphs, over which years."""

    org: str
    body: str
    paragraphs: int
    first_year: int
    last_year: int


# Modules whose classes an index of this version may pickle into its schema.
_SCHEMA_MODULES = ("paragraf_se.", "whoosh.")


def _open_existing(storage: Storage, directory: Path | None):
    """Open the index in ``storage`` (None if there is none).

    Refuses one whose pickled schema names modules we no longer have.

    Indexes written before the package moved under ``paragraf_se`` pickled their
    analyzers as ``indexer.analysis...``: unpickling fails, or (run from a source
    checkout, where ``indexer`` is importable) loads a second copy of our code.
    Either way one clear error, never a traceback or a half-working index.
    """
    where = directory if directory is not None else "memory"
    hint = (f"the index in {where} was written by an older version of Paragraf "
            "and cannot be read; rebuild it from the archive with 'paragraf index --rebuild'")
    try:
        if not storage.index_exists(INDEX_NAME):
            return None
        ix = storage.open_index(INDEX_NAME)
    except (ImportError, AttributeError, pickle.UnpicklingError) as err:
        raise IndexFormatError(f"{hint} ({err})") from err
    for name, fld in ix.schema.items():
        analyzer = getattr(fld, "analyzer", None)
        parts = [fld, analyzer, *getattr(analyzer, "items", ()), getattr(fld, "format", None)]
        for part in filter(None, parts):
            module = type(part).__module__
            if not module.startswith(_SCHEMA_MODULES):
                ix.close()
                raise IndexFormatError(f"{hint} (field {name!r} uses {module})")
    return ix


class WhooshIndex:
    """Paragraph index in a directory (or in RAM when ``directory`` is None)."""

    def __init__(self, directory: Path | None, *, compounds: bool = True) -> None:
        storage: Storage
        if directory is None:
            storage = RamStorage()
        else:
            directory.mkdir(parents=True, exist_ok=True)
            storage = FileStorage(str(directory), supports_mmap=False)
        existing = _open_existing(storage, directory)
        if existing is not None:
            self._ix = existing
        else:
            self._ix = storage.create_index(build_schema(compounds), indexname=INDEX_NAME)
        self.compounds = compounds
        # Indexes made before the common-grams field answer phrases by positions.
        self.grams = "grams" in self._ix.schema
        self._pool = SearcherPool(self._ix)
        self._facets = FacetCache()
        self._results = ResultCache()
        self._evaluator = Evaluator()
        self._batch: _Batch | None = None
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

    def find(self, field: str, value: str) -> list[Paragraph]:
        """All paragraphs whose ``field`` holds the term ``value``."""
        with self._pool.searcher() as s:
            return [from_stored(s.stored_fields(n))
                    for n in s.docs_for_query(wq.Term(field, value))]

    def meeting(self, meeting_id: str) -> list[Paragraph]:
        """A meeting's paragraphs in § order."""
        return sorted(self.find("meeting", meeting_id), key=_number_order)

    def id_count(self, paragraph_id: str) -> int:
        """How many live documents carry this id (exactly one when healthy)."""
        with self._pool.searcher() as s:
            return sum(1 for _ in s.docs_for_query(wq.Term("id", paragraph_id)))

    def by_source(self, url: str) -> list[Paragraph]:
        return self.find("sources", source_key(url))

    def all(self) -> Iterator[Paragraph]:
        with self._pool.searcher() as s:
            for fields in s.all_stored_fields():
                yield from_stored(fields)

    def bodies(self) -> list[BodySummary]:
        """Every (organisation, body) with its paragraph count and year span."""
        with self._pool.searcher() as s:
            columns = self._facets.columns(s)
            live = np.fromiter(s.reader().all_doc_ids(), dtype=np.int64)
        org, body, year = (columns[f] for f in ("org", "body", "year"))
        spans: dict[tuple[str, str], list[int]] = {}
        for o, b, y in zip(org.codes[live], body.codes[live], year.codes[live], strict=True):
            key = (org.values[o], body.values[b])
            yr = int(year.values[y])
            span = spans.setdefault(key, [0, yr, yr])
            span[0] += 1
            span[1], span[2] = min(span[1], yr), max(span[2], yr)
        return [BodySummary(o, b, n, lo, hi) for (o, b), (n, lo, hi) in sorted(spans.items())]

    def iter_matches(self, request: SearchRequest, parsed: ParsedQuery) -> Iterator[Paragraph]:
        """Every paragraph a search matches, in its order, one at a time (for exports).

        Uses a searcher of its own, closed when the iterator ends or is closed,
        because a streaming response may resume it on any worker thread.
        Falls back to any-word matching exactly as :meth:`execute` does.
        """
        s = self._ix.searcher()
        try:
            docnums = self._ordered_docnums(s, request, parsed)
            split = self.compounds and request.mode != "exact"
            if not docnums and _can_relax(parsed, split):
                docnums = self._ordered_docnums(s, request, _relaxed(parsed, split))
            for docnum in docnums:
                yield from_stored(s.stored_fields(docnum))
        finally:
            s.close()

    def _ordered_docnums(self, s, request: SearchRequest, parsed: ParsedQuery) -> list[int]:
        compiled = compile_query(request, parsed, decompound=self.compounds, grams=self.grams)
        query = compiled.query
        if compiled.filter is not None:
            query = wq.And([query, compiled.filter])
        if request.sort == "relevance" and compiled.has_text:
            results = s.search(query, limit=None)
        else:
            results = s.search(query, limit=None, sortedby="date",
                               reverse=request.sort != "oldest")
        return [docnum for _, docnum in results.top_n]

    def execute(self, request: SearchRequest, parsed: ParsedQuery) -> SearchResult:
        """Answer one search request (see :func:`indexer.search.search`).

        When every word together finds nothing, the words are tried as
        alternatives (OR) and a notice says so; when little is found, a
        spelling suggestion comes from the index's own vocabulary.
        """
        with self._pool.searcher() as s:
            key = (s.reader().generation(), s.doc_count_all(), request)
            cached = self._results.get(key)
            if cached is not None:
                return cached
            result = self._answer(s, request, parsed)
        self._results.put(key, result)
        return result

    def _answer(self, s, request: SearchRequest, parsed: ParsedQuery) -> SearchResult:
        result = self._run(s, request, parsed)
        notices: list[str] = []
        relaxed_used = False
        split = self.compounds and request.mode != "exact"
        if result.total == 0 and _can_relax(parsed, split):
            result = self._run(s, request, _relaxed(parsed, split))
            relaxed_used = result.total > 0
            if relaxed_used:
                notices.append("Ingen paragraf innehöll alla orden. Visar paragrafer som "
                               "innehåller något av dem.")
        suggestion = None
        if result.total < SUGGEST_BELOW and parsed.positive:
            suggestion = suggest(s, request.q)
        if notices or suggestion:
            result = replace(result, notices=result.notices + tuple(notices),
                             suggestion=suggestion, relaxed=relaxed_used)
        return result

    def _run(self, s, request: SearchRequest, parsed: ParsedQuery) -> SearchResult:
        compiled = compile_query(request, parsed, decompound=self.compounds, grams=self.grams)
        query = compiled.query
        if compiled.filter is not None:
            query = wq.And([query, compiled.filter])
        limit = request.page * request.size
        start = (request.page - 1) * request.size
        scored = request.sort == "relevance" and compiled.has_text
        page: list[tuple[int, float]]
        # One evaluation over cached postings gives the exact total, the facet
        # counts and the scores (see indexer.fast_eval); Whoosh's own matchers
        # are the fallback for what it cannot evaluate.
        matches = self._evaluator.evaluate(s, query)
        if matches is not None:
            docnums = matches.ids
            if scored:
                page = top(matches, start, limit)
        else:
            docnums = np.fromiter(s.docs_for_query(query), dtype=np.int64)
            if scored:
                results = s.search(query, limit=limit)
                # islice, not list(): Results.__len__ would count every match again.
                page = [(r.docnum, float(r.score or 0.0))
                        for r in itertools.islice(results, start, limit)]
        facets = count_facets(self._facets.columns(s), docnums)
        if not scored:
            page = [(int(d), 0.0) for d in self._date_order(s, docnums, request)[start:limit]]
        is_match = compiled.matcher(str.lower if request.mode == "exact" else stem)
        hits = []
        for docnum, score in page:
            p = from_stored(s.stored_fields(docnum))
            # The decision is inside the text already: a snippet must not repeat it.
            text = with_decision(p)
            hits.append(Hit(p, make_snippet(text, is_match), score))
        return SearchResult(len(docnums), request.page, request.size, tuple(hits), facets)

    def _date_order(self, s, docnums: np.ndarray, request: SearchRequest) -> np.ndarray:
        """The matches of one page's reach, newest (or oldest) meeting first."""
        limit = request.page * request.size
        if not len(docnums):
            return docnums
        keys = self._facets.date_keys(s)[docnums].astype(np.int64)
        if request.sort != "oldest":
            keys = -keys
        # Ties (one meeting) broken by document number: unique keys keep every
        # page consistent with the others.
        keys = keys * (int(docnums.max()) + 1) + docnums
        if len(docnums) > limit:
            part = np.argpartition(keys, limit - 1)[:limit]
            docnums, keys = docnums[part], keys[part]
        return docnums[np.argsort(keys)]

    # -- writing ---------------------------------------------------------

    @contextmanager
    def _writer(self):
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
            w.commit()

    @contextmanager
    def batch(self, max_documents: int = BATCH_DOCUMENTS) -> Iterator[None]:
        """Group :meth:`replace_source` calls into few commits.

        A commit per document dominated ingest time; inside a batch the
        changes wait in memory and are written with one writer every
        ``max_documents`` sources (and at the end). A crash loses only the
        uncommitted index work; the originals are already archived and the
        next run indexes them again.
        """
        with self._write_lock:
            if self._batch is not None:
                yield
                return
            self._batch = _Batch(max_documents)
            try:
                yield
                self._flush()
            finally:
                self._batch = None

    def _flush(self) -> None:
        batch = self._batch
        if batch is None or not (batch.pending or batch.deleted):
            return
        with self._writer() as w:
            # Deleting every pending id first and adding the new versions as
            # one segment is update_document() for the whole batch, written by
            # the bulk writer instead of posting by posting.
            for pid in itertools.chain(batch.deleted, batch.pending):
                w.delete_by_term("id", pid)
            w.add_documents(to_document(p) for p in batch.pending.values())
        batch.pending.clear()
        batch.deleted.clear()
        batch.sources = 0

    def _current(self, pid: str) -> Paragraph | None:
        batch = self._batch
        if batch is not None:
            if pid in batch.pending:
                return batch.pending[pid]
            if pid in batch.deleted:
                return None
        return self.get(pid)

    def _of_source(self, url: str) -> list[Paragraph]:
        found = {p.id: p for p in self.by_source(url)}
        batch = self._batch
        if batch is not None:
            for pid in batch.deleted:
                found.pop(pid, None)
            for pid, p in batch.pending.items():
                if any(src.url == url for src in p.sources):
                    found[pid] = p
                else:
                    found.pop(pid, None)
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
            self._batch.sources += 1
            if self._batch.sources >= self._batch.max_documents:
                self._flush()
        return change

    def _replace(self, url: str, paragraphs: Sequence[Paragraph], batch: _Batch) -> IndexChange:
        new_ids = {p.id for p in paragraphs}
        added = updated = unchanged = removed = 0
        added_ids: list[str] = []
        deleted: list[Paragraph] = []
        for p in paragraphs:
            old = self._current(p.id)
            merged = merge_sources(old, p)
            if old is None:
                added += 1
                added_ids.append(p.id)
            elif merged == old:
                unchanged += 1
                continue
            else:
                updated += 1
            batch.pending[p.id] = merged
            batch.deleted.discard(p.id)
        for old in self._of_source(url):
            if old.id in new_ids:
                continue
            rest = tuple(s for s in old.sources if s.url != url)
            if rest:
                batch.pending[old.id] = replace(old, sources=rest)
            else:
                batch.pending.pop(old.id, None)
                batch.deleted.add(old.id)
                deleted.append(old)
            removed += 1
        return IndexChange(added, updated, unchanged, removed, tuple(added_ids), tuple(deleted))

    def apply(self, upserts: Sequence[Paragraph], deletes: Sequence[str],
              before_commit: Callable[[int], None] | None = None, *, procs: int = 1) -> int:
        """Write exact versions of paragraphs (a replica's path: no merging of sources).

        ``deletes`` and the ids of ``upserts`` are removed and ``upserts``
        written as one new segment, all in one commit. ``before_commit`` is
        called with the generation the commit will create, before it is
        written, so a caller can record what that generation contains.
        With ``procs`` > 1, at least PARALLEL_APPLY_MIN upserts are analysed
        in that many worker processes (a node catching up: analysis is the
        cost, and starting workers only pays for large batches).
        Returns that generation.
        """
        parallel = (procs > 1 and len(upserts) >= PARALLEL_APPLY_MIN
                    and isinstance(self._ix.storage, FileStorage))
        with self._write_lock, self._writer() as w:
            for pid in itertools.chain(deletes, (p.id for p in upserts)):
                w.delete_by_term("id", pid)
            if parallel:
                w.add_segments(build_in_workers(self._ix, upserts, codec=posting_codec(),
                                                procs=procs, to_fields=to_document))
            elif upserts:
                w.add_documents(to_document(p) for p in upserts)
            generation = w.generation
            if before_commit is not None:
                before_commit(generation)
        return generation

    def add_many(self, paragraphs: Iterable[Paragraph], *, procs: int = 1) -> int:
        """Bulk-load paragraphs into an index being rebuilt (no merging of sources).

        Written by :mod:`indexer.bulk_writer` as new segments, committed as
        one generation; ``procs`` > 1 analyses and writes in that many worker
        processes (an in-memory index has no files to share, so one).
        """
        if not isinstance(self._ix.storage, FileStorage):
            procs = 1
        try:
            return bulk_load(self._ix, paragraphs, codec=posting_codec(), procs=procs,
                             to_fields=to_document, timeout=WRITER_WAIT_S)
        except LockError:
            raise IndexBusy("another process is writing the index") from None

    def snapshot(self, dest: Path) -> int:
        """Copy the index files to ``dest`` while holding the writer lock.

        Segments change only at commits, which the lock holds off, so the copy
        is one consistent generation. Returns the number of files copied.
        """
        directory = getattr(self._ix.storage, "folder", None)
        if directory is None:
            raise ValueError("an in-memory index has no files to copy")
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

    def close(self) -> None:
        self._pool.close()
        self._ix.close()


def _can_relax(parsed: ParsedQuery, compounds: bool) -> bool:
    """Relaxing helps when there is more than one word (or compound part) to try."""
    return bool(parsed.positive) and len(_relaxed(parsed, compounds).clauses[0].alternatives) > 1


def _relaxed(parsed: ParsedQuery, compounds: bool = True) -> ParsedQuery:
    """Every positive word, and each part of a compound word, as one alternative."""
    terms: list[Term] = []
    for c in parsed.positive:
        for t in c.alternatives:
            terms.append(t)
            if compounds and t.kind == "word":
                terms.extend(Term(part) for part in split_cached(t.text.lower())[:2])
    return ParsedQuery(
        (Clause(tuple(terms)), *(c for c in parsed.clauses if c.negated)),
        parsed.filters,
    )


def merge_sources(old: Paragraph | None, new: Paragraph) -> Paragraph:
    """One paragraph from two documents: both sources kept, the better one's text."""
    if old is None:
        return new
    others = tuple(s for s in old.sources if s.url != new.source.url)
    if others and source_rank(others[0]) > source_rank(new.source):
        # Keep the better source's text; just record the new source beside it.
        return replace(old, sources=(*others, *new.sources))
    return replace(new, sources=(*new.sources, *others))


def _number_order(p: Paragraph) -> tuple[int, str]:
    digits = "".join(ch for ch in p.number if ch.isdigit())
    return (int(digits) if digits else 0, p.number)
