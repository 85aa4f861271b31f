"""WARC records: building them as gzip members, finding and reading them back.

Building a record is separate from writing it (as in warcio): every builder
returns the exact bytes of one gzip member, so the store knows a record's
length before it touches a file and can append it in one write.

Our own facts about a capture travel in extension headers (``Paragraf-*``)
so the catalog can be rebuilt from the WARC files alone.
"""

from __future__ import annotations

import datetime as dt
import http
import io
import json
import os
import re
import uuid
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParserException
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

H_CAPTURE_ID = "Paragraf-Capture-Id"
H_SHA256 = "Paragraf-Payload-SHA256"
H_CONTENT_TYPE = "Paragraf-Content-Type"
H_METADATA = "Paragraf-Metadata"
# On a ``metadata`` record: the capture it refers to is removed from
# publication; JSON {"at", "by", "reason"} (ASCII), the tombstone's audit entry.
H_REMOVED = "Paragraf-Removed"

WARC_VERSION = "1.1"
PROFILE_IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
PROFILE_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"

# The optional last part is a writer tag: with a shared catalog (PostgreSQL)
# every writer process appends only to files carrying its own tag.
WARC_NAME_RE = re.compile(r"paragraf-(\d{14})-(\d{5,})(?:-([a-z0-9][a-z0-9-]*))?\.warc\.gz")
_TAG_UNSAFE = re.compile(r"[^a-z0-9]+")
_CHUNK = 1 << 20
_GZIP_MAGIC = b"\x1f\x8b\x08"
_ENCODING_HEADERS = frozenset({"content-encoding", "transfer-encoding"})


@dataclass(frozen=True)
class BuiltRecord:
    """One WARC record serialized as a complete gzip member."""

    data: bytes
    record_id: str
    payload_digest: str | None


@dataclass(frozen=True)
class Member:
    """A complete gzip member found in a WARC file; ``raw`` is its inflated bytes if asked."""

    offset: int
    length: int
    raw: bytes | None = None


class BadMember(Exception):
    """Bytes at ``offset`` are not a complete gzip member (torn tail or damage)."""

    def __init__(self, offset: int, reason: str) -> None:
        super().__init__(f"bad gzip member at offset {offset}: {reason}")
        self.offset = offset
        self.reason = reason


@dataclass(frozen=True)
class ParsedRecord:
    """A WARC record read back: its headers, HTTP part and payload bytes."""

    rec_type: str
    warc_headers: tuple[tuple[str, str], ...]
    http_status: int | None
    http_headers: tuple[tuple[str, str], ...]
    payload: bytes
    digest_problems: tuple[str, ...]

    def header(self, name: str) -> str | None:
        """The first WARC header called ``name`` (case-insensitive), or None."""
        return _first(self.warc_headers, name)

    def http_header(self, name: str) -> str | None:
        """The first HTTP header called ``name`` (case-insensitive), or None."""
        return _first(self.http_headers, name)


def _first(headers: Sequence[tuple[str, str]], name: str) -> str | None:
    lowered = name.lower()
    return next((value for key, value in headers if key.lower() == lowered), None)


def warc_name(when: dt.datetime, sequence: int, tag: str | None = None) -> str:
    """File name of the ``sequence``-th WARC file (of writer ``tag``), opened at ``when`` (UTC)."""
    suffix = f"-{tag}" if tag else ""
    return f"paragraf-{when.astimezone(dt.UTC):%Y%m%d%H%M%S}-{sequence:05d}{suffix}.warc.gz"


def writer_tag(*parts: object) -> str:
    """A file-name-safe writer tag from e.g. host name, pid and a random part."""
    text = "-".join(_TAG_UNSAFE.sub("-", str(part).lower()).strip("-") for part in parts)
    tag = re.sub(r"-+", "-", text).strip("-")
    if not tag:
        raise ValueError("a writer tag needs at least one letter or digit")
    return tag


def tag_of(name: str) -> str | None:
    """The writer tag in a WARC file name of ours, None for an untagged (single-writer) file."""
    match = WARC_NAME_RE.fullmatch(name)
    return match.group(3) if match else None


def sequence_of(name: str) -> int | None:
    """The sequence number in a WARC file name of ours, None for any other name."""
    match = WARC_NAME_RE.fullmatch(name)
    return int(match.group(2)) if match else None


def list_warc_files(directory: Path) -> list[str]:
    """Names of our WARC files in ``directory``, oldest (lowest sequence) first."""
    names = [path.name for path in directory.iterdir() if sequence_of(path.name) is not None]
    return sorted(names, key=lambda name: (sequence_of(name) or 0, name))


def warc_date(when: dt.datetime) -> str:
    """WARC/1.1 date: UTC, microseconds kept so the catalog can be rebuilt exactly."""
    utc = when.astimezone(dt.UTC)
    fraction = f".{utc.microsecond:06d}" if utc.microsecond else ""
    return f"{utc:%Y-%m-%dT%H:%M:%S}{fraction}Z"


def parse_warc_date(value: str) -> dt.datetime:
    """Inverse of :func:`warc_date`; always timezone-aware UTC."""
    return dt.datetime.fromisoformat(value).astimezone(dt.UTC)


def sha1_digest(data: bytes) -> str:
    """The payload digest as warcio writes it (``sha1:BASE32``)."""
    digester = Digester("sha1")
    digester.update(data)
    return str(digester)


# warcio compresses every record at zlib level 9; for protocol text that is
# some 40 % more CPU than zlib's default level for members 0.3 % smaller, and
# a bulk import compresses hundreds of megabytes while indexing competes for
# the same cores. The record bytes are warcio's, compressed here instead.
GZIP_LEVEL = 6


def _writer() -> WARCWriter:
    return WARCWriter(io.BytesIO(), gzip=False, warc_version=WARC_VERSION)


def _serialize(writer: WARCWriter, record: object) -> bytes:
    writer.write_record(record)
    # One complete gzip member per record, as warcio's gzip=True writes it.
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return compressor.compress(writer.out.getvalue()) + compressor.flush()


def _warc_headers(when: dt.datetime, extra: Mapping[str, str]) -> dict[str, str]:
    headers = {"WARC-Record-ID": f"<urn:uuid:{uuid.uuid4()}>", "WARC-Date": warc_date(when)}
    headers.update(extra)
    return headers


def paragraf_headers(
    capture_id: str,
    *,
    sha256: str | None = None,
    content_type: str | None = None,
    metadata: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Extension headers carrying catalog facts; JSON kept ASCII so it fits one header line."""
    headers = {H_CAPTURE_ID: capture_id}
    if sha256 is not None:
        headers[H_SHA256] = sha256
    if content_type is not None:
        headers[H_CONTENT_TYPE] = content_type
    if metadata is not None:
        headers[H_METADATA] = json.dumps(dict(metadata), sort_keys=True, ensure_ascii=True)
    return headers


def build_warcinfo(filename: str, when: dt.datetime) -> BuiltRecord:
    """The warcinfo record that opens every WARC file of ours."""
    writer = _writer()
    info = {
        "software": "paragraf-archive (warcio 1.8.1)",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
    }
    record = writer.create_warcinfo_record(filename, info)
    record.rec_headers.replace_header("WARC-Date", warc_date(when))
    record_id = record.rec_headers.get_header("WARC-Record-ID")
    return BuiltRecord(_serialize(writer, record), record_id, None)


def build_resource(
    source: str, data: bytes, *, when: dt.datetime, content_type: str, extra: Mapping[str, str]
) -> BuiltRecord:
    """A ``resource`` record holding a local file's bytes unchanged."""
    writer = _writer()
    record = writer.create_warc_record(
        source,
        "resource",
        payload=io.BytesIO(data),
        length=len(data),
        warc_content_type=content_type or "application/octet-stream",
        warc_headers_dict=_warc_headers(when, extra),
    )
    return _finish(writer, record)


def http_status_line(status: int) -> str:
    """``"200 OK"``; unknown codes get an empty reason phrase."""
    try:
        reason = http.HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    return f"{status} {reason}".rstrip()


def build_response(
    url: str,
    *,
    status: int,
    headers: Sequence[tuple[str, str]],
    body: bytes,
    when: dt.datetime,
    extra: Mapping[str, str],
) -> BuiltRecord:
    """A ``response`` record: HTTP status line and headers, then ``body`` unchanged."""
    writer = _writer()
    http_headers = StatusAndHeaders(
        http_status_line(status), consistent_headers(headers, len(body)), protocol="HTTP/1.1"
    )
    record = writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=http_headers,
        warc_headers_dict=_warc_headers(when, extra),
    )
    return _finish(writer, record)


def consistent_headers(
    headers: Sequence[tuple[str, str]], body_length: int
) -> list[tuple[str, str]]:
    """Response headers that truthfully describe ``body`` as stored.

    We store the payload as the HTTP client delivered it (de-chunked and
    decoded), so headers announcing a transfer/content encoding or another
    length would make replay tools mangle it. Those are kept under the
    ``X-Archive-Orig-`` prefix (the pywb convention) instead of dropped.
    """
    result: list[tuple[str, str]] = []
    length_seen = False
    for name, value in headers:
        lowered = name.lower()
        if lowered in _ENCODING_HEADERS:
            result.append((f"X-Archive-Orig-{name}", value))
        elif lowered == "content-length":
            if value.strip() == str(body_length) and not length_seen:
                result.append((name, value))
            else:
                result.append((f"X-Archive-Orig-{name}", value))
            length_seen = True
        else:
            result.append((name, value))
    if length_seen and _first(result, "Content-Length") is None:
        result.append(("Content-Length", str(body_length)))
    return result


def build_request(
    url: str, *, headers: Sequence[tuple[str, str]], when: dt.datetime, concurrent_to: str
) -> BuiltRecord:
    """The ``request`` record that goes with a response or revisit (a plain GET)."""
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request_headers = list(headers)
    if _first(request_headers, "Host") is None:
        # HTTP/1.1 requires Host, so it was sent even if the caller did not list it.
        request_headers.insert(0, ("Host", parts.netloc))
    http_headers = StatusAndHeaders(f"{target} HTTP/1.1", request_headers, protocol="GET")
    writer = _writer()
    record = writer.create_warc_record(
        url,
        "request",
        http_headers=http_headers,
        warc_headers_dict=_warc_headers(when, {"WARC-Concurrent-To": concurrent_to}),
    )
    return _finish(writer, record)


def build_revisit(
    url: str,
    *,
    status: int,
    headers: Sequence[tuple[str, str]],
    when: dt.datetime,
    original: tuple[str, str, str],
    not_modified: bool,
    extra: Mapping[str, str],
) -> BuiltRecord:
    """A ``revisit`` record; ``original`` is (record id, payload digest, WARC-Date).

    Identical bytes use the identical-payload-digest profile; a 304 answer to a
    conditional request uses server-not-modified.
    """
    record_id, payload_digest, refers_to_date = original
    writer = _writer()
    http_headers = StatusAndHeaders(http_status_line(status), list(headers), protocol="HTTP/1.1")
    warc_headers = _warc_headers(when, extra)
    warc_headers["WARC-Refers-To"] = record_id
    record = writer.create_revisit_record(
        url,
        payload_digest,
        url,
        refers_to_date,
        http_headers=http_headers,
        warc_headers_dict=warc_headers,
    )
    record.rec_headers.replace_header(
        "WARC-Profile", PROFILE_NOT_MODIFIED if not_modified else PROFILE_IDENTICAL
    )
    return _finish(writer, record)


def build_metadata(
    source: str, *, when: dt.datetime, refers_to: str, extra: Mapping[str, str]
) -> BuiltRecord:
    """A ``metadata`` record noting metadata added later to an existing capture."""
    writer = _writer()
    body = extra.get(H_METADATA, "{}").encode("ascii")
    warc_headers = _warc_headers(when, extra)
    warc_headers["WARC-Refers-To"] = refers_to
    record = writer.create_warc_record(
        source,
        "metadata",
        payload=io.BytesIO(body),
        length=len(body),
        warc_content_type="application/json",
        warc_headers_dict=warc_headers,
    )
    return _finish(writer, record)


def _finish(writer: WARCWriter, record: object) -> BuiltRecord:
    data = _serialize(writer, record)
    headers = record.rec_headers  # type: ignore[attr-defined]
    return BuiltRecord(
        data, headers.get_header("WARC-Record-ID"), headers.get_header("WARC-Payload-Digest")
    )


def inflate(blob: bytes) -> bytes:
    """Inflate exactly one complete gzip member; BadMember if it is torn or damaged.

    zlib checks the member's CRC-32 and length trailer, so a flipped byte
    anywhere in the deflate stream is caught here.
    """
    decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        raw = decompressor.decompress(blob)
    except zlib.error as exc:
        raise BadMember(0, str(exc)) from exc
    if not decompressor.eof:
        raise BadMember(0, "truncated gzip member")
    if decompressor.unused_data:
        raise BadMember(0, "trailing bytes after gzip member")
    return raw


def read_member(fh: BinaryIO, offset: int, length: int) -> bytes:
    """Read and inflate the member at ``offset``; BadMember if it is not exactly there."""
    fh.seek(offset)
    blob = fh.read(length)
    if len(blob) != length:
        raise BadMember(offset, f"file ends {length - len(blob)} bytes early")
    try:
        return inflate(blob)
    except BadMember as exc:
        raise BadMember(offset, exc.reason) from exc


def iter_members(fh: BinaryIO, start: int = 0, *, keep: bool = False) -> Iterator[Member]:
    """Yield every complete gzip member from ``start`` to the end of ``fh``.

    Raises BadMember at the first bytes that do not form a complete member:
    after a crash that is the torn tail, and ``exc.offset`` is where the
    intact part of the file ends. ``keep`` also returns each member inflated.
    """
    fh.seek(start)
    offset = start
    pending = fh.read(_CHUNK)
    while pending:
        decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
        consumed = 0
        parts: list[bytes] = []
        while True:
            try:
                out = decompressor.decompress(pending)
            except zlib.error as exc:
                raise BadMember(offset, str(exc)) from exc
            if keep:
                parts.append(out)
            if decompressor.eof:
                consumed += len(pending) - len(decompressor.unused_data)
                pending = decompressor.unused_data
                break
            consumed += len(pending)
            pending = fh.read(_CHUNK)
            if not pending:
                raise BadMember(offset, "truncated gzip member")
        yield Member(offset, consumed, b"".join(parts) if keep else None)
        offset += consumed
        if not pending:
            pending = fh.read(_CHUNK)


def scan(fh: BinaryIO, start: int = 0, *, keep: bool = False) -> Iterator[Member | BadMember]:
    """Like :func:`iter_members`, but steps over damage instead of stopping there.

    Each damaged stretch is reported once, as a BadMember, and the scan
    resumes at the next gzip magic that starts an intact member. A BadMember
    that is the last thing yielded is a tail with no intact record after it.
    """
    position = start
    damaged = False
    while True:
        try:
            for member in iter_members(fh, position, keep=keep):
                damaged = False
                yield member
            return
        except BadMember as exc:
            if not damaged:
                yield exc
            damaged = True
            resume = _find_gzip_magic(fh, exc.offset + 1)
            if resume is None:
                return
            position = resume


def _find_gzip_magic(fh: BinaryIO, start: int) -> int | None:
    fh.seek(start)
    position = start
    carry = b""
    while chunk := fh.read(_CHUNK):
        window = carry + chunk
        found = window.find(_GZIP_MAGIC)
        if found >= 0:
            return position - len(carry) + found
        carry = window[-(len(_GZIP_MAGIC) - 1) :]
        position += len(chunk)
    return None


def parse_record(raw: bytes) -> ParsedRecord:
    """Parse one inflated WARC record, checking its block and payload digests."""
    try:
        record = next(iter(ArchiveIterator(io.BytesIO(raw), check_digests=True)), None)
        if record is None or record.format != "warc":
            raise ValueError("no WARC record in member")
        payload = record.raw_stream.read()
    except (ArchiveLoadFailed, StatusAndHeadersParserException, EOFError) as exc:
        raise ValueError(f"unparseable WARC record: {exc}") from exc
    status: int | None = None
    http_headers: tuple[tuple[str, str], ...] = ()
    if record.http_headers is not None and record.rec_type != "request":
        code = record.http_headers.get_statuscode()
        status = int(code) if code and code.isdigit() else None
    if record.http_headers is not None:
        http_headers = tuple(record.http_headers.headers)
    checker = record.digest_checker
    return ParsedRecord(
        rec_type=record.rec_type,
        warc_headers=tuple(record.rec_headers.headers),
        http_status=status,
        http_headers=http_headers,
        payload=payload,
        digest_problems=tuple(checker.problems) if checker else (),
    )


def copy_prefix(src: Path, dest: Path, size: int) -> bool:
    """Copy the first ``size`` bytes of ``src`` to ``dest`` (fsynced); False if shorter."""
    with open(src, "rb") as fin, open(dest, "wb") as fout:
        remaining = size
        while remaining:
            chunk = fin.read(min(remaining, 1 << 20))
            if not chunk:
                return False
            fout.write(chunk)
            remaining -= len(chunk)
        fout.flush()
        os.fsync(fout.fileno())
    return True
