"""Errors raised by the archive store.

Hierarchy::

    ArchiveError              base class: catch this to handle any archive failure
    ├── CaptureNotFound       no capture with that id (or the id is malformed)
    ├── ArchiveCorrupt        stored bytes do not match what the catalog promised
    ├── ArchiveLocked         another writer holds the archive's writer lock
    ├── ArchiveReplaced       the archive directory was swapped (restored) while open
    ├── CaptureRemoved        the capture was removed from publication (a tombstone)
    └── ArchiveReadOnly       the archive was opened read-only and cannot be written

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


class CaptureRemoved(CaptureNotFound):
    """The capture exists but was removed from publication; its bytes are not served."""

    def __init__(self, capture_id: object) -> None:
        super().__init__(capture_id)
        self.args = (f"capture {capture_id!r} was removed from the archive",)


class ArchiveCorrupt(ArchiveError):
    """A WARC record is missing, unreadable or does not match its catalog entry."""


class ArchiveLocked(ArchiveError):
    """The writer lock could not be taken: another process is writing."""


class ArchiveReplaced(ArchiveError):
    """The archive this object opened was replaced (e.g. by a restore); nothing was written."""


class ArchiveReadOnly(ArchiveError):
    """The archive was opened read-only (full disk, read-only mount): it cannot be written."""
