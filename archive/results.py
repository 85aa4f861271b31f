"""What a store into the archive reports."""

from __future__ import annotations

from dataclasses import dataclass

from paragraf_se.archive.model import Capture


@dataclass(frozen=True)
class StoreResult:
    """The outcome of a store: ``new`` is False when these bytes from this source were known."""

    capture: Capture
    new: bool
