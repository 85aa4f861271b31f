"""What every command module shares: the command error, output, and opening a data
directory for writing.

Below ``commands``, ``crawl_commands`` and ``crawl_workers`` alike, so that none
of them imports another (no import circles).
"""

from __future__ import annotations

import contextlib
import sqlite3
import sys
from collections.abc import Iterator

from paragraf_se.isolated_parse import IsolatedParser
from paragraf_se.settings import DataDir


class CommandError(Exception):
    """A command could not start (bad arguments, unusable data directory)."""


def out(line: str = "") -> None:
    print(line, flush=True)


def recover_data_dir(data_dir: DataDir) -> None:
    from paragraf_se.backup import finish_interrupted_restore
    from paragraf_se.index_swap import recover

    for note in (finish_interrupted_restore(data_dir), recover(data_dir)):
        if note:
            print(f"paragraf: {note} in {data_dir.root}", file=sys.stderr)


@contextlib.contextmanager
def writing(data_dir: DataDir) -> Iterator[None]:
    """Hold the data directory's writers lock (shared) for a writing command.

    A restore in progress, or a directory that cannot be written, is a
    CommandError before anything starts.
    """
    from paragraf_se.data_lock import DataDirBusy, data_dir_lock
    from paragraf_se.pipeline import describe_write_error

    # First finish a restore a crash interrupted: that needs the lock alone.
    recover_data_dir(data_dir)
    try:
        lock = data_dir_lock(data_dir)
        lock.__enter__()
    except DataDirBusy as err:
        raise CommandError(str(err)) from err
    except OSError as err:  # a read-only mount or a full disk
        raise CommandError(f"cannot write to {data_dir.root}: {describe_write_error(err)}; "
                           "nothing was changed") from err
    try:
        yield
    finally:
        lock.__exit__(None, None, None)


def open_pipeline(data_dir: DataDir, database: str | None = None):
    from paragraf_se.db.errors import DatabaseError
    from paragraf_se.wiring import open_data_dir

    recover_data_dir(data_dir)
    try:
        opened = open_data_dir(data_dir, database=database)
    except DatabaseError as err:
        raise CommandError(str(err)) from err
    except (OSError, sqlite3.Error) as err:
        from paragraf_se.pipeline import describe_write_error

        raise CommandError(f"cannot open data directory {data_dir.root}: "
                           f"{describe_write_error(err)}") from err
    return opened.pipeline(parse=IsolatedParser())
