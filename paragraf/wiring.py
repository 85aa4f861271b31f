"""Opening a data directory: the one place Paragraf's parts are put together.

Every command, the server, check and repair, backup and the demo open what
they need here: the archive, the index engine, the permalink and
parse-status registries and the pipeline over them, from the embedded files
of a :class:`~paragraf_se.settings.DataDir` or, with ``--database``, from
PostgreSQL. :func:`open_engine` is the one place an engine is constructed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paragraf_se.indexer.whoosh import files as index_layout  # the engine's files (backup)
from paragraf_se.settings import DataDir

__all__ = ["Opened", "index_layout", "open_data_dir", "open_engine", "open_registries"]

if TYPE_CHECKING:
    from paragraf_se.archive.store import Archive
    from paragraf_se.indexer.engine import Engine
    from paragraf_se.pipeline import Pipeline


def open_engine(directory: Path | None, *, compounds: bool = True) -> Engine:
    """The index engine in ``directory`` (in memory when None), created when absent.

    ``compounds=False`` is the plain-Snowball baseline the evaluation compares against.
    """
    from paragraf_se.indexer.whoosh.index import WhooshIndex

    return WhooshIndex(directory, compounds=compounds)


def open_registries(data_dir: DataDir, database: str | None = None) -> tuple[Any, Any]:
    """The permalink registry and the parse-status log: PostgreSQL's, or the data directory's.

    With a database they are shared by every node, so 301/410 answers and the
    documents page agree everywhere.
    """
    if database:
        from paragraf_se.db.registries import PgParseStatusLog, PgPermalinkRegistry

        return PgPermalinkRegistry(database), PgParseStatusLog(database)
    from paragraf_se.parse_status import ParseStatusLog
    from paragraf_se.permalinks import PermalinkRegistry

    return PermalinkRegistry(data_dir.permalinks), ParseStatusLog(data_dir.parse_status)


@dataclass
class Opened:
    """An opened data directory; close it (or use it as a context manager) when done."""

    data_dir: DataDir
    archive: Archive
    engine: Any  # an Engine, or PostgreSQL's paragraph writer for --database writes
    permalinks: Any = None
    parse_status: Any = None
    _closers: list[Any] = field(default_factory=list, repr=False)

    def pipeline(self, parse: Any = None) -> Pipeline:
        """The ingest pipeline over these parts (``parse``: the parser, default in-process)."""
        from paragraf_se.pipeline import Pipeline

        extra = {"parse": parse} if parse is not None else {}
        return Pipeline(self.archive, self.engine, permalinks=self.permalinks,
                        status_log=self.parse_status, **extra)

    def close(self) -> None:
        for part in reversed(self._closers):
            part.close()
        self._closers.clear()

    def __enter__(self) -> Opened:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_data_dir(data_dir: DataDir, *, database: str | None = None, readonly: bool = False,
                  registries: bool = True, engine: Any = None) -> Opened:
    """Open ``data_dir``'s archive, engine and registries.

    ``readonly``: the archive is opened for reading (serving, checking: works on
    a full disk or a read-only mount). ``database``: paragraphs are written to
    PostgreSQL (unless ``engine`` is given, e.g. a serving node's synced index)
    and the registries are PostgreSQL's. ``registries=False`` leaves them out
    (a check must not create files). ``engine``: use this engine instead of
    the data directory's index.
    """
    from paragraf_se.archive.store import Archive

    closers: list[Any] = []
    try:
        archive = Archive(data_dir.archive,
                          readonly=readonly and data_dir.catalog.is_file())
        closers.append(archive)
        if engine is None:
            engine = _database_writer(database) if database else open_engine(data_dir.index)
        closers.append(engine)
        permalinks = parse_status = None
        if registries:
            permalinks, parse_status = open_registries(data_dir, database)
            closers.extend(r for r in (permalinks, parse_status) if hasattr(r, "close"))
    except BaseException:
        for part in reversed(closers):
            part.close()
        raise
    return Opened(data_dir, archive, engine, permalinks, parse_status, closers)


def _database_writer(url: str) -> Any:
    """Paragraph writes into PostgreSQL, for a deployment of several nodes."""
    from paragraf_se.db import migrate
    from paragraf_se.db.connection import connect
    from paragraf_se.db.writer import PgParagraphWriter

    conn = connect(url)
    migrate.require_current(conn)
    return PgParagraphWriter(conn)
