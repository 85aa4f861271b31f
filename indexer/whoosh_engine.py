"""The Whoosh-backed index: writing paragraphs, reading them, answering searches.

Readers are long-lived: one searcher per thread (a Whoosh ``Searcher`` is not
thread-safe), refreshed when a commit has made a newer generation.
"""

from __future__ import annotations

import functools
import itertools
import os
import pickle
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import FileStorage, RamStorage, Storage
from whoosh.index import LockError

from paragraf_se.indexer import segment_merge
from paragraf_se.indexer.analysis import stem
from paragraf_se.indexer.budget import Budget
from paragraf_se.indexer.bulk_writer import SegmentsWriter, bulk_load, write_segments
from paragraf_se.indexer.compounds import split_cached
from paragraf_se.indexer.errors import IndexBusy, IndexFormatError
from paragraf_se.indexer.facets import FacetCache, count_facets
from paragraf_se.indexer.fast_eval import Evaluator, Matches, top
from paragraf_se.indexer.model import Paragraph
from paragraf_se.indexer.partial_matches import clause_sets, each_word, partial_matches, terms_of
from paragraf_se.indexer.priors import PriorCache
from paragraf_se.indexer.query import Clause, ParsedQuery, Term
from paragraf_se.indexer.result_cache import ResultCache
from paragraf_se.indexer.schema import (
    DECISION_KIND_FIELD,
    build_schema,
    from_stored,
    source_key,
    to_document,
    with_decision,
)
from paragraf_se.indexer.search import MATCH_ALL, MATCH_PARTIAL, Hit, SearchRequest, SearchResult
from paragraf_se.indexer.searcher_pool import SearcherPool, reader_key
from paragraf_se.indexer.snippets import make_snippet, snippet_text
from paragraf_se.indexer.source_replace import IndexChange, plan_replace
from paragraf_se.indexer.spelling import SUGGEST_BELOW, suggest
from paragraf_se.indexer.whoosh_query import compile_query

INDEX_NAME = "paragraphs"
# A random id written when an index is created: a rebuilt index starts at
# generation 1 again, so generations alone cannot tell two indexes apart.
INDEX_ID_FILE = "INDEX_ID"
# Whoosh's writer lock is an fcntl lock: the kernel drops it when its process
# dies, so a crashed writer never leaves a stale lock behind.
WRITER_WAIT_S = 30.0
EXPORT_SECONDS = 5.0  # the time an export's match set may take to compute
BATCH_DOCUMENTS = 100  # sources per commit inside batch()
# Worker processes take about a second to start: worth it for big commits only.
PARALLEL_FLUSH_FROM = 5_000  # paragraphs
MAX_PENDING_PARAGRAPHS = 40_000  # a batch commits at this many, whatever its sources
# Upserts of one apply() from which worker processes pay for their start-up.
PARALLEL_APPLY_MIN = 1000
# Postings per block. Whoosh's 128 suits its block-skipping matchers; queries
# here decode whole posting lists (indexer.fast_eval), where the per-block
# cost (a pickle and a zlib stream) dominates, so blocks are made larger.
POSTING_BLOCK = 1024


def posting_codec() -> W3Codec:
    """The codec every writer uses (segments remember it; readers need nothing)."""
    return W3Codec(blocklimit=POSTING_BLOCK)


@dataclass
class _Batch:
    """Index changes waiting for one commit."""

    max_documents: int
    procs: int = 1  # bulk-writer processes per commit
    pending: dict[str, Paragraph] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)
    sources: int = 0
    # Source URL -> ids pending with it (at some point): finding a source's
    # pending paragraphs must not scan every pending paragraph per document.
    by_url: dict[str, set[str]] = field(default_factory=dict)
    # Ids the lookups found in the index, and the index identity they saw:
    # if no other writer committed since, only these need deleting at the
    # flush (a deletion costs ~0.25 ms; a bulk import of new documents has none).
    in_index: set[str] = field(default_factory=set)
    seen: tuple | None = None

    def put(self, p: Paragraph) -> None:
        self.pending[p.id] = p
        self.deleted.discard(p.id)
        for src in p.sources:
            self.by_url.setdefault(src.url, set()).add(p.id)


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
        self._facets = FacetCache()
        self._results = ResultCache()
        self._evaluator = Evaluator()
        self._priors = PriorCache()
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
        # The evaluator bounds prefix expansion as a search does (Whoosh's own
        # Prefix expands to every matching term); exports get more time.
        matches = self._evaluator.evaluate(s, query, Budget(EXPORT_SECONDS))
        if matches is not None:
            if request.sort == "relevance" and compiled.has_text:
                order = np.lexsort((matches.ids, -matches.scores))
                return [int(d) for d in matches.ids[order]]
            return [int(d) for d in self._date_order(s, matches.ids, request, all_of=True)]
        if request.sort == "relevance" and compiled.has_text:
            results = s.search(query, limit=None)
        else:
            results = s.search(query, limit=None, sortedby="date",
                               reverse=request.sort != "oldest")
        return [docnum for _, docnum in results.top_n]

    def execute(self, request: SearchRequest, parsed: ParsedQuery,
                budget: Budget | None = None) -> SearchResult:
        """Answer one search request (see :func:`indexer.search.search`).

        When every word together finds nothing, the words are tried as
        alternatives (OR) and a notice says so; when little is found, a
        spelling suggestion comes from the index's own vocabulary.
        """
        budget = budget or Budget()
        with self._pool.searcher() as s:
            key = (reader_key(s), request)
            cached = self._results.get(key)
            if cached is not None:
                return cached
            result = self._answer(s, request, parsed, budget)
        if "time" not in budget.cut:  # a result cut short by the clock may differ next time
            self._results.put(key, result)
        return result

    def _answer(self, s, request: SearchRequest, parsed: ParsedQuery,
                budget: Budget) -> SearchResult:
        result = self._run(s, request, parsed, budget)
        notices: list[str] = []
        relaxed_used = False
        split = self.compounds and request.mode != "exact"
        if result.total == 0 and _can_relax(parsed, split) and not budget.expired():
            relaxed = _relaxed(parsed, split)
            result = self._run(s, request, relaxed, budget, words_of=each_word(relaxed))
            relaxed_used = result.total > 0
            if relaxed_used:
                notices.append("Ingen paragraf innehöll alla orden. Visar paragrafer som "
                               "innehåller något av dem.")
        suggestion = None
        if result.total < SUGGEST_BELOW and parsed.positive and not budget.expired():
            suggestion = suggest(s, request.q, budget)
        if "expansion" in budget.cut or "time" in budget.cut:
            notices.append("Sökningen var för omfattande och begränsades (till exempel ord* "
                           "som passar väldigt många ord); alla träffar kanske inte visas.")
        if notices or suggestion:
            result = replace(result, notices=result.notices + tuple(notices),
                             suggestion=suggestion, relaxed=relaxed_used)
        return result

    def _run(self, s, request: SearchRequest, parsed: ParsedQuery,
             budget: Budget | None = None, *,
             words_of: ParsedQuery | None = None) -> SearchResult:
        """One page of ``parsed``'s matches.

        ``words_of`` is set when ``parsed`` is the any-word relaxation of the
        query typed: every hit is then a partial match, and ``words_of`` has
        each of its words (and compound parts) as a clause of its own.
        """
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
        matches = self._evaluator.evaluate(s, query, budget)
        priors = self._priors.priors(s) if scored else None
        if matches is not None:
            docnums = matches.ids
            if scored:
                if priors is not None and len(docnums):
                    # A decision ranks above paragraphs that only postpone,
                    # refer back or note the same matter (indexer.priors).
                    matches = Matches(docnums, matches.scores * priors[docnums])
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
        # The words as typed: the relaxed query has the same words as one clause.
        typed = compiled if words_of is None else compile_query(
            request, words_of, decompound=self.compounds, grams=self.grams)
        # Each clause is evaluated on its own only when a short first page is to
        # be continued, or to tell which words each any-word hit has: a full
        # match has every clause by definition, so a full page costs nothing more.
        continues = (words_of is None and len(compiled.clauses) > 1 and request.page == 1
                     and 0 < len(docnums) < request.size)
        sets = None
        if compiled.has_text and (continues or (words_of is not None and page)):
            sets = clause_sets(self._evaluator, s, typed)
        partial: list[tuple[int, float]] = []
        partial_total = 0
        if continues and sets is not None:
            dates = self._facets.date_keys(s) if request.sort != "relevance" else None
            partial, partial_total = partial_matches(
                self._evaluator, s, compiled, sets, docnums, request.size - len(page),
                priors=priors, dates=dates, newest_first=request.sort != "oldest")
        every_clause = tuple(text for text, _ in typed.clauses)
        is_match = typed.matcher(str.lower if request.mode == "exact" else stem)
        kinds = self._priors.kinds(s, [d for d, _ in page + partial])
        hits = []
        for i, (docnum, score) in enumerate(page + partial):
            p = from_stored(s.stored_fields(docnum))
            # The decision is inside the text already: a snippet must not repeat it;
            # case-number lines and headings are left out of it.
            text = snippet_text(with_decision(p), p.title)
            is_partial = words_of is not None or i >= len(page)
            terms = terms_of(sets, docnum) if is_partial else every_clause
            hits.append(Hit(p, make_snippet(text, is_match), score,
                            MATCH_PARTIAL if is_partial else MATCH_ALL, terms, kinds[i]))
        return SearchResult(len(docnums), request.page, request.size, tuple(hits), facets,
                            partial_total=partial_total)

    def _date_order(self, s, docnums: np.ndarray, request: SearchRequest, *,
                    all_of: bool = False) -> np.ndarray:
        """The matches of one page's reach (or ``all_of`` them), newest (or oldest) first."""
        limit = len(docnums) if all_of else request.page * request.size
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
        segments in that many bulk-writer processes (for large batches: each
        commit starts them afresh).
        """
        with self._write_lock:
            if self._batch is not None:
                yield
                return
            if not isinstance(self._ix.storage, FileStorage):
                procs = 1
            self._batch = _Batch(max_documents, procs, seen=index_identity(self._ix))
            try:
                yield
                self._flush()
            finally:
                self._batch = None

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
            if batch.procs > 1 and len(batch.pending) >= PARALLEL_FLUSH_FROM:
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
                for pid in missing:
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
            self._batch.sources += 1
            if (self._batch.sources >= self._batch.max_documents
                    or len(self._batch.pending) >= MAX_PENDING_PARAGRAPHS):
                self._flush()
        return change

    def _replace(self, url: str, paragraphs: Sequence[Paragraph], batch: _Batch) -> IndexChange:
        plan = plan_replace(url, paragraphs, self._current_many([p.id for p in paragraphs]),
                            self._of_source(url))
        for p in plan.writes:
            batch.put(p)
        for old in plan.deletes:
            batch.pending.pop(old.id, None)
            batch.deleted.add(old.id)
        return plan.change

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
        """Merge small segments (see :mod:`indexer.segment_merge`); the new generation or None.

        The merged segments are analysed without holding the writer lock, so
        commits of :meth:`apply` go on meanwhile; the lock is held only to
        move the new files in and commit. ``before_commit`` is as in
        :meth:`apply`. ``policy`` passes ``fanout``/``max_docs`` to the plan.
        None when nothing needed merging or another merge got there first.
        """
        folder = getattr(self._ix.storage, "folder", None)
        if folder is None:
            return None
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

        Written by :mod:`indexer.bulk_writer` as new segments, committed as
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


def index_identity(ix) -> tuple | None:
    """Which index a directory holds now: its id, generation and TOC file's stat.

    The generation alone repeats (every rebuild is generation 1); the id
    file and the table of contents' inode, mtime and size change with every
    rebuild, restore and commit. None while the directory is being swapped.
    """
    try:
        gen = ix.latest_generation()
    except OSError:
        return None
    if not isinstance(ix.storage, FileStorage):  # in memory: nothing swaps it
        return (gen,)
    folder = ix.storage.folder
    try:
        st = os.stat(os.path.join(folder, f"_{ix.indexname}_{gen}.toc"))
    except OSError:
        return None
    try:
        with open(os.path.join(folder, INDEX_ID_FILE), encoding="ascii") as f:
            index_id = f.read().strip()
    except OSError:
        index_id = ""  # made before index ids; the TOC's stat still tells rebuilds apart
    return (index_id, gen, st.st_ino, st.st_mtime_ns, st.st_size)


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


def _number_order(p: Paragraph) -> tuple[int, str]:
    digits = "".join(ch for ch in p.number if ch.isdigit())
    return (int(digits) if digits else 0, p.number)
