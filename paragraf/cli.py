"""The ``paragraf`` command line."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from paragraf_se.db_commands import add_db_parser
from paragraf_se.indexer.facets import Facet, FacetValueError
from paragraf_se.indexer.search_params import PAGE_PARAMS, SEARCH_PARAMS
from paragraf_se.rate_limit import DEFAULT_PER_MINUTE
from paragraf_se.settings import (
    DATA_DIR_ENV,
    DEFAULT_DATA_DIR,
    resolve_data_dir,
    use_data_dir_wordlist,
)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("paragraf-se")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"

# Exit status when stdout was closed early (`paragraf search ... | head -1`): 128 + SIGPIPE,
# what a command killed by the signal reports, so `set -o pipefail` scripts can tell.
EXIT_BROKEN_PIPE = 141

# Options that may stand before or after the subcommand: (flags, add_argument keywords).
# Add a new global option here and every subcommand accepts it too.
GLOBAL_OPTIONS: list[tuple[tuple[str, ...], dict[str, object]]] = [
    (("--data-dir",), {
        "metavar": "DIR",
        "help": f"data directory (default: ${DATA_DIR_ENV} or {DEFAULT_DATA_DIR})",
    }),
    (("--database",), {
        "metavar": "URL",
        "help": "PostgreSQL store of record, postgresql://user@host:port/db "
                "(default: $PARAGRAF_DATABASE_URL; none: the data directory alone)",
    }),
]


# Argument types: each refuses a bad value with an English sentence (argparse
# prints it as "argument --x: <sentence>"), never a Python message.

def _date(raw: str) -> str:
    try:
        return dt.date.fromisoformat(raw).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{raw!r} is not a date; write it as YYYY-MM-DD, e.g. 2024-03-31") from None


def _facet_value(facet: Facet):
    """An argparse type reading one value of ``facet`` (a sentence when it cannot)."""

    def parse(raw: str) -> object:
        try:
            return facet.parse(raw)
        except FacetValueError:
            raise argparse.ArgumentTypeError(
                f"{raw!r} is not a {facet.name}; {facet.cli_hint}") from None
    return parse


def _port(raw: str) -> int:
    if raw.isascii() and raw.isdigit() and int(raw) <= 65535:
        return int(raw)
    raise argparse.ArgumentTypeError(
        f"{raw!r} is not a port; give a number from 0 to 65535 (0: any free port)")


def _count(raw: str) -> int:
    if raw.isascii() and raw.isdigit() and int(raw) >= 1:
        return int(raw)
    raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number of 1 or more")


def _non_negative(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value >= 0 and value != float("inf"):
        return value
    raise argparse.ArgumentTypeError(f"{raw!r} is not a number of 0 or more")


def _add_search_options(p: argparse.ArgumentParser) -> None:
    """The search's options, from the parameters indexer.search_params declares once."""
    for param in (*SEARCH_PARAMS, *PAGE_PARAMS):
        if param.name == "q":  # the query is the positional words
            continue
        option = f"--{param.name}"
        if param.facet is not None:
            d = param.facet.description
            p.add_argument(option, action="append", default=[],
                           type=_facet_value(param.facet),
                           help=f"only this {d[0].lower()}{d[1:]} (repeatable)")
        elif param.schema.get("format") == "date":
            p.add_argument(option, dest=f"date_{param.name}", type=_date,
                           metavar="YYYY-MM-DD", help=param.cli_help or param.description)
        elif "enum" in param.schema:
            choices = [str(c) for c in param.schema["enum"]]  # type: ignore[union-attr]
            p.add_argument(option, default=param.default, metavar="{" + ",".join(choices) + "}",
                           type=_one_of(*choices), help=param.cli_help or param.description)
        else:
            p.add_argument(option, type=_count, default=param.default,
                           help=param.cli_help or param.description)


def _one_of(*choices: str):
    def check(raw: str) -> str:
        if raw in choices:
            return raw
        raise argparse.ArgumentTypeError(f"{raw!r} is not one of {', '.join(choices)}")

    return check


def _add_global_options(parser: argparse.ArgumentParser) -> None:
    """Let every subcommand (at any depth) accept the global options too.

    On a subcommand the default is SUPPRESS, so a value given after the
    subcommand wins and one given before it is not overwritten by a default.
    """
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for subparser in dict.fromkeys(action.choices.values()):
            taken = {o for a in subparser._actions for o in a.option_strings}
            for flags, kwargs in GLOBAL_OPTIONS:
                if not taken.intersection(flags):
                    subparser.add_argument(*flags, **{**kwargs, "default": argparse.SUPPRESS})
            _add_global_options(subparser)


def _add_archive_dir(p: argparse.ArgumentParser) -> None:
    p.add_argument("--archive-dir", type=Path, metavar="DIR",
                   help="with --database: the shared archive directory (default: the data "
                        "directory's); each process writes WARC files of its own")


def _add_worker_options(p: argparse.ArgumentParser) -> None:
    _add_archive_dir(p)
    p.add_argument("--lease", type=_non_negative, metavar="SECONDS",
                   help="with --database: how long a dead worker's URLs and captures stay "
                        "claimed before others take them (default 60; renewed while alive)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="paragraf",
        description="Search and archive for Swedish municipal and regional meeting protocols.",
        epilog="Global options (--data-dir, --database) may also follow the command.",
    )
    for flags, kwargs in GLOBAL_OPTIONS:
        parser.add_argument(*flags, **kwargs)
    parser.add_argument("--version", action="version", version=f"paragraf {_version()}",
                        help="print the installed version and exit")
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
    p.add_argument("--follow-symlinks", action="store_true",
                   help="also ingest links that lead out of a named directory (default: skip)")

    p = sub.add_parser("parse", help="print the paragraphs found in a file; stores nothing")
    p.add_argument("file", type=Path, help="a protocol file (PDF, HTML or text)")
    p.add_argument("--json", action="store_true", help="the whole parse result as JSON")

    p = sub.add_parser("search", help="search the index",
                       epilog="Words need no quotes: paragraf search eldning förbud. "
                              "Put -- before a query that starts with '-'.")
    p.add_argument("query", nargs="*", metavar="WORD",
                   help="query words and operators (see README, Query language)")
    _add_search_options(p)
    p.add_argument("--json", action="store_true",
                   help="the result as the JSON API answers it")

    # Every serve option is also PARAGRAF_<NAME> or a key of --config; absent options
    # stay out of the namespace (SUPPRESS) so the environment and the file can fill them.
    p = sub.add_parser("serve", help="serve the web UI and JSON API",
                       argument_default=argparse.SUPPRESS,
                       epilog="Each option can also be set as PARAGRAF_<OPTION> (e.g. "
                              "PARAGRAF_BASE_URL) or in the --config file; the command "
                              "line wins, then the environment, then the file.")
    p.add_argument("--config", type=Path, metavar="TOML",
                   help="settings file (default: $PARAGRAF_CONFIG)")
    p.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=_port, help="port to listen on (default 8000)")
    p.add_argument("--rate-limit", type=_non_negative, metavar="N",
                   help=f"requests per minute per client (default {DEFAULT_PER_MINUTE}; 0: off)")
    p.add_argument("--access-log", action=argparse.BooleanOptionalAction,
                   help="log every request with status and latency (default: on)")
    p.add_argument("--log-level", metavar="LEVEL",
                   help="debug, info (default), warning, error or critical")
    p.add_argument("--log-format", metavar="FORMAT",
                   help="json (default: one JSON object per line) or text")
    p.add_argument("--root-path", metavar="PATH",
                   help="path prefix behind a reverse proxy, e.g. /paragraf")
    p.add_argument("--base-url", metavar="URL",
                   help="public address for absolute URLs (feeds, citations, exports), "
                        "e.g. https://protokoll.example.se/paragraf")
    p.add_argument("--replica", metavar="URL",
                   help="with --database: read the change log and paragraphs from this "
                        "streaming replica instead of the primary")

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
    p.add_argument("src", type=Path, help="a directory written by 'paragraf backup'")
    p.add_argument("--force", action="store_true", help="replace an existing archive")
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="wait this long for a running ingest, crawl or rebuild (default: refuse)")

    p = sub.add_parser("permalinks", help="manage permanent links")
    p.add_argument("action", choices=["alias"],
                   help="alias: old permalinks of a renamed body redirect to the new name")
    p.add_argument("--org", required=True, help="organisation, e.g. 'Åsjö kommun'")
    p.add_argument("--from-body", required=True, help="the body's old name")
    p.add_argument("--to-body", required=True, help="the body's new name")

    p = sub.add_parser("compounds", help="rebuild the word list used for compound splitting")
    p.add_argument("action", choices=["build"], help="build: regenerate the word list")
    p.add_argument("--hunspell", type=Path, default=Path("/usr/share/hunspell/sv_SE.dic"),
                   help="hunspell .dic file (Debian package hunspell-sv)")

    p = sub.add_parser("demo", help="crawl the embedded sample site, index it and serve the UI")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to serve on (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=8000, help="port to serve on (default 8000)")
    p.add_argument("--no-serve", action="store_true", help="stop after indexing")

    p = sub.add_parser("crawl", help="crawl sources into the archive and index what changed")
    p.add_argument("--config", type=Path, metavar="TOML", help="sources file (sources.toml)")
    p.add_argument("--source", metavar="NAME", help="crawl only this source of --config")
    p.add_argument("--seed", metavar="URL", help="crawl links from URL (a 'links' source)")
    p.add_argument("--org", help="organisation of --seed documents")
    p.add_argument("--contact", help="contact URL or mailto: for the User-Agent (--seed)")
    p.add_argument("--delay", type=_non_negative,
                   help="seconds between request starts per host (--seed)")
    p.add_argument("--max-pages", type=_count, metavar="N", help="fetches per source this run")
    p.add_argument("--dry-run", action="store_true", help="show the plan; fetch nothing")
    p.add_argument("--restart", action="store_true",
                   help="start afresh instead of resuming an unfinished run")
    p.add_argument("-v", "--verbose", action="store_true", help="log every fetch to stderr")
    _add_worker_options(p)
    p.add_argument("--no-parse", action="store_true",
                   help="with --database: leave parsing to 'paragraf worker parse' processes")

    p = sub.add_parser("worker", help="with --database: parse and index what crawls queued")
    p.add_argument("role", choices=["parse"], help="parse: take captures from the parse queue")
    p.add_argument("--once", action="store_true", help="exit when the queue is empty")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    _add_worker_options(p)

    p = sub.add_parser("archive", help="inspect the archive of originals")
    archive_sub = p.add_subparsers(dest="archive_command", required=True, metavar="ACTION")
    _add_archive_dir(archive_sub.add_parser(
        "verify", help="re-read every WARC record and check digests"))
    q = archive_sub.add_parser("ls", help="list captures")
    _add_archive_dir(q)
    q.add_argument("--source-prefix", metavar="P", help="only sources starting with P")
    q.add_argument("--json", action="store_true", help="one JSON object per capture")
    q.add_argument("--removed", action="store_true",
                   help="list removed captures with their audit entries instead")
    q = archive_sub.add_parser("remove", help="withdraw a capture from publication "
                               "(tombstone with an audit entry; the WARC is kept)")
    q.add_argument("capture_id", metavar="CAPTURE_ID",
                   help="the capture to withdraw (see paragraf archive ls)")
    q.add_argument("--reason", required=True, help="why it must not be published")
    q.add_argument("--by", metavar="WHO", help="who removes it (default: the login name)")

    add_db_parser(sub)
    _add_global_options(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    data_dir = resolve_data_dir(args.data_dir)
    from paragraf_se import commands
    from paragraf_se.indexer.compounds import WordListMissing
    from paragraf_se.indexer.errors import IndexFormatError

    handler = getattr(commands, f"cmd_{args.command}")
    try:
        use_data_dir_wordlist(data_dir)
        code = handler(args, data_dir)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
        return code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        _stdout_to_devnull()
        return EXIT_BROKEN_PIPE
    except (commands.CommandError, IndexFormatError, WordListMissing) as err:
        print(f"paragraf: {err}", file=sys.stderr)
        return 2


def _stdout_to_devnull() -> None:
    # The reader went away (`| head -1`): what is left to print has nowhere to go.
    # Point stdout at /dev/null so Python's final flush does not fail with a
    # traceback (the recipe in the Python docs, "Note on SIGPIPE").
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def dumps(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False)


if __name__ == "__main__":
    sys.exit(main())
