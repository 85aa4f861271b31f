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

    @property
    def wordlist(self) -> Path:
        """Written by ``paragraf compounds build``; used instead of the shipped list if present."""
        return self.root / "compounds" / "sv_words.txt"


def use_data_dir_wordlist(data_dir: DataDir) -> Path:
    """Analyse with the data directory's own word list if it has one, else the shipped one.

    Returns the list in use. Every process working on ``data_dir`` calls this
    before it analyses text, so that index and queries split compounds alike.
    """
    from paragraf_se.indexer.analysis import use_wordlist
    from paragraf_se.indexer.compounds import WORDLIST

    local = data_dir.wordlist
    use_wordlist(local if local.is_file() else None)
    return local if local.is_file() else WORDLIST


def resolve_data_dir(cli_value: str | None, environ: dict[str, str] | None = None) -> DataDir:
    """``--data-dir`` wins, then ``$PARAGRAF_DATA_DIR``, then ``./paragraf-data``."""
    env = os.environ if environ is None else environ
    raw = cli_value or env.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR
    return DataDir(Path(raw).expanduser().resolve())
