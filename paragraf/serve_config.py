"""Settings of ``paragraf serve`` from the command line, ``PARAGRAF_*`` variables or a TOML file.

Precedence, per setting: command line > environment > file > default. Every
setting has one name: ``--rate-limit`` on the command line, ``PARAGRAF_RATE_LIMIT``
in the environment, ``rate_limit`` in the file (``--config serve.toml`` or
``PARAGRAF_CONFIG``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from urllib.parse import urlsplit

from paragraf_se.rate_limit import DEFAULT_PER_MINUTE

CONFIG_ENV = "PARAGRAF_CONFIG"
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
LOG_FORMATS = ("json", "text")


class ConfigError(ValueError):
    """A setting has a value it cannot have; the message names where it came from."""


@dataclass(frozen=True)
class ServeConfig:
    """Everything ``paragraf serve`` can be told."""

    host: str = "127.0.0.1"
    port: int = 8000
    rate_limit: float = DEFAULT_PER_MINUTE  # requests per minute per client; 0: off
    access_log: bool = True
    log_level: str = "info"
    log_format: str = "json"
    # The path prefix a reverse proxy serves Paragraf under, e.g. "/paragraf".
    root_path: str = ""
    # The public address, e.g. "https://protokoll.example.se/paragraf": the base of
    # every absolute URL (feeds, citations, exports). Never taken from a request.
    base_url: str = ""
    # With --database: read the change log from this streaming replica (a node only reads).
    replica: str = ""

    def public_base(self) -> str:
        """The base of absolute URLs: ``base_url``, else this server's own configured address."""
        if self.base_url:
            return self.base_url
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{self.root_path}"


def env_name(setting: str) -> str:
    return "PARAGRAF_" + setting.upper()


def _bool(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected true or false")


def _convert(name: str, raw: object) -> object:
    if name == "port":
        if isinstance(raw, bool):
            raise ValueError("expected a port number")
        port = int(str(raw))
        if not 0 <= port <= 65535:
            raise ValueError("expected a port number 0-65535")
        return port
    if name == "rate_limit":
        if isinstance(raw, bool):
            raise ValueError("expected a number")
        value = float(str(raw))
        if not value >= 0:
            raise ValueError("expected a number of requests per minute, 0 or more")
        return value
    if name == "access_log":
        return _bool(raw)
    if not isinstance(raw, str):
        raise ValueError("expected a string")
    if name == "log_level":
        if raw.lower() not in LOG_LEVELS:
            raise ValueError(f"expected one of {', '.join(LOG_LEVELS)}")
        return raw.lower()
    if name == "log_format":
        if raw.lower() not in LOG_FORMATS:
            raise ValueError(f"expected one of {', '.join(LOG_FORMATS)}")
        return raw.lower()
    if name == "root_path":
        return normalise_root_path(raw)
    if name == "base_url":
        return normalise_base_url(raw)
    return raw


def normalise_root_path(raw: str) -> str:
    """"paragraf/" -> "/paragraf"; "" and "/" -> "" (served at the root)."""
    path = "/" + raw.strip().strip("/")
    if path == "/":
        return ""
    if any(c in path for c in "?#\\ ") or "//" in path:
        raise ValueError("expected a path such as /paragraf")
    return path


def normalise_base_url(raw: str) -> str:
    """An absolute http(s) URL without a trailing slash, query or fragment."""
    raw = raw.strip()
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query \
            or parts.fragment or parts.username or parts.password:
        raise ValueError("expected an address such as https://protokoll.example.se/paragraf")
    return raw.rstrip("/")


def load_config_file(path: Path) -> dict[str, object]:
    """The settings of a TOML file: top-level keys, or a ``[serve]`` table."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ConfigError(f"cannot read {path}: {err.strerror or err}") from err
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path} is not valid TOML: {err}") from err
    table = data.get("serve", data)
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [serve] must be a table")
    return {k.replace("-", "_"): v for k, v in table.items()}


def resolve(cli: Mapping[str, object], environ: Mapping[str, str],
            config_file: Path | None = None) -> ServeConfig:
    """The settings in effect: command line > environment > file > default.

    ``cli`` holds only the options given on the command line. ``config_file``
    (from ``--config``) falls back to ``$PARAGRAF_CONFIG``.
    """
    names = [f.name for f in fields(ServeConfig)]
    path = config_file or (Path(environ[CONFIG_ENV]) if environ.get(CONFIG_ENV) else None)
    from_file = load_config_file(path) if path else {}
    unknown = sorted(set(from_file) - set(names))
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s) {', '.join(unknown)}; "
                          f"known: {', '.join(names)}")
    values: dict[str, object] = {}
    for name in names:
        for origin, source, key in ((f"--{name.replace('_', '-')}", cli, name),
                                    (env_name(name), environ, env_name(name)),
                                    (f"{path}: {name}", from_file, name)):
            if source.get(key) is not None:
                given = (origin, source[key])
                break
        else:
            continue
        try:
            values[name] = _convert(name, given[1])
        except ValueError as err:
            raise ConfigError(f"{given[0]}: invalid value {given[1]!r}: {err}") from None
    return ServeConfig(**values)  # type: ignore[arg-type]
