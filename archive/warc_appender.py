"""Appending records to this writer's WARC files: torn tails cut, files rotated, fsynced.

Only ever called under the archive's writer lock (or, in shared mode, on
files whose name carries this writer's tag alone). A record is durable when
:meth:`WarcAppender.append` returns; the caller then commits its catalog row.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path

from paragraf_se.archive import warcfile
from paragraf_se.archive.catalog import Catalog, Location
from paragraf_se.archive.warcfile import BadMember, BuiltRecord


class WarcAppender:
    """The WARC files one writer appends to, in ``warc_dir``."""

    def __init__(self, warc_dir: Path, catalog: Catalog, writer_tag: str | None,
                 max_warc_bytes: int) -> None:
        self.warc_dir = warc_dir
        self.catalog = catalog
        self.writer_tag = writer_tag
        self.max_warc_bytes = max_warc_bytes

    def own_files(self) -> list[str]:
        """The WARC files this writer may append to: untagged ones, or those of its tag."""
        return [name for name in warcfile.list_warc_files(self.warc_dir)
                if warcfile.tag_of(name) == self.writer_tag]

    def prepare_current(self) -> tuple[str, int] | None:
        """The newest WARC file and its intact size, cutting off a torn tail first.

        None means: start a new file (there is none, or committed bytes are
        missing from it, which verify() reports; we never append to damage).
        """
        names = self.own_files()
        if not names:
            return None
        name = names[-1]
        path = self.warc_dir / name
        size = path.stat().st_size
        committed = self.catalog.committed_size(name) or 0
        if size == committed:
            return name, size
        if size < committed:
            return None
        with open(path, "r+b") as fh:
            end = committed
            try:
                for member in warcfile.iter_members(fh, committed):
                    end = member.offset + member.length
            except BadMember as exc:
                end = exc.offset
                fh.truncate(end)
                fh.flush()
                os.fsync(fh.fileno())
        if end == 0:
            path.unlink()  # nothing intact, not even the warcinfo record
            return None
        return name, end

    def append(
        self, records: Sequence[BuiltRecord], when: dt.datetime
    ) -> tuple[list[Location], int]:
        """Append records to the current WARC file (rotating by size) and fsync it.

        ``when`` names a new file if one is started. Returns each record's
        location and the file's new intact size.
        """
        current = self.prepare_current()
        total = sum(len(record.data) for record in records)
        blobs = [record.data for record in records]
        if current is None or current[1] + total > self.max_warc_bytes:
            names = self.own_files()
            sequence = (warcfile.sequence_of(names[-1]) or 0) + 1 if names else 1
            name = warcfile.warc_name(when, sequence, self.writer_tag)
            blobs.insert(0, warcfile.build_warcinfo(name, when).data)
            offset, new_file = 0, True
        else:
            (name, offset), new_file = current, False
        with open(self.warc_dir / name, "ab") as fh:
            fh.write(b"".join(blobs))
            fh.flush()
            os.fsync(fh.fileno())
        if new_file:
            _fsync_dir(self.warc_dir)
        locations = []
        position = offset + (len(blobs[0]) if new_file else 0)
        for record in records:
            locations.append(Location(name, position, len(record.data)))
            position += len(record.data)
        return locations, position


def _fsync_dir(path: Path) -> None:
    # A new file's name is only durable once its directory entry is synced.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
