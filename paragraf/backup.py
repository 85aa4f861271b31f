"""``paragraf backup DEST`` and ``paragraf restore SRC``: archive, catalog and index.

A backup is taken while the server runs: the archive copies its catalog under
its writer lock and then the committed prefix of each (append-only) WARC
file; the index is copied under its writer lock. A manifest with SHA-256 of
every file lets ``restore`` refuse a damaged backup before touching anything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from paragraf_se.archive.store import Archive
from paragraf_se.check import repair
from paragraf_se.indexer.whoosh_engine import WhooshIndex
from paragraf_se.settings import DataDir

MANIFEST = "paragraf-backup.json"
FORMAT = 1


class BackupError(Exception):
    """A backup cannot be written or a restore cannot proceed."""


@dataclass(frozen=True)
class BackupSummary:
    files: int
    bytes: int
    captures: int
    paragraphs: int


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _manifest_files(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): _sha256(p)
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


def backup(data_dir: DataDir, dest: Path, *, now: dt.datetime | None = None) -> BackupSummary:
    """Write a consistent copy of ``data_dir`` into the empty or new directory ``dest``."""
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty")
    if not data_dir.archive.exists():
        raise BackupError(f"no archive in {data_dir.root}")
    work = dest.with_name(dest.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    # Index first, then archive: everything the copied index holds is then in
    # the copied archive; a document archived while the backup ran but not
    # yet indexed is caught up by ``restore`` (see :func:`restore`).
    index = WhooshIndex(data_dir.index)
    try:
        index.snapshot(work / "index")
        paragraphs = index.count()
    finally:
        index.close()
    with Archive(data_dir.archive) as archive:
        copied = archive.snapshot(work / "archive")
        captures = archive.count()
    files = _manifest_files(work)
    manifest = {
        "format": FORMAT,
        "created": (now or dt.datetime.now(dt.UTC)).isoformat(),
        "source": str(data_dir.root),
        "captures": captures,
        "paragraphs": paragraphs,
        "files": files,
    }
    (work / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    if dest.exists():
        dest.rmdir()
    work.rename(dest)
    return BackupSummary(len(files), copied, captures, paragraphs)


def restore(src: Path, data_dir: DataDir, *, force: bool = False) -> BackupSummary:
    """Replace ``data_dir``'s archive and index with the backup in ``src``.

    Every file is checked against the manifest first; the data directory is
    only touched when the whole backup is intact. Refuses to overwrite an
    existing archive unless ``force``.
    """
    manifest_path = src / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{src} is not a Paragraf backup (no {MANIFEST})")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    expected: dict[str, str] = manifest["files"]
    actual = _manifest_files(src)
    missing = sorted(set(expected) - set(actual))
    damaged = sorted(n for n in expected if n in actual and actual[n] != expected[n])
    if missing or damaged:
        raise BackupError("backup is damaged: " + ", ".join(
            [f"missing {n}" for n in missing] + [f"checksum differs: {n}" for n in damaged]))
    if data_dir.archive.exists() and any(data_dir.archive.iterdir()) and not force:
        raise BackupError(f"{data_dir.root} already has an archive; use --force to replace it")
    data_dir.root.mkdir(parents=True, exist_ok=True)
    staging = data_dir.root / ".restore-staging"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(src, staging, ignore=shutil.ignore_patterns(MANIFEST))
    for part in ("archive", "index"):
        target = getattr(data_dir, part)
        old = data_dir.root / f".{part}-replaced"
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            target.rename(old)
        (staging / part).rename(target)
        shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)
    # Documents archived while the backup ran may not be in its index yet.
    repair(data_dir)
    total = sum(p.stat().st_size for p in src.rglob("*") if p.is_file())
    return BackupSummary(len(expected), total, int(manifest["captures"]),
                         int(manifest["paragraphs"]))
