"""Where Paragraf keeps its data, with every default in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = "./paragraf-data"
DATA_DIR_ENV = "PARAGRAF_DATA_DIR"


@dataclass(frozen=True)
class DataDir:
    """The layout of a data directory: the archive and the index beside it."""

    root: Path

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def index(self) -> Path:
        return self.root / "index"

    @property
    def node_index(self) -> Path:
        """A serving node's own index, replayed from PostgreSQL (``--database``)."""
        return self.root / "node-index"


def resolve_data_dir(cli_value: str | None, environ: dict[str, str] | None = None) -> DataDir:
    """``--data-dir`` wins, then ``$PARAGRAF_DATA_DIR``, then ``./paragraf-data``."""
    env = os.environ if environ is None else environ
    raw = cli_value or env.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR
    return DataDir(Path(raw).expanduser().resolve())
