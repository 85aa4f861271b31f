"""Index errors.

Hierarchy::

    IndexError_            anything the index cannot do
    ├── IndexBusy          another process holds the writer lock past the wait
    └── IndexFormatError   an index this version cannot read; rebuild it from the archive
"""


class IndexError_(Exception):  # trailing underscore: not the builtin IndexError
    """Base of index errors."""


class IndexBusy(IndexError_):
    """Another process is writing the index; raised after waiting ``timeout`` seconds."""


class IndexFormatError(IndexError_):
    """The index on disk was written by an incompatible version; ``index --rebuild`` fixes it."""
