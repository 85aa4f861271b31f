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

It then parses protocols from the test suite's generator
(``tests/protocol_generator.py``), whose truth is known, and reports title,
diarienummer (with classification code) and decision accuracy per template
variant family (case-number form, title placement, text layer, furniture,
header form, section headings, front page).

Usage: ``python benchmarks/parse_accuracy.py [path/to/paragraphs.jsonl]
[--generated N] [--seed S]``. Without the corpus (``../shared`` or
``$PARAGRAF_SHARED``) its part is skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from paragraf_se.indexer.parsing import parse_document

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PARAGRAF_SHARED") or REPO.parent / "shared")
DEFAULT_CORPUS = SHARED / "corpora" / "goteborg-ks" / "paragraphs.jsonl"


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


@dataclass
class TemplateCounts:
    """Generated paragraphs of one template variant and how many came back right."""

    protocols: int = 0
    exact_protocols: int = 0
    paragraphs: int = 0
    title: int = 0
    diarienummer: int = 0
    decision: int = 0


def measure_generated(count: int, seed: int = 0) -> dict[tuple[str, str], TemplateCounts]:
    """Parse ``count`` generated protocols; counts per (family, variant value)."""
    if str(REPO) not in sys.path:  # runnable as a plain script
        sys.path.insert(0, str(REPO))
    from tests import protocol_generator as gen

    counts: dict[tuple[str, str], TemplateCounts] = defaultdict(TemplateCounts)
    for protocol in gen.sample(count, seed):
        result = parse_document(protocol.data, protocol.content_type)
        parsed = {p.number: p for p in result.paragraphs}
        exact = not gen.compare(protocol, result)
        hits = [gen.field_hits(t, parsed.get(t.number)) for t in protocol.paragraphs]
        keys = [("all", "all"), *protocol.variant.family_values().items(),
                ("wrap", f"{protocol.variant.wrap} line(s)")]
        for key in keys:
            c = counts[key]
            c.protocols += 1
            c.exact_protocols += exact
            c.paragraphs += len(hits)
            for field in ("title", "diarienummer", "decision"):
                setattr(c, field, getattr(c, field) + sum(h[field] for h in hits))
    return dict(counts)


def _pct(hits: int, total: int) -> str:
    return f"{hits / total:7.2%}" if total else "      –"


def print_generated(counts: dict[tuple[str, str], TemplateCounts]) -> None:
    print(f"{'template variant':34} {'protocols':>9} {'exact':>8} {'§§':>6} "
          f"{'title':>8} {'dnr':>8} {'decision':>8}")
    for (family, value), c in sorted(counts.items(), key=lambda kv: (kv[0][0] != "all", kv[0])):
        print(f"{family + ': ' + value:34} {c.protocols:9d} "
              f"{_pct(c.exact_protocols, c.protocols):>8} {c.paragraphs:6d} "
              f"{_pct(c.title, c.paragraphs):>8} {_pct(c.diarienummer, c.paragraphs):>8} "
              f"{_pct(c.decision, c.paragraphs):>8}")


def print_corpus(acc: Accuracy) -> None:
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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="parse_accuracy", description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--generated", type=int, default=3000,
                        help="generated protocols to parse (0 skips them)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv[1:])
    print("== Göteborg kommunstyrelse corpus (pdftotext text, printed titles) ==")
    if args.corpus.exists():
        print_corpus(measure(load(args.corpus)))
    else:
        print(f"skipped: corpus not found at {args.corpus} (set PARAGRAF_SHARED)")
    if args.generated:
        print(f"\n== Generated protocols (tests/protocol_generator.py, {args.generated}, "
              f"seed {args.seed}) ==")
        print_generated(measure_generated(args.generated, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
