"""Checking what a caller hands the archive before any of it becomes a WARC record.

A source, a status, headers and metadata end up as WARC and HTTP headers:
whitespace, control characters or non-strings there would corrupt a record
that can never be rewritten, so they are refused with ``ValueError`` first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from paragraf_se.archive.catalog import DECLARED_CONTENT_TYPE

_HEADER_NAME_RE = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def check_source(source: str) -> None:
    if not isinstance(source, str) or not source:
        raise ValueError("source must be a non-empty string")
    # The source becomes a WARC header: whitespace or control characters
    # would corrupt the record (callers percent-encode, e.g. Path.as_uri()).
    if any(ord(char) <= 0x20 or ord(char) == 0x7F for char in source):
        raise ValueError(f"source contains whitespace or control characters: {source!r}")


def check_status(status: int) -> None:
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise ValueError(f"invalid HTTP status: {status!r}")


def check_headers(headers: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    checked = []
    for pair in headers:
        name, value = pair
        if not isinstance(name, str) or not _HEADER_NAME_RE.fullmatch(name):
            raise ValueError(f"invalid HTTP header name: {name!r}")
        if not isinstance(value, str) or "\r" in value or "\n" in value:
            raise ValueError(f"invalid value for HTTP header {name}: {value!r}")
        checked.append((name, value))
    return checked


def checked_metadata(metadata: Mapping[str, str] | None, declared: str) -> dict[str, str]:
    result = dict(metadata or {})
    for key, value in result.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise ValueError(f"metadata keys and values must be strings: {key!r}: {value!r}")
    if declared:
        result[DECLARED_CONTENT_TYPE] = declared
    return result


def header_value(headers: Sequence[tuple[str, str]], name: str) -> str | None:
    lowered = name.lower()
    return next((value for key, value in headers if key.lower() == lowered), None)
