"""Bulk loading: Whoosh segments written without Whoosh's per-posting machinery.

Whoosh's ``SegmentWriter`` sends every posting through a sorting pool and
then through the posting writer one call at a time, asserting types and
looking up field lengths per posting: about 7 µs a posting, and a paragraph
has some 290. Here documents arrive in docnum order, so each term's postings
are simply appended to arrays as documents are analysed (no sort), and when
a segment is written each block of up to ``blocklimit`` postings costs one
pickle call. The files are ordinary Whoosh 3 segments, read by Whoosh's own
readers; a test compares every term, posting, stored field and column with
what ``SegmentWriter`` writes for the same documents. Terms with long
posting lists also go to a sidecar of raw arrays (:mod:`indexer.whoosh.postings_sidecar`).

Several worker processes each write their own segments from a share of the
documents; the parent holds the index lock and commits them all in one new
generation, so readers see all of a bulk load or none of it.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import sub
from pickle import dumps

import numpy as np
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3PerDocWriter,
    W3TermInfo,
    _lenfield,
)
from whoosh.filedb import filetables
from whoosh.index import FileIndex
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from paragraf_se.indexer.orphan_guard import die_with_parent
from paragraf_se.indexer.whoosh.field_postings import field_postings
from paragraf_se.indexer.whoosh.postings_sidecar import EXTENSION as SIDECAR_EXTENSION
from paragraf_se.indexer.whoosh.postings_sidecar import MIN_DOC_FREQ, SidecarWriter
from paragraf_se.indexer.whoosh.text_postings import TextPostings, length_bytes, text_kind

# A segment is written when the documents buffered for it hold this many
# postings (~25 bytes each while buffered: document number, weight and
# mostly shared value objects).
SEGMENT_POSTINGS = 40_000_000
CHUNK_DOCUMENTS = 500  # documents per message to a worker process
# Whoosh pickles blocks with protocol 2, where every bytes value (the
# encoded positions) becomes a call to _codecs.encode: slow to write and
# slower to read. Whoosh unpickles any protocol, so blocks use the newest.
PICKLE_PROTOCOL = 5
# zlib pays off on blocks of some size; a block of a few postings is
# mostly pickle framing. Readers honour each block's compression flag.
COMPRESS_FROM = 256
_TERMINFO = W3TermInfo._struct
WORKER_POLL_S = 1.0


class BulkLoadError(RuntimeError):
    """A worker process failed; nothing of the load was committed."""


class _Terms:
    """One field's buffered postings: per term, doc numbers, weights and values."""

    __slots__ = ("fixed_size", "lengths", "scorable", "terms")

    def __init__(self, fixed_size: int | None, scorable: bool) -> None:
        self.fixed_size = fixed_size
        self.scorable = scorable
        # term bytes -> (docnums, weights, encoded values). Values are mostly
        # shared objects (a term seen once in a paragraph has one of a few
        # thousand encodings), so a list costs a pointer per posting.
        self.terms: dict[bytes, tuple[array, array, list[bytes]]] = {}
        self.lengths = array("B")  # length byte per document, as the lengths column has it


class SegmentBuilder:
    """Analyses documents and writes them as one Whoosh segment of ``storage``."""

    def __init__(self, storage, indexname: str, schema, codec: W3Codec, *,
                 sidecar_min_df: int | None = None) -> None:
        for name in schema.names():
            field = schema[name]
            if field.vector or field.separate_spelling():
                raise ValueError(f"bulk loading does not handle vectors or spelling ({name})")
        self.storage = storage
        self.schema = schema
        self.codec = codec
        self.segment = codec.new_segment(storage, indexname)
        self._perdoc = W3PerDocWriter(codec, storage, self.segment)
        self._fields: dict[str, _Terms] = {}
        texts: dict[str, str] = {}
        for name in schema.names():
            field = schema[name]
            kind = text_kind(field) if field.indexed else None
            if kind is not None:
                texts[name] = kind
            elif field.indexed:
                self._fields[name] = _Terms(field.format.fixed_value_size(), field.scorable)
        # The text fields (most of the postings) go through columns of word ids.
        self._text = TextPostings(texts)
        self._text_fields = sorted(texts)
        self.doccount = 0
        self._postings = 0
        self._sidecar_min_df = MIN_DOC_FREQ if sidecar_min_df is None else sidecar_min_df

    def add_document(self, fields: dict[str, object]) -> None:
        """Add one document (field name -> value), as ``IndexWriter.add_document`` takes it."""
        schema = self.schema
        perdoc = self._perdoc
        docnum = self.doccount
        unknown = [name for name in fields if name not in schema]
        if unknown:
            raise ValueError(f"no field named {unknown[0]!r} in the schema")
        text = self._text
        perdoc.start_doc(docnum)
        for name in sorted(fields):
            value = fields[name]
            if value is None:
                continue
            field = schema[name]
            length = 0
            if name in text and isinstance(value, str):
                # Its length is written with the segment (see finish).
                text.add(name, docnum, value)
            elif field.indexed:
                length = self._index(name, field, value, docnum)
            perdoc.add_field(name, field, value if field.stored else None, length)
            if field.column_type:
                perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        perdoc.finish_doc()
        text.end_document()
        self.doccount += 1

    @property
    def postings(self) -> int:
        """Postings buffered (undigested text: its tokens, an upper bound)."""
        return self._postings + self._text.buffered

    def _index(self, name: str, field, value, docnum: int) -> int:
        buf = self._fields[name]
        terms = buf.terms
        get = terms.get
        postings = field_postings(field, value)
        length = 0
        keep_values = buf.fixed_size != 0
        for tbytes, freq, weight, vbytes in postings:
            entry = get(tbytes)
            if entry is None:
                entry = terms[tbytes] = (array("I"), array("f"), [])
            entry[0].append(docnum)
            entry[1].append(weight)
            if keep_values:
                entry[2].append(vbytes)
            length += freq
        self._postings += len(postings)
        lengths = buf.lengths
        if len(lengths) < docnum:
            lengths.extend(bytes(docnum - len(lengths)))
        if not buf.scorable:
            lengths.append(0)
            return 0
        lengths.append(length_to_byte(length))
        return length

    def abort(self) -> None:
        """Close the files of a segment that will not be committed.

        What was written is left for Whoosh's clean-up of files that belong
        to no segment of the index.
        """
        if not self._perdoc.is_closed:
            self._perdoc.close()

    def finish(self):
        """Write the segment's files and return the (unassembled-compound) segment."""
        text_lengths = {name: self._text.lengths(name, self.doccount)
                        for name in self._text_fields}
        self._write_text_lengths(text_lengths)
        self._perdoc.close()
        segment = self.segment
        segment.set_doc_count(self.doccount)
        tindex = filetables.OrderedHashWriter(segment.create_file(self.storage,
                                                                  W3Codec.TERMS_EXT))
        fieldmap = tindex.extras["fieldmap"] = {}
        postfile = segment.create_file(self.storage, W3Codec.POSTS_EXT)
        sidecar = SidecarWriter(segment.create_file(self.storage, SIDECAR_EXTENSION))
        # Fields in name order and terms in byte order: the key order of the
        # terms table, exactly as Whoosh's FieldWriter.add_postings makes it.
        for name in sorted([*self._fields, *self._text_fields]):
            if name in text_lengths:
                self._write_text_field(name, text_lengths.pop(name), tindex, fieldmap,
                                       postfile, sidecar)
                continue
            buf = self._fields[name]
            if not buf.terms:
                continue
            fieldid = fieldmap[name] = len(fieldmap)
            prefix = pack_ushort(fieldid)
            lengths = np.frombuffer(buf.lengths, dtype=np.uint8)
            if len(lengths) < self.doccount:
                lengths = np.concatenate([lengths, np.zeros(self.doccount - len(lengths),
                                                            dtype=np.uint8)])
            writer = _PostingsWriter(postfile, self.codec, buf.fixed_size, lengths)
            for tbytes in sorted(buf.terms):
                docs, weights, values = buf.terms.pop(tbytes)
                tindex.add(prefix + tbytes, writer.write_term(docs, weights, values))
                if len(docs) >= self._sidecar_min_df:
                    sidecar.add(name, tbytes, np.frombuffer(docs, dtype=np.uint32),
                                np.frombuffer(weights, dtype=np.float32))
        tindex.close()
        postfile.close()
        sidecar.close()
        return segment

    def _write_text_lengths(self, text_lengths: dict[str, np.ndarray]) -> None:
        """The length column and total length of each text field, as
        ``PerDocumentWriter.add_field`` would have written them document by document."""
        perdoc = self._perdoc
        for name, lengths in text_lengths.items():
            if not self.schema[name].scorable:
                continue
            lbs = length_bytes(lengths)
            column = _lenfield(name)
            for docnum in np.flatnonzero(lengths).tolist():
                perdoc._docnum = docnum
                perdoc.add_column_value(column, LENGTHS_COLUMN, int(lbs[docnum]))
            # W3PerDocWriter keeps the field totals it gives the segment here
            # (unscored fields have none: their lengths are not kept).
            if self.schema[name].scorable:
                perdoc._fieldlengths[name] += int(lengths.sum())

    def _write_text_field(self, name: str, lengths: np.ndarray, tindex, fieldmap, postfile,
                          sidecar) -> None:
        found = self._text.postings(name)
        if found is None:
            return
        field = self.schema[name]
        prefix = pack_ushort(fieldmap.setdefault(name, len(fieldmap)))
        if not field.scorable:  # as _index: an unscored field has no lengths
            lengths = np.zeros_like(lengths)
        writer = _PostingsWriter(postfile, self.codec, field.format.fixed_value_size(),
                                 length_bytes(lengths))
        boost = field.format.field_boost
        weights = (found.freqs * boost).astype(np.float32)
        # Without a boost the weights are the frequencies: written as ints.
        # Arrays, not lists: a list holds an int object per posting.
        docs_l = array("I", found.docs.astype(np.uint32).tobytes())
        weights_l = (array("I", found.freqs.astype(np.uint32).tobytes()) if boost == 1.0
                     else array("f", weights.tobytes()))
        values_l = found.values
        min_df = self._sidecar_min_df
        for tbytes, lo, hi in found.by_term():
            tindex.add(prefix + tbytes, writer.write_term(docs_l[lo:hi], weights_l[lo:hi],
                                                          values_l[lo:hi]))
            if hi - lo >= min_df:
                sidecar.add(name, tbytes, found.docs[lo:hi], weights[lo:hi])


class _PostingsWriter:
    """Writes one field's posting lists in Whoosh 3 block format."""

    def __init__(self, postfile, codec: W3Codec, fixed_size: int | None,
                 lengths: np.ndarray) -> None:
        self._file = postfile
        self._offset = postfile.tell()
        self._blocklimit = codec._blocklimit
        self._compression = codec._compression
        self._fixed_size = fixed_size
        self._length_of = lengths.tolist().__getitem__  # docnum -> length byte

    def write_term(self, docs: Sequence[int], weights: Sequence, values: Sequence[bytes]
                   ) -> bytes:
        """Write one term's postings; return its terminfo bytes (``W3TermInfo.to_bytes``).

        ``weights`` may be ints (term frequencies of a field without boost):
        a block's weights are then pickled as ints, 2 bytes each instead of a
        float's 9, which both Whoosh's reader and the evaluator take as numbers.
        """
        n = len(docs)
        limit = self._blocklimit
        parts = [WHOOSH3_HEADER_MAGIC]
        minlb = None
        maxlb = 0
        for lo in range(0, n, limit):
            hi = min(n, lo + limit)
            bmin, bmax = self._block(parts, docs[lo:hi], weights[lo:hi], values, lo, hi,
                                     hi == n)
            if bmin is not None and (minlb is None or bmin < minlb):
                minlb = bmin
            maxlb = max(maxlb, bmax)
        data = b"".join(parts)
        self._file.write(data)
        start = self._offset
        self._offset += len(data)
        # W3TermInfo.to_bytes for a posting list that is not inlined.
        return _TERMINFO.pack(0, float(sum(weights)), n, minlb or 0, maxlb, max(weights),
                              docs[0], docs[-1]) + pack_long(start) + pack_int(len(data))

    def _block(self, parts: list[bytes], ids: Sequence[int], ws: Sequence,
               values: Sequence[bytes],
               lo: int, hi: int, last: bool) -> tuple[int | None, int]:
        # Delta-coded ids and the length bytes of the block's documents, in C loops.
        mini_ids = tuple(map(sub, ids, [0, *ids[:-1]]))
        lbs = list(map(self._length_of, ids))
        maxlb = max(lbs)
        minlb = min(lbs)
        if not minlb:  # unscored fields have no lengths; a zero is not a length
            nonzero = [b for b in lbs if b]
            minlb = min(nonzero) if nonzero else None
        first = ws[0]
        if ws.count(first) == len(ws):
            # Whoosh tells a uniform block by a float (None for all 1.0).
            mini_weights = None if first == 1.0 else float(first)
        else:
            mini_weights = tuple(ws)
        size = self._fixed_size
        if size == 0:
            mini_values = None
        elif size is None:
            mini_values = tuple(values[lo:hi])
        else:
            mini_values = b"".join(values[lo:hi])
        data = dumps((mini_ids, mini_weights, mini_values), PICKLE_PROTOCOL)
        comp = self._compression if len(data) >= COMPRESS_FROM else 0
        if comp:
            data = zlib.compress(data, comp)
        info = dumps((hi - lo, ids[-1], max(ws), comp, minlb or 0, maxlb), PICKLE_PROTOCOL)
        blocklength = len(info) + len(data)
        parts.append(pack_int(-blocklength if last else blocklength))
        parts.append(info)
        parts.append(data)
        return minlb, maxlb


# -- loading in worker processes -------------------------------------------------


class SegmentsWriter(SegmentWriter):
    """A Whoosh writer whose new documents go into segments of :class:`SegmentBuilder`.

    Deletions, the merge policy and the commit are Whoosh's: documents added
    with :meth:`add_documents` (or segments built elsewhere, given to
    :meth:`add_segments`) join the index in the same generation as the
    deletions, so a replaced paragraph is never missing or doubled.
    """

    def __init__(self, ix, **kwargs) -> None:
        super().__init__(ix, **kwargs)
        self._built: list = []

    def add_documents(self, documents: Iterable[dict[str, object]],
                      segment_postings: int = SEGMENT_POSTINGS) -> None:
        """Analyse and write ``documents`` (field dicts) as new segments, in this process."""
        self._check_state()
        self._built.extend(_build_segments(self.storage, self.indexname, self.schema,
                                           self.codec, documents, segment_postings))

    def add_segments(self, segments: list) -> None:
        """Commit ``segments`` (assembled, of this index's storage) with this writer."""
        self._check_state()
        self._built.extend(segments)

    def commit(self, mergetype=None, optimize=None, merge=None) -> None:
        self._check_state()
        try:
            segments = self._merge_segments(mergetype, optimize, merge)
            if self._added:  # documents from merged segments, Whoosh's way
                segments.append(self._finalize_segment())
            else:
                self._close_segment()
            self._commit_toc([*segments, *self._built])
        except Exception:
            self._cleanup_on_error()
            raise
        self._finish()


def _build_segments(storage, indexname: str, schema, codec: W3Codec,
                    documents: Iterable[dict[str, object]],
                    segment_postings: int) -> list:
    """Write ``documents`` as one or more assembled segments; return them."""
    segments = []
    builder = None
    try:
        for fields in documents:
            if builder is None:
                builder = SegmentBuilder(storage, indexname, schema, codec)
            builder.add_document(fields)
            if builder.postings >= segment_postings:
                segments.append(_assemble(builder))
                builder = None
    except BaseException:
        if builder is not None:
            builder.abort()
        raise
    if builder is not None and builder.doccount:
        segments.append(_assemble(builder))
    return segments


def _assemble(builder: SegmentBuilder):
    segment = builder.finish()
    segment.create_compound_file(builder.storage)
    return segment


def next_chunk(inbox, parent: int) -> object:
    """A worker's next message from the loading process.

    A parent killed outright cannot stop its workers: an orphan notices it
    has been re-parented and quits with :class:`BulkLoadError`.
    """
    while True:
        try:
            return inbox.get(timeout=WORKER_POLL_S)
        except queue.Empty:
            if os.getppid() != parent:
                raise BulkLoadError("the loading process is gone") from None


def _worker(folder: str, indexname: str, blocklimit: int, inbox, outbox,
            to_fields: Callable[[object], dict[str, object]] | None,
            segment_postings: int, parent: int) -> None:
    """Worker process: builds segments from chunks until it gets None.

    ``parent`` is the loading process's pid, passed in rather than read
    here: the parent may already be dead when this process gets this far.
    """
    # Before anything that can block: a parent killed at any moment takes
    # this worker with it (see indexer.orphan_guard).
    die_with_parent(parent)
    failed = False
    try:
        from whoosh.filedb.filestore import FileStorage

        storage = FileStorage(folder, supports_mmap=False)
        schema = storage.open_index(indexname).schema

        def documents() -> Iterator[dict[str, object]]:
            while True:
                chunk = next_chunk(inbox, parent)
                if chunk is None:
                    return
                for item in chunk:
                    yield to_fields(item) if to_fields else item

        segments = _build_segments(storage, indexname, schema, W3Codec(blocklimit=blocklimit),
                                   documents(), segment_postings)
        outbox.put(("ok", segments))
    except BaseException as exc:  # reported to the parent, which cancels the load
        outbox.put(("error", f"{type(exc).__name__}: {exc}"))
        failed = True
    if failed:
        # A non-zero exit code lets a parent blocked on this worker's full
        # inbox notice; the queue is flushed before the process ends.
        raise SystemExit(1)


def bulk_load(ix: FileIndex, items: Iterable[object], *, codec: W3Codec, procs: int = 1,
              to_fields: Callable[[object], dict[str, object]] | None = None,
              timeout: float = 0.0, segment_postings: int = SEGMENT_POSTINGS) -> int:
    """Add ``items`` to ``ix`` as new segments, committed as one generation.

    ``to_fields`` turns an item into a document's fields (it must be an
    importable function when ``procs`` > 1). Raises ``whoosh.index.LockError``
    when another writer holds the index, :class:`BulkLoadError` when a
    worker fails; then nothing is committed.
    """
    writer = SegmentsWriter(ix, timeout=timeout, codec=codec)
    try:
        if procs <= 1:
            docs = (to_fields(i) if to_fields else i for i in items)
            counted = _Counted(docs)
            segments = _build_segments(ix.storage, ix.indexname, writer.schema, codec,
                                       counted, segment_postings)
            count = counted.n
        else:
            segments, count = _load_in_workers(ix, items, codec, procs, to_fields,
                                               segment_postings)
    except BaseException:
        writer.cancel()
        raise
    writer.add_segments(segments)
    writer.commit(merge=False)
    return count


def write_segments(ix: FileIndex, items: Iterable[object], *, codec: W3Codec, procs: int,
                   to_fields: Callable[[object], dict[str, object]] | None = None,
                   segment_postings: int = SEGMENT_POSTINGS,
                   in_workers: bool | None = None) -> tuple[list, int]:
    """Write ``items`` as new segments of ``ix`` without committing them.

    For a caller that holds the index's writer (a :class:`SegmentsWriter`)
    and commits the segments with its own deletions, in one generation.
    ``in_workers`` (default: ``procs`` > 1) analyses in ``procs`` worker
    processes even when there is one: a caller with threads of its own
    keeps the interpreter lock free. Returns the segments and how many
    items they hold.
    """
    if not (procs > 1 if in_workers is None else in_workers):
        counted = _Counted(to_fields(i) if to_fields else i for i in items)
        segments = _build_segments(ix.storage, ix.indexname, ix.schema, codec, counted,
                                   segment_postings)
        return segments, counted.n
    return _load_in_workers(ix, items, codec, max(1, procs), to_fields, segment_postings)


class _Counted:
    def __init__(self, it: Iterable) -> None:
        self._it = iter(it)
        self.n = 0

    def __iter__(self):
        for x in self._it:
            self.n += 1
            yield x


def _load_in_workers(ix: FileIndex, items: Iterable[object], codec: W3Codec, procs: int,
                     to_fields, segment_postings: int) -> tuple[list, int]:
    ctx = multiprocessing.get_context("spawn")
    outbox = ctx.Queue()
    inboxes = [ctx.Queue(maxsize=4) for _ in range(procs)]
    workers = [ctx.Process(target=_worker, daemon=True,
                           args=(ix.storage.folder, ix.indexname, codec._blocklimit, inbox,
                                 outbox, to_fields, segment_postings, os.getpid()))
               for inbox in inboxes]
    for w in workers:
        w.start()
    count = 0
    try:
        chunk: list = []
        turn = 0
        for item in items:
            chunk.append(item)
            if len(chunk) >= CHUNK_DOCUMENTS:
                _send(inboxes[turn], chunk, workers, outbox)
                count += len(chunk)
                turn = (turn + 1) % procs
                chunk = []
        if chunk:
            _send(inboxes[turn], chunk, workers, outbox)
            count += len(chunk)
        for inbox in inboxes:
            _send(inbox, None, workers, outbox)
        segments = []
        for _ in workers:
            status, payload = _receive(outbox, workers)
            if status != "ok":
                raise BulkLoadError(f"a bulk-load worker failed: {payload}")
            segments.extend(payload)
        return segments, count
    finally:
        for w in workers:
            if w.is_alive():
                w.terminate()
            w.join()


def _send(inbox, chunk, workers, outbox) -> None:
    # A worker that died would leave put() blocked on a full queue forever.
    while True:
        try:
            inbox.put(chunk, timeout=WORKER_POLL_S)
            return
        except queue.Full:
            _check_alive(workers, outbox)


def _receive(outbox, workers):
    while True:
        try:
            return outbox.get(timeout=WORKER_POLL_S)
        except queue.Empty:
            _check_alive(workers, outbox)


def _check_alive(workers, outbox) -> None:
    for w in workers:
        if not w.is_alive() and w.exitcode not in (0, None):
            try:
                _status, payload = outbox.get(timeout=WORKER_POLL_S)
            except queue.Empty:
                payload = f"exit code {w.exitcode}"
            raise BulkLoadError(f"a bulk-load worker failed: {payload}")
