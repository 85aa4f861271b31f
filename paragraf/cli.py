"""The ``paragraf`` command line."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from paragraf_se.rate_limit import DEFAULT_PER_MINUTE
from paragraf_se.settings import DATA_DIR_ENV, DEFAULT_DATA_DIR, resolve_data_dir


def _date(raw: str) -> str:
    try:
        return dt.date.fromisoformat(raw).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {raw!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="paragraf",
        description="Search and archive for Swedish municipal and regional meeting protocols.",
    )
    parser.add_argument(
        "--data-dir", metavar="DIR",
        help=f"data directory (default: ${DATA_DIR_ENV} or {DEFAULT_DATA_DIR})",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("ingest", help="archive, parse and index protocol files (PDF, HTML, text)")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                   help="files or directories (default with --manifest: the files it lists)")
    p.add_argument("--manifest", type=Path, metavar="FILE",
                   help="CSV or JSON Lines of path, org, body, date for a set of files")
    p.add_argument("--org", help="organisation, e.g. 'Region Jämtland Härjedalen'")
    p.add_argument("--body", help="body, e.g. 'Regionens samverkansråd'")
    p.add_argument("--date", type=_date, help="meeting date YYYY-MM-DD")
    p.add_argument("--json", action="store_true", help="one JSON object per file")

    p = sub.add_parser("parse", help="print the paragraphs found in a file; stores nothing")
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("search", help="search the index")
    p.add_argument("query", nargs="?", default="")
    p.add_argument("--org", action="append", default=[])
    p.add_argument("--body", action="append", default=[])
    p.add_argument("--year", action="append", default=[])
    p.add_argument("--sort", default="relevance", choices=["relevance", "newest", "oldest"])
    p.add_argument("--mode", default="stemmed", choices=["stemmed", "exact"])
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--size", type=int, default=10)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("serve", help="serve the web UI and JSON API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--rate-limit", type=float, default=DEFAULT_PER_MINUTE, metavar="N",
                   help=f"requests per minute per client (default {DEFAULT_PER_MINUTE}; 0: off)")
    p.add_argument("--access-log", action="store_true", help="log every request")

    p = sub.add_parser("index", help="maintain the index")
    p.add_argument("--rebuild", action="store_true",
                   help="re-parse every archived original into a fresh index, then swap")

    p = sub.add_parser("check",
                       help="verify archive digests and that the index matches the archive")
    p.add_argument("--repair", action="store_true",
                   help="first index archived documents whose paragraphs are missing")

    p = sub.add_parser("backup", help="copy archive, catalog and index (safe while serving)")
    p.add_argument("dest", type=Path, help="a new or empty directory")

    p = sub.add_parser("restore", help="restore a backup into the data directory")
    p.add_argument("src", type=Path)
    p.add_argument("--force", action="store_true", help="replace an existing archive")

    p = sub.add_parser("permalinks", help="manage permanent links")
    p.add_argument("action", choices=["alias"])
    p.add_argument("--org", required=True, help="organisation, e.g. 'Åsjö kommun'")
    p.add_argument("--from-body", required=True, help="the body's old name")
    p.add_argument("--to-body", required=True, help="the body's new name")

    p = sub.add_parser("compounds", help="rebuild the word list used for compound splitting")
    p.add_argument("action", choices=["build"])
    p.add_argument("--hunspell", type=Path, default=Path("/usr/share/hunspell/sv_SE.dic"),
                   help="hunspell .dic file (Debian package hunspell-sv)")

    p = sub.add_parser("demo", help="crawl the embedded sample site, index it and serve the UI")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-serve", action="store_true", help="stop after indexing")

    p = sub.add_parser("crawl", help="crawl sources into the archive and index what changed")
    p.add_argument("--config", type=Path, metavar="TOML", help="sources file (sources.toml)")
    p.add_argument("--source", metavar="NAME", help="crawl only this source of --config")
    p.add_argument("--seed", metavar="URL", help="crawl links from URL (a 'links' source)")
    p.add_argument("--org", help="organisation of --seed documents")
    p.add_argument("--contact", help="contact URL or mailto: for the User-Agent (--seed)")
    p.add_argument("--delay", type=float, help="seconds between requests per host (--seed)")
    p.add_argument("--max-pages", type=int, metavar="N", help="fetches per source this run")
    p.add_argument("--dry-run", action="store_true", help="show the plan; fetch nothing")
    p.add_argument("--restart", action="store_true",
                   help="start afresh instead of resuming an unfinished run")
    p.add_argument("-v", "--verbose", action="store_true", help="log every fetch to stderr")

    p = sub.add_parser("archive", help="inspect the archive of originals")
    archive_sub = p.add_subparsers(dest="archive_command", required=True, metavar="ACTION")
    archive_sub.add_parser("verify", help="re-read every WARC record and check digests")
    q = archive_sub.add_parser("ls", help="list captures")
    q.add_argument("--source-prefix", metavar="P", help="only sources starting with P")
    q.add_argument("--json", action="store_true", help="one JSON object per capture")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    data_dir = resolve_data_dir(args.data_dir)
    from paragraf_se import commands

    handler = getattr(commands, f"cmd_{args.command}")
    try:
        return handler(args, data_dir)
    except KeyboardInterrupt:
        return 130
    except commands.CommandError as err:
        print(f"paragraf: {err}", file=sys.stderr)
        return 2


def dumps(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False)


if __name__ == "__main__":
    sys.exit(main())
