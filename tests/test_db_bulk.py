"""Large batches through the PostgreSQL store: a batched import and a parallel catch-up."""

from __future__ import annotations

from dataclasses import replace

import pytest

from paragraf_se.db import index_sync, migrate, paragraph_store
from paragraf_se.db.connection import connect
from paragraf_se.indexer.engine import SearchRequest
from paragraf_se.indexer.search import search
from paragraf_se.indexer.whoosh.index import PARALLEL_APPLY_MIN
from tests.paragraph_factory import make_paragraph
from tests.pg_cluster import running_cluster


@pytest.fixture(scope="module")
def db():
    with running_cluster() as (primary,), connect(primary.url) as conn:
        migrate.migrate(conn)
        yield conn


def _paragraphs(n: int, start: int = 1) -> list:
    return [make_paragraph(str(i), f"Ärende {i}", f"Bygglov för fastigheten Kvarnen {i}.",
                           url=f"https://x/{i}.txt") for i in range(start, start + n)]


def test_add_many_writes_logs_and_stamps_every_paragraph_in_batches(db):
    db.execute("TRUNCATE paragraphs, paragraph_sources, change_log CASCADE")
    first = _paragraphs(2500)
    again = replace(first[10], title="Ärende 11, ändrat")  # same id twice in one batch
    written = paragraph_store.add_many(db, [*first[:500], again, *first[500:]],
                                       batch_size=1000)
    assert written == 2501
    assert paragraph_store.count(db) == 2500
    assert paragraph_store.head(db) == 2501  # one log row per paragraph written
    assert paragraph_store.fetch(db, [again.id])[again.id].title == "Ärende 11, ändrat"
    # Each paragraph carries the position of its newest log row.
    stale = db.execute(
        """SELECT count(*) FROM paragraphs p
           WHERE p.updated_seq <> (SELECT max(seq) FROM change_log c
                                   WHERE c.paragraph_id = p.id)""").fetchone()[0]
    assert stale == 0
    sources = db.execute("SELECT count(*) FROM paragraph_sources").fetchone()[0]
    assert sources == 2500
    assert db.execute("SELECT url FROM paragraph_sources WHERE paragraph_id = %s",
                      (first[42].id,)).fetchone()[0] == "https://x/43.txt"


def test_a_node_catches_up_a_large_batch_with_worker_processes(db, tmp_path):
    db.execute("TRUNCATE paragraphs, paragraph_sources, change_log CASCADE")
    base = _paragraphs(20)
    paragraph_store.add_many(db, base)
    index_dir = tmp_path / "node-index"
    index = index_sync.open_synced(index_dir, db)
    assert index.count() == 20

    # More upserts than PARALLEL_APPLY_MIN in one batch: the parallel path,
    # with an update and a delete in the same apply.
    paragraph_store.add_many(db, _paragraphs(PARALLEL_APPLY_MIN + 200, start=100))
    paragraph_store.replace_source(db, "https://x/1.txt", [])
    changed = replace(base[1], text="Nya villkor för vindkraftverket.")
    paragraph_store.replace_source(db, "https://x/2.txt", [changed])
    result = index_sync.apply_changes(index, index_dir, db)
    assert result.upserts == PARALLEL_APPLY_MIN + 201
    assert result.deletes == 1
    assert index.count() == 20 + PARALLEL_APPLY_MIN + 200 - 1
    assert index_sync.read_position(index_dir, index.generation()) == paragraph_store.head(db)
    hits = search(index, SearchRequest(q="vindkraftverket"))
    assert [h.paragraph.id for h in hits.hits] == [changed.id]
    assert index.get(base[0].id) is None
    assert index.id_count(_paragraphs(1, start=700)[0].id) == 1
    index.close()
