"""Crawl configuration: ``sources.toml`` read into frozen values, every default here.

A file has an optional ``[crawler]`` table (defaults for every source) and
one ``[[source]]`` table per source. Any key of ``[crawler]`` except
``user_agent``, ``contact`` and ``workers`` may be repeated in a source to
override it there. See ``sources.example.toml`` in the repository root.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

KINDS = ("meetingsplus", "ciceron", "links")
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,79}")


class ConfigError(ValueError):
    """The configuration is unusable; the message says where and why."""


@dataclass(frozen=True)
class Limits:
    """Politeness and bounds; the defaults are the documented ones."""

    delay: float = 1.0  # seconds between request starts on one host
    # Requests in flight per host: more than one, so that one slow response
    # does not hold back the rest of the host (starts stay ``delay`` apart).
    concurrency_per_host: int = 2
    connect_timeout: float = 10.0
    read_timeout: float = 30.0  # longest silence while reading
    total_timeout: float = 120.0  # longest time for one whole response
    max_bytes: int = 50_000_000  # decoded body size, enforced while streaming
    retries: int = 2  # on timeouts and 5xx only
    backoff: float = 1.0  # seconds before the first retry, doubled each time
    max_redirects: int = 5
    max_pages: int = 1000  # fetches per run; the rest waits for the next run
    max_depth: int = 6  # link hops from a start URL
    max_query_variants: int = 20  # distinct query strings per path (calendar traps)
    max_url_length: int = 2000


@dataclass(frozen=True)
class CrawlerSettings:
    """Settings of the crawler as a whole (not per source)."""

    user_agent: str = "Paragraf/0.1"
    contact: str = ""  # a URL or mailto: where site owners can reach the operator
    workers: int = 4  # fetching threads shared by all hosts
    limits: Limits = field(default_factory=Limits)

    @property
    def user_agent_header(self) -> str:
        """The User-Agent sent: product token plus the contact, as robots-aware crawlers do."""
        return f"{self.user_agent} (+{self.contact})" if self.contact else self.user_agent

    @property
    def robots_token(self) -> str:
        """The name matched against robots.txt ``User-agent`` lines."""
        return self.user_agent.split("/", 1)[0].strip() or "Paragraf"


@dataclass(frozen=True)
class SourceConfig:
    """One source to crawl."""

    name: str
    organisation: str
    kind: str
    start_urls: tuple[str, ...]
    allowed_hosts: tuple[str, ...] = ()  # host[:port]; empty: the start URLs' hosts
    include: tuple[str, ...] = ()  # regexes over the absolute URL (links)
    exclude: tuple[str, ...] = ()
    doctype: int = 64  # Ciceron document type: 64 = Sammanträdesprotokoll
    page_size: int = 50  # Ciceron ReadItems page size
    limits: Limits = field(default_factory=Limits)

    def hosts(self) -> frozenset[str]:
        """Hosts (``host`` or ``host:port``, lower case) this source may fetch from."""
        if self.allowed_hosts:
            return frozenset(h.lower() for h in self.allowed_hosts)
        return frozenset(urlsplit(u).netloc.lower() for u in self.start_urls)


@dataclass(frozen=True)
class CrawlConfig:
    """A whole configuration file."""

    crawler: CrawlerSettings
    sources: tuple[SourceConfig, ...]

    def source(self, name: str) -> SourceConfig:
        """The source called ``name``; ConfigError listing the known names otherwise."""
        for src in self.sources:
            if src.name == name:
                return src
        known = ", ".join(s.name for s in self.sources) or "none"
        raise ConfigError(f"no source named {name!r} (known: {known})")


_LIMIT_TYPES = {f.name: f.type for f in dataclasses.fields(Limits)}


def _limits(table: Mapping[str, object], base: Limits, where: str) -> Limits:
    changes: dict[str, object] = {}
    for key, value in table.items():
        if key not in _LIMIT_TYPES:
            continue
        kind = float if _LIMIT_TYPES[key] == "float" else int
        if isinstance(value, bool) or not isinstance(value, int | float) or (
            kind is int and not isinstance(value, int)
        ):
            raise ConfigError(f"{where}: {key} must be a number, not {value!r}")
        if value < 0 or (value == 0 and key in ("concurrency_per_host", "max_pages",
                                                "max_bytes", "total_timeout")):
            raise ConfigError(f"{where}: {key} must be positive, not {value!r}")
        changes[key] = kind(value)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _strings(table: Mapping[str, object], key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{where}: {key} must be a list of strings")
    return tuple(value)


def _check_url(url: str, where: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{where}: not an http(s) URL: {url!r}")


def _source(table: Mapping[str, object], base: Limits, index: int) -> SourceConfig:
    where = f"source #{index + 1}"
    name = table.get("name")
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise ConfigError(f"{where}: name must be letters, digits, '.', '_', ':' or '-'")
    where = f"source {name!r}"
    kind = table.get("kind")
    if kind not in KINDS:
        raise ConfigError(f"{where}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
    organisation = table.get("organisation", table.get("org"))
    if not isinstance(organisation, str) or not organisation.strip():
        raise ConfigError(f"{where}: organisation is required")
    starts = _strings(table, "start_urls", where) or _strings(table, "start_url", where)
    if not starts:
        raise ConfigError(f"{where}: start_urls is required")
    for url in starts:
        _check_url(url, where)
    patterns = {key: _strings(table, key, where) for key in ("include", "exclude")}
    for key, values in patterns.items():
        for pattern in values:
            try:
                re.compile(pattern)
            except re.error as err:
                raise ConfigError(f"{where}: bad {key} pattern {pattern!r}: {err}") from None
    known = {"name", "kind", "organisation", "org", "start_urls", "start_url", "allowed_hosts",
             "include", "exclude", "doctype", "page_size", *_LIMIT_TYPES}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
    doctype, page_size = table.get("doctype", 64), table.get("page_size", 50)
    if not isinstance(doctype, int) or not isinstance(page_size, int) or page_size < 1:
        raise ConfigError(f"{where}: doctype and page_size must be positive integers")
    return SourceConfig(
        name=name, organisation=organisation.strip(), kind=str(kind), start_urls=starts,
        allowed_hosts=_strings(table, "allowed_hosts", where), doctype=doctype,
        page_size=page_size, limits=_limits(table, base, where), **patterns,
    )


def parse_config(data: Mapping[str, object]) -> CrawlConfig:
    """Validate a parsed TOML document; ConfigError on anything unusable."""
    crawler_table = data.get("crawler", {})
    if not isinstance(crawler_table, dict):
        raise ConfigError("[crawler] must be a table")
    unknown = sorted(set(crawler_table) - {"user_agent", "contact", "workers", *_LIMIT_TYPES})
    if unknown:
        raise ConfigError(f"[crawler]: unknown key(s) {', '.join(unknown)}")
    defaults = CrawlerSettings()
    user_agent = crawler_table.get("user_agent", defaults.user_agent)
    contact = crawler_table.get("contact", defaults.contact)
    workers = crawler_table.get("workers", defaults.workers)
    if not isinstance(user_agent, str) or not user_agent.strip() or "\n" in user_agent:
        raise ConfigError("[crawler]: user_agent must be a one-line string")
    if not isinstance(contact, str) or "\n" in contact:
        raise ConfigError("[crawler]: contact must be a one-line string (URL or mailto:)")
    if not isinstance(workers, int) or not 1 <= workers <= 64:
        raise ConfigError("[crawler]: workers must be an integer from 1 to 64")
    limits = _limits(crawler_table, Limits(), "[crawler]")
    tables = data.get("source", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise ConfigError("[[source]] entries must be tables")
    sources = tuple(_source(t, limits, i) for i, t in enumerate(tables))
    names = [s.name for s in sources]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"duplicate source name(s): {', '.join(duplicates)}")
    settings = CrawlerSettings(user_agent.strip(), contact.strip(), workers, limits)
    return CrawlConfig(settings, sources)


def load_config(path: Path) -> CrawlConfig:
    """Read and validate ``sources.toml``."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as err:
        raise ConfigError(f"cannot read {path}: {err.strerror}") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: invalid TOML: {err}") from err
    return parse_config(data)


def seed_source(url: str, organisation: str, *, max_pages: int | None = None,
                limits: Limits | None = None) -> SourceConfig:
    """A ``links`` source for ``paragraf crawl --seed URL``: the seed's host only."""
    _check_url(url, "--seed")
    base = limits or Limits()
    if max_pages is not None:
        base = dataclasses.replace(base, max_pages=max_pages)
    host = urlsplit(url).netloc.lower()
    return SourceConfig(name=f"seed:{host}", organisation=organisation, kind="links",
                        start_urls=(url,), limits=base)
