"""Committing what was appended: each record's catalog rows, after its bytes are durable.

The write protocol of :mod:`archive.store`: records are appended and fsynced
by the :class:`~archive.warc_appender.WarcAppender`, and only then are the
capture, its visit and the file's committed size written, in one catalog
transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace

from paragraf_se.archive import warcfile
from paragraf_se.archive.catalog import Catalog, StoredCapture, Visit, metadata_tuple
from paragraf_se.archive.model import Capture
from paragraf_se.archive.results import StoreResult
from paragraf_se.archive.warc_appender import WarcAppender
from paragraf_se.archive.warcfile import BuiltRecord


def commit_new(
    catalog: Catalog, appender: WarcAppender, capture: Capture,
    records: Sequence[BuiltRecord], visit: Visit,
) -> StoreResult:
    locations, end = appender.append(records, capture.fetched_at)
    where = locations[0]
    capture = replace(
        capture, warc_file=where.warc_file, offset=where.offset, length=where.length
    )
    with catalog.transaction():
        catalog.insert_capture(
            capture,
            record_id=records[0].record_id,
            payload_digest=records[0].payload_digest or "",
        )
        catalog.add_visit(visit, where)
        catalog.set_committed_size(where.warc_file, end)
    return StoreResult(capture, True)

def commit_revisit(
    catalog: Catalog,
    appender: WarcAppender,
    original: StoredCapture,
    visit: Visit,
    headers: Sequence[tuple[str, str]],
    request_headers: Sequence[tuple[str, str]],
    meta: Mapping[str, str],
) -> Capture:
    """Write a revisit (+ request) record for ``visit`` and log it; returns the capture."""
    revisit = warcfile.build_revisit(
        visit.source,
        status=visit.status or 0,
        headers=headers,
        when=visit.fetched_at,
        original=(
            original.record_id,
            original.payload_digest,
            warcfile.warc_date(original.capture.fetched_at),
        ),
        not_modified=visit.status == 304,
        extra=warcfile.paragraf_headers(original.capture.id, metadata=meta),
    )
    request = warcfile.build_request(
        visit.source,
        headers=request_headers,
        when=visit.fetched_at,
        concurrent_to=revisit.record_id,
    )
    locations, end = appender.append([revisit, request], visit.fetched_at)
    merged = {**original.capture.meta(), **meta}
    with catalog.transaction():
        if merged != original.capture.meta():
            catalog.set_metadata(original.capture.id, merged)
        catalog.add_visit(visit, locations[0])
        catalog.set_committed_size(locations[0].warc_file, end)
    return replace(original.capture, metadata=metadata_tuple(merged))

def restore_resource(
    catalog: Catalog, appender: WarcAppender, existing: StoredCapture,
    meta: Mapping[str, str], now: dt.datetime,
) -> StoreResult:
    current = existing.capture.meta()
    merged = {**current, **meta}
    visit = Visit(existing.capture.source, now, None, existing.capture.id, True)
    if merged == current:
        with catalog.transaction():
            catalog.add_visit(visit)
        return StoreResult(existing.capture, False)
    record = warcfile.build_metadata(
        existing.capture.source,
        when=now,
        refers_to=existing.record_id,
        extra=warcfile.paragraf_headers(existing.capture.id, metadata=meta),
    )
    locations, end = appender.append([record], now)
    with catalog.transaction():
        catalog.set_metadata(existing.capture.id, merged)
        catalog.add_visit(visit, locations[0])
        catalog.set_committed_size(locations[0].warc_file, end)
    return StoreResult(replace(existing.capture, metadata=metadata_tuple(merged)), False)
