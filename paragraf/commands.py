"""What each ``paragraf`` subcommand does: I/O at the edge, the work in the stages."""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sqlite3
import sys
from html import unescape

from paragraf_se.command_base import CommandError as CommandError  # raised by every command
from paragraf_se.command_base import open_pipeline, recover_data_dir, writing
from paragraf_se.command_base import out as _out
from paragraf_se.crawl_commands import cmd_archive as cmd_archive  # dispatched by name
from paragraf_se.crawl_commands import cmd_crawl as cmd_crawl
from paragraf_se.db.connection import database_url
from paragraf_se.db_commands import cmd_db as cmd_db  # dispatched by name from cli.main
from paragraf_se.isolated_parse import IsolatedParser
from paragraf_se.permalinks import PermalinkRegistry
from paragraf_se.settings import DataDir


def _describe(o) -> str:
    if o.failed:
        return f"FAILED    {o.name}: " + "; ".join(o.messages or ("unknown error",))
    if o.status == "skipped":
        return f"SKIPPED   {o.name}: " + "; ".join(o.messages or ("not a protocol",))
    c = o.change
    parts = [f"{o.paragraphs} paragraphs"]
    if o.paragraphs:
        parts.append(f"{c.added} new, {c.updated} updated, {c.unchanged} unchanged")
    if c.removed:
        parts.append(f"{c.removed} removed")
    archived = "archived" if o.new_in_archive else "already archived"
    line = (f"{o.status.upper():<9} {o.name}: {', '.join(parts)} "
            f"({archived}, capture {o.capture_id})")
    for m in o.messages:
        line += f"\n          warning: {m}"
    return line


def cmd_ingest(args: argparse.Namespace, data_dir: DataDir) -> int:
    from paragraf_se.ingest_facts import MetadataError, facts_for, from_options, read_manifest
    from paragraf_se.ingest_run import IngestRun
    from paragraf_se.pipeline import Outcome, iter_input_files

    options = from_options(args.org, args.body, args.date)
    manifest = None
    if args.manifest is not None:
        try:
            manifest = read_manifest(args.manifest)
        except MetadataError as err:
            raise CommandError(str(err)) from err
    paths = list(args.paths) or (list(manifest.paths) if manifest else [])
    if not paths and not manifest:
        raise CommandError("nothing to ingest: name files or directories, or --manifest")
    # Manifest rows that name no file cannot be tied to one: reported on their own.
    row_errors = [Outcome(str(args.manifest), "failed", messages=(msg,))
                  for target, msg in (manifest.errors if manifest else ()) if target is None]
    manifest_file = manifest.path.resolve() if manifest else None
    found = iter_input_files(paths, follow_symlinks=getattr(args, "follow_symlinks", False))
    # The manifest itself, inside a directory being ingested, is not a protocol.
    items = [*row_errors, *(i for i in found if manifest_file is None
                            or getattr(i, "path", i).resolve() != manifest_file)]
    with writing(data_dir):
        pipeline = open_pipeline(data_dir, database_url(getattr(args, "database", None)))
        run = IngestRun(pipeline, args.json, _describe, _ingest_json)
        # As index --rebuild: parsers in parallel, bulk-writer processes per commit.
        parsers = [pipeline.parse, *(IsolatedParser() for _ in range(INGEST_PROCS - 1))]
        try:
            run.run(items, lambda path: facts_for(path, options, manifest), parsers=parsers,
                    batch_documents=INGEST_BATCH_DOCUMENTS, procs=INGEST_PROCS)
        finally:
            for parser in parsers:
                parser.close()
            with contextlib.suppress(Exception):  # closing after a failed write may fail too
                if pipeline.permalinks is not None:
                    pipeline.permalinks.close()
                pipeline.index.close()
            pipeline.archive.close()
    if run.stopped is not None:
        run.report_stop(items)
        return 2
    if not args.json:
        _out(f"{run.total} file(s), {run.failed} failed, {run.skipped} skipped. "
             f"Data directory: {data_dir.root}")
    return 1 if run.failed else 0


def _ingest_json(outcome) -> str:
    return json.dumps({
        "file": outcome.name, "status": outcome.status,
        "capture_id": outcome.capture_id, "paragraphs": outcome.paragraphs,
        "new_in_archive": outcome.new_in_archive,
        "added": outcome.change.added, "updated": outcome.change.updated,
        "unchanged": outcome.change.unchanged, "removed": outcome.change.removed,
        "messages": list(outcome.messages),
    }, ensure_ascii=False)


def cmd_parse(args: argparse.Namespace, data_dir: DataDir) -> int:
    from paragraf_se.indexer.parsing import parse_document
    from paragraf_se.pipeline import guess_content_type

    try:
        data = args.file.read_bytes()
    except OSError as err:
        raise CommandError(f"cannot read {args.file}: {err.strerror}") from err
    result = parse_document(data, guess_content_type(args.file), filename=str(args.file))
    if args.json:
        from paragraf_se.parse_json import parse_result_json

        _out(json.dumps(parse_result_json(result), ensure_ascii=False, indent=2))
    else:
        m = result.meeting
        _out(f"status:  {result.status}")
        for msg in result.messages:
            _out(f"  - {msg}")
        for label, value, where in (("org", m.org, m.org_from), ("body", m.body, m.body_from),
                                    ("date", m.date and m.date.isoformat(), m.date_from)):
            source = f"  ({where.source}: {where.printed})" if where else ""
            _out(f"{label + ':':<8} {value or '?'}{source}")
        _out(f"paragraphs: {len(result.paragraphs)}")
        for p in result.paragraphs:
            span = sorted({p.pages[0], p.pages[-1]}) if p.pages else []
            pages = f"  (p. {'-'.join(map(str, span))})" if span else ""
            dnr = f"  [{', '.join(p.diarienummer)}]" if p.diarienummer else ""
            _out(f"§ {p.number:<6} {p.title}{dnr}{pages}")
    return 1 if result.status == "failed" else 0


_TAGS = re.compile(r"</?mark>")
# Parser and writer processes for index --rebuild: one per core of the
# 2-core machines this runs on.
REBUILD_PROCS = 2
# ingest: the same parallelism, and commits of up to this many documents (a
# crash loses at most that much index work; the originals are archived).
INGEST_PROCS = 2
INGEST_BATCH_DOCUMENTS = 2_000
CLI_SEARCH_SECONDS = 10.0  # a CLI search is bounded by input size as any, and by this


def cmd_search(args: argparse.Namespace, data_dir: DataDir) -> int:
    import datetime as dt

    from paragraf_se.indexer.budget import Budget
    from paragraf_se.indexer.engine import InvalidRequest, SearchRequest
    from paragraf_se.indexer.facets import FACETS
    from paragraf_se.indexer.search import search
    from paragraf_se.search_api.representation import result_json
    from paragraf_se.wiring import open_engine

    def day(value: str | None) -> dt.date | None:
        return dt.date.fromisoformat(value) if value else None

    # Unquoted words arrive one per argument: `paragraf search eldning förbud`.
    query = " ".join(args.query) if isinstance(args.query, list) else args.query
    try:
        req = SearchRequest(q=query,
                            filters={f.name: tuple(getattr(args, f.name)) for f in FACETS},
                            date_from=day(getattr(args, "date_from", None)),
                            date_to=day(getattr(args, "date_to", None)), sort=args.sort,
                            mode=args.mode, page=args.page, size=args.size)
    except InvalidRequest as err:
        message = err.message.replace("'to'", "--to")  # the API's "to" is the option --to
        raise CommandError(f"--{err.param} {message}") from err
    except ValueError as err:
        raise CommandError(str(err)) from err
    if not data_dir.index.exists():
        raise CommandError(f"no index in {data_dir.root}: run 'paragraf ingest' first")
    index = open_engine(data_dir.index)
    try:
        # One search at a terminal, not a server under load: the time bound that keeps
        # a server responsive would make a cold first search's answer depend on the machine.
        result = search(index, req, Budget(CLI_SEARCH_SECONDS))
    finally:
        index.close()
    if args.json:
        _out(json.dumps(result_json(result), ensure_ascii=False))
        return 0
    for notice in result.notices:
        _out(f"note: {notice}")
    if result.suggestion:  # the UI's "Menade du …?"
        _out(f"did you mean: {result.suggestion}?")
    _out(f"{result.total} paragraph(s)")
    previous_match = "all"
    for i, hit in enumerate(result.hits, start=(result.page - 1) * result.size + 1):
        p = hit.paragraph
        if hit.match == "partial" and previous_match != "partial":
            _out(f"with some of the words ({result.partial_total or result.total}):")
        previous_match = hit.match
        _out(f"{i:>3}. {p.citation}  {p.title}")
        _out(f"     {unescape(_TAGS.sub('*', hit.snippet))}")
        _out(f"     {p.permalink}")
    return 0


def cmd_serve(args: argparse.Namespace, data_dir: DataDir) -> int:
    import os

    import uvicorn

    from paragraf_se import serve_config
    from paragraf_se.logs import configure_logging
    from paragraf_se.web import create_app
    from paragraf_se.wiring import open_engine

    given = {k: v for k, v in vars(args).items() if k != "command"}
    try:
        config = serve_config.resolve(given, os.environ, given.pop("config", None))
    except serve_config.ConfigError as err:
        raise CommandError(str(err)) from err
    database = database_url(getattr(args, "database", None))
    if config.replica and not database:
        raise CommandError("--replica needs --database (the primary writers use)")
    if not database:
        open_engine(data_dir.index).close()  # an unreadable index: one clear error, not a trace
    configure_logging(config.log_level, config.log_format)
    # log_config=None: uvicorn's loggers go through ours; its access log is replaced
    # by ours, which has the latency and the route. A node only reads: from the
    # replica when one is given.
    uvicorn.run(create_app(data_dir, config=config, database=config.replica or database),
                host=config.host, port=config.port, root_path=config.root_path,
                log_config=None, log_level=config.log_level, access_log=False)
    return 0


def cmd_index(args: argparse.Namespace, data_dir: DataDir) -> int:
    if not args.rebuild:
        raise CommandError("nothing to do: use 'paragraf index --rebuild'")
    from paragraf_se import index_swap

    # Build beside the live index, then swap, so searches never see a half-built one.
    recover_data_dir(data_dir)
    try:
        with writing(data_dir), index_swap.rebuild_lock(data_dir):
            count, failed = _rebuild(data_dir)
    except index_swap.RebuildRunning as err:
        raise CommandError(str(err)) from err
    _out(f"Rebuilt index: {count} paragraphs, {failed} document(s) failed.")
    return 1 if failed else 0


def _rebuild(data_dir: DataDir) -> tuple[int, int]:
    from paragraf_se import index_swap
    from paragraf_se.archive.store import Archive
    from paragraf_se.pipeline import Pipeline
    from paragraf_se.wiring import open_engine

    fresh_dir = index_swap.new_rebuild_dir(data_dir)
    archive = Archive(data_dir.archive)
    fresh = open_engine(fresh_dir)
    failed = 0
    parsers = [IsolatedParser() for _ in range(REBUILD_PROCS)]
    try:
        for outcome in Pipeline(archive, fresh, parse=parsers[0]).rebuild(
                procs=REBUILD_PROCS, parsers=parsers):
            if outcome.status != "skipped":
                failed += outcome.failed
                print(_describe(outcome), file=sys.stderr if outcome.failed else sys.stdout,
                      flush=True)
        count = fresh.count()
    finally:
        for parser in parsers:
            parser.close()
        fresh.close()
        archive.close()
    index_swap.swap_in(data_dir, fresh_dir)
    return count, failed


def cmd_check(args: argparse.Namespace, data_dir: DataDir) -> int:
    from paragraf_se.check import check, check_database, repair

    database = database_url(getattr(args, "database", None))
    if database:
        if args.repair:
            raise CommandError("--repair works on a data directory's own index; with "
                               "--database re-ingest the documents instead")
        from paragraf_se.db.errors import DatabaseError

        try:
            report = check_database(data_dir, database,
                                    progress=lambda msg: print(msg, file=sys.stderr, flush=True))
        except DatabaseError as err:
            raise CommandError(str(err)) from err
        return _check_report(report, "in the database")
    if args.repair:
        with writing(data_dir):
            _out(f"re-indexed {repair(data_dir)} document(s) with missing paragraphs")
    report = check(data_dir, progress=lambda msg: print(msg, file=sys.stderr, flush=True))
    return _check_report(report, "in the index")


def _check_report(report, where: str) -> int:
    _out(f"archive records verified: {report.records_verified}")
    _out(f"documents re-parsed:      {report.documents}")
    _out(f"paragraphs expected:      {report.paragraphs_expected}")
    _out(f"{'paragraphs ' + where + ':':<25} {report.paragraphs_indexed}")
    if report.ok:
        _out(f"OK: the archive is intact and every paragraph is {where} exactly once.")
        return 0
    _out(f"{len(report.problems)} problem(s):")
    for problem in report.problems:
        _out(f"  - {problem}")
    return 1


def cmd_backup(args: argparse.Namespace, data_dir: DataDir) -> int:
    from paragraf_se.backup import BackupError, backup

    try:
        summary = backup(data_dir, args.dest)
    except BackupError as err:
        raise CommandError(str(err)) from err
    except (OSError, sqlite3.Error) as err:  # a full or read-only destination
        from paragraf_se.pipeline import describe_write_error

        raise CommandError(f"backup to {args.dest} failed: {describe_write_error(err)}; "
                           f"remove {args.dest.name}.partial and try again") from err
    _out(f"Backed up {summary.captures} captures and {summary.paragraphs} paragraphs "
         f"({summary.files} files) to {args.dest}")
    return 0


def cmd_restore(args: argparse.Namespace, data_dir: DataDir) -> int:
    from paragraf_se.backup import BackupError, restore

    try:
        summary = restore(args.src, data_dir, force=args.force, wait=args.wait,
                          progress=lambda msg: print(msg, file=sys.stderr, flush=True))
    except BackupError as err:
        raise CommandError(str(err)) from err
    except (OSError, sqlite3.Error) as err:  # e.g. no room for the copy beside the live data
        from paragraf_se.pipeline import describe_write_error

        raise CommandError(f"restore stopped: {describe_write_error(err)}; the data directory "
                           "was not changed") from err
    _out(f"Restored {summary.captures} captures and {summary.paragraphs} paragraphs "
         f"into {data_dir.root}")
    return 0


def cmd_permalinks(args: argparse.Namespace, data_dir: DataDir) -> int:
    registry = PermalinkRegistry(data_dir.permalinks)
    added = registry.alias_body(args.org, args.from_body, args.to_body)
    _out(f"{added} permalink(s) of {args.from_body} ({args.org}) now redirect to "
         f"{args.to_body}")
    return 0


def cmd_compounds(args: argparse.Namespace, data_dir: DataDir) -> int:
    import os

    from paragraf_se.indexer.compounds import build_wordlist, read_extra_words

    if not args.hunspell.is_file():
        raise CommandError(f"{args.hunspell} not found: apt-get install hunspell-sv")
    try:
        words = build_wordlist(args.hunspell, read_extra_words())
    except (OSError, UnicodeDecodeError) as err:
        raise CommandError(f"cannot read {args.hunspell}: {err}") from err
    # Into the data directory, never into the installed package: the shipped list
    # stays as released, and this one replaces it for this data directory only.
    target = data_dir.wordlist
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_text("\n".join(words) + "\n", encoding="utf-8")
        os.replace(tmp, target)
    except OSError as err:
        raise CommandError(f"cannot write {target}: {err.strerror or err}") from err
    _out(f"Wrote {len(words)} words to {target}; it replaces the shipped list for this data "
         "directory. Rebuild the index: paragraf index --rebuild")
    return 0


def cmd_worker(args: argparse.Namespace, data_dir: DataDir) -> int:
    """``worker parse``: see paragraf.crawl_workers (imported here, when used)."""
    from paragraf_se.crawl_workers import cmd_worker as run_worker

    return run_worker(args, data_dir)


def cmd_demo(args: argparse.Namespace, data_dir: DataDir) -> int:
    from paragraf_se.demo import run_demo

    return run_demo(data_dir, host=args.host, port=args.port, serve=not args.no_serve,
                    out=sys.stdout)

