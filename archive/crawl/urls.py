"""URL canonicalisation shared by the crawlers.

The work is done by w3lib's ``canonicalize_url`` (Scrapy's, built for exactly
this: de-duplicating requests), which follows RFC 3986 normalisation: lower-case
scheme and host, IDNA (punycode) hosts, dot segments removed, percent-encoding
made upper-case, unreserved characters decoded, non-ASCII UTF-8-encoded,
fragment dropped, query arguments sorted. It keeps an explicit default port, so
that one step (``:80`` for http, ``:443`` for https) is done here.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from w3lib.url import canonicalize_url

_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """A canonical form used to de-duplicate URLs (and the form that is fetched).

    A trailing slash is kept (relative links resolve differently under it) and
    query strings are kept, sorted: platforms such as Meetings Plus use them
    (``?downloadMode=open``). An empty path becomes ``/``. ValueError for a
    URL that cannot be one (a port that is not a number, a bad IPv6 literal).
    """
    try:
        canonical = canonicalize_url(url.strip())
    except ValueError as err:
        raise ValueError(f"not a valid URL: {url!r} ({err})") from None
    parts = urlsplit(canonical)
    port = parts.port
    if port is not None and port == _DEFAULT_PORTS.get(parts.scheme):
        host = parts.netloc.rsplit(":", 1)[0]
        canonical = urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return canonical


def origin(url: str) -> str:
    """``scheme://host[:port]`` of ``url`` (canonicalised)."""
    parts = urlsplit(canonical_url(url))
    return f"{parts.scheme}://{parts.netloc}"
