"""Crawl and parse workers on a PostgreSQL store: ``crawl --database`` and ``worker parse``.

With ``--database`` several ``paragraf crawl`` processes, on one machine or
many, share one frontier (``paragraf.db.frontier``), one capture catalog
(``paragraf.db.catalog``) and one parse queue (``paragraf.db.parse_queue``).
Originals stay WARC files in a shared archive directory (``--archive-dir``,
default the data directory's archive); each process appends only to files
carrying its own writer tag (host name, pid and a random part).

Parsing: each crawl process parses what is on the parse queue after each
source (leasing captures one at a time, so several crawl processes and any
number of ``paragraf worker parse`` processes share the work); ``crawl
--no-parse`` leaves all of it to the parse workers.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import secrets
import socket
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg

from paragraf_se.archive.errors import ArchiveError
from paragraf_se.archive.store import Archive
from paragraf_se.archive.warcfile import writer_tag
from paragraf_se.command_base import CommandError
from paragraf_se.db import migrate
from paragraf_se.db.catalog import PgCatalog
from paragraf_se.db.connection import connect
from paragraf_se.db.errors import DatabaseError
from paragraf_se.db.frontier import DEFAULT_LEASE_SECONDS, LeaseKeeper, PgFrontier, worker_id
from paragraf_se.db.parse_queue import ParseQueue
from paragraf_se.db.registries import PgParseStatusLog, PgPermalinkRegistry
from paragraf_se.db.writer import PgParagraphWriter
from paragraf_se.isolated_parse import IsolatedParser
from paragraf_se.pipeline import Pipeline
from paragraf_se.settings import DataDir

log = logging.getLogger("paragraf.crawl")


def _command_error(message: str) -> Exception:
    return CommandError(message)


@dataclass
class SharedStore:
    """What one worker process holds open on the shared store."""

    worker: str
    pipeline: Pipeline
    queue: ParseQueue
    keeper: LeaseKeeper
    conns: list[psycopg.Connection]

    def close(self) -> None:
        """Stop renewing leases; close archive, writer and connections."""
        self.keeper.close()
        self.pipeline.archive.close()
        self.pipeline.index.close()
        for conn in self.conns:
            conn.close()


def archive_dir(args: argparse.Namespace, data_dir: DataDir) -> Path:
    """The shared archive directory: ``--archive-dir``, else the data directory's."""
    chosen = getattr(args, "archive_dir", None)
    return Path(chosen) if chosen else data_dir.archive


def open_shared_archive(url: str, archive_root: Path) -> Archive:
    """The shared archive: WARC files under ``archive_root``, the catalog in PostgreSQL."""
    conn = connect(url)
    try:
        migrate.require_current(conn)
        tag = writer_tag(socket.gethostname(), os.getpid(), secrets.token_hex(3))
        return Archive(archive_root, catalog=PgCatalog(conn), writer_tag=tag)
    except BaseException:
        conn.close()
        raise


def open_shared(url: str, archive_root: Path, *, worker: str,
                lease_seconds: float) -> SharedStore:
    """Open the shared archive, paragraph writer and parse queue for one worker process."""
    with contextlib.ExitStack() as opened:  # closes what was opened if a later step fails
        try:
            archive = open_shared_archive(url, archive_root)
            opened.callback(archive.close)
            writer = PgParagraphWriter(connect(url))
            opened.callback(writer.close)
            misc = connect(url)
            opened.callback(misc.close)
            keeper = LeaseKeeper(url, worker, lease_seconds)
        except DatabaseError as err:
            raise _command_error(str(err)) from err
        except OSError as err:
            raise _command_error(f"cannot open archive directory {archive_root}: {err}") from err
        opened.pop_all()
    # Permalinks and parse status in the shared database, as ``ingest --database``.
    pipeline = Pipeline(archive, writer, parse=IsolatedParser(),
                        permalinks=PgPermalinkRegistry(url), status_log=PgParseStatusLog(url))
    return SharedStore(worker, pipeline, ParseQueue(misc, worker, lease_seconds), keeper, [misc])


def drain_parse_queue(store: SharedStore, *, follow: bool = False, poll: float = 1.0,
                      sleep: Callable[[float], None] = time.sleep,
                      stop: Callable[[], bool] = lambda: False
                      ) -> tuple[int, int, Counter[str]]:
    """Parse and index queued captures until the queue is empty (or forever with ``follow``).

    Without ``follow`` it also waits for captures other workers hold, so a
    worker that died mid-parse has its capture parsed here once its lease
    expires. Returns (documents, paragraphs, failure reasons).
    """
    documents = paragraphs = 0
    failed: Counter[str] = Counter()
    while not stop():
        capture_id = store.queue.lease()
        if capture_id is None:
            if not follow and store.queue.waiting() == 0:
                break
            sleep(poll)
            continue
        try:
            capture = store.pipeline.archive.get(capture_id)
            outcome = store.pipeline.index_capture(capture)
        except ArchiveError as err:
            # A record missing from shared storage: report it, do not retry forever.
            store.queue.done(capture_id)
            documents += 1
            failed[f"not readable from the archive: {err}"[:80]] += 1
            log.warning("index-failed capture=%s reason=%r", capture_id, str(err))
            continue
        store.queue.done(capture_id)
        if outcome.status == "skipped":
            continue
        documents += 1
        paragraphs += outcome.paragraphs
        if outcome.failed:
            failed[(outcome.messages or ("unknown error",))[-1][:80]] += 1
            log.warning("index-failed url=%s capture=%s reason=%r", capture.source,
                        capture.id, "; ".join(outcome.messages))
    return documents, paragraphs, failed


def _lease_seconds(args: argparse.Namespace) -> float:
    lease = getattr(args, "lease", None)
    if lease is None:
        return DEFAULT_LEASE_SECONDS
    if lease < 1:
        raise _command_error("--lease must be at least 1 second (renewals come every third)")
    return float(lease)


def crawl_shared(args: argparse.Namespace, data_dir: DataDir, url: str, settings, sources,
                 progress, print_report) -> int:
    """``paragraf --database URL crawl``: this process as one worker on the shared frontier."""
    from paragraf_se.archive.crawl.shared import SharedCrawlRun
    from paragraf_se.archive.crawl.sources import crawl_source

    worker = worker_id()
    lease = _lease_seconds(args)
    store = open_shared(url, archive_dir(args, data_dir), worker=worker,
                        lease_seconds=lease)
    try:
        frontier = PgFrontier(url, worker=worker, lease_seconds=lease)
    except DatabaseError as err:
        store.close()
        raise _command_error(str(err)) from err
    log.info("worker id=%s lease=%ss", worker, lease)
    failures = 0
    nothing: tuple[int, int, Counter[str]] = (0, 0, Counter())
    try:
        for source in sources:
            report = crawl_source(source, settings, archive=store.pipeline.archive,
                                  frontier=frontier, max_pages=args.max_pages,
                                  restart=args.restart, progress=progress,
                                  run_type=SharedCrawlRun)
            progress.done()
            indexed = nothing if args.no_parse else drain_parse_queue(store)
            print_report(report, indexed)
            failures += report.failed_count + sum(indexed[2].values())
    except ArchiveError as err:
        raise _command_error(str(err)) from err
    except (DatabaseError, psycopg.Error) as err:
        raise _command_error(f"database error: {str(err).strip().splitlines()[0]}") from err
    finally:
        frontier.close()
        store.close()
    return 1 if failures else 0


def cmd_worker(args: argparse.Namespace, data_dir: DataDir) -> int:
    """``paragraf --database URL worker parse``: parse and index queued captures."""
    from paragraf_se.db.connection import database_url

    url = database_url(getattr(args, "database", None))
    if not url:
        raise _command_error("worker needs --database postgresql://… "
                             "(or PARAGRAF_DATABASE_URL)")
    store = open_shared(url, archive_dir(args, data_dir), worker=worker_id(),
                        lease_seconds=_lease_seconds(args))
    try:
        documents, paragraphs, failed = drain_parse_queue(store, follow=not args.once)
    except KeyboardInterrupt:
        return 130
    except (DatabaseError, psycopg.Error) as err:
        raise _command_error(f"database error: {str(err).strip().splitlines()[0]}") from err
    finally:
        store.close()
    summary = {"worker": store.worker, "documents": documents, "paragraphs": paragraphs,
               "failed": sum(failed.values())}
    print(json.dumps(summary, ensure_ascii=False) if args.json else
          f"parsed {documents} document(s), {paragraphs} paragraph(s), "
          f"{summary['failed']} failed", flush=True)
    return 1 if failed else 0
