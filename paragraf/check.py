"""``paragraf check``: is everything archived intact, and indexed exactly once?"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from paragraf_se.archive.errors import ArchiveError
from paragraf_se.archive.store import Archive
from paragraf_se.indexer.engine import Engine
from paragraf_se.isolated_parse import IsolatedParser
from paragraf_se.pipeline import Pipeline
from paragraf_se.settings import DataDir
from paragraf_se.wiring import open_data_dir, open_engine

MAX_LISTED = 50  # problems listed one by one; the rest are counted


@dataclass(frozen=True)
class CheckReport:
    """What ``check`` looked at and every problem it found."""

    records_verified: int
    documents: int
    paragraphs_expected: int
    paragraphs_indexed: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def check(data_dir: DataDir, progress: Callable[[str], None] | None = None) -> CheckReport:
    """Verify archive digests, that the index opens, and that it matches the archive.

    Every latest protocol capture is parsed again; each paragraph it should
    give must be in the index exactly once with that capture's source, and
    no indexed paragraph may point at a source the archive does not have.
    """
    say = progress or (lambda _msg: None)
    problems: list[str] = []
    if not data_dir.archive.exists():
        return CheckReport(0, 0, 0, 0, (f"no archive in {data_dir.root}",))
    # Read-only: check must work on a full disk and a read-only mount.
    with Archive(data_dir.archive, readonly=True) as archive:
        say("verifying archive records …")
        report = archive.verify()
        problems.extend(f"archive: {p}" for p in report.problems)
        try:
            index = open_engine(data_dir.index)
            indexed = index.count()
        except Exception as err:  # any failure to open is itself the finding
            problems.append(f"index cannot be opened: {type(err).__name__}: {err}")
            return CheckReport(report.checked, 0, 0, 0, tuple(problems))
        parser = IsolatedParser()
        try:
            documents, expected = _compare(Pipeline(archive, index, parse=parser), index,
                                           problems, say)
        finally:
            parser.close()
            index.close()
    if len(problems) > MAX_LISTED:
        problems = [*problems[:MAX_LISTED], f"… and {len(problems) - MAX_LISTED} more"]
    return CheckReport(report.checked, documents, expected, indexed, tuple(problems))


def _compare(pipeline: Pipeline, index: Engine, problems: list[str],
             say: Callable[[str], None]) -> tuple[int, int]:
    captures = pipeline.latest_parsed_captures()
    say(f"re-parsing {len(captures)} archived documents …")
    sources = {c.source for c in captures}
    expected_ids: set[str] = set()
    for capture in captures:
        try:
            parsed = pipeline.paragraphs_of(capture)
        except ArchiveError as err:
            problems.append(f"cannot read {capture.source} from the archive: {err}")
            continue
        if parsed.paragraphs is None:
            continue  # a document that cannot be parsed has nothing to index
        for p in parsed.paragraphs:
            expected_ids.add(p.id)
            n = index.id_count(p.id)
            if n != 1:
                problems.append(f"{p.citation} ({p.id}) from {capture.source} is indexed "
                                f"{n} times, expected once")
                continue
            indexed = index.get(p.id)
            if indexed is not None and capture.source not in {s.url for s in indexed.sources}:
                problems.append(f"{p.citation} is indexed without its source {capture.source}")
    for p in index.all():
        if p.id not in expected_ids and not any(s.url in sources for s in p.sources):
            problems.append(f"{p.citation} ({p.id}) is indexed but no archived document has it")
    return len(captures), len(expected_ids)


def check_database(data_dir: DataDir, url: str,
                   progress: Callable[[str], None] | None = None) -> CheckReport:
    """``check`` for a deployment on PostgreSQL: archive, database and node index agree.

    The archive's digests are verified and every latest protocol capture is
    parsed again; each paragraph must be in the database with that source,
    and no paragraph in the database may lack an archived document. When this
    machine has a node index (``serve --database``) that has applied the whole
    change log, it must hold exactly the database's paragraphs.
    """
    from paragraf_se.db import index_sync, migrate, paragraph_store
    from paragraf_se.db.connection import connect
    from paragraf_se.db.writer import PgParagraphWriter

    say = progress or (lambda _msg: None)
    problems: list[str] = []
    with connect(url) as conn:
        migrate.require_current(conn)
        store = PgParagraphWriter(conn)
        in_db = store.count()
        documents = expected = checked = 0
        if data_dir.archive.exists():
            with Archive(data_dir.archive, readonly=True) as archive:
                say("verifying archive records …")
                report = archive.verify()
                checked = report.checked
                problems.extend(f"archive: {p}" for p in report.problems)
                parser = IsolatedParser()
                try:
                    documents, expected = _compare(Pipeline(archive, store, parse=parser),
                                                   store, problems, say)
                finally:
                    parser.close()
        else:
            problems.append(f"no archive in {data_dir.root} to check the database against")
        if data_dir.node_index.exists():
            say("comparing this node's index with the database …")
            _compare_node(data_dir, conn, index_sync, paragraph_store, problems, say)
    if len(problems) > MAX_LISTED:
        problems = [*problems[:MAX_LISTED], f"… and {len(problems) - MAX_LISTED} more"]
    return CheckReport(checked, documents, expected, in_db, tuple(problems))


def _compare_node(data_dir: DataDir, conn, index_sync, paragraph_store, problems: list[str],
                  say: Callable[[str], None]) -> None:
    try:
        node = open_engine(data_dir.node_index)
    except Exception as err:  # any failure to open is itself the finding
        problems.append(f"node index cannot be opened: {type(err).__name__}: {err}")
        return
    try:
        position = index_sync.read_position(data_dir.node_index, node.generation())
        head = paragraph_store.head(conn)
        if position is None:
            problems.append("node index records no change-log position: rebuild it "
                            "(paragraf db sync)")
            return
        if position != head:
            say(f"node index is at change {position} of {head}: not compared "
                "(run paragraf db sync first)")
            return
        in_node = {p.id for p in node.all()}
        in_db = {r[0] for r in conn.execute("SELECT id FROM paragraphs").fetchall()}
        for pid in sorted(in_db - in_node):
            problems.append(f"paragraph {pid} is in the database but not in the node index")
        for pid in sorted(in_node - in_db):
            problems.append(f"paragraph {pid} is in the node index but not in the database")
    finally:
        node.close()


def repair(data_dir: DataDir) -> int:
    """Index every archived protocol whose paragraphs are not all in the index.

    Returns the number of documents indexed. Used after a restore, and by
    ``paragraf check --repair``.
    """
    repaired = 0
    # The whole wiring, registries included: a repair records issued permalinks
    # and parse status as an ingest would.
    with open_data_dir(data_dir) as opened:
        index = opened.engine
        parser = IsolatedParser()
        try:
            pipeline = opened.pipeline(parse=parser)
            for capture in pipeline.latest_parsed_captures():
                try:
                    parsed = pipeline.paragraphs_of(capture)
                except ArchiveError:
                    continue  # damaged: nothing to index from it; check reports it
                if parsed.paragraphs and any(index.id_count(p.id) != 1
                                             for p in parsed.paragraphs):
                    pipeline.index_capture(capture)
                    repaired += 1
        finally:
            parser.close()
    return repaired
