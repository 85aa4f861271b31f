"""WARC records as gzip members: building, finding member boundaries, torn tails."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest
from warcio.archiveiterator import ArchiveIterator

from paragraf_se.archive import warcfile
from paragraf_se.archive.warcfile import BadMember

WHEN = dt.datetime(2024, 3, 1, 9, 30, 15, 250000, tzinfo=dt.UTC)


def _resource(payload: bytes, name: str = "a") -> bytes:
    return warcfile.build_resource(
        f"file:///data/{name}.bin",
        payload,
        when=WHEN,
        content_type="application/octet-stream",
        extra=warcfile.paragraf_headers("0" * 20, sha256="f" * 64),
    ).data


def test_names_sequences_and_dates_round_trip():
    name = warcfile.warc_name(WHEN, 7)
    assert name == "paragraf-20240301093015-00007.warc.gz"
    assert warcfile.sequence_of(name) == 7
    assert warcfile.sequence_of("paragraf-20240301093015-00007.warc.gz.tmp") is None
    assert warcfile.sequence_of("../paragraf-20240301093015-00007.warc.gz") is None
    assert warcfile.parse_warc_date(warcfile.warc_date(WHEN)) == WHEN
    assert warcfile.warc_date(WHEN.replace(microsecond=0)) == "2024-03-01T09:30:15Z"


def test_list_warc_files_orders_by_sequence_not_text(tmp_path):
    for name in ("paragraf-20240301000000-100000.warc.gz", "paragraf-20250101000000-00002.warc.gz"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "notes.txt").write_text("not a WARC file")
    assert warcfile.list_warc_files(tmp_path) == [
        "paragraf-20250101000000-00002.warc.gz",
        "paragraf-20240301000000-100000.warc.gz",
    ]


def test_each_record_is_one_gzip_member_that_warcio_reads_with_valid_digests():
    payload = random.Random(1).randbytes(5000)
    blob = _resource(payload) + _resource(b"", "empty")
    iterator = ArchiveIterator(io.BytesIO(blob), check_digests=True)
    seen = []
    for record in iterator:
        seen.append((record.rec_type, record.content_stream().read()))
        assert record.digest_checker.passed is not False
    assert seen == [("resource", payload), ("resource", b"")]


def test_iter_members_finds_boundaries_and_reports_a_torn_tail():
    first, second = _resource(b"one"), _resource(b"two" * 1000)
    blob = first + second + second[: len(second) // 2]
    members = []
    with pytest.raises(BadMember) as caught:
        members.extend(warcfile.iter_members(io.BytesIO(blob)))
    assert [(m.offset, m.length) for m in members] == [
        (0, len(first)),
        (len(first), len(second)),
    ]
    assert caught.value.offset == len(first) + len(second)


def test_iter_members_from_an_offset_and_with_inflated_bytes():
    first, second = _resource(b"one"), _resource(b"two")
    members = list(warcfile.iter_members(io.BytesIO(first + second), len(first), keep=True))
    assert len(members) == 1
    assert warcfile.parse_record(members[0].raw).payload == b"two"


def test_scan_steps_over_damage_and_reports_it_once():
    records = [_resource(bytes([n]) * 3000, str(n)) for n in range(3)]
    damaged = bytearray(records[1])
    damaged[len(damaged) // 2] ^= 0xFF
    blob = records[0] + bytes(damaged) + b"\x1f\x8b\x08garbage" + records[2]
    events = list(warcfile.scan(io.BytesIO(blob), keep=True))
    kinds = [type(event).__name__ for event in events]
    assert kinds == ["Member", "BadMember", "Member"]
    assert events[1].offset == len(records[0])
    assert warcfile.parse_record(events[2].raw).payload == bytes([2]) * 3000


def test_inflate_rejects_truncated_trailing_and_flipped_members():
    member = _resource(random.Random(2).randbytes(2000))
    assert warcfile.parse_record(warcfile.inflate(member)).payload
    with pytest.raises(BadMember):
        warcfile.inflate(member[:-3])
    with pytest.raises(BadMember):
        warcfile.inflate(member + b"x")
    flipped = bytearray(member)
    flipped[len(member) // 2] ^= 0x01
    with pytest.raises(BadMember):
        warcfile.inflate(bytes(flipped))


def test_parse_record_rejects_non_warc_bytes():
    with pytest.raises(ValueError):
        warcfile.parse_record(b"this is not a WARC record\r\n\r\n")
    with pytest.raises(ValueError):
        warcfile.parse_record(b"")


def test_consistent_headers_keep_decoding_headers_renamed():
    headers = [
        ("Content-Type", "application/pdf"),
        ("Content-Encoding", "gzip"),
        ("Transfer-Encoding", "chunked"),
        ("Content-Length", "999"),
    ]
    assert warcfile.consistent_headers(headers, 12) == [
        ("Content-Type", "application/pdf"),
        ("X-Archive-Orig-Content-Encoding", "gzip"),
        ("X-Archive-Orig-Transfer-Encoding", "chunked"),
        ("X-Archive-Orig-Content-Length", "999"),
        ("Content-Length", "12"),
    ]
    plain = [("Content-Type", "text/html"), ("Content-Length", "12")]
    assert warcfile.consistent_headers(plain, 12) == plain


def test_request_record_gets_a_host_header_and_the_path_with_query():
    built = warcfile.build_request(
        "https://www.example.se/protokoll?id=5&typ=ks",
        headers=[("User-Agent", "paragraf-test")],
        when=WHEN,
        concurrent_to="<urn:uuid:0>",
    )
    record = warcfile.parse_record(warcfile.inflate(built.data))
    assert record.rec_type == "request"
    assert record.header("WARC-Concurrent-To") == "<urn:uuid:0>"
    assert record.http_header("Host") == "www.example.se"
    raw = warcfile.inflate(built.data)
    assert b"GET /protokoll?id=5&typ=ks HTTP/1.1\r\n" in raw
