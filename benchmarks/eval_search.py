"""Search quality on a hand-judged Swedish relevance set (issue 5).

Three systems answer every query in ``benchmarks/relevance/queries.tsv`` over the
same paragraphs, with the default AND semantics of the query language:

- **Paragraf**: ``open_engine(None)``: compound parts + Snowball Swedish + overrides;
- **Snowball**: ``open_engine(None, compounds=False)``: plain Snowball Swedish;
- **Exakt BM25**: the Paragraf index searched with ``mode="exact"``, i.e. BM25 over
  the unstemmed, lowercased words (the no-stemming baseline).

Paragraphs come from two collections, each indexed on its own so a query only
meets the collection it was judged on:

- ``goteborg``: ``../shared/corpora/goteborg-ks/paragraphs.jsonl`` beside the
  checkout (real Göteborg kommunstyrelse paragraphs; never copied into the repo),
  keyed by the corpus ``id`` ("ks-2024-01-10-§1");
- ``sample``: the invented sample site (``paragraf/sample_site``), built from its
  content data, keyed "org-slug/body-slug/YYYY-MM-DD/number-slug".

Judgments are in ``benchmarks/relevance/qrels.tsv`` (grade 2 = about it, 1 =
partly). Metrics at cut-off 10, macro-averaged over queries:

- Recall@10: judged-relevant paragraphs (grade >= 1) in the top 10, divided by
  min(10, number judged relevant), so a perfect ranking scores 1 even for
  queries with more than ten relevant paragraphs;
- MRR@10: 1 / rank of the first relevant paragraph (0 when none in the top 10);
- nDCG@10: gain 2^grade - 1, ideal ranking from all judgments of the query.

Usage: ``python benchmarks/eval_search.py [--verbose] [--require-corpus] [--corpus PATH]
[--save-scores FILE] [--compare FILE]``: ``--save-scores`` writes every query's
scores as JSON, ``--compare`` prints each query's change against such a file
(a change to ranking must show the queries it improves and that none got worse).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # runnable as a plain script from any directory
    sys.path.insert(0, str(REPO))

from paragraf_se.indexer.engine import Engine, SearchRequest  # noqa: E402
from paragraf_se.indexer.model import Paragraph, SourceRef, paragraph_id  # noqa: E402
from paragraf_se.indexer.search import search  # noqa: E402
from paragraf_se.indexer.slug import slugify  # noqa: E402
from paragraf_se.wiring import open_engine  # noqa: E402

DEFAULT_CORPUS = (
    Path(__file__).resolve().parents[2] / "shared" / "corpora" / "goteborg-ks" / "paragraphs.jsonl"
)
RELEVANCE_DIR = Path(__file__).resolve().parent / "relevance"
COLLECTIONS = ("goteborg", "sample")
SYSTEMS = ("Paragraf", "Snowball", "Exakt BM25")
METRICS = ("Recall@10", "MRR@10", "nDCG@10")
CUTOFF = 10


class RelevanceError(ValueError):
    """The relevance files are malformed or refer to unknown paragraphs."""


@dataclass(frozen=True)
class Query:
    """One judged query: what staff type, and which paragraphs answer it."""

    qid: str
    collection: str  # "goteborg" | "sample"
    text: str
    judgments: Mapping[str, int]  # paragraph key -> grade (1 or 2)
    note: str = ""

    @property
    def relevant(self) -> frozenset[str]:
        return frozenset(k for k, g in self.judgments.items() if g > 0)


@dataclass(frozen=True)
class QueryResult:
    """One system's top ranking for one query and its scores."""

    query: Query
    system: str
    ranking: tuple[str, ...]  # paragraph keys, best first
    total: int  # how many paragraphs matched at all
    scores: Mapping[str, float]  # metric name -> value
    relaxed: bool = False  # AND found nothing; the engine answered with OR


# -- paragraphs --------------------------------------------------------------


def _source(url: str) -> SourceRef:
    return SourceRef("e" * 20, url, "0" * 64, "text/plain", None)


def goteborg_paragraphs(path: Path) -> dict[str, Paragraph]:
    """The Göteborg corpus as paragraphs, keyed by the corpus ``id``."""
    out: dict[str, Paragraph] = {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            row = json.loads(line)
            org, body = "Göteborgs Stad", row["organ"]
            date = dt.date.fromisoformat(row["datum"])
            number = row["paragrafNr"]
            dnr = row.get("ärendeNr") or ""
            out[row["id"]] = Paragraph(
                id=paragraph_id(org, body, date, number),
                org=org,
                body=body,
                date=date,
                number=number,
                title=row["rubrik"],
                text=row["fulltext"],
                sources=(_source(f"file:///goteborg-ks/{row['id']}"),),
                decision="",
                diarienummer=(dnr,) if dnr else (),
            )
    return out


def sample_key(org_slug: str, body_slug: str, date: str, label: str) -> str:
    """The stable key of a sample-site paragraph: "org/body/YYYY-MM-DD/number"."""
    return f"{org_slug}/{body_slug}/{date}/{slugify(label)}"


def sample_site_paragraphs() -> dict[str, Paragraph]:
    """The sample site's paragraphs, built from its content data.

    The text is every section as "heading\\ntext" (as the parser keeps it) and the
    decision is the decision section, so the fields match what the demo indexes.
    """
    from paragraf_se.sample_site.content import ORGS
    from paragraf_se.sample_site.schema import DECISION, decision_heading, numbered

    out: dict[str, Paragraph] = {}
    for org in ORGS:
        for body in org.bodies:
            for meeting in body.meetings:
                if meeting.cancelled:
                    continue
                date = dt.date.fromisoformat(meeting.date)
                for label, item in numbered(meeting):
                    key = sample_key(org.slug, body.slug, meeting.date, label)
                    blocks = [f"Dnr {item.dnr}"] if item.dnr else []
                    blocks += [f"{decision_heading(h, body)}\n{t}" for h, t in item.sections]
                    text = "\n\n".join(blocks)
                    decision = "\n\n".join(t for h, t in item.sections if h == DECISION)
                    out[key] = Paragraph(
                        id=paragraph_id(org.name, body.name, date, label),
                        org=org.name,
                        body=body.name,
                        date=date,
                        number=label,
                        title=item.title,
                        text=text,
                        sources=(_source(f"file:///sample/{key}"),),
                        decision=decision,
                        diarienummer=(item.dnr,) if item.dnr else (),
                    )
    return out


# -- relevance files -----------------------------------------------------------


def _rows(path: Path) -> Iterable[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.reader(f, delimiter="\t"):
            if row and row[0].strip() and not row[0].startswith("#"):
                yield [c.strip() for c in row]


def load_queries(directory: Path = RELEVANCE_DIR) -> list[Query]:
    """Queries (``queries.tsv``: qid, collection, query, note) with their
    judgments (``qrels.tsv``: qid, paragraph key, grade)."""
    judgments: dict[str, dict[str, int]] = {}
    for row in _rows(directory / "qrels.tsv"):
        if len(row) < 3 or row[2] not in ("0", "1", "2"):
            raise RelevanceError(f"qrels.tsv: bad row {row!r}")
        judgments.setdefault(row[0], {})[row[1]] = int(row[2])
    queries: list[Query] = []
    for row in _rows(directory / "queries.tsv"):
        if len(row) < 3 or row[1] not in COLLECTIONS:
            raise RelevanceError(f"queries.tsv: bad row {row!r}")
        qid = row[0]
        if any(q.qid == qid for q in queries):
            raise RelevanceError(f"queries.tsv: duplicate id {qid}")
        judged = judgments.pop(qid, {})
        if not any(g > 0 for g in judged.values()):
            raise RelevanceError(f"query {qid} has no relevant paragraph")
        note = row[3] if len(row) > 3 else ""
        queries.append(Query(qid, row[1], row[2], judged, note))
    if judgments:
        raise RelevanceError(f"qrels.tsv: judgments for unknown queries {sorted(judgments)}")
    return queries


# -- metrics -------------------------------------------------------------------


def recall_at(ranking: Sequence[str], relevant: frozenset[str], k: int = CUTOFF) -> float:
    """Share of the relevant found in the top k, out of at most k findable."""
    if not relevant:
        return 0.0
    found = sum(1 for key in ranking[:k] if key in relevant)
    return found / min(k, len(relevant))


def reciprocal_rank(ranking: Sequence[str], relevant: frozenset[str], k: int = CUTOFF) -> float:
    """1 / rank of the first relevant paragraph in the top k, else 0."""
    for rank, key in enumerate(ranking[:k], start=1):
        if key in relevant:
            return 1.0 / rank
    return 0.0


def ndcg_at(ranking: Sequence[str], grades: Mapping[str, int], k: int = CUTOFF) -> float:
    """Normalised discounted cumulative gain with gain 2^grade - 1."""

    def dcg(gs: Iterable[int]) -> float:
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gs))

    ideal = dcg(sorted((g for g in grades.values() if g > 0), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg(grades.get(key, 0) for key in ranking[:k]) / ideal


def score(ranking: Sequence[str], query: Query) -> dict[str, float]:
    """All metrics of one ranking."""
    return {
        "Recall@10": recall_at(ranking, query.relevant),
        "MRR@10": reciprocal_rank(ranking, query.relevant),
        "nDCG@10": ndcg_at(ranking, query.judgments),
    }


# -- running the systems -------------------------------------------------------

Searcher = Callable[[str], tuple[tuple[str, ...], int, bool]]


def systems_for(paragraphs: Mapping[str, Paragraph]) -> dict[str, Searcher]:
    """The three systems over one collection, each a function query -> (keys, total,
    relaxed)."""
    key_of = {p.id: key for key, p in paragraphs.items()}
    paragraf = open_engine(None)
    paragraf.add_many(paragraphs.values())
    snowball = open_engine(None, compounds=False)
    snowball.add_many(paragraphs.values())

    def searcher(index: Engine, mode: str) -> Searcher:
        def run(q: str) -> tuple[tuple[str, ...], int, bool]:
            result = search(index, SearchRequest(q=q, size=CUTOFF, mode=mode))
            keys = tuple(key_of[h.paragraph.id] for h in result.hits)
            return keys, result.total, bool(getattr(result, "relaxed", False))

        return run

    return {
        "Paragraf": searcher(paragraf, "stemmed"),
        "Snowball": searcher(snowball, "stemmed"),
        "Exakt BM25": searcher(paragraf, "exact"),
    }


def check_keys(queries: Sequence[Query], paragraphs: Mapping[str, Paragraph]) -> None:
    """Every judged key must name a paragraph of the query's collection."""
    unknown = sorted({f"{q.qid}:{k}" for q in queries for k in q.judgments if k not in paragraphs})
    if unknown:
        raise RelevanceError(f"judged paragraphs not in the collection: {unknown[:10]}")


def evaluate_collection(
    queries: Sequence[Query], paragraphs: Mapping[str, Paragraph]
) -> list[QueryResult]:
    """Run every query of one collection through the three systems."""
    check_keys(queries, paragraphs)
    systems = systems_for(paragraphs)
    results = []
    for q in queries:
        for name, run in systems.items():
            ranking, total, relaxed = run(q.text)
            results.append(QueryResult(q, name, ranking, total, score(ranking, q), relaxed))
    return results


def macro(results: Sequence[QueryResult]) -> dict[str, dict[str, float]]:
    """Metric means per system over the queries in ``results``."""
    table: dict[str, dict[str, float]] = {}
    for system in SYSTEMS:
        rows = [r for r in results if r.system == system]
        table[system] = {
            m: (sum(r.scores[m] for r in rows) / len(rows) if rows else 0.0) for m in METRICS
        }
    return table


@dataclass(frozen=True)
class Evaluation:
    """Everything measured in one run."""

    results: tuple[QueryResult, ...]
    collections: tuple[str, ...]  # which collections were evaluated
    skipped: tuple[str, ...] = ()  # human-readable reasons

    def table(self, collection: str | None = None) -> dict[str, dict[str, float]]:
        rows = [r for r in self.results if collection in (None, r.query.collection)]
        return macro(rows)

    def relaxed_count(self, system: str, collection: str | None = None) -> int:
        """Queries where ``system`` found nothing with AND and answered with OR."""
        return sum(
            1 for r in self.results
            if r.system == system and r.relaxed and collection in (None, r.query.collection)
        )

    def query_count(self, collection: str | None = None) -> int:
        return len({r.query.qid for r in self.results if collection in (None, r.query.collection)})


def evaluate(
    corpus: Path = DEFAULT_CORPUS, relevance_dir: Path = RELEVANCE_DIR
) -> Evaluation:
    """Evaluate every collection present; the Göteborg part is skipped without its corpus."""
    queries = load_queries(relevance_dir)
    results: list[QueryResult] = []
    done: list[str] = []
    skipped: list[str] = []
    for collection in COLLECTIONS:
        mine = [q for q in queries if q.collection == collection]
        if not mine:
            continue
        if collection == "goteborg":
            if not corpus.exists():
                skipped.append(f"goteborg ({len(mine)} queries): {corpus} not present")
                continue
            paragraphs = goteborg_paragraphs(corpus)
        else:
            paragraphs = sample_site_paragraphs()
        results.extend(evaluate_collection(mine, paragraphs))
        done.append(collection)
    return Evaluation(tuple(results), tuple(done), tuple(skipped))


# -- report ----------------------------------------------------------------------


def format_table(evaluation: Evaluation, collection: str | None = None) -> str:
    """A Markdown table: one row per system, one column per metric, and how many
    queries the system could only answer with the OR fallback."""
    table = evaluation.table(collection)
    lines = [
        "| system | " + " | ".join(METRICS) + " | AND empty → OR |",
        "| --- | " + " | ".join("---:" for _ in METRICS) + " | ---: |",
    ]
    for system in SYSTEMS:
        cells = " | ".join(f"{table[system][m]:.3f}" for m in METRICS)
        lines.append(f"| {system} | {cells} | {evaluation.relaxed_count(system, collection)} |")
    return "\n".join(lines)


def format_misses(evaluation: Evaluation, system: str = "Paragraf") -> str:
    """Per query: nDCG of each system, and the relevant paragraphs ``system`` left
    out of its top 10 (grade in brackets)."""
    by_query: dict[str, dict[str, QueryResult]] = {}
    for r in evaluation.results:
        by_query.setdefault(r.query.qid, {})[r.system] = r
    lines = []
    for qid, per_system in by_query.items():
        mine = per_system[system]
        q = mine.query
        ndcgs = "  ".join(
            f"{s}={per_system[s].scores['nDCG@10']:.2f}{' (OR)' if per_system[s].relaxed else ''}"
            for s in SYSTEMS
        )
        lines.append(f"{qid} [{q.collection}] {q.text!r}  (matched {mine.total})  {ndcgs}")
        top = set(mine.ranking)
        missing = sorted(
            (k for k in q.relevant if k not in top), key=lambda k: (-q.judgments[k], k)
        )
        # With more than ten relevant, a full top 10 of relevant ones is no miss.
        if missing and mine.scores["Recall@10"] < 1.0:
            shown = ", ".join(f"{k} [{q.judgments[k]}]" for k in missing[:8])
            more = f" (+{len(missing) - 8} more)" if len(missing) > 8 else ""
            lines.append(f"    {system} misses: {shown}{more}")
    return "\n".join(lines)


def per_query_scores(evaluation: Evaluation) -> dict[str, dict[str, dict[str, float]]]:
    """qid -> system -> metric -> value, for saving and comparing runs."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for r in evaluation.results:
        out.setdefault(r.query.qid, {})[r.system] = {m: round(r.scores[m], 4) for m in METRICS}
    return out


def format_comparison(
    before: Mapping[str, Mapping[str, Mapping[str, float]]], evaluation: Evaluation,
    system: str = "Paragraf",
) -> str:
    """Per query, ``system``'s metrics before -> now; queries new since ``before``
    are listed as new, and a last line counts improved, worse and unchanged."""
    now = per_query_scores(evaluation)
    texts = {r.query.qid: r.query.text for r in evaluation.results}
    lines = [f"{'query':<44} " + "  ".join(f"{m:>18}" for m in METRICS)]
    better = worse = same = new = 0
    for qid, systems in now.items():
        after = systems[system]
        label = f"{qid} {texts[qid]!r}"[:44]
        old = before.get(qid, {}).get(system)
        if old is None:
            new += 1
            cells = "  ".join(f"{'new':>9} → {after[m]:.3f}" for m in METRICS)
            lines.append(f"{label:<44} {cells}")
            continue
        deltas = [after[m] - old[m] for m in METRICS]
        if any(d < -1e-3 for d in deltas):
            worse += 1
            mark = "  WORSE"
        elif any(d > 1e-3 for d in deltas):
            better += 1
            mark = "  better"
        else:
            same += 1
            mark = ""
        cells = "  ".join(f"{old[m]:>9.3f} → {after[m]:.3f}" for m in METRICS)
        lines.append(f"{label:<44} {cells}{mark}")
    lines.append(f"{system}: {better} better, {worse} worse, {same} unchanged, {new} new")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help="Göteborg paragraphs.jsonl (default: ../shared beside the repo)")
    parser.add_argument("--require-corpus", action="store_true",
                        help="fail when the Göteborg corpus is missing")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="per-query scores and Paragraf's misses")
    parser.add_argument("--save-scores", type=Path, metavar="FILE",
                        help="write every query's scores per system as JSON")
    parser.add_argument("--compare", type=Path, metavar="FILE",
                        help="print each query's change against scores saved earlier")
    args = parser.parse_args(argv)
    if args.require_corpus and not args.corpus.exists():
        print(f"error: Göteborg corpus not found at {args.corpus}", file=sys.stderr)
        return 2
    try:
        evaluation = evaluate(args.corpus)
    except (RelevanceError, OSError, json.JSONDecodeError, KeyError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for reason in evaluation.skipped:
        print(f"NOTE: skipped {reason}; evaluating the sample site only.")
    if args.verbose:
        print(format_misses(evaluation))
        print()
    for collection in evaluation.collections:
        n = evaluation.query_count(collection)
        print(f"{collection}: {n} queries")
        print(format_table(evaluation, collection))
        print()
    print(f"all: {evaluation.query_count()} queries (macro average)")
    print(format_table(evaluation))
    if args.save_scores:
        args.save_scores.write_text(
            json.dumps(per_query_scores(evaluation), indent=1, sort_keys=True), encoding="utf-8")
    if args.compare:
        before = json.loads(args.compare.read_text(encoding="utf-8"))
        print()
        print(f"Paragraf per query, {args.compare.name} → now:")
        print(format_comparison(before, evaluation))
    return 0


if __name__ == "__main__":
    sys.exit(main())
