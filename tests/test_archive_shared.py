"""The archive's shared mode: several writers, one catalog, each appending to its own files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from paragraf_se.archive.catalog import Catalog
from paragraf_se.archive.store import Archive
from paragraf_se.archive.warcfile import list_warc_files, tag_of, warc_name, writer_tag
from tests.clock import TickingClock


def test_writer_tags_are_file_name_safe() -> None:
    assert writer_tag("Crawl-01.Example.se", 4242, "a1b2c3") == "crawl-01-example-se-4242-a1b2c3"
    with pytest.raises(ValueError):
        writer_tag("...", "--")
    when = dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC)
    assert tag_of(warc_name(when, 7, "host-1-ab")) == "host-1-ab"
    assert tag_of(warc_name(when, 7)) is None
    assert tag_of("other.warc.gz") is None


def test_a_shared_catalog_needs_a_writer_tag(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="go together"):
        Archive(tmp_path, writer_tag="a-1")


def test_two_writers_append_only_to_their_own_files(tmp_path: Path) -> None:
    root = tmp_path / "shared"
    root.mkdir()
    # One catalog, two connections: it stands in for PostgreSQL here.
    catalog_path = tmp_path / "catalog.sqlite"
    writers = {tag: Archive(root, catalog=Catalog(catalog_path), writer_tag=tag,
                            clock=TickingClock(), max_warc_bytes=2500)
               for tag in ("a-1", "b-2")}
    try:
        stored: dict[str, list[tuple[str, bytes]]] = {tag: [] for tag in writers}
        for i in range(8):
            for tag, archive in writers.items():
                data = f"protokoll {tag} {i} ".encode() * 40
                result = archive.store_resource(data, source=f"file:///{tag}/{i}.txt",
                                                content_type="text/plain")
                stored[tag].append((result.capture.id, data))
        # A writer dies mid-append: a torn tail in its newest file.
        newest_a = [n for n in list_warc_files(root / "warc") if tag_of(n) == "a-1"][-1]
        with open(root / "warc" / newest_a, "ab") as fh:
            fh.write(b"\x1f\x8b\x08\x00torn")
        writers["b-2"].store_resource(b"after the crash" * 20, source="file:///b-2/late.txt",
                                      content_type="text/plain")
        names = list_warc_files(root / "warc")
        assert {tag_of(n) for n in names} == {"a-1", "b-2"}
        assert sum(tag_of(n) == "a-1" for n in names) > 1  # rotated by size, per writer
        for tag, captures in stored.items():
            for capture_id, data in captures:
                # Each capture lies in a file of the writer that stored it, and
                # the other writer reads it through the shared catalog.
                other = writers["b-2" if tag == "a-1" else "a-1"]
                assert tag_of(other.get(capture_id).warc_file) == tag
                assert other.read(capture_id) == data
        report = writers["b-2"].verify()
        assert report.ok, report.problems
        assert writers["a-1"].count() == 17
    finally:
        for archive in writers.values():
            archive.close()
