"""Meeting facts given with files to ingest: options, sidecar files and manifests.

Each input file's facts are resolved up front into one frozen :class:`FileFacts`,
which the pipeline stores as the capture's metadata (the same path the
``--org/--body/--date`` options always took). Precedence, most specific intent
first: an option given on the command line, then the file's sidecar
``<file>.meta.json``, then its manifest row, then what the document prints.

Sidecar (JSON object; ``org``, ``body``, ``date`` and optional ``title``, ``url``)::

    {"org": "Högsby kommun", "body": "Kommunstyrelsen", "date": "2024-03-12"}

Manifest, CSV with a header row or JSON Lines, one row per file, ``path``
relative to the manifest's folder::

    path,org,body,date
    ks/2024-03-12.pdf,Högsby kommun,Kommunstyrelsen,2024-03-12
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

SIDECAR_SUFFIX = ".meta.json"
FACTS = ("org", "body", "date")
EXTRA = ("title", "url")
_KEYS = (*FACTS, *EXTRA)
_MAX_VALUE = 300  # longer than any organisation, body or title
_PROBLEM = "\0problem"  # a CSV row's defect, kept with the path it names


class MetadataError(ValueError):
    """A sidecar or manifest row that cannot be used; the message names file and line."""


@dataclass(frozen=True)
class FileFacts:
    """Meeting facts given for one file, each with where it came from."""

    org: str = ""
    body: str = ""
    date: str = ""  # YYYY-MM-DD, validated
    title: str = ""
    url: str = ""
    # fact -> "option" | "sidecar" | "manifest"; "printed": the file and line.
    sources: tuple[tuple[str, str, str], ...] = field(default=())

    def over(self, lower: FileFacts) -> FileFacts:
        """These facts, with ``lower``'s filling the ones not given here."""
        values = {f.name: getattr(self, f.name) or getattr(lower, f.name)
                  for f in fields(self) if f.name != "sources"}
        mine = {name for name in _KEYS if getattr(self, name)}
        sources = tuple(s for s in self.sources if s[0] in mine) + tuple(
            s for s in lower.sources if s[0] not in mine and getattr(lower, s[0]))
        return FileFacts(**values, sources=sources)

    def metadata(self) -> dict[str, str]:
        """Capture metadata: the facts and, per fact, ``<fact>_source`` and
        ``<fact>_printed`` (which file and line said so)."""
        out = {name: getattr(self, name) for name in _KEYS if getattr(self, name)}
        for name, source, printed in self.sources:
            if name in out:
                out[f"{name}_source"] = source
                if printed:
                    out[f"{name}_printed"] = printed
        return out


def from_options(org: str | None, body: str | None, date: str | None) -> FileFacts:
    """Facts given as ``--org/--body/--date`` (already validated by the CLI)."""
    values = {"org": (org or "").strip(), "body": (body or "").strip(),
              "date": (date or "").strip()}
    return FileFacts(**values, sources=tuple((k, "option", "") for k, v in values.items() if v))


def sidecar_path(path: Path) -> Path:
    """``report.pdf`` -> ``report.pdf.meta.json``."""
    return path.with_name(path.name + SIDECAR_SUFFIX)


def is_sidecar(path: Path) -> bool:
    return path.name.lower().endswith(SIDECAR_SUFFIX)


def read_sidecar(path: Path) -> FileFacts:
    """The facts of ``<file>.meta.json``; raises :class:`MetadataError`."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise MetadataError(f"{path}: cannot read: {err}") from err
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as err:
        raise MetadataError(f"{path} line {err.lineno}: not valid JSON: {err.msg}") from err
    if not isinstance(obj, dict):
        raise MetadataError(f"{path} line 1: expected a JSON object with org, body, date")

    def where(key: str) -> str:
        for number, line in enumerate(text.splitlines(), start=1):
            if f'"{key}"' in line:
                return f"{path} line {number}"
        return f"{path} line 1"

    return _facts(obj, "sidecar", where)


@dataclass(frozen=True)
class Manifest:
    """A manifest's facts by resolved file path, and the rows that could not be used."""

    path: Path
    facts: Mapping[Path, FileFacts]
    errors: tuple[tuple[Path | None, str], ...]  # (the file the row names, if known; why)
    paths: tuple[Path, ...] = ()  # every file a row names, good or bad, in order


def read_manifest(path: Path) -> Manifest:
    """Rows of a ``.csv`` (header row: path, org, body, date) or ``.jsonl`` manifest.

    A bad row becomes an error naming the manifest and line; the other rows are
    used. A manifest that cannot be read at all raises :class:`MetadataError`.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise MetadataError(f"{path}: cannot read manifest: {err}") from err
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(path, text)
    elif suffix in (".jsonl", ".ndjson"):
        rows = _jsonl_rows(path, text)
    else:
        raise MetadataError(f"{path}: a manifest is a .csv or .jsonl file")
    base = path.resolve().parent
    facts: dict[Path, FileFacts] = {}
    errors: list[tuple[Path | None, str]] = []
    order: list[Path] = []
    for number, row in rows:
        where = f"{path} line {number}"
        if isinstance(row, str):
            errors.append((None, f"{where}: {row}"))
            continue
        raw_path = str(row.get("path") or "").strip()
        if not raw_path:
            errors.append((None, f"{where}: no path"))
            continue
        target = (base / raw_path).resolve()
        order.append(target)
        if _PROBLEM in row:
            errors.append((target, f"{where}: {row[_PROBLEM]}"))
            continue
        try:
            file_facts = _facts({k: v for k, v in row.items() if k != "path"}, "manifest",
                                lambda _key, where=where: where)
        except MetadataError as err:
            errors.append((target, str(err)))
            continue
        if target in facts:
            errors.append((target, f"{where}: {raw_path} is listed twice"))
            continue
        facts[target] = file_facts
    return Manifest(path, facts, tuple(errors), tuple(dict.fromkeys(order)))


def _csv_rows(path: Path, text: str) -> list[tuple[int, dict | str]]:
    first = text.split("\n", 1)[0]
    # Spreadsheets set to Swedish save CSV with semicolons.
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(text.splitlines(), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise MetadataError(f"{path} line 1: empty manifest (expected a header row: "
                            "path,org,body,date)") from None
    if "path" not in header:
        raise MetadataError(f"{path} line 1: the header row has no 'path' column "
                            f"(found: {', '.join(header)})")
    rows: list[tuple[int, dict | str]] = []
    for values in reader:
        number = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            problem = f"{len(values)} columns where the header has {len(header)}"
            at = header.index("path")
            # The row still names its file: that file is reported, not left out.
            rows.append((number, {"path": values[at], _PROBLEM: problem}
                         if at < len(values) and values[at].strip() else problem))
            continue
        rows.append((number, dict(zip(header, values, strict=True))))
    return rows


def _jsonl_rows(path: Path, text: str) -> list[tuple[int, dict | str]]:
    rows: list[tuple[int, dict | str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            rows.append((number, f"not valid JSON: {err.msg}"))
            continue
        rows.append((number, obj if isinstance(obj, dict) else "expected a JSON object"))
    return rows


def _facts(obj: Mapping, source: str, where) -> FileFacts:
    """Validated facts from one sidecar or manifest row; ``where(key)`` names the line."""
    unknown = [k for k in obj if k not in _KEYS]
    if unknown:
        raise MetadataError(f"{where(unknown[0])}: unknown key {unknown[0]!r} "
                            f"(expected {', '.join(_KEYS)})")
    values: dict[str, str] = {}
    for key in _KEYS:
        value = obj.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise MetadataError(f"{where(key)}: {key} must be a string, not {value!r}")
        value = " ".join(value.split())
        if len(value) > _MAX_VALUE:
            raise MetadataError(f"{where(key)}: {key} is longer than {_MAX_VALUE} characters")
        if value:
            values[key] = value
    if "date" in values:
        try:
            values["date"] = dt.date.fromisoformat(values["date"]).isoformat()
        except ValueError:
            raise MetadataError(f"{where('date')}: date {values['date']!r} is not a date "
                                "YYYY-MM-DD") from None
    sources = tuple((k, source, where(k)) for k in FACTS if k in values)
    return replace(FileFacts(**values), sources=sources)


def facts_for(path: Path, options: FileFacts, manifest: Manifest | None) -> FileFacts:
    """One file's facts: options over its sidecar over its manifest row.

    Raises :class:`MetadataError` when its sidecar or manifest row is malformed,
    so that the file is not indexed under facts the user did not mean.
    """
    facts = options
    sidecar = sidecar_path(path)
    if sidecar.is_file():
        facts = facts.over(read_sidecar(sidecar))
    if manifest is not None:
        resolved = path.resolve()
        for target, message in manifest.errors:
            if target == resolved:
                raise MetadataError(message)
        row = manifest.facts.get(resolved)
        if row is not None:
            facts = facts.over(row)
    return facts
