"""The embedded index's files on disk: opening them, telling indexes apart, and what
backup and restore need to know of them.

A Whoosh index directory holds one table of contents per generation
(``_paragraphs_<gen>.toc``), the files of each segment
(``paragraphs_<segment id>.<ext>``), our ``INDEX_ID`` and the writer's lock.
"""

from __future__ import annotations

import os
import pickle
import re
from pathlib import Path

from whoosh.filedb.filestore import FileStorage, Storage

from paragraf_se.indexer.errors import IndexFormatError

INDEX_NAME = "paragraphs"
# A random id written when an index is created: a rebuilt index starts at
# generation 1 again, so generations alone cannot tell two indexes apart.
INDEX_ID_FILE = "INDEX_ID"
TOC = re.compile(rf"^_{INDEX_NAME}_([0-9]+)\.toc$")
SEGMENT_FILE = re.compile(rf"^({INDEX_NAME}_[0-9a-z]+)\.[A-Za-z0-9_.]+$")


def is_index_file(name: str) -> bool:
    """A file name an index directory may hold (a table of contents, a segment's, the id)."""
    return bool(TOC.match(name) or SEGMENT_FILE.match(name) or name == INDEX_ID_FILE)


def generation_of(name: str) -> int | None:
    """The generation whose table of contents ``name`` is, else None."""
    m = TOC.match(name)
    return int(m.group(1)) if m else None


def segment_of(name: str) -> str | None:
    """The segment id a file belongs to, else None."""
    m = SEGMENT_FILE.match(name)
    return m.group(1) if m else None


def writer_lock(index_dir: Path) -> Path:
    """The file a writer of the index holds its (fcntl) lock on."""
    return index_dir / f"{INDEX_NAME}_WRITELOCK"


# Modules whose classes an index of this version may pickle into its schema.
_SCHEMA_MODULES = ("paragraf_se.", "whoosh.")


def open_existing(storage: Storage, directory: Path | None):
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
