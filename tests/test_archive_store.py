"""The archive store: round trips, dedupe and revisits, rotation, ids, locking."""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import http.server
import os
import random
import re
import threading
from pathlib import Path

import httpx
import pytest
from warcio.archiveiterator import ArchiveIterator

from paragraf_se.archive import warcfile
from paragraf_se.archive.errors import ArchiveError, ArchiveLocked, CaptureNotFound
from paragraf_se.archive.store import Archive, StoreResult, capture_id
from tests.clock import TickingClock

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"
HTML = (
    "<!DOCTYPE html><html lang=sv><head><meta charset=utf-8><title>Protokoll</title></head>"
    "<body><h1>Kommunstyrelsen</h1><p>§ 5 Årsredovisning 2023. Beslut: godkänns.</p>"
    "</body></html>"
).encode()
BINARY = bytes(range(256)) * 8 + random.Random(7).randbytes(3000)
PAYLOADS = {"pdf": PDF, "html": HTML, "binary": BINARY, "empty": b""}
URL = "https://www.exempelby.se/protokoll/ks-2024-03-01.pdf"


@pytest.fixture
def clock():
    return TickingClock()


@pytest.fixture
def archive(tmp_path, clock):
    with Archive(tmp_path / "archive", clock=clock) as archive:
        yield archive


def _records(archive: Archive) -> list:
    """(type, headers, payload, digest-check) of every record in every WARC file, in order."""
    records = []
    for name in warcfile.list_warc_files(archive.warc_dir):
        with open(archive.warc_dir / name, "rb") as fh:
            for record in ArchiveIterator(fh, check_digests=True):
                payload = record.content_stream().read()
                records.append(
                    (record.rec_type, record.rec_headers, payload, record.digest_checker)
                )
    return records


def _pdf_response(archive: Archive, body: bytes = PDF, **kwargs) -> StoreResult:
    headers = kwargs.pop("headers", [("Content-Type", "application/pdf"), ("ETag", '"v1"')])
    return archive.store_response(URL, status=200, headers=headers, body=body, **kwargs)


@pytest.mark.parametrize("kind", sorted(PAYLOADS))
def test_resource_round_trip_is_byte_identical(archive, kind, tmp_path):
    source = (tmp_path / f"in/{kind}.bin").as_uri()
    result = archive.store_resource(PAYLOADS[kind], source=source, content_type="")
    assert result.new
    assert archive.read(result.capture.id) == PAYLOADS[kind]
    assert result.capture.size == len(PAYLOADS[kind])
    assert result.capture.kind == "resource"
    assert result.capture.status is None


@pytest.mark.parametrize("kind", sorted(PAYLOADS))
def test_response_round_trip_is_byte_identical(archive, kind):
    result = archive.store_response(
        f"https://www.exempelby.se/{kind}",
        status=200,
        headers=[("Content-Type", "application/octet-stream")],
        body=PAYLOADS[kind],
    )
    assert archive.read(result.capture.id) == PAYLOADS[kind]
    assert archive.get(result.capture.id) == result.capture


def test_capture_fields_are_deterministic(tmp_path, clock):
    with Archive(tmp_path / "a", clock=clock) as archive:
        capture = _pdf_response(archive).capture
    assert capture.id == capture_id(URL, hashlib.sha256(PDF).hexdigest())
    assert capture.sha256 == hashlib.sha256(PDF).hexdigest()
    assert capture.fetched_at == dt.datetime(2024, 3, 1, 9, 0, 1, tzinfo=dt.UTC)
    assert capture.warc_file == "paragraf-20240301090001-00001.warc.gz"
    assert (capture.kind, capture.status, capture.content_type) == (
        "response",
        200,
        "application/pdf",
    )
    assert capture.meta() == {"declared_content_type": "application/pdf"}


def test_storing_identical_resource_again_adds_no_record(archive, tmp_path):
    source = (tmp_path / "ks.pdf").as_uri()
    first = archive.store_resource(PDF, source=source, content_type="application/pdf")
    size = os.path.getsize(archive.warc_dir / first.capture.warc_file)
    again = archive.store_resource(PDF, source=source, content_type="application/pdf")
    assert again == StoreResult(first.capture, new=False)
    assert archive.count() == 1
    assert os.path.getsize(archive.warc_dir / first.capture.warc_file) == size
    assert [visit.revisit for visit in archive.visits(source)] == [False, True]


def test_same_bytes_from_another_source_is_another_capture(archive, tmp_path):
    a = archive.store_resource(PDF, source=(tmp_path / "a.pdf").as_uri(), content_type="")
    b = archive.store_resource(PDF, source=(tmp_path / "b.pdf").as_uri(), content_type="")
    assert a.capture.id != b.capture.id
    assert a.capture.sha256 == b.capture.sha256
    assert archive.count() == 2


def test_identical_response_is_a_revisit_record(archive):
    original = _pdf_response(archive, request_headers=[("User-Agent", "paragraf")])
    again = _pdf_response(archive, headers=[("Content-Type", "application/pdf"), ("ETag", '"v2"')])
    assert not again.new
    assert again.capture.id == original.capture.id
    assert archive.count() == 1
    types = [record[0] for record in _records(archive)]
    assert types == ["warcinfo", "response", "request", "revisit", "request"]
    response, revisit = _records(archive)[1][1], _records(archive)[3][1]
    assert revisit.get_header("WARC-Profile").endswith("/revisit/identical-payload-digest")
    assert revisit.get_header("WARC-Refers-To") == response.get_header("WARC-Record-ID")
    assert revisit.get_header("WARC-Payload-Digest") == response.get_header("WARC-Payload-Digest")
    assert revisit.get_header("WARC-Refers-To-Date") == response.get_header("WARC-Date")
    visits = archive.visits(URL)
    assert [(v.revisit, v.etag) for v in visits] == [(False, '"v1"'), (True, '"v2"')]
    assert archive.validators(URL) == ('"v2"', None)


def test_changed_content_is_a_new_capture_and_both_are_listed(archive):
    first = _pdf_response(archive)
    second = _pdf_response(archive, body=PDF + b"% amended\n")
    assert second.new and second.capture.id != first.capture.id
    listed = list(archive.captures(source_prefix="https://www.exempelby.se/protokoll/"))
    assert [c.id for c in listed] == [first.capture.id, second.capture.id]
    assert archive.latest(URL) == second.capture
    _pdf_response(archive)  # the site reverted to the first version
    assert archive.latest(URL) == first.capture
    assert list(archive.captures(source_prefix="https://elsewhere.se/")) == []
    assert archive.latest("https://elsewhere.se/x") is None


def test_metadata_is_merged_when_identical_bytes_are_stored_again(archive, tmp_path):
    source = (tmp_path / "ks.pdf").as_uri()
    first = archive.store_resource(
        PDF, source=source, content_type="application/pdf", metadata={"org": "Exempelby"}
    )
    again = archive.store_resource(
        PDF,
        source=source,
        content_type="application/pdf",
        metadata={"org": "Exempelby kommun", "body": "Kommunstyrelsen"},
    )
    expected = {
        "org": "Exempelby kommun",
        "body": "Kommunstyrelsen",
        "declared_content_type": "application/pdf",
    }
    assert not again.new
    assert again.capture.meta() == expected
    assert archive.get(first.capture.id).meta() == expected
    assert [record[0] for record in _records(archive)] == ["warcinfo", "resource", "metadata"]


def test_response_metadata_is_merged_on_revisit(archive):
    _pdf_response(archive, metadata={"org": "Exempelby"})
    again = _pdf_response(archive, metadata={"date": "2024-03-01"})
    assert again.capture.meta() == {
        "org": "Exempelby",
        "date": "2024-03-01",
        "declared_content_type": "application/pdf",
    }
    assert archive.get(again.capture.id) == again.capture


def test_html_served_as_pdf_is_recorded_as_html_with_declared_type_kept(archive):
    result = archive.store_response(
        URL, status=200, headers=[("Content-Type", "application/pdf; name=ks.pdf")], body=HTML
    )
    assert result.capture.content_type == "text/html"
    assert result.capture.meta()["declared_content_type"] == "application/pdf; name=ks.pdf"
    text = archive.store_response(
        URL + "?v=2", status=200, headers=[("content-type", "text/plain; charset=utf-8")], body=b"x"
    )
    assert text.capture.content_type == "text/plain"


def test_rotation_by_size(tmp_path, clock):
    limit = 16 * 1024
    payloads = [random.Random(n).randbytes(5000) for n in range(12)]
    with Archive(tmp_path / "a", clock=clock, max_warc_bytes=limit) as archive:
        captures = [
            archive.store_resource(data, source=f"file:///in/{n}.bin", content_type="").capture
            for n, data in enumerate(payloads)
        ]
        names = warcfile.list_warc_files(archive.warc_dir)
        assert len(names) >= 4
        assert [warcfile.sequence_of(name) for name in names] == list(range(1, len(names) + 1))
        for name in names:
            assert os.path.getsize(archive.warc_dir / name) <= limit
            with open(archive.warc_dir / name, "rb") as fh:
                assert next(iter(ArchiveIterator(fh))).rec_type == "warcinfo"
        for capture, data in zip(captures, payloads, strict=True):
            assert archive.read(capture.id) == data
        assert archive.verify().ok


def test_a_record_larger_than_the_limit_gets_a_file_of_its_own(tmp_path, clock):
    with Archive(tmp_path / "a", clock=clock, max_warc_bytes=1000) as archive:
        big = random.Random(3).randbytes(5000)
        small = archive.store_resource(b"small", source="file:///s", content_type="").capture
        large = archive.store_resource(big, source="file:///b", content_type="").capture
        after = archive.store_resource(b"after", source="file:///t", content_type="").capture
        assert len({small.warc_file, large.warc_file, after.warc_file}) == 3
        assert archive.read(large.id) == big


def test_warc_files_are_readable_by_warcio_with_matching_offsets_and_digests(archive):
    response = _pdf_response(archive).capture
    resource = archive.store_resource(BINARY, source="file:///in/x.bin", content_type="").capture
    with open(archive.warc_dir / response.warc_file, "rb") as fh:
        iterator = ArchiveIterator(fh, check_digests=True)
        located = {}
        for record in iterator:
            body = record.content_stream().read()
            assert record.digest_checker.passed is not False
            located[iterator.get_record_offset()] = (
                record.rec_type,
                iterator.get_record_length(),
                body,
                record.rec_headers.get_header("WARC-Payload-Digest"),
            )
    assert located[response.offset] == (
        "response",
        response.length,
        PDF,
        warcfile.sha1_digest(PDF),
    )
    assert located[resource.offset][:3] == ("resource", resource.length, BINARY)


def test_encoded_transfer_headers_are_renamed_so_replay_does_not_decode_again(archive):
    result = archive.store_response(
        URL,
        status=200,
        headers=[
            ("Content-Type", "application/pdf"),
            ("Content-Encoding", "gzip"),
            ("Transfer-Encoding", "chunked"),
        ],
        body=PDF,
    )
    assert archive.read(result.capture.id) == PDF
    record = next(r for r in _records(archive) if r[0] == "response")
    assert record[2] == PDF  # warcio's decoding reader left it alone


@pytest.mark.parametrize(
    "bad_id",
    [
        "../../etc/passwd",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "..%2F..%2Fcatalog.sqlite",
        "",
        "0123456789ABCDEF0123",
        "0" * 19,
        "0" * 21,
        "0" * 20 + "\n",
        "0" * 20 + "/../x",
        None,
        12345,
    ],
)
def test_malformed_capture_ids_are_not_found(archive, bad_id):
    with pytest.raises(CaptureNotFound):
        archive.get(bad_id)
    with pytest.raises(CaptureNotFound):
        archive.read(bad_id)


def test_unknown_capture_id_is_not_found(archive):
    _pdf_response(archive)
    with pytest.raises(CaptureNotFound) as caught:
        archive.read("0" * 20)
    assert isinstance(caught.value, ArchiveError)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"url": "https://a.se/x\r\nWARC-Type: resource"},
        {"url": ""},
        {"url": "https://a.se/with space"},
        {"status": 42},
        {"headers": [("Content-Type", "text/html\r\nX-Injected: 1")]},
        {"headers": [("Bad Name", "x")]},
        {"request_headers": [("User-Agent", "a\nb")]},
        {"metadata": {"org": 5}},
    ],
)
def test_bad_input_is_a_clear_value_error_and_writes_nothing(archive, kwargs):
    arguments = {"url": URL, "status": 200, "headers": [], "body": PDF, **kwargs}
    with pytest.raises(ValueError):
        archive.store_response(arguments.pop("url"), **arguments)
    assert archive.count() == 0
    assert warcfile.list_warc_files(archive.warc_dir) == []


def test_naive_clock_is_rejected(tmp_path):
    with Archive(tmp_path / "a", clock=lambda: dt.datetime(2024, 1, 1)) as archive:
        with pytest.raises(ValueError, match="timezone-aware"):
            archive.store_resource(b"x", source="file:///x", content_type="")
        assert archive.count() == 0


def test_not_modified_logs_a_visit_against_the_latest_capture(archive):
    original = _pdf_response(
        archive,
        headers=[("Content-Type", "application/pdf"), ("ETag", '"v1"'), ("Last-Modified", "LM")],
    ).capture
    seen = archive.record_not_modified(
        URL, request_headers=[("If-None-Match", '"v1"')], headers=[("Date", "later")]
    )
    assert seen == original
    assert archive.count() == 1
    last = archive.visits(URL)[-1]
    assert (last.status, last.revisit, last.capture_id) == (304, True, original.id)
    assert archive.validators(URL) == ('"v1"', "LM")  # a 304 need not repeat them
    revisit = _records(archive)[-2][1]
    assert revisit.get_header("WARC-Type") == "revisit"
    assert revisit.get_header("WARC-Profile").endswith("/revisit/server-not-modified")


def test_not_modified_for_an_unknown_url_writes_nothing(archive):
    assert archive.record_not_modified("https://a.se/never-fetched") is None
    assert warcfile.list_warc_files(archive.warc_dir) == []


def test_validators_skip_failed_fetches(archive):
    _pdf_response(archive)
    archive.store_response(
        URL, status=404, headers=[("ETag", '"error-page"')], body=b"<html><p>saknas</p>"
    )
    assert archive.validators(URL) == ('"v1"', None)
    assert archive.validators("https://a.se/never") == (None, None)


def test_writes_wait_for_the_writer_lock_but_reads_do_not(tmp_path, clock):
    root = tmp_path / "a"
    with Archive(root, clock=clock, lock_timeout=0) as archive:
        stored = _pdf_response(archive).capture
        other = os.open(root / ".writer.lock", os.O_RDWR)
        try:
            fcntl.flock(other, fcntl.LOCK_EX)  # another writer, as another process would
            with pytest.raises(ArchiveLocked):
                archive.store_resource(b"x", source="file:///x", content_type="")
            assert archive.read(stored.id) == PDF
            assert archive.count() == 1
        finally:
            os.close(other)
        assert archive.store_resource(b"x", source="file:///x", content_type="").new


def test_two_writers_on_one_root_take_turns_without_losing_records(tmp_path, clock):
    root = tmp_path / "a"
    with Archive(root, clock=clock) as one, Archive(root, clock=clock) as two:
        stored = {}
        for n in range(10):
            writer = one if n % 2 else two
            data = random.Random(n).randbytes(700)
            stored[
                writer.store_resource(data, source=f"file:///{n}", content_type="").capture.id
            ] = data
        for reader in (one, two):
            assert reader.count() == 10
            assert all(reader.read(cid) == data for cid, data in stored.items())
        assert one.verify().ok


def test_closed_archive_refuses_writes(tmp_path):
    archive = Archive(tmp_path / "a")
    archive.close()
    archive.close()  # idempotent
    with pytest.raises(ValueError, match="closed"):
        archive.store_resource(b"x", source="file:///x", content_type="")


class _ConditionalHandler(http.server.BaseHTTPRequestHandler):
    """Serves one PDF with an ETag and honours If-None-Match."""

    def do_GET(self) -> None:
        if self.headers.get("If-None-Match") == '"ks-v1"':
            self.send_response(304)
            self.send_header("ETag", '"ks-v1"')
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.send_header("ETag", '"ks-v1"')
        self.send_header("Content-Length", str(len(PDF)))
        self.end_headers()
        self.wfile.write(PDF)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def pdf_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ConditionalHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/ks.pdf"
    server.shutdown()
    server.server_close()
    thread.join()


def test_fetch_store_and_conditional_refetch_over_real_http(archive, pdf_server):
    with httpx.Client() as client:
        response = client.get(pdf_server)
        stored = archive.store_response(
            pdf_server,
            status=response.status_code,
            headers=list(response.headers.items()),
            body=response.content,
            request_headers=list(response.request.headers.items()),
        )
        etag, last_modified = archive.validators(pdf_server)
        assert (etag, last_modified) == ('"ks-v1"', None)
        again = client.get(pdf_server, headers={"If-None-Match": etag})
    assert again.status_code == 304
    seen = archive.record_not_modified(
        pdf_server,
        request_headers=list(again.request.headers.items()),
        headers=list(again.headers.items()),
    )
    assert seen == stored.capture
    assert archive.read(stored.capture.id) == PDF
    assert [v.status for v in archive.visits(pdf_server)] == [200, 304]
    assert archive.verify().ok


def test_archive_imports_nothing_else_of_ours():
    package = Path(__file__).resolve().parents[1] / "archive"
    # Any import of our namespace other than paragraf_se.archive itself.
    foreign = re.compile(r"^\s*(from|import)\s+paragraf_se(?!\.archive\b)", re.M)
    for module in package.rglob("*.py"):
        assert not foreign.search(module.read_text(encoding="utf-8")), module
