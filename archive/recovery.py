"""Checking the WARC files against the catalog, and rebuilding the catalog from them.

Both walk every gzip member of every WARC file (stepping over damage), so
they work however the files were left: by a crash, a bad disk, or a lost
``catalog.sqlite``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from paragraf_se.archive import warcfile
from paragraf_se.archive.catalog import (
    DECLARED_CONTENT_TYPE,
    Catalog,
    Location,
    Removal,
    Visit,
    capture_id,
    is_capture_id,
    metadata_tuple,
)
from paragraf_se.archive.model import Capture
from paragraf_se.archive.sniff import sniff
from paragraf_se.archive.warcfile import BadMember, Member, ParsedRecord


@dataclass(frozen=True)
class VerifyReport:
    """What a verification found: WARC records read and the problems seen."""

    checked: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems


def verify(catalog: Catalog, warc_dir: Path) -> VerifyReport:
    """Re-read every record: gzip CRCs, WARC digests, and each capture's sha256.

    A torn tail past the committed end of the newest file is not reported:
    a writer is appending there, or crashed and its next write cuts it off.
    """
    expected = {(c.warc_file, c.offset): c for c in catalog.captures(include_removed=True)}
    problems: list[str] = []
    checked = 0
    names = warcfile.list_warc_files(warc_dir)
    # Each writer (tag) has its own newest file, which may end in a torn tail.
    newest = {warcfile.tag_of(name): name for name in names}
    for name in names:
        committed = catalog.committed_size(name) or 0
        pending: BadMember | None = None
        with open(warc_dir / name, "rb") as fh:
            for event in warcfile.scan(fh, keep=True):
                if isinstance(event, BadMember):
                    pending = event
                    continue
                if pending is not None:
                    problems.append(f"{name}@{pending.offset}: {pending.reason}")
                    pending = None
                checked += 1
                capture = expected.pop((name, event.offset), None)
                problems.extend(_check_member(name, event, capture))
        torn_tail = (newest.get(warcfile.tag_of(name)) == name and pending is not None
                     and pending.offset >= committed)
        if pending is not None and not torn_tail:
            problems.append(f"{name}@{pending.offset}: {pending.reason}")
    problems.extend(
        f"capture {c.id}: no intact record at {c.warc_file}@{c.offset}" for c in expected.values()
    )
    return VerifyReport(checked, tuple(problems))


def _check_member(name: str, member: Member, capture: Capture | None) -> list[str]:
    """Problems with one intact gzip member, checked against the capture stored there."""
    where = f"{name}@{member.offset}"
    try:
        record = warcfile.parse_record(member.raw or b"")
    except ValueError as exc:
        return [f"{where}: {exc}"]
    problems = [f"{where}: {problem}" for problem in record.digest_problems]
    if capture is None:
        return problems
    if member.length != capture.length or record.rec_type != capture.kind:
        problems.append(f"{where}: record does not match capture {capture.id}")
    elif hashlib.sha256(record.payload).hexdigest() != capture.sha256:
        problems.append(f"{where}: payload of capture {capture.id} does not match its sha256")
    return problems


def rebuild(catalog: Catalog, warc_dir: Path) -> int:
    """Replace the catalog's rows with what the WARC files say; returns the capture count.

    The caller holds the writer lock. Records are replayed in file order,
    so visits, revisits and metadata merges happen as they did live.
    """
    with catalog.transaction():
        catalog.clear()
        for name in warcfile.list_warc_files(warc_dir):
            end = 0
            with open(warc_dir / name, "rb") as fh:
                for event in warcfile.scan(fh, keep=True):
                    if isinstance(event, Member):
                        _replay(catalog, event, Location(name, event.offset, event.length))
                        end = event.offset + event.length
            catalog.set_committed_size(name, end)
    return catalog.count()


def _replay(catalog: Catalog, member: Member, where: Location) -> None:
    """Re-create the catalog rows that one WARC record stands for."""
    try:
        record = warcfile.parse_record(member.raw or b"")
    except ValueError:
        return  # verify() reports unreadable records; a rebuild skips them
    cid = record.header(warcfile.H_CAPTURE_ID)
    source = record.header("WARC-Target-URI")
    date = record.header("WARC-Date")
    if not is_capture_id(cid) or not source or not date:
        return  # warcinfo, request, or not written by us
    when = warcfile.parse_warc_date(date)
    meta = json.loads(record.header(warcfile.H_METADATA) or "{}")
    etag = record.http_header("ETag")
    last_modified = record.http_header("Last-Modified")
    existing = catalog.get(cid)
    if record.rec_type in ("resource", "response") and existing is None:
        capture = _capture_from_record(record, cid, source, when, where, meta)
        if capture is not None:
            catalog.insert_capture(
                capture,
                record_id=record.header("WARC-Record-ID") or "",
                payload_digest=record.header("WARC-Payload-Digest") or "",
            )
            visit = Visit(source, when, capture.status, cid, False, etag, last_modified)
            catalog.add_visit(visit, where)
        return
    if existing is None:
        return  # a revisit of a capture whose record is lost
    removed = record.header(warcfile.H_REMOVED)
    if removed:
        audit = json.loads(removed)
        catalog.add_removal(Removal(cid, source, dt.datetime.fromisoformat(audit["at"]),
                                    audit["by"], audit["reason"]), where)
        return
    merged = {**existing.capture.meta(), **meta}
    if merged != existing.capture.meta():
        catalog.set_metadata(cid, merged)
    if record.http_status == 304:
        etag, last_modified = catalog.validators_after(source, etag, last_modified)
    catalog.add_visit(
        Visit(source, when, record.http_status, cid, True, etag, last_modified), where
    )


def _capture_from_record(
    record: ParsedRecord,
    cid: str,
    source: str,
    when: dt.datetime,
    where: Location,
    meta: Mapping[str, str],
) -> Capture | None:
    sha256 = hashlib.sha256(record.payload).hexdigest()
    if capture_id(source, sha256) != cid:
        return None  # the payload is not what was stored under this id
    content_type = record.header(warcfile.H_CONTENT_TYPE) or sniff(
        record.payload, meta.get(DECLARED_CONTENT_TYPE)
    )
    return Capture(
        id=cid,
        source=source,
        sha256=sha256,
        content_type=content_type,
        fetched_at=when,
        kind=record.rec_type,
        warc_file=where.warc_file,
        offset=where.offset,
        length=where.length,
        size=len(record.payload),
        status=record.http_status,
        metadata=metadata_tuple(meta),
    )
