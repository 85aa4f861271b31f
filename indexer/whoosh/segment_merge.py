"""Merging small index segments with the bulk writer, off the write path.

An index written by many small commits (a serving node applying the change
log every fraction of a second) gains a segment per commit. Whoosh's own
merge policy folds small segments together inside the next commit, posting
by posting in Python: seconds for a few thousand paragraphs, during which
that commit, and every change queued behind it, waits. Here commits merge
nothing, and a merge is three steps:

1. :func:`plan` reads the current generation's segment list (no lock) and
   chooses segments by size tier (:func:`choose`);
2. :func:`build` re-analyses their live documents from the stored fields
   into new segments of a scratch index beside the live one, with the bulk
   writer (no lock: the live index keeps taking commits meanwhile);
3. :func:`install`, holding the index's writer, moves the new files in,
   carries over the deletions committed since the plan's generation, and
   the caller commits a generation without the merged segments.

Only a merge removes segments from the table of contents, so the planned
segments' files stay in place while they are read. A merge that finds its
segments gone (another merge won) is dropped; a process killed at any step
leaves at worst files that belong to no segment, which Whoosh's clean-up at
the next commit deletes (and the scratch folder, which the next merge
removes).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader

from paragraf_se.indexer.whoosh.bulk_writer import write_segments

# Segments per size tier that trigger a merge of that tier (and those below).
# A paragraph is re-analysed about once per tier it climbs (log base FANOUT
# of the index size), so a larger fan-out costs less CPU and leaves more
# segments for searches to visit.
FANOUT = 10
# Segments this large are never merged again: merging them would cost a
# rebuild's analysis for a small gain in search speed.
MAX_MERGE_DOCS = 200_000
# Below this many live documents a merge is analysed in the calling thread;
# from it, in one worker process, so a serving node's searches and applies
# do not share the interpreter lock with a long analysis.
IN_PROCESS_BELOW = 2_000


def tier(live: int, fanout: int = FANOUT) -> int:
    """A segment's size tier: 0 below ``fanout`` live documents, +1 per factor ``fanout``."""
    level = 0
    while live >= fanout:
        live //= fanout
        level += 1
    return level


def choose(segments: Sequence[tuple[str, int]], fanout: int = FANOUT,
           max_docs: int = MAX_MERGE_DOCS) -> list[str]:
    """The ids of the segments to merge now, from (segment id, live documents) pairs.

    Segments without live documents are always chosen (dropping them costs
    nothing). Otherwise: the lowest tier holding ``fanout`` or more segments
    below ``max_docs``, together with every smaller segment; nothing when no
    tier is that full.
    """
    chosen = [sid for sid, live in segments if live == 0]
    tiers: dict[int, list[str]] = {}
    for sid, live in segments:
        if 0 < live < max_docs:
            tiers.setdefault(tier(live, fanout), []).append(sid)
    for level in sorted(tiers):
        if len(tiers[level]) >= fanout:
            chosen += [sid for lv in sorted(tiers) if lv <= level for sid in tiers[lv]]
            break
    return chosen


@dataclass(frozen=True)
class MergePlan:
    """Segments chosen from one generation, with the deletions they had then."""

    generation: int
    segments: tuple  # whoosh Segment objects as that generation's TOC lists them
    deleted: dict[str, frozenset[int]]  # segment id -> deleted docnums at that generation

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(s.segment_id() for s in self.segments)


@dataclass
class MergedSegments:
    """What :func:`build` wrote: new segments in a scratch folder, and where each doc came from."""

    folder: Path
    segments: list  # assembled whoosh segments, files in ``folder``
    origin: list[tuple[str, int]]  # new document i (over all segments) -> (segment id, docnum)


def plan(ix, *, fanout: int = FANOUT, max_docs: int = MAX_MERGE_DOCS) -> MergePlan | None:
    """What to merge in the index's current generation (None: nothing to do)."""
    toc = ix._read_toc()
    live = [(s.segment_id(), s.doc_count()) for s in toc.segments]
    wanted = set(choose(live, fanout, max_docs))
    if not wanted:
        return None
    segments = tuple(s for s in toc.segments if s.segment_id() in wanted)
    return MergePlan(toc.generation, segments,
                     {s.segment_id(): frozenset(s.deleted_docs() if s.has_deletions() else ())
                      for s in segments})


def build(ix, merge: MergePlan, folder: Path, *, decode: Callable[[dict], object],
          to_fields: Callable[[object], dict[str, object]], codec: W3Codec) -> MergedSegments:
    """Write the live documents of ``merge.segments`` as new segments in ``folder``.

    ``decode`` turns a document's stored fields into the item ``to_fields``
    takes (``to_fields`` must be importable: large merges run in a worker).
    """
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    scratch = FileStorage(str(folder), supports_mmap=False).create_index(
        ix.schema, indexname=ix.indexname)
    origin: list[tuple[str, int]] = []
    live = sum(s.doc_count() for s in merge.segments)

    def items():
        for seg in merge.segments:
            reader = SegmentReader(ix.storage, ix.schema, seg)
            try:
                sid = seg.segment_id()
                for docnum, stored in reader.iter_docs():
                    origin.append((sid, docnum))
                    yield decode(stored)
            finally:
                reader.close()

    segments, _ = write_segments(scratch, items(), codec=codec, procs=1, to_fields=to_fields,
                                 in_workers=live >= IN_PROCESS_BELOW)
    scratch.close()
    return MergedSegments(folder, segments, origin)


def install(writer, merge: MergePlan, merged: MergedSegments) -> bool:
    """Move ``merged`` into the index ``writer`` holds; False when the plan is stale.

    The new segments get the deletions committed to the merged ones since
    ``merge.generation``. The caller then commits the writer with
    :func:`drop` as its merge policy.
    """
    current = {s.segment_id(): s for s in writer.segments}
    if not merge.ids <= current.keys():
        return False
    since = {sid: set(current[sid].deleted_docs() if current[sid].has_deletions() else ())
             - merge.deleted[sid] for sid in merge.ids}
    # The documents of the new segments, in order, are ``merged.origin``.
    i = 0
    for seg in merged.segments:
        for local in range(seg.doc_count_all()):
            sid, docnum = merged.origin[i + local]
            if docnum in since[sid]:
                seg.delete_document(local)
        i += seg.doc_count_all()
    target = Path(writer.storage.folder)
    for seg in merged.segments:
        for name in seg.list_files(FileStorage(str(merged.folder))):
            os.replace(merged.folder / name, target / name)
    writer.add_segments(merged.segments)
    return True


def drop(merge: MergePlan):
    """A Whoosh merge policy that keeps every segment except the merged ones."""
    ids = merge.ids

    def policy(writer, segments):
        return [s for s in segments if s.segment_id() not in ids]

    return policy
