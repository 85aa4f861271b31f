"""Locating ../shared beside the checkout; tests skip cleanly without it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# ../shared beside the checkout; PARAGRAF_SHARED points elsewhere (a worktree
# whose parent folder holds no shared/).
SHARED = Path(os.environ.get("PARAGRAF_SHARED") or
              Path(__file__).resolve().parents[2] / "shared")


def shared_path(*parts: str) -> Path:
    """A path inside ../shared, or skip the test when it is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not present (reference data lives outside the repo)")
    return path


def seed(prefix: str) -> Path:
    """The seed file whose name starts with ``prefix`` (e.g. "000_")."""
    folder = shared_path("seeds")
    matches = sorted(folder.glob(f"{prefix}*"))
    if not matches:
        pytest.skip(f"no seed {prefix}* in {folder}")
    return matches[0]
