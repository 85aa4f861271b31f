"""The embedded index's files on disk: what backup and restore need to know of them.

A Whoosh index directory holds one table of contents per generation
(``_paragraphs_<gen>.toc``), the files of each segment
(``paragraphs_<segment id>.<ext>``), our ``INDEX_ID`` and the writer's lock.
"""

from __future__ import annotations

import re
from pathlib import Path

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
