"""Raw arrays of a segment's long posting lists, beside its Whoosh postings.

Whoosh keeps postings as pickled blocks; unpickling a block rebuilds every
position value of every posting, so the first search for a word found in
most paragraphs spent a hundred milliseconds and more just decoding. The
bulk writer (:mod:`indexer.whoosh.bulk_writer`) therefore also writes, for every
term with at least :data:`MIN_DOC_FREQ` postings, its document numbers and
term frequencies as little-endian arrays in one more file of the segment.
Reading such a term is one read and two ``np.frombuffer`` calls.

The file is part of the segment (it is assembled into the compound segment
file like the others and deleted with it), so it can never describe another
generation. Whoosh's own postings stay complete: the sidecar only answers
the NumPy evaluator faster.

Layout: the arrays, then a pickled directory ``{(field, term bytes): (offset,
count)}``, then the directory's offset as an 8-byte little-endian integer.
"""

from __future__ import annotations

import os
import pickle
import struct
import threading
from collections import OrderedDict

import numpy as np

EXTENSION = ".fpo"
MIN_DOC_FREQ = 2048
_TRAILER = struct.Struct("<Q")
IDS_DTYPE = np.dtype("<u4")
TFS_DTYPE = np.dtype("<f4")


class SidecarWriter:
    """Appends posting arrays to an open binary file; :meth:`close` writes the directory."""

    def __init__(self, dbfile) -> None:
        self._file = dbfile
        self._offset = 0
        self._directory: dict[tuple[str, bytes], tuple[int, int]] = {}

    def add(self, field: str, btext: bytes, ids: np.ndarray, tfs: np.ndarray) -> None:
        """Record one term's document numbers (ascending) and term frequencies."""
        ids_bytes = np.ascontiguousarray(ids, dtype=IDS_DTYPE).tobytes()
        tfs_bytes = np.ascontiguousarray(tfs, dtype=TFS_DTYPE).tobytes()
        self._directory[(field, btext)] = (self._offset, len(ids))
        self._file.write(ids_bytes)
        self._file.write(tfs_bytes)
        self._offset += len(ids_bytes) + len(tfs_bytes)

    def close(self) -> None:
        self._file.write(pickle.dumps(self._directory, protocol=pickle.HIGHEST_PROTOCOL))
        self._file.write(_TRAILER.pack(self._offset))
        self._file.close()


class Sidecar:
    """A read-only view of one segment's sidecar, by path and byte range.

    Reads use ``os.pread`` on a descriptor opened per read, never a Whoosh
    file object: those are shared by a reader's threads and keep a seek
    position, and a merged-away segment must not stay open.
    """

    def __init__(self, path: str, base: int, length: int) -> None:
        self._path = path
        self._base = base
        with open(path, "rb") as f:
            fd = f.fileno()
            (diroffset,) = _TRAILER.unpack(
                os.pread(fd, _TRAILER.size, base + length - _TRAILER.size))
            raw = os.pread(fd, length - _TRAILER.size - diroffset, base + diroffset)
        self._directory: dict[tuple[str, bytes], tuple[int, int]] = pickle.loads(raw)

    def __contains__(self, key: tuple[str, bytes]) -> bool:
        return key in self._directory

    def postings(self, field: str, btext: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        """(document numbers as int64, term frequencies as float32), or None if absent."""
        entry = self._directory.get((field, btext))
        if entry is None:
            return None
        offset, count = entry
        size = count * (IDS_DTYPE.itemsize + TFS_DTYPE.itemsize)
        with open(self._path, "rb") as f:
            raw = os.pread(f.fileno(), size, self._base + offset)
        if len(raw) != size:
            raise OSError(f"short read in {self._path}")
        ids = np.frombuffer(raw, dtype=IDS_DTYPE, count=count).astype(np.int64)
        tfs = np.frombuffer(raw, dtype=TFS_DTYPE, count=count,
                            offset=count * IDS_DTYPE.itemsize).copy()
        return ids, tfs


_CACHE: OrderedDict[str, Sidecar | None] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 256
COMPOUND_EXTENSION = ".seg"


def _locate(leaf) -> tuple[str, int, int] | None:
    """(file path, start, length) of a segment reader's sidecar, or None."""
    segment = leaf.segment()
    storage = leaf.storage()
    name = segment.make_filename(EXTENSION)
    if segment.is_compound():
        # A compound segment's reader reads through an overlay of the
        # compound file (a) on the index folder (b).
        compound, folder = getattr(storage, "a", None), getattr(storage.b, "folder", None)
        if compound is None or folder is None:
            return None
        try:
            base, length = compound.range(name)
        except NameError:
            return None
        return os.path.join(folder, segment.make_filename(COMPOUND_EXTENSION)), base, length
    folder = getattr(storage, "folder", None)
    path = os.path.join(folder, name) if folder else None
    if path is None or not os.path.exists(path):
        return None
    return path, 0, os.path.getsize(path)


def sidecar_of(leaf) -> Sidecar | None:
    """The sidecar of a Whoosh segment reader, or None if its segment has none.

    Directories are cached by segment id: segments never change once written.
    """
    segment = leaf.segment() if hasattr(leaf, "segment") else None
    if segment is None:
        return None
    segid = segment.segment_id()
    with _CACHE_LOCK:
        if segid in _CACHE:
            _CACHE.move_to_end(segid)
            return _CACHE[segid]
    try:
        where = _locate(leaf)
        sidecar = Sidecar(*where) if where else None
    except (OSError, ValueError, EOFError, AttributeError, pickle.UnpicklingError,
            struct.error):
        sidecar = None  # unreadable: Whoosh's own postings answer instead
    with _CACHE_LOCK:
        _CACHE[segid] = sidecar
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return sidecar
