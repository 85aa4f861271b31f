"""Frozen values describing archived originals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Capture:
    """One archived original: a fetched HTTP response or a locally ingested file.

    ``id`` is stable for the same (source, content): storing the same bytes from
    the same source again yields the same capture (a revisit, not a copy).
    """

    id: str
    source: str  # the URL fetched, or file:///abs/path for a local ingest
    sha256: str  # hex digest of the payload bytes
    content_type: str  # sniffed/declared media type without parameters
    fetched_at: dt.datetime  # timezone-aware UTC
    kind: str  # "response" | "resource"
    warc_file: str  # file name relative to the archive's warc directory
    offset: int  # byte offset of the (gzipped) record in warc_file
    length: int  # byte length of the (gzipped) record
    size: int  # payload size in bytes
    status: int | None = None  # HTTP status for responses
    # Facts known about the capture by whoever stored it (crawler source
    # config, CLI options): e.g. {"org": ..., "body": ..., "date": ...}.
    metadata: tuple[tuple[str, str], ...] = field(default=())

    def meta(self) -> dict[str, str]:
        return dict(self.metadata)
