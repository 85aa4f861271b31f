"""The benchmark corpus written once to JSON lines, then streamed by every engine.

Every builder reads the same file, so generation time never counts as index
time and each engine sees byte-identical paragraphs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from benchmarks.synth import SyntheticCorpus
from paragraf_se.indexer.model import Paragraph
from paragraf_se.indexer.serialize import paragraph_from_dict, paragraph_to_dict


def write_corpus(corpus: SyntheticCorpus, n: int, path: Path) -> Path:
    """Write the first ``n`` paragraphs (skipped when a complete file is there)."""
    done = path.with_suffix(".done")
    if path.exists() and done.exists() and done.read_text() == f"{corpus.seed} {n}":
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for p in corpus.paragraphs(n):
            f.write(json.dumps(paragraph_to_dict(p), ensure_ascii=False))
            f.write("\n")
    tmp.replace(path)
    done.write_text(f"{corpus.seed} {n}")
    return path


def read_corpus(path: Path) -> Iterator[Paragraph]:
    """Stream paragraphs back from a corpus file."""
    with path.open(encoding="utf-8") as f:
        for line in f:
            yield paragraph_from_dict(json.loads(line))
