"""Where Paragraf keeps its data, with every default in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = "./paragraf-data"
DATA_DIR_ENV = "PARAGRAF_DATA_DIR"


@dataclass(frozen=True)
class DataDir:
    """The layout of a data directory: every file and folder Paragraf keeps in it.

    No other module spells a data-directory name; each asks for it here.
    """

    root: Path

    @property
    def archive(self) -> Path:
        """WARC files and their catalog (``archive/``), written by the archive alone."""
        return self.root / "archive"

    @property
    def catalog(self) -> Path:
        """The archive's capture catalog (the archive keeps it beside its WARC files)."""
        return self.archive / "catalog.sqlite"

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

    @property
    def permalinks(self) -> Path:
        """Issued paragraph ids, renames (301) and tombstones (410)."""
        return self.root / "permalinks.sqlite"

    @property
    def parse_status(self) -> Path:
        """Each ingested document's parse status, for the documents page."""
        return self.root / "parse-status.sqlite"

    @property
    def crawl_state(self) -> Path:
        """The crawl frontier and the hand-off of new captures to indexing."""
        return self.root / "crawl-state.sqlite"

    @property
    def crawl_log(self) -> Path:
        return self.root / "crawl.log"

    @property
    def writers_lock(self) -> Path:
        """Held shared by every writer and exclusively by a restore."""
        return self.root / ".writers.lock"

    @property
    def rebuild_lock(self) -> Path:
        return self.root / ".rebuild.lock"

    def rebuild_dir(self, stamp: int) -> Path:
        """Where an index rebuild is written before it is swapped in."""
        return self.root / f"index.rebuild-{stamp}"

    def replaced_index_dir(self, stamp: int) -> Path:
        """Where a swapped-out index waits to be removed."""
        return self.root / f"index.old-{stamp}"

    def restore_staging(self, stamp: int) -> Path:
        """Where a restore builds the data directory it swaps in."""
        return self.root / f"{RESTORE_STAGING_PREFIX}{stamp}"


RESTORE_STAGING_PREFIX = ".restore-"
REBUILD_DIR_GLOB = "index.rebuild-*"
REPLACED_INDEX_GLOB = "index.old-*"


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
