"""``paragraf backup DEST`` and ``paragraf restore SRC``: archive, catalog and index.

A backup is taken while the server runs: the archive copies its catalog under
its writer lock and then the committed prefix of each (append-only) WARC
file; the index is copied under its writer lock (one generation only). A
manifest lists every file with its SHA-256 and the counts (files, captures,
paragraphs), and carries a SHA-256 of itself.

``restore`` trusts nothing the manifest does not vouch for, and the manifest
only as far as the data agrees with it: the manifest's own checksum is
checked; a file it does not list (an extra index generation, an extra WARC
file) is refused; every file is copied beside the live data directory and the
copy is checked against its checksum; the copy must hold exactly one index
generation whose files all belong to it, WARC files exactly as its catalog
records them, and the manifest's counts; it must open, and ``check`` must
pass on it. Only then, holding the data directory's writers lock and the
archive, index and rebuild locks, are the directories swapped in. A refused
backup changes nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import gc
import hashlib
import json
import os
import re
import shutil
import sqlite3
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from paragraf_se.archive.store import Archive
from paragraf_se.archive.warcfile import sequence_of
from paragraf_se.check import check, repair
from paragraf_se.data_lock import DataDirBusy, data_dir_lock
from paragraf_se.index_swap import RebuildRunning, rebuild_lock
from paragraf_se.parse_status import ParseStatusLog
from paragraf_se.settings import RESTORE_STAGING_PREFIX, DataDir
from paragraf_se.wiring import index_layout, open_engine

MANIFEST = "paragraf-backup.json"
FORMAT = 2
READABLE_FORMATS = (1, 2)  # format 1: no checksum of the manifest itself
STAGING_PREFIX = RESTORE_STAGING_PREFIX
READY = "RESTORE_READY"  # written into the staging directory once it passed every check
_STAGING_LOCK = ".staging.lock"
_LOCK_WAIT_S = 30.0
_SHA256 = re.compile(r"[0-9a-f]{64}")
MAX_LISTED = 10


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


def _manifest_checksum(manifest: dict) -> str:
    body = {k: v for k, v in manifest.items() if k != "manifest_sha256"}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _listed(names: list[str]) -> str:
    more = f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else ""
    return ", ".join(names[:MAX_LISTED]) + more


# -- backup ---------------------------------------------------------------


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
    index = open_engine(data_dir.index)
    try:
        index.snapshot(work / "index")
    finally:
        index.close()
    _keep_latest_generation(work / "index")
    with Archive(data_dir.archive) as archive:
        copied = archive.snapshot(work / "archive")
    # Counted in the copies, not the live data, which may have moved on.
    paragraphs = _index_count(work / "index")
    captures = _catalog_facts(work / "archive" / "catalog.sqlite")[0]
    files = _manifest_files(work)
    manifest: dict = {
        "format": FORMAT,
        "created": (now or dt.datetime.now(dt.UTC)).isoformat(),
        "source": str(data_dir.root),
        "captures": captures,
        "paragraphs": paragraphs,
        "file_count": len(files),
        "files": files,
    }
    manifest["manifest_sha256"] = _manifest_checksum(manifest)
    (work / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False),
                                 encoding="utf-8")
    if dest.exists():
        dest.rmdir()
    work.rename(dest)
    return BackupSummary(len(files), copied, captures, paragraphs)


def _keep_latest_generation(index_dir: Path) -> None:
    """Drop files of older index generations a reader kept alive while we copied."""
    tocs = sorted((gen, p) for p in index_dir.iterdir()
                  if (gen := index_layout.generation_of(p.name)) is not None)
    if not tocs:
        return
    for _gen, toc in tocs[:-1]:
        toc.unlink()
    segments = _segment_ids(index_dir)
    for path in index_dir.iterdir():
        segment = index_layout.segment_of(path.name)
        if segment is not None and segment not in segments:
            path.unlink()


def _segment_ids(index_dir: Path) -> set[str]:
    index = open_engine(index_dir)
    try:
        return index.segment_ids()
    finally:
        index.close()


def _index_count(index_dir: Path) -> int:
    index = open_engine(index_dir)
    try:
        return index.count()
    finally:
        index.close()


def _catalog_facts(path: Path) -> tuple[int, dict[str, int]]:
    """(captures, committed size per WARC file) read from a catalog without changing it."""
    try:
        # immutable: no -wal/-shm files appear beside a copy nobody else writes.
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            captures = int(db.execute("SELECT count(*) FROM captures").fetchone()[0])
            sizes = {str(n): int(s) for n, s in
                     db.execute("SELECT name, committed_size FROM warc_files")}
        finally:
            db.close()
    except sqlite3.DatabaseError as err:
        raise BackupError(f"the backup's catalog cannot be read: {err}") from err
    return captures, sizes


# -- restore --------------------------------------------------------------


def read_manifest(src: Path) -> dict:
    """The backup's manifest, checked for its own checksum and shape."""
    path = src / MANIFEST
    if not path.is_file():
        raise BackupError(f"{src} is not a Paragraf backup (no {MANIFEST})")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BackupError(f"the backup's manifest is not valid JSON: {err}") from err
    if not isinstance(manifest, dict) or manifest.get("format") not in READABLE_FORMATS:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise BackupError(f"unknown backup format {found!r}")
    if manifest["format"] >= 2 and manifest.get("manifest_sha256") != _manifest_checksum(
            manifest):
        raise BackupError("the backup's manifest has been changed: its checksum differs")
    files = manifest.get("files")
    if not isinstance(files, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and _SHA256.fullmatch(v)
            for k, v in files.items()):
        raise BackupError("the backup's manifest has no valid list of files")
    for key in ("captures", "paragraphs"):
        value = manifest.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise BackupError(f"the backup's manifest has no valid count of {key}")
    if "file_count" in manifest and manifest["file_count"] != len(files):
        raise BackupError(f"the backup's manifest counts {manifest['file_count']} files "
                          f"but lists {len(files)}")
    bad = sorted(n for n in files if not _allowed_path(n))
    if bad:
        raise BackupError(f"the backup's manifest lists files a backup cannot hold: "
                          f"{_listed(bad)}")
    return manifest


def _allowed_path(name: str) -> bool:
    parts = name.split("/")
    if parts == ["archive", "catalog.sqlite"]:
        return True
    if len(parts) == 3 and parts[:2] == ["archive", "warc"]:
        return sequence_of(parts[2]) is not None
    if len(parts) == 2 and parts[0] == "index":
        return index_layout.is_index_file(parts[1])
    return False


def _files_in(src: Path) -> tuple[set[str], list[str]]:
    """Regular files under ``src`` (relative names), and anything that is not one."""
    files: set[str] = set()
    odd: list[str] = []
    for dirpath, dirnames, filenames in os.walk(src):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath) / name
            rel = str(path.relative_to(src))
            if path.is_symlink():
                odd.append(f"{rel} (a symbolic link)")
            elif name in filenames:
                if path.is_file():
                    files.add(rel)
                else:
                    odd.append(f"{rel} (not a regular file)")
        dirnames[:] = [d for d in dirnames if not (Path(dirpath) / d).is_symlink()]
    files.discard(MANIFEST)
    return files, odd


def verify_backup(src: Path) -> dict:
    """Check ``src`` against its manifest without copying; returns the manifest.

    Refuses a changed manifest, files it does not list, missing files, links,
    and files whose checksum differs.
    """
    manifest = read_manifest(src)
    expected: dict[str, str] = manifest["files"]
    actual, odd = _files_in(src)
    if odd:
        raise BackupError(f"the backup holds what a backup cannot: {_listed(sorted(odd))}")
    extra = sorted(actual - set(expected))
    if extra:
        raise BackupError(f"the backup holds files its manifest does not list: "
                          f"{_listed(extra)}")
    missing = sorted(set(expected) - actual)
    damaged = sorted(n for n in expected if n in actual and _sha256(src / n) != expected[n])
    if missing or damaged:
        raise BackupError("backup is damaged: " + _listed(
            [f"missing {n}" for n in missing] + [f"checksum differs: {n}" for n in damaged]))
    return manifest


def restore(src: Path, data_dir: DataDir, *, force: bool = False, wait: float = 0.0,
            progress: Callable[[str], None] | None = None) -> BackupSummary:
    """Replace ``data_dir``'s archive and index with the backup in ``src``.

    Nothing in ``data_dir`` changes unless the whole backup passes (see the
    module docstring). Refuses to overwrite an existing archive unless
    ``force``, and to swap while another process writes to ``data_dir``
    (waiting up to ``wait`` seconds for it).
    """
    say = progress or (lambda _msg: None)
    say("checking the backup against its manifest …")
    manifest = verify_backup(src)
    if _has_archive(data_dir) and not force:
        raise BackupError(f"{data_dir.root} already has an archive; use --force to replace it")
    data_dir.root.mkdir(parents=True, exist_ok=True)
    finish_interrupted_restore(data_dir)
    staging = data_dir.restore_staging(time.time_ns())
    staging.mkdir()
    swapped = False
    staging_fd = os.open(staging / _STAGING_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(staging_fd, fcntl.LOCK_EX)
        say("copying the backup beside the data directory …")
        total = _copy_verified(src, staging, manifest["files"])
        say("checking the copy …")
        _check_structure(staging, manifest)
        staged = DataDir(staging)
        repair(staged)  # documents archived while the backup ran may not be in its index yet
        report = check(staged, progress=say)
        if not report.ok:
            raise BackupError("the restored data does not pass check: "
                              + "; ".join(report.problems[:MAX_LISTED]))
        say("swapping the restored data in …")
        with _writer_locks(data_dir, wait):
            # Marked ready only now, under the locks: from here a crash is
            # finished forwards by the next command (finish_interrupted_restore).
            (staging / READY).write_text("ok\n", encoding="utf-8")
            try:
                _swap(staging, data_dir)
            except OSError as err:
                raise BackupError(f"the swap was interrupted ({err}); the next paragraf "
                                  "command on this data directory finishes it") from err
            swapped = True
            _forget_unrestored(data_dir)
    finally:
        os.close(staging_fd)
        if swapped or not (staging / READY).exists():
            shutil.rmtree(staging, ignore_errors=True)
    return BackupSummary(len(manifest["files"]), total, int(manifest["captures"]),
                         int(manifest["paragraphs"]))


def _has_archive(data_dir: DataDir) -> bool:
    return data_dir.archive.exists() and any(data_dir.archive.iterdir())


def _copy_verified(src: Path, staging: Path, files: dict[str, str]) -> int:
    """Copy every listed file into ``staging`` and check the copy's checksum.

    Checking the copy, not the original, means a backup changed after it was
    verified cannot slip through.
    """
    total = 0
    for name, digest in sorted(files.items()):
        target = staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / name, target, follow_symlinks=False)
        if _sha256(target) != digest:
            raise BackupError(f"backup is damaged: checksum differs: {name} (changed while "
                              "it was being restored)")
        total += target.stat().st_size
    return total


def _check_structure(staging: Path, manifest: dict) -> None:
    """The copy holds one index generation, the WARC files its catalog names, the counts."""
    index_dir = staging / "index"
    names = sorted(p.name for p in index_dir.iterdir()) if index_dir.is_dir() else []
    tocs = [n for n in names if index_layout.generation_of(n) is not None]
    if len(tocs) != 1:
        raise BackupError(f"the backup's index holds {len(tocs)} generations "
                          f"({', '.join(tocs) or 'none'}); a backup holds exactly one")
    segments, paragraphs, failure = _open_index(index_dir)
    if failure:
        raise BackupError(f"the backup's index does not open: {failure}")
    strays = [n for n in names if n not in tocs and n != index_layout.INDEX_ID_FILE
              and index_layout.segment_of(n) not in segments]
    if strays:
        raise BackupError(f"the backup's index holds files of no segment of its generation: "
                          f"{_listed(strays)}")
    if paragraphs != manifest["paragraphs"]:
        raise BackupError(f"the manifest counts {manifest['paragraphs']} paragraphs but the "
                          f"backup's index holds {paragraphs}")
    captures, sizes = _catalog_facts(staging / "archive" / "catalog.sqlite")
    if captures != manifest["captures"]:
        raise BackupError(f"the manifest counts {manifest['captures']} captures but the "
                          f"backup's catalog holds {captures}")
    warc_dir = staging / "archive" / "warc"
    on_disk = {p.name: p.stat().st_size for p in warc_dir.iterdir()} if warc_dir.is_dir() else {}
    unknown = sorted(set(on_disk) - set(sizes))
    if unknown:
        raise BackupError(f"the backup holds WARC files its catalog does not record: "
                          f"{_listed(unknown)}")
    wrong = sorted(n for n in sizes if on_disk.get(n) != sizes[n])
    if wrong:
        raise BackupError(f"WARC files in the backup differ from the sizes its catalog "
                          f"records: {_listed(wrong)}")


def _open_index(index_dir: Path) -> tuple[set[str], int, str | None]:
    """(segment ids, paragraphs, None) of an index, or (…, why it does not open)."""
    failure = None
    # Whoosh leaves the file of a TOC it cannot read open; that is collected
    # here, quietly, rather than warned about at some later moment.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            return _segment_ids(index_dir), _index_count(index_dir), None
        except Exception as err:  # whatever a forged or damaged index raises is the finding
            failure = f"{type(err).__name__}: {err}"
        finally:
            gc.collect()
    return set(), 0, failure


@contextlib.contextmanager
def _writer_locks(data_dir: DataDir, wait: float) -> Iterator[None]:
    """Every writer lock of ``data_dir``: no ingest, crawl, rebuild or commit runs meanwhile."""
    try:
        with contextlib.ExitStack() as stack:
            stack.enter_context(data_dir_lock(data_dir, exclusive=True, wait=wait))
            stack.enter_context(rebuild_lock(data_dir))
            stack.enter_context(_flock(data_dir.archive / ".writer.lock", "archive"))
            stack.enter_context(_flock(index_layout.writer_lock(data_dir.index), "index"))
            yield
    except (DataDirBusy, RebuildRunning) as err:
        raise BackupError(str(err)) from err


@contextlib.contextmanager
def _flock(path: Path, what: str) -> Iterator[None]:
    if not path.parent.exists():
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + _LOCK_WAIT_S
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise BackupError(f"the {what} is being written; restore gave up "
                                      "waiting") from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)


def _swap(staging: Path, data_dir: DataDir) -> None:
    """Move the checked copy in; repeatable after a crash at any step (see below)."""
    for part in ("archive", "index"):
        new = staging / part
        if not new.exists():
            continue  # moved in before a crash
        live = data_dir.root / part
        old = staging / f"{part}.replaced"
        if live.exists():
            shutil.rmtree(old, ignore_errors=True)
            live.rename(old)
        new.rename(live)


def _forget_unrestored(data_dir: DataDir) -> None:
    """Parse statuses of captures the restored archive does not have would list ghosts."""
    path = data_dir.parse_status
    if not path.exists():
        return
    try:
        with Archive(data_dir.archive, readonly=True) as archive:
            known = {c.id for c in archive.captures(include_removed=True)}
        log = ParseStatusLog(path)
        try:
            log.retain(known)
        finally:
            log.close()
    except (OSError, sqlite3.Error):
        pass  # only /api/documents' list; the restore itself is complete


def finish_interrupted_restore(data_dir: DataDir) -> str | None:
    """Finish a restore a crash interrupted mid-swap; drop abandoned staging copies.

    A staging directory marked ready passed every check, so its swap is
    completed; one not marked is removed. One whose restore is still running
    (its lock is held) is left alone. Says what it did.
    """
    if not data_dir.root.exists() or not any(data_dir.root.glob(f"{STAGING_PREFIX}*")):
        return None
    try:
        with data_dir_lock(data_dir, exclusive=True, wait=0):
            return _finish_locked(data_dir)
    except DataDirBusy:
        return None  # a writer runs; a restore cannot have been interrupted mid-swap
    except OSError:
        return None  # a read-only or full disk: nothing can be finished now


def _finish_locked(data_dir: DataDir) -> str | None:
    done = None
    for staging in sorted(data_dir.root.glob(f"{STAGING_PREFIX}*")):
        lock = staging / _STAGING_LOCK
        try:
            fd = os.open(lock, os.O_RDWR)
        except OSError:
            fd = -1
        try:
            if fd >= 0:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # a restore is working on it
            if (staging / READY).exists():
                _swap(staging, data_dir)
                _forget_unrestored(data_dir)
                done = "finished an interrupted restore"
            else:
                done = done or "removed an abandoned restore copy"
            shutil.rmtree(staging, ignore_errors=True)
        finally:
            if fd >= 0:
                os.close(fd)
    return done
