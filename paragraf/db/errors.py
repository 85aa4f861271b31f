"""Errors of the PostgreSQL store, each with a message fit for the command line.

DatabaseError
├── DatabaseUnavailable   the server cannot be reached or refused the login
├── NotMigrated           the schema is older than this version (run `paragraf db migrate`)
└── MigrationError        a migration failed, or an applied one was changed afterwards
"""

from __future__ import annotations


class DatabaseError(Exception):
    """Any failure of the PostgreSQL store."""


class DatabaseUnavailable(DatabaseError):
    """The server could not be reached, or refused the connection."""


class NotMigrated(DatabaseError):
    """The database lacks migrations this version needs."""


class MigrationError(DatabaseError):
    """A migration could not be applied, or its recorded checksum differs."""
