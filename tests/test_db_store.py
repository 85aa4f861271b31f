"""The PostgreSQL store against a real server: migrations, change log, replica, node sync."""

from __future__ import annotations

import threading
import time

import pytest

from paragraf_se.db import index_sync, migrate, paragraph_store
from paragraf_se.db.connection import connect
from paragraf_se.db.errors import DatabaseUnavailable, MigrationError, NotMigrated
from paragraf_se.db.node_sync import NodeSync
from paragraf_se.indexer.engine import SearchRequest
from paragraf_se.indexer.search import search
from paragraf_se.indexer.whoosh.index import WhooshIndex
from tests.paragraph_factory import make_paragraph
from tests.pg_cluster import running_cluster, wait_replayed


@pytest.fixture(scope="module")
def cluster():
    with running_cluster(replica=True) as servers:
        yield servers


@pytest.fixture()
def db(cluster):
    """A migrated, empty database on the primary."""
    primary = cluster[0]
    with connect(primary.url) as conn:
        migrate.migrate(conn)
        yield conn
        conn.execute("TRUNCATE paragraphs, paragraph_sources, change_log, documents, "
                     "frontier, crawl_hosts, parse_queue, captures, visits CASCADE")


def test_migrate_applies_once_and_records_checksums(cluster):
    with connect(cluster[0].url) as conn:
        first = migrate.migrate(conn)
        again = migrate.migrate(conn)
        state = migrate.state(conn)
    assert again == ()
    assert state.pending == () and state.current == max(m.version for m in
                                                         migrate.shipped_migrations())
    assert first == () or first[0].version == 1


def test_a_changed_migration_is_refused(cluster):
    with connect(cluster[0].url) as conn:
        migrate.migrate(conn)
        conn.execute("UPDATE schema_migrations SET sha256 = repeat('0', 64) WHERE version = 1")
        try:
            with pytest.raises(MigrationError, match="changed after it was applied"):
                migrate.state(conn)
            with pytest.raises(MigrationError, match="changed after it was applied"):
                migrate.migrate(conn)
        finally:
            conn.execute("UPDATE schema_migrations SET sha256 = %s WHERE version = 1",
                         (migrate.shipped_migrations()[0].sha256,))


def test_an_unmigrated_database_is_reported(cluster):
    primary = cluster[0]
    primary.psql("CREATE DATABASE empty_one", db="postgres")
    with (connect(primary.url.rsplit("/", 1)[0] + "/empty_one") as conn,
          pytest.raises(NotMigrated, match="paragraf db migrate")):
        migrate.require_current(conn)


def test_unreachable_server_is_one_clear_error():
    with pytest.raises(DatabaseUnavailable, match="cannot connect to postgresql://u:\\*\\*\\*@"):
        connect("postgresql://u:secret@127.0.0.1:1/x")
    with pytest.raises(DatabaseUnavailable, match="not a PostgreSQL URL"):
        connect("mysql://x")


def test_replace_source_logs_every_change_in_order(db):
    a = make_paragraph("1", "Budget", url="https://x/a.pdf", content_type="application/pdf")
    b = make_paragraph("2", "Avfallsplan", url="https://x/a.pdf", content_type="application/pdf")
    change = paragraph_store.replace_source(db, "https://x/a.pdf", [a, b])
    assert (change.added, change.removed) == (2, 0)
    assert paragraph_store.count(db) == 2
    # Re-publishing without § 2 deletes it; unchanged § 1 writes nothing.
    change = paragraph_store.replace_source(db, "https://x/a.pdf", [a])
    assert (change.unchanged, change.removed) == (1, 1)
    log = paragraph_store.changes_since(db, 0, 100)
    assert [(c.paragraph_id, c.op) for c in log] == [(a.id, "upsert"), (b.id, "upsert"),
                                                     (b.id, "delete")]
    assert [c.seq for c in log] == sorted(c.seq for c in log)


def test_shared_paragraph_keeps_both_sources_and_the_pdf_text(db):
    html = make_paragraph("5", "Titel", "Webbtext.", url="https://x/m.html",
                          content_type="text/html")
    pdf = make_paragraph("5", "Titel", "PDF-text.", url="https://x/m.pdf",
                         content_type="application/pdf")
    paragraph_store.replace_source(db, "https://x/m.pdf", [pdf])
    paragraph_store.replace_source(db, "https://x/m.html", [html])
    stored = paragraph_store.fetch(db, [pdf.id])[pdf.id]
    assert stored.text == "PDF-text."
    assert {s.url for s in stored.sources} == {"https://x/m.html", "https://x/m.pdf"}
    # Dropping the web page keeps the paragraph with the PDF alone.
    paragraph_store.replace_source(db, "https://x/m.html", [])
    stored = paragraph_store.fetch(db, [pdf.id])[pdf.id]
    assert [s.url for s in stored.sources] == ["https://x/m.pdf"]


def test_concurrent_writers_log_in_commit_order(cluster, db):
    def writer(k: int) -> None:
        with connect(cluster[0].url) as conn:
            for i in range(20):
                p = make_paragraph(f"{k}{i}", f"Ärende {k} {i}", url=f"https://x/{k}-{i}.txt")
                paragraph_store.replace_source(conn, p.source.url, [p])

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(1, 4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log = paragraph_store.changes_since(db, 0, 1000)
    assert len(log) == 60 and len({c.paragraph_id for c in log}) == 60
    assert paragraph_store.count(db) == 60


def test_node_index_follows_the_log_and_resumes_from_its_position(db, tmp_path):
    index_dir = tmp_path / "node-index"
    first = [make_paragraph(str(i), f"Detaljplan {i}", f"Planbesked för kvarter {i}.",
                            url=f"https://x/{i}.txt") for i in range(1, 31)]
    for p in first:
        paragraph_store.replace_source(db, p.source.url, [p])
    index = index_sync.open_synced(index_dir, db)  # an empty node builds from the table
    assert index.count() == 30
    assert index_sync.read_position(index_dir, index.generation()) == paragraph_store.head(db)

    paragraph_store.replace_source(db, "https://x/1.txt", [])  # delete § 1
    newer = make_paragraph("40", "Avfallsplan", "Ny avfallsplan antas.", url="https://x/40.txt")
    paragraph_store.replace_source(db, newer.source.url, [newer])
    result = index_sync.apply_changes(index, index_dir, db, limit=1)
    assert (result.changes, result.deletes) == (1, 1)
    result = index_sync.apply_changes(index, index_dir, db)
    assert (result.changes, result.upserts) == (1, 1)
    assert index_sync.apply_changes(index, index_dir, db).changes == 0
    hits = search(index, SearchRequest(q="avfallsplan"))
    assert [h.paragraph.number for h in hits.hits] == ["40"]
    assert index.count() == 30
    index.close()

    # Reopened, the node continues from the position of its generation.
    reopened = index_sync.open_synced(index_dir, db)
    assert reopened.count() == 30
    assert index_sync.read_position(index_dir, reopened.generation()) == paragraph_store.head(db)
    reopened.close()


def test_a_crash_between_position_and_commit_reapplies_harmlessly(db, tmp_path):
    index_dir = tmp_path / "node-index"
    index = index_sync.open_synced(index_dir, db)
    p = make_paragraph("7", "Bygglov", url="https://x/7.txt")
    paragraph_store.replace_source(db, p.source.url, [p])

    def crash(generation: int) -> None:
        index_sync._write_position(index_dir, generation, 10**9)
        raise RuntimeError("killed before the commit")

    before = index.generation()
    with pytest.raises(RuntimeError):
        index.apply([p], [], before_commit=crash)
    assert index.generation() == before  # nothing committed; the stray position is ignored
    assert index_sync.apply_changes(index, index_dir, db).upserts == 1
    assert index.count() == 1
    index.close()


def test_replica_serves_the_log_and_paragraphs(cluster, db):
    primary, replica = cluster
    p = make_paragraph("9", "Replikerad", url="https://x/9.txt")
    paragraph_store.replace_source(db, p.source.url, [p])
    wait_replayed(primary, replica)
    with connect(replica.url) as ro:
        assert [c.paragraph_id for c in paragraph_store.changes_since(ro, 0, 10)] == [p.id]
        assert paragraph_store.fetch(ro, [p.id])[p.id].title == "Replikerad"


def test_whoosh_index_apply_replaces_exact_versions(tmp_path):
    index = WhooshIndex(tmp_path / "ix")
    a = make_paragraph("1", "Gammal titel")
    index.apply([a], [])
    index.apply([make_paragraph("1", "Ny titel")], [])
    assert index.count() == 1 and index.get(a.id).title == "Ny titel"
    index.apply([], [a.id])
    assert index.count() == 0
    index.close()


def test_a_large_change_set_streams_into_worker_processes(db, tmp_path, monkeypatch):
    # Thresholds lowered so a handful of paragraphs takes the catching-up path:
    # rows read in chunks while two bulk-writer processes analyse them.
    monkeypatch.setattr(index_sync, "PARALLEL_APPLY_MIN", 5)
    monkeypatch.setattr(index_sync, "FETCH_CHUNK", 4)
    index_dir = tmp_path / "node-index"
    index = index_sync.open_synced(index_dir, db)
    many = [make_paragraph(str(i), f"Motion {i}", f"Motion om gång- och cykelväg {i}.",
                           url=f"https://x/m{i}.txt") for i in range(1, 13)]
    paragraph_store.add_many(db, many)
    paragraph_store.replace_source(db, "https://x/m3.txt", [])  # § 3 goes again
    result = index_sync.apply_changes(index, index_dir, db)
    assert (result.changes, result.upserts, result.deletes) == (13, 11, 1)
    assert index.count() == 11 and index.get(many[2].id) is None
    assert search(index, SearchRequest(q="cykelväg")).total == 11
    assert index_sync.read_position(index_dir, index.generation()) == paragraph_store.head(db)
    index.close()


def test_merging_segments_keeps_the_position(db, tmp_path):
    index_dir = tmp_path / "node-index"
    index = index_sync.open_synced(index_dir, db)
    for i in range(1, 13):  # twelve small applies: twelve one-paragraph segments
        p = make_paragraph(str(i), f"Bygglov {i}", url=f"https://x/b{i}.txt")
        paragraph_store.replace_source(db, p.source.url, [p])
        index_sync.apply_changes(index, index_dir, db)
    position = index_sync.read_position(index_dir, index.generation())
    assert len(index.segment_sizes()) == 12
    generation = index_sync.compact(index, index_dir)
    assert generation == index.generation()
    assert index.segment_sizes() == [12]
    assert index_sync.read_position(index_dir, generation) == position == paragraph_store.head(db)
    assert [p.name for p in index_dir.glob("sync-position-*.json")] == [
        f"sync-position-{generation}.json"]
    # Reopened, the node resumes from the merged generation's position.
    index.close()
    reopened = index_sync.open_synced(index_dir, db)
    assert reopened.count() == 12 and index_sync.apply_changes(reopened, index_dir, db).changes == 0
    reopened.close()


def test_a_fresh_node_reads_paragraphs_in_ingest_order(db, tmp_path):
    ids = []
    for i in (5, 1, 9, 3):
        p = make_paragraph(str(i), f"Ärende {i}", url=f"https://x/o{i}.txt")
        paragraph_store.replace_source(db, p.source.url, [p])
        ids.append(p.id)
    again = make_paragraph("5", "Ärende 5, rättad", url="https://x/o5.txt")
    paragraph_store.replace_source(db, again.source.url, [again])  # § 5 changes last
    expected = [*ids[1:], ids[0]]
    with db.transaction():  # a server-side cursor lives in a transaction
        assert [p.id for p in paragraph_store.iter_in_log_order(db, chunk=2)] == expected
    index = index_sync.open_synced(tmp_path / "node-index", db)
    with index._ix.reader() as r:
        assert [r.stored_fields(d)["id"] for d in range(r.doc_count_all())] == expected
    index.close()


def test_pruning_keeps_the_positions_of_newer_generations(tmp_path):
    # The merger and the applier commit from two threads: one's clean-up must
    # not remove the file the other wrote for the commit it is making.
    for generation in (3, 4, 5):
        index_sync._write_position(tmp_path, generation, generation * 10)
    index_sync._prune_positions(tmp_path, 4)
    assert [index_sync.read_position(tmp_path, g) for g in (3, 4, 5)] == [None, 40, 50]


def test_a_following_node_merges_while_it_applies(cluster, db, tmp_path):
    index_dir = tmp_path / "node-index"
    index = index_sync.open_synced(index_dir, db)
    sync = NodeSync(index, index_dir, cluster[0].url, poll_s=0.2).start()
    try:
        for i in range(1, 41):
            p = make_paragraph(str(i), f"Remiss {i}", url=f"https://x/r{i}.txt")
            paragraph_store.replace_source(db, p.source.url, [p])
            time.sleep(0.05)
        head = paragraph_store.head(db)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (
                sync.status().position == head and len(index.segment_sizes()) < 10):
            time.sleep(0.2)
        assert sync.status().position == head and sync.status().error is None
        assert len(index.segment_sizes()) < 10  # merged as it went
    finally:
        sync.stop()
    assert index.count() == 40
    assert index_sync.read_position(index_dir, index.generation()) == head
    assert search(index, SearchRequest(q="remiss")).total == 40
    index.close()
