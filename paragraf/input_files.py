"""Which files ``paragraf ingest`` takes from the paths it is given.

A directory is walked for protocol files (by suffix), sorted; other files are
reported as skipped, and sidecars (``<file>.meta.json``) are read with their
file rather than reported. A symbolic link
inside it that leads out of it (to a file or directory elsewhere on the
server) is not followed unless the operator asks for it: whatever is
archived is published, and a link is an easy way to publish a file nobody
meant to. Such links are reported as skipped, with the reason.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from paragraf_se.ingest_facts import is_sidecar

SUFFIXES = frozenset({".pdf", ".html", ".htm", ".txt"})
_UNSUPPORTED = ("not a protocol file: only PDF, HTML and text files (.pdf, .html, .htm, .txt) "
                "are ingested")


@dataclass(frozen=True)
class NotTaken:
    """A path named or found that is not ingested: ``status`` "failed" or "skipped"."""

    path: Path
    status: str
    reason: str


def iter_input_files(paths: Iterable[Path], *, follow_symlinks: bool = False
                     ) -> Iterator[Path | NotTaken]:
    """Files named, and the protocol files inside directories named (sorted).

    A path that does not exist is yielded as a failed :class:`NotTaken`; a
    link out of a named directory as a skipped one (unless ``follow_symlinks``).
    Files named directly are taken as named, links or not.
    """
    for path in paths:
        if path.is_dir():
            yield from _walk(path, follow_symlinks)
        elif path.is_file() and is_sidecar(path):
            yield NotTaken(path, "skipped", "a sidecar is read with the file it describes")
        elif path.is_file():
            yield path
        else:
            yield NotTaken(path, "failed", "no such file or directory")


def _walk(top: Path, follow_symlinks: bool) -> Iterator[Path | NotTaken]:
    root = top.resolve()
    found: list[Path | NotTaken] = []
    seen_dirs = {root}
    for dirpath, dirnames, filenames in os.walk(top, followlinks=follow_symlinks):
        here = Path(dirpath)
        kept = []
        for name in sorted(dirnames):
            child = here / name
            if child.is_symlink():
                real = child.resolve()
                if real in seen_dirs or _inside(real, root):
                    continue  # a loop, or walked anyway through its real path
                if not follow_symlinks:
                    found.append(NotTaken(child, "skipped", _outside(child, real, top)))
                    continue
                seen_dirs.add(real)
            kept.append(name)
        dirnames[:] = kept
        for name in filenames:
            child = here / name
            if not child.is_file() or is_sidecar(child):
                continue  # sidecars are read with the file they describe
            if child.suffix.lower() not in SUFFIXES:
                found.append(NotTaken(child, "skipped", _UNSUPPORTED))
                continue
            if child.is_symlink() and not follow_symlinks:
                real = child.resolve()
                if not _inside(real, root):
                    found.append(NotTaken(child, "skipped", _outside(child, real, top)))
                    continue
            found.append(child)
    yield from sorted(found, key=lambda item: str(item.path if isinstance(item, NotTaken)
                                                  else item))


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _outside(link: Path, real: Path, top: Path) -> str:
    kind = "directory" if real.is_dir() else "file"
    return (f"symbolic link to a {kind} outside {top} (not followed; use --follow-symlinks "
            "to ingest it)")
