"""``paragraf crawl`` and ``paragraf archive``: crawl sources into the archive, index, inspect.

The crawl state (frontier and hand-offs) lives in ``crawl-state.sqlite`` in
the data directory; structured log lines (one per fetch) go to
``crawl.log`` there, and to stderr with ``--verbose``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sqlite3
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import TYPE_CHECKING, TextIO

from paragraf_se.archive.crawl.config import (
    ConfigError,
    CrawlConfig,
    CrawlerSettings,
    SourceConfig,
    load_config,
    seed_source,
)
from paragraf_se.archive.crawl.engine import CrawlReport, CrawlRun
from paragraf_se.archive.crawl.frontier import Frontier
from paragraf_se.archive.errors import ArchiveError
from paragraf_se.archive.sniff import PDF
from paragraf_se.command_base import CommandError, open_pipeline, writing
from paragraf_se.db.connection import database_url
from paragraf_se.progress import DEFAULT_INTERVAL, ProgressReporter
from paragraf_se.settings import DataDir

if TYPE_CHECKING:
    from paragraf_se.pipeline import Pipeline



def _command_error(message: str) -> Exception:
    return CommandError(message)


def _out(line: str = "") -> None:
    print(line, flush=True)


class Progress:
    """Crawl progress per source on stderr: pages fetched of the URLs known so far, rates.

    A tqdm bar on a terminal, else a plain line every ``interval`` seconds and
    one when the source is done (see paragraf.progress).
    """

    def __init__(self, stream: TextIO | None = None,
                 interval: float = DEFAULT_INTERVAL) -> None:
        self.stream = stream
        self.interval = interval
        self._reporter: ProgressReporter | None = None
        self._source: str | None = None

    def __call__(self, run: CrawlRun) -> None:
        if self._reporter is None or self._source != run.source.name:
            self.done()
            self._source = run.source.name
            self._reporter = ProgressReporter(f"crawl {run.source.name}", unit="pages",
                                              stream=self.stream, interval=self.interval)
        # N grows as pages link to new URLs; the page budget caps it.
        total = min(run.max_pages, run.fetched + run.queued)
        self._reporter.set(run.fetched, {"new": run.new, "unchanged": run.unchanged,
                                         "failed": sum(run.failed.values())}, total=total)

    def done(self) -> None:
        """The source is finished: close its line or bar."""
        if self._reporter is not None:
            self._reporter.close()
            self._reporter = None


@contextmanager
def _crawl_logging(data_dir: DataDir, verbose: bool) -> Iterator[None]:
    logger = logging.getLogger("paragraf.crawl")
    data_dir.root.mkdir(parents=True, exist_ok=True)
    handlers: list[logging.Handler] = [logging.FileHandler(data_dir.crawl_log,
                                                           encoding="utf-8")]
    if verbose:
        handlers.append(logging.StreamHandler(sys.stderr))
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    for handler in handlers:
        handler.setFormatter(formatter)
        logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.setLevel(previous)
        for handler in handlers:
            logger.removeHandler(handler)
            handler.close()


def _sources(args: argparse.Namespace) -> tuple[CrawlerSettings, list[SourceConfig]]:
    try:
        if args.seed:
            settings = CrawlerSettings(contact=args.contact or "")
            org = args.org or ""
            source = seed_source(args.seed, org or args.seed, max_pages=args.max_pages)
            if args.delay is not None:
                from dataclasses import replace

                source = replace(source, limits=replace(source.limits, delay=args.delay))
            return settings, [source]
        if not args.config:
            raise _command_error("give --config sources.toml or --seed URL")
        config: CrawlConfig = load_config(args.config)
        sources = [config.source(args.source)] if args.source else list(config.sources)
        if not sources:
            raise _command_error(f"{args.config} defines no [[source]]")
        return config.crawler, sources
    except ConfigError as err:
        raise _command_error(str(err)) from err


def _dry_run(settings: CrawlerSettings, sources: list[SourceConfig]) -> int:
    _out(f"User-Agent: {settings.user_agent_header}  (workers {settings.workers})")
    if not settings.contact:
        print("paragraf: warning: no contact set in [crawler]; site owners cannot reach you",
              file=sys.stderr, flush=True)
    for src in sources:
        limits = ", ".join(f"{k}={v}" for k, v in asdict(src.limits).items())
        _out(f"{src.name}: {src.kind} for {src.organisation!r}")
        _out(f"  start: {' '.join(src.start_urls)}")
        _out(f"  hosts: {' '.join(sorted(src.hosts()))}")
        if src.include or src.exclude:
            _out(f"  include: {list(src.include)}  exclude: {list(src.exclude)}")
        _out(f"  limits: {limits}")
    _out("Dry run: nothing fetched, nothing written.")
    return 0


def _print_report(report: CrawlReport, indexed: tuple[int, int, Counter[str]]) -> None:
    documents, paragraphs, index_failed = indexed
    resumed = " (resumed)" if report.resumed else ""
    _out(f"{report.source}{resumed}: fetched {report.fetched}, new {report.new}, "
         f"unchanged {report.unchanged}, failed {report.failed_count}, "
         f"left {report.left}; indexed {documents} document(s), {paragraphs} paragraph(s)")
    for reason, count in report.failed:
        _out(f"  failed    {count:>5}  {reason}")
    for reason, count in report.skipped:
        _out(f"  skipped   {count:>5}  {reason}")
    for reason, count in sorted(index_failed.items()):
        _out(f"  not indexed {count:>3}  {reason}")
    for url, detail in report.failures[:10]:
        _out(f"  e.g. {url}: {detail}")
    if report.left:
        _out(f"  {report.left} URL(s) left in the frontier: the next run resumes them")


def index_handoffs(pipeline: Pipeline, frontier: Frontier
                   ) -> tuple[int, int, Counter[str]]:
    """Parse and index every capture the crawl handed off; meeting pages before PDFs.

    Each capture is marked taken only after the index has it, so a killed
    run re-indexes at most the one capture it was working on (indexing a
    source replaces its paragraphs, so that is harmless).
    """
    captures = [pipeline.archive.get(cid) for cid in frontier.untaken()]
    # Meeting pages first: a protocol PDF's text then wins for the same paragraphs.
    captures.sort(key=lambda c: c.content_type == PDF)
    documents = paragraphs = 0
    failed: Counter[str] = Counter()
    for capture in captures:
        outcome = pipeline.index_capture(capture)
        frontier.take(capture.id)
        if outcome.status == "skipped":
            continue
        documents += 1
        paragraphs += outcome.paragraphs
        if outcome.failed:
            failed[(outcome.messages or ("unknown error",))[-1][:80]] += 1
            logging.getLogger("paragraf.crawl").warning(
                "index-failed url=%s capture=%s reason=%r", capture.source, capture.id,
                "; ".join(outcome.messages))
    return documents, paragraphs, failed


def cmd_crawl(args: argparse.Namespace, data_dir: DataDir) -> int:
    """Crawl the configured (or seeded) sources, then index what is new or changed."""
    from paragraf_se.archive.crawl.sources import crawl_source

    settings, sources = _sources(args)
    if args.dry_run:
        return _dry_run(settings, sources)
    database = database_url(getattr(args, "database", None))
    if database:
        # Several workers on one frontier: see paragraf.crawl_workers.
        from paragraf_se.crawl_workers import crawl_shared

        with _crawl_logging(data_dir, args.verbose):
            return crawl_shared(args, data_dir, database, settings, sources, Progress(),
                                _print_report)
    failures = 0
    with writing(data_dir), _crawl_logging(data_dir, args.verbose):
        try:
            pipeline = open_pipeline(data_dir)
        except ArchiveError as err:
            raise _command_error(str(err)) from err
        frontier = Frontier(data_dir.crawl_state)
        progress = Progress()
        try:
            # Captures a killed run stored but did not index come first.
            index_handoffs(pipeline, frontier)
            for source in sources:
                report = crawl_source(source, settings, archive=pipeline.archive,
                                      frontier=frontier, max_pages=args.max_pages,
                                      restart=args.restart, progress=progress)
                progress.done()
                indexed = index_handoffs(pipeline, frontier)
                _print_report(report, indexed)
                failures += report.failed_count + sum(indexed[2].values())
        except ArchiveError as err:
            raise _command_error(str(err)) from err
        except (OSError, sqlite3.Error) as err:  # a full disk or a read-only mount
            from paragraf_se.pipeline import describe_write_error

            raise _command_error(
                f"crawl stopped: {describe_write_error(err)}; everything archived so far is "
                "kept, and running the same crawl again resumes it") from err
        finally:
            frontier.close()
            pipeline.index.close()
            pipeline.archive.close()
    return 1 if failures else 0


def cmd_archive(args: argparse.Namespace, data_dir: DataDir) -> int:
    """``archive verify`` and ``archive ls``."""
    from paragraf_se.archive.store import Archive

    database = database_url(getattr(args, "database", None))
    if database:
        # The shared archive of crawl workers (see paragraf.crawl_workers).
        from paragraf_se.crawl_workers import archive_dir, open_shared_archive
        from paragraf_se.db.errors import DatabaseError

        if args.archive_command == "remove":
            raise _command_error("archive remove does not work on the shared archive "
                                 "(--database) yet")
        try:
            archive = open_shared_archive(database, archive_dir(args, data_dir))
        except (DatabaseError, OSError) as err:
            raise _command_error(str(err)) from err
    else:
        if not data_dir.catalog.exists():
            raise _command_error(f"no archive in {data_dir.root}")
        if args.archive_command == "remove":
            return _archive_remove(args, data_dir)
        try:
            # Read-only: ls and verify must work on a full disk and a read-only mount.
            archive = Archive(data_dir.archive, readonly=True)
        except ArchiveError as err:
            raise _command_error(str(err)) from err
    try:
        if args.archive_command == "verify":
            report = archive.verify()
            for problem in report.problems:
                _out(f"PROBLEM {problem}")
            status = "ok" if report.ok else f"{len(report.problems)} problem(s)"
            _out(f"Checked {report.checked} WARC record(s), {archive.count()} capture(s): "
                 f"{status}")
            return 0 if report.ok else 1
        if args.removed:
            return _list_removed(archive, args.json)
        for capture in archive.captures(source_prefix=args.source_prefix):
            meta = capture.meta()
            if args.json:
                _out(json.dumps({
                    "id": capture.id, "source": capture.source, "kind": capture.kind,
                    "status": capture.status, "fetched_at": capture.fetched_at.isoformat(),
                    "content_type": capture.content_type, "size": capture.size,
                    "sha256": capture.sha256, "warc_file": capture.warc_file,
                    "offset": capture.offset, "metadata": meta,
                }, ensure_ascii=False))
            else:
                _out(f"{capture.id}  {capture.fetched_at:%Y-%m-%d %H:%M:%S}  "
                     f"{capture.status or '-':>3}  {capture.content_type:<16} "
                     f"{capture.size:>9}  {meta.get('role', '-'):<13} {capture.source}")
        return 0
    finally:
        archive.close()


def _list_removed(archive, as_json: bool) -> int:
    """``archive ls --removed``: the audit log of removals, oldest first."""
    for r in archive.removals():
        if as_json:
            _out(json.dumps({"id": r.capture_id, "source": r.source,
                             "removed_at": r.removed_at.isoformat(), "removed_by": r.removed_by,
                             "reason": r.reason}, ensure_ascii=False))
        else:
            _out(f"{r.capture_id}  removed {r.removed_at:%Y-%m-%d %H:%M:%S} UTC by "
                 f"{r.removed_by}  {r.source}\n    reason: {r.reason}")
    return 0


def _archive_remove(args: argparse.Namespace, data_dir: DataDir) -> int:
    """``archive remove CAPTURE_ID --reason``: tombstone a capture and unindex it."""
    import getpass


    try:
        by = args.by or getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        by = "unknown"
    with writing(data_dir):
        pipeline = open_pipeline(data_dir)
        try:
            removal, outcome = pipeline.remove_capture(args.capture_id, reason=args.reason,
                                                       by=by)
        except ValueError as err:
            raise _command_error(str(err)) from err
        except ArchiveError as err:
            raise _command_error(f"cannot remove {args.capture_id!r}: {err}") from err
        finally:
            pipeline.index.close()
            pipeline.archive.close()
    _out(f"Removed {removal.capture_id} ({removal.source}) from publication on "
         f"{removal.removed_at:%Y-%m-%d %H:%M:%S} UTC by {removal.removed_by}.")
    _out(f"Reason: {removal.reason}")
    change = outcome.change
    _out(f"Index: {change.removed} paragraph(s) removed, {change.updated} updated; the WARC "
         "record stays in the archive with a tombstone ('archive ls --removed').")
    return 0
