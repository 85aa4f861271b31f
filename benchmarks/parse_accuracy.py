"""Parse accuracy on the Göteborg kommunstyrelse corpus.

For each meeting (rows grouped by ``datum``, in file order) the protocol text is
reassembled by joining the paragraphs' ``fulltext`` with newlines and parsed with
``parse_document``. Printed figures:

- number+title: share of corpus paragraphs whose § number and title (``rubrik``,
  whitespace-normalised; the corpus cuts rubrik at 200 characters, so a cut one
  must be the start of the parsed title) come back;
- corpus-clean number+title: the same, leaving out corpus rows whose ``rubrik``
  runs past the title into body text (the corpus extractor took everything up to
  a "Beslut" line as the title; when a paragraph has no "Beslut" the rubrik is
  the whole paragraph);
- diarienummer: share whose ``ärendeNr`` is among the parsed diarienummer.

Usage: ``python benchmarks/parse_accuracy.py [path/to/paragraphs.jsonl]``
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from paragraf_se.indexer.parsing import parse_document

DEFAULT_CORPUS = (
    Path(__file__).resolve().parents[2] / "shared" / "corpora" / "goteborg-ks" / "paragraphs.jsonl"
)


@dataclass(frozen=True)
class Accuracy:
    """Counts behind the printed shares."""

    paragraphs: int
    number_and_title: int
    clean_paragraphs: int
    clean_number_and_title: int
    diarienummer: int
    meetings: int
    furniture_leaks: int
    misses: tuple[str, ...]
    printed_number_and_title: int = 0  # against the printed title where rubrik overran

    def share(self, hits: int, total: int | None = None) -> float:
        total = self.paragraphs if total is None else total
        return hits / total if total else 0.0


RUBRIK_LIMIT = 200  # the corpus cuts rubrik at 200 characters


def normalise(text: str) -> str:
    return " ".join(text.split())


def title_matches(title: str, rubrik: str) -> bool:
    """Equal after whitespace normalisation; a rubrik cut at the corpus limit
    only has to be the start of the title."""
    if len(rubrik) >= RUBRIK_LIMIT:
        return normalise(title).startswith(normalise(rubrik))
    return normalise(title) == normalise(rubrik)


def printed_title(row: dict) -> str:
    """The title as the protocol prints it: the lines after the § header up to
    the first blank line or "Beslut"."""
    title_lines: list[str] = []
    for line in row["fulltext"].split("\n")[1:]:
        if not line.strip():
            if title_lines:
                break
            continue
        if line.strip() == "Beslut":
            break
        title_lines.append(line)
    return " ".join(title_lines)


def rubrik_overruns(row: dict) -> bool:
    """True when the corpus rubrik contains body text: it runs past a blank line
    that follows the title, or there is no "Beslut" line to stop it."""
    lines = row["fulltext"].split("\n")[1:]
    if not any(line.strip() == "Beslut" for line in lines):
        return True
    return not title_matches(printed_title(row), row["rubrik"])


# Page furniture that must not survive into paragraph text: page markers
# ("3 (74)", "(74)"), running headers and the date/number lines under them.
_FURNITURE = re.compile(
    r"^\s*(?:(?:PROTOKOLL\s*)?\d*\s*\(\s*\d+\s*\)|Protokoll nr \d+|Sammanträdesdatum:.*"
    r"|Göteborgs Stad (?:Kommunstyrelsen, |kommunstyrelsens )protokoll)\s*$",
    re.M | re.I,
)


def measure(rows: Iterable[dict]) -> Accuracy:
    """Parse every meeting of ``rows`` and compare with the corpus fields."""
    totals = dict.fromkeys(("n", "hit", "clean", "clean_hit", "dnr", "meetings", "leaks",
                            "printed_hit"), 0)
    misses: list[str] = []
    for _, group in groupby(rows, key=lambda r: r["datum"]):
        meeting = list(group)
        text = "\n".join(r["fulltext"] for r in meeting)
        result = parse_document(text.encode("utf-8"), "text/plain")
        parsed = {p.number: p for p in result.paragraphs}
        totals["meetings"] += 1
        for row in meeting:
            paragraph = parsed.get(row["paragrafNr"])
            hit = paragraph is not None and title_matches(paragraph.title, row["rubrik"])
            clean = not rubrik_overruns(row)
            totals["n"] += 1
            totals["hit"] += hit
            totals["clean"] += clean
            totals["clean_hit"] += hit and clean
            # Where the corpus rubrik ran on into body text, the protocol's own
            # printed title is the truth to compare with.
            totals["printed_hit"] += hit or (
                paragraph is not None and not clean
                and normalise(paragraph.title) == normalise(printed_title(row)))
            if paragraph is not None:
                totals["dnr"] += row["ärendeNr"] in paragraph.diarienummer
                totals["leaks"] += bool(_FURNITURE.search(paragraph.text))
            if clean and not hit:
                got = paragraph.title if paragraph else "<missing>"
                misses.append(f"{row['id']}: want {row['rubrik']!r} got {got!r}")
    return Accuracy(totals["n"], totals["hit"], totals["clean"], totals["clean_hit"],
                    totals["dnr"], totals["meetings"], totals["leaks"], tuple(misses),
                    totals["printed_hit"])


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_CORPUS
    if not path.exists():
        print(f"corpus not found: {path}", file=sys.stderr)
        return 1
    acc = measure(load(path))
    print(f"meetings: {acc.meetings}, corpus paragraphs: {acc.paragraphs}")
    print(f"number+title: {acc.number_and_title}/{acc.paragraphs} "
          f"= {acc.share(acc.number_and_title):.2%}")
    print(f"corpus-clean number+title: {acc.clean_number_and_title}/{acc.clean_paragraphs} "
          f"= {acc.share(acc.clean_number_and_title, acc.clean_paragraphs):.2%} "
          f"({acc.paragraphs - acc.clean_paragraphs} corpus rubriker overrun into body text)")
    print(f"number+title against the printed protocol: {acc.printed_number_and_title}/"
          f"{acc.paragraphs} = {acc.share(acc.printed_number_and_title):.2%}")
    print(f"diarienummer: {acc.diarienummer}/{acc.paragraphs} = {acc.share(acc.diarienummer):.2%}")
    print(f"paragraphs with page furniture left in text: {acc.furniture_leaks}")
    for miss in acc.misses[:20]:
        print("  miss", miss)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
