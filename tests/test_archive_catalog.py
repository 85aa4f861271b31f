"""The SQLite catalog on its own: schema, ordering, validators, transactions."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from paragraf_se.archive.catalog import (
    Catalog,
    Location,
    Visit,
    capture_id,
    is_capture_id,
)
from paragraf_se.archive.model import Capture

T0 = dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC)


def _capture(source: str, n: int, *, minutes: int = 0) -> Capture:
    sha = f"{n:064x}"
    return Capture(
        id=capture_id(source, sha),
        source=source,
        sha256=sha,
        content_type="application/pdf",
        fetched_at=T0 + dt.timedelta(minutes=minutes),
        kind="response",
        warc_file="paragraf-20240301090000-00001.warc.gz",
        offset=100 * n,
        length=90,
        size=1000 + n,
        status=200,
        metadata=(("org", "Exempelby kommun"), ("body", "Kommunstyrelsen")),
    )


@pytest.fixture
def catalog(tmp_path):
    catalog = Catalog(tmp_path / "catalog.sqlite")
    yield catalog
    catalog.close()


def _add(catalog: Catalog, capture: Capture, *, etag: str | None = None) -> None:
    with catalog.transaction():
        catalog.insert_capture(capture, record_id="<urn:uuid:x>", payload_digest="sha1:X")
        visit = Visit(capture.source, capture.fetched_at, capture.status, capture.id, False, etag)
        catalog.add_visit(visit, Location(capture.warc_file, capture.offset, capture.length))


def test_capture_id_is_stable_and_depends_on_source_and_content():
    sha = "ab" * 32
    assert capture_id("https://a.se/x.pdf", sha) == capture_id("https://a.se/x.pdf", sha)
    assert capture_id("https://a.se/x.pdf", sha) != capture_id("https://a.se/y.pdf", sha)
    assert capture_id("https://a.se/x.pdf", sha) != capture_id("https://a.se/x.pdf", "cd" * 32)
    assert is_capture_id(capture_id("https://a.se/x.pdf", sha))
    for bad in ("../../etc/passwd", "%2e%2e", "A" * 20, "0" * 21, "0" * 20 + "\n", None, 7):
        assert not is_capture_id(bad)


def test_database_uses_wal_and_indexes_source_and_sha256(tmp_path, catalog):
    with sqlite3.connect(tmp_path / "catalog.sqlite") as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        indexed = {
            row[0]
            for row in other.execute(
                "SELECT il.name FROM sqlite_master AS m, pragma_index_list(m.name) AS l,"
                " pragma_index_info(l.name) AS il WHERE m.name = 'captures'"
            )
        }
    other.close()
    assert {"source", "sha256"} <= indexed


def test_foreign_keys_are_enforced(catalog):
    orphan = Visit("https://a.se/x", T0, 200, "f" * 20, False)
    with pytest.raises(sqlite3.IntegrityError), catalog.transaction():
        catalog.add_visit(orphan)
    assert catalog.visits("https://a.se/x") == []


def test_round_trip_of_a_capture_row(catalog):
    capture = _capture("https://a.se/x.pdf", 1)
    _add(catalog, capture)
    stored = catalog.get(capture.id)
    assert stored is not None
    assert stored.capture == Capture(
        **{**capture.__dict__, "metadata": tuple(sorted(capture.metadata))}
    )
    assert stored.capture.fetched_at.tzinfo is not None
    assert catalog.get("0" * 20) is None
    assert catalog.count() == 1


def test_failed_transaction_leaves_nothing_behind(catalog):
    capture = _capture("https://a.se/x.pdf", 1)
    with pytest.raises(RuntimeError), catalog.transaction():
        catalog.insert_capture(capture, record_id="r", payload_digest="d")
        raise RuntimeError("crash before commit")
    assert catalog.count() == 0


def test_captures_ordered_by_time_then_id_and_prefix_is_literal(catalog):
    late = _capture("https://a.se/%_/b", 1, minutes=5)
    early = _capture("https://a.se/%_/a", 2, minutes=1)
    other = _capture("https://a.se/xy/c", 3, minutes=3)
    for capture in (late, early, other):
        _add(catalog, capture)
    assert [c.id for c in catalog.captures()] == [early.id, other.id, late.id]
    # "%" and "_" are LIKE wildcards: a prefix must match them literally.
    assert [c.id for c in catalog.captures("https://a.se/%_/")] == [early.id, late.id]
    assert catalog.captures("https://b.se/") == []


def test_latest_follows_the_newest_visit_not_the_newest_capture(catalog):
    url = "https://a.se/p.pdf"
    first, second = _capture(url, 1), _capture(url, 2, minutes=1)
    _add(catalog, first)
    _add(catalog, second)
    assert catalog.latest(url).capture.id == second.id
    with catalog.transaction():  # the source went back to the first content
        catalog.add_visit(Visit(url, T0 + dt.timedelta(minutes=2), 200, first.id, True))
    assert catalog.latest(url).capture.id == first.id
    assert catalog.latest("https://a.se/never") is None


def test_validators_come_from_the_newest_successful_visit(catalog):
    url = "https://a.se/p.pdf"
    _add(catalog, _capture(url, 1), etag='"v1"')
    with catalog.transaction():
        catalog.add_visit(Visit(url, T0 + dt.timedelta(minutes=1), 503, None, False, '"err"'))
    assert catalog.validators(url) == ('"v1"', None)
    assert catalog.validators_after(url, None, "Fri, 01 Mar 2024 09:00:00 GMT") == (
        '"v1"',
        "Fri, 01 Mar 2024 09:00:00 GMT",
    )
    assert catalog.validators("https://a.se/never") == (None, None)


def test_metadata_update_and_committed_sizes(catalog):
    capture = _capture("https://a.se/x.pdf", 1)
    _add(catalog, capture)
    with catalog.transaction():
        catalog.set_metadata(capture.id, {"org": "Exempelby", "date": "2024-03-01"})
        catalog.set_committed_size("f.warc.gz", 10)
        catalog.set_committed_size("f.warc.gz", 25)
    assert catalog.get(capture.id).capture.meta() == {"org": "Exempelby", "date": "2024-03-01"}
    assert catalog.committed_size("f.warc.gz") == 25
    assert catalog.committed_size("g.warc.gz") is None
    with catalog.transaction():
        catalog.clear()
    assert catalog.count() == 0
    assert catalog.committed_size("f.warc.gz") is None
