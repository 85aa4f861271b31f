"""What each ``paragraf`` subcommand does: I/O at the edge, the work in the stages."""

from __future__ import annotations

import argparse
import json
import re
import sys
from html import unescape

from paragraf_se.isolated_parse import IsolatedParser
from paragraf_se.parse_status import ParseStatusLog, status_path
from paragraf_se.permalinks import PermalinkRegistry, registry_path
from paragraf_se.settings import DataDir


class CommandError(Exception):
    """A command could not start (bad arguments, unusable data directory)."""


def _out(line: str = "") -> None:
    print(line, flush=True)


def _recover(data_dir: DataDir) -> None:
    from paragraf_se.index_swap import recover

    note = recover(data_dir)
    if note:
        print(f"paragraf: {note} in {data_dir.root}", file=sys.stderr)


def _open(data_dir: DataDir):
    from paragraf_se.archive.store import Archive
    from paragraf_se.indexer.whoosh_engine import WhooshIndex
    from paragraf_se.pipeline import Pipeline

    _recover(data_dir)
    try:
        archive = Archive(data_dir.archive)
        index = WhooshIndex(data_dir.index)
    except OSError as err:
        raise CommandError(f"cannot open data directory {data_dir.root}: {err}") from err
    permalinks = PermalinkRegistry(registry_path(data_dir.root))
    return Pipeline(archive, index, parse=IsolatedParser(), permalinks=permalinks,
                    status_log=ParseStatusLog(status_path(data_dir.root)))


def _describe(o) -> str:
    if o.failed:
        return f"FAILED    {o.name}: " + "; ".join(o.messages or ("unknown error",))
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
    from paragraf_se.pipeline import Outcome, iter_input_files

    facts = {"org": args.org or "", "body": args.body or "", "date": args.date or ""}
    pipeline = _open(data_dir)
    failed = total = 0
    missing: list[Outcome] = []

    def files():
        for item in iter_input_files(args.paths):
            if isinstance(item, tuple):
                missing.append(Outcome(str(item[0]), "failed", messages=(item[1],)))
            else:
                yield item, facts

    # As index --rebuild: parsers in parallel, bulk-writer processes per commit.
    parsers = [pipeline.parse, *(IsolatedParser() for _ in range(INGEST_PROCS - 1))]
    try:
        # Index commits are grouped; every original is archived before it is parsed.
        with pipeline.index.batch(INGEST_BATCH_DOCUMENTS, procs=INGEST_PROCS):
            for outcome in pipeline.ingest_files(files(), parsers):
                for report in [*missing, outcome]:
                    total += 1
                    failed += report.failed
                    _out(_ingest_json(report) if args.json else _describe(report))
                missing.clear()
            for report in missing:
                total += 1
                failed += 1
                _out(_ingest_json(report) if args.json else _describe(report))
    finally:
        for parser in parsers:
            parser.close()
        if pipeline.permalinks is not None:
            pipeline.permalinks.close()
        pipeline.index.close()
        pipeline.archive.close()
    if not args.json:
        _out(f"{total} file(s), {failed} failed. Data directory: {data_dir.root}")
    return 1 if failed else 0


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
        _out(f"org:     {m.org or '?'}")
        _out(f"body:    {m.body or '?'}")
        _out(f"date:    {m.date.isoformat() if m.date else '?'}")
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


def cmd_search(args: argparse.Namespace, data_dir: DataDir) -> int:
    from paragraf_se.indexer.search import InvalidRequest, SearchRequest, search
    from paragraf_se.indexer.whoosh_engine import WhooshIndex
    from paragraf_se.search_api.representation import result_json

    try:
        years = tuple(int(y) for y in args.year)
        req = SearchRequest(q=args.query, orgs=tuple(args.org), bodies=tuple(args.body),
                            years=years, sort=args.sort, mode=args.mode, page=args.page,
                            size=args.size)
    except (InvalidRequest, ValueError) as err:
        raise CommandError(str(err)) from err
    if not data_dir.index.exists():
        raise CommandError(f"no index in {data_dir.root}: run 'paragraf ingest' first")
    index = WhooshIndex(data_dir.index)
    try:
        result = search(index, req)
    finally:
        index.close()
    if args.json:
        _out(json.dumps(result_json(result), ensure_ascii=False))
        return 0
    for notice in result.notices:
        _out(f"note: {notice}")
    _out(f"{result.total} paragraph(s)")
    for i, hit in enumerate(result.hits, start=(result.page - 1) * result.size + 1):
        p = hit.paragraph
        _out(f"{i:>3}. {p.citation}  {p.title}")
        _out(f"     {unescape(_TAGS.sub('*', hit.snippet))}")
        _out(f"     {p.permalink}")
    return 0


def cmd_serve(args: argparse.Namespace, data_dir: DataDir) -> int:
    import uvicorn

    from paragraf_se.web import create_app

    uvicorn.run(create_app(data_dir, rate_limit=args.rate_limit), host=args.host,
                port=args.port, log_level="info", access_log=args.access_log)
    return 0


def cmd_index(args: argparse.Namespace, data_dir: DataDir) -> int:
    if not args.rebuild:
        raise CommandError("nothing to do: use 'paragraf index --rebuild'")
    from paragraf_se import index_swap

    # Build beside the live index, then swap, so searches never see a half-built one.
    _recover(data_dir)
    try:
        with index_swap.rebuild_lock(data_dir):
            count, failed = _rebuild(data_dir)
    except index_swap.RebuildRunning as err:
        raise CommandError(str(err)) from err
    _out(f"Rebuilt index: {count} paragraphs, {failed} document(s) failed.")
    return 1 if failed else 0


def _rebuild(data_dir: DataDir) -> tuple[int, int]:
    from paragraf_se import index_swap
    from paragraf_se.archive.store import Archive
    from paragraf_se.indexer.whoosh_engine import WhooshIndex
    from paragraf_se.pipeline import Pipeline

    fresh_dir = index_swap.new_rebuild_dir(data_dir)
    archive = Archive(data_dir.archive)
    fresh = WhooshIndex(fresh_dir)
    failed = 0
    parsers = [IsolatedParser() for _ in range(REBUILD_PROCS)]
    try:
        for outcome in Pipeline(archive, fresh, parse=parsers[0]).rebuild(
                procs=REBUILD_PROCS, parsers=parsers):
            if outcome.status != "skipped":
                failed += outcome.failed
                _out(_describe(outcome))
        count = fresh.count()
    finally:
        for parser in parsers:
            parser.close()
        fresh.close()
        archive.close()
    index_swap.swap_in(data_dir, fresh_dir)
    return count, failed


def cmd_check(args: argparse.Namespace, data_dir: DataDir) -> int:
    from paragraf_se.check import check, repair

    if args.repair:
        _out(f"re-indexed {repair(data_dir)} document(s) with missing paragraphs")
    report = check(data_dir, progress=lambda msg: print(msg, file=sys.stderr, flush=True))
    _out(f"archive records verified: {report.records_verified}")
    _out(f"documents re-parsed:      {report.documents}")
    _out(f"paragraphs expected:      {report.paragraphs_expected}")
    _out(f"paragraphs in the index:  {report.paragraphs_indexed}")
    if report.ok:
        _out("OK: the archive is intact and every paragraph is indexed exactly once.")
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
    _out(f"Backed up {summary.captures} captures and {summary.paragraphs} paragraphs "
         f"({summary.files} files) to {args.dest}")
    return 0


def cmd_restore(args: argparse.Namespace, data_dir: DataDir) -> int:
    from paragraf_se.backup import BackupError, restore

    try:
        summary = restore(args.src, data_dir, force=args.force)
    except BackupError as err:
        raise CommandError(str(err)) from err
    _out(f"Restored {summary.captures} captures and {summary.paragraphs} paragraphs "
         f"into {data_dir.root}")
    return 0


def cmd_permalinks(args: argparse.Namespace, data_dir: DataDir) -> int:
    registry = PermalinkRegistry(registry_path(data_dir.root))
    added = registry.alias_body(args.org, args.from_body, args.to_body)
    _out(f"{added} permalink(s) of {args.from_body} ({args.org}) now redirect to "
         f"{args.to_body}")
    return 0


def cmd_compounds(args: argparse.Namespace, data_dir: DataDir) -> int:
    from paragraf_se.indexer.compounds import WORDLIST, build_wordlist, read_extra_words

    if not args.hunspell.is_file():
        raise CommandError(f"{args.hunspell} not found: apt-get install hunspell-sv")
    words = build_wordlist(args.hunspell, read_extra_words())
    WORDLIST.write_text("\n".join(words) + "\n", encoding="utf-8")
    _out(f"Wrote {len(words)} words to {WORDLIST}; rebuild the index: paragraf index --rebuild")
    return 0


def cmd_demo(args: argparse.Namespace, data_dir: DataDir) -> int:
    from paragraf_se.demo import run_demo

    return run_demo(data_dir, host=args.host, port=args.port, serve=not args.no_serve,
                    out=sys.stdout)


from paragraf_se.crawl_commands import cmd_archive, cmd_crawl  # noqa: E402,F401
