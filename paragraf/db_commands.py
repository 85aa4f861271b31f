"""``paragraf db …``: the PostgreSQL store of record from the command line."""

from __future__ import annotations

import argparse
import json
import sys

import psycopg

from paragraf_se.db import index_sync, migrate, paragraph_store
from paragraf_se.db.connection import connect, database_url, redact
from paragraf_se.db.errors import DatabaseError
from paragraf_se.settings import DataDir


class DbCommandError(Exception):
    """A ``db`` command could not do its work; the message says why."""


def add_db_parser(sub: argparse._SubParsersAction) -> None:
    """The ``db`` subcommand and its actions."""
    p = sub.add_parser("db", help="the PostgreSQL store of record (needs --database)")
    actions = p.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    actions.add_parser("migrate", help="apply the schema migrations this version ships")
    q = actions.add_parser("status", help="migrations, change-log head and paragraph count")
    q.add_argument("--json", action="store_true", help="print one JSON object")
    actions.add_parser("import", help="copy the data directory's paragraphs into the database")
    actions.add_parser("export", help="build the data directory's index from the database")
    q = actions.add_parser("sync", help="bring this node's index up to date once, then exit")
    q.add_argument("--read-url", metavar="URL",
                   help="read the change log from this replica instead of --database")


def _url(args: argparse.Namespace) -> str:
    url = database_url(getattr(args, "database", None))
    if not url:
        raise DbCommandError("no database: give --database postgresql://… "
                             "or set PARAGRAF_DATABASE_URL")
    return url


def cmd_db(args: argparse.Namespace, data_dir: DataDir) -> int:
    """Run one ``db`` action; database errors become one English line on stderr."""
    try:
        url = _url(args)
        with connect(url) as conn:
            return _ACTIONS[args.db_command](args, data_dir, conn, url)
    except (DbCommandError, DatabaseError) as err:
        print(f"paragraf: {err}", file=sys.stderr)
        return 2
    except psycopg.Error as err:
        print(f"paragraf: database error: {str(err).strip().splitlines()[0]}", file=sys.stderr)
        return 2


def _migrate(args, data_dir, conn, url) -> int:
    applied = migrate.migrate(conn)
    for m in applied:
        print(f"applied {m.name}")
    print(f"database {redact(url)} is at version {migrate.state(conn).current}")
    return 0


def _status(args, data_dir, conn, url) -> int:
    state = migrate.state(conn)
    info = {"database": redact(url), "version": state.current,
            "pending": [m.name for m in state.pending]}
    if not state.pending:
        info.update(paragraphs=paragraph_store.count(conn), head=paragraph_store.head(conn))
    if args.json:
        print(json.dumps(info, ensure_ascii=False))
    else:
        for key, value in info.items():
            print(f"{key}: {value}")
    return 0 if not state.pending else 1


def _import(args, data_dir, conn, url) -> int:
    from paragraf_se.wiring import open_engine

    migrate.require_current(conn)
    if not data_dir.index.exists():
        raise DbCommandError(f"no index in {data_dir.root} to import")
    index = open_engine(data_dir.index)
    try:
        count = paragraph_store.add_many(conn, index.all())
    finally:
        index.close()
    print(f"imported {count} paragraphs from {data_dir.root}; "
          f"change log at {paragraph_store.head(conn)}")
    return 0


def _export(args, data_dir, conn, url) -> int:
    migrate.require_current(conn)
    count = index_sync.build_from_database(data_dir.index, conn)
    print(f"exported {count} paragraphs into {data_dir.index}")
    return 0


def _sync(args, data_dir, conn, url) -> int:
    migrate.require_current(conn)
    read = connect(args.read_url) if args.read_url else conn
    try:
        index = index_sync.open_synced(data_dir.node_index, read)
        try:
            total = 0
            while (step := index_sync.apply_changes(index, data_dir.node_index, read)).changes:
                total += step.changes
            while index_sync.compact(index, data_dir.node_index) is not None:
                pass
            print(f"node index at change {step.position}: {index.count()} paragraphs "
                  f"({total} changes applied)")
        finally:
            index.close()
    finally:
        if read is not conn:
            read.close()
    return 0


_ACTIONS = {"migrate": _migrate, "status": _status, "import": _import, "export": _export,
            "sync": _sync}
