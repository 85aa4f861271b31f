"""URL canonicalisation shared by the crawlers."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """A canonical form used to de-duplicate URLs.

    Lower-cases scheme and host, drops default ports and fragments, and sorts
    query parameters. A trailing slash is kept (relative links resolve
    differently under it). Query strings are kept: platforms such as
    Meetings Plus use them (``?downloadMode=open``). Spaces and
    non-ASCII characters in the path are percent-encoded as UTF-8 (as browsers
    do); existing escapes are kept.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    path = quote(parts.path, safe="/%:@!$&'()*+,;=~") or "/"
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return urlunsplit((scheme, netloc, path, query, ""))


def origin(url: str) -> str:
    """``scheme://host[:port]`` of ``url`` (canonicalised)."""
    parts = urlsplit(canonical_url(url))
    return f"{parts.scheme}://{parts.netloc}"
