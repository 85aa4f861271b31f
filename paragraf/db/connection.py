"""Connecting to PostgreSQL from a URL, with errors a person can act on."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import psycopg

from paragraf_se.db.errors import DatabaseUnavailable

ENV_URL = "PARAGRAF_DATABASE_URL"
CONNECT_TIMEOUT_S = 5


def database_url(option: str | None) -> str | None:
    """The URL from ``--database``, else ``$PARAGRAF_DATABASE_URL``, else None."""
    return option or os.environ.get(ENV_URL) or None


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()


def connect(url: str, *, autocommit: bool = True) -> psycopg.Connection:
    """Open a connection or raise DatabaseUnavailable naming the (redacted) URL.

    Connections are in autocommit mode and every multi-statement change runs
    in an explicit ``conn.transaction()`` block: without autocommit, a read
    would open an implicit transaction and later blocks would only be
    savepoints inside it, invisible to other nodes until some commit.
    """
    if not url.startswith(("postgresql://", "postgres://")):
        raise DatabaseUnavailable(
            f"not a PostgreSQL URL: {redact(url)!r} (expected postgresql://user@host:port/db)")
    try:
        return psycopg.connect(url, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT_S,
                               application_name="paragraf")
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise DatabaseUnavailable(f"cannot connect to {redact(url)}: {reason}") from exc
