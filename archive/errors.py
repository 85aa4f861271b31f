"""Errors raised by the archive store.

Hierarchy::

    ArchiveError              base class: catch this to handle any archive failure
    ├── CaptureNotFound       no capture with that id (or the id is malformed)
    ├── ArchiveCorrupt        stored bytes do not match what the catalog promised
    └── ArchiveLocked         another writer holds the archive's writer lock

Invalid arguments from our own callers (a source with a newline, a negative
size limit) are programming errors and raise ``ValueError`` instead.
"""

from __future__ import annotations


class ArchiveError(Exception):
    """Base class of every error the archive raises on purpose."""


class CaptureNotFound(ArchiveError, LookupError):
    """No capture has this id; malformed ids are reported the same way."""

    def __init__(self, capture_id: object) -> None:
        super().__init__(f"no capture with id {capture_id!r}")
        self.capture_id = capture_id


class ArchiveCorrupt(ArchiveError):
    """A WARC record is missing, unreadable or does not match its catalog entry."""


class ArchiveLocked(ArchiveError):
    """The writer lock could not be taken: another process is writing."""
