"""A data directory whose index holds given paragraphs, one commit per batch."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from paragraf_se.indexer.model import Paragraph
from paragraf_se.settings import DataDir
from paragraf_se.wiring import open_engine


def indexed_data_dir(root: Path, *batches: Iterable[Paragraph]) -> DataDir:
    """``root`` as a data directory whose index holds ``batches`` (each its own segment)."""
    data = DataDir(root)
    index = open_engine(data.index)
    try:
        for batch in batches:
            index.add_many(batch)
    finally:
        index.close()
    return data
