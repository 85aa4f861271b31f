"""Errors raised inside the parsers.

``ParseFailure`` never leaves the package: ``parse_document`` turns it into a
``ParseResult(status="failed")`` whose message is the exception text.
"""


class ParseFailure(Exception):
    """The document cannot be read at all; the message says why, for people."""
