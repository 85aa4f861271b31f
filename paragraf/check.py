"""``paragraf check``: is everything archived intact, and indexed exactly once?"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from paragraf_se.archive.errors import ArchiveError
from paragraf_se.archive.store import Archive
from paragraf_se.indexer.whoosh_engine import WhooshIndex
from paragraf_se.isolated_parse import IsolatedParser
from paragraf_se.pipeline import Pipeline
from paragraf_se.settings import DataDir

MAX_LISTED = 50  # problems listed one by one; the rest are counted


@dataclass(frozen=True)
class CheckReport:
    """What ``check`` looked at and every problem it found."""

    records_verified: int
    documents: int
    paragraphs_expected: int
    paragraphs_indexed: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def check(data_dir: DataDir, progress: Callable[[str], None] | None = None) -> CheckReport:
    """Verify archive digests, that the index opens, and that it matches the archive.

    Every latest protocol capture is parsed again; each paragraph it should
    give must be in the index exactly once with that capture's source, and
    no indexed paragraph may point at a source the archive does not have.
    """
    say = progress or (lambda _msg: None)
    problems: list[str] = []
    if not data_dir.archive.exists():
        return CheckReport(0, 0, 0, 0, (f"no archive in {data_dir.root}",))
    # Read-only: check must work on a full disk and a read-only mount.
    with Archive(data_dir.archive, readonly=True) as archive:
        say("verifying archive records …")
        report = archive.verify()
        problems.extend(f"archive: {p}" for p in report.problems)
        try:
            index = WhooshIndex(data_dir.index)
            indexed = index.count()
        except Exception as err:  # any failure to open is itself the finding
            problems.append(f"index cannot be opened: {type(err).__name__}: {err}")
            return CheckReport(report.checked, 0, 0, 0, tuple(problems))
        parser = IsolatedParser()
        try:
            documents, expected = _compare(Pipeline(archive, index, parse=parser), index,
                                           problems, say)
        finally:
            parser.close()
            index.close()
    if len(problems) > MAX_LISTED:
        problems = [*problems[:MAX_LISTED], f"… and {len(problems) - MAX_LISTED} more"]
    return CheckReport(report.checked, documents, expected, indexed, tuple(problems))


def _compare(pipeline: Pipeline, index: WhooshIndex, problems: list[str],
             say: Callable[[str], None]) -> tuple[int, int]:
    captures = pipeline.latest_parsed_captures()
    say(f"re-parsing {len(captures)} archived documents …")
    sources = {c.source for c in captures}
    expected_ids: set[str] = set()
    for capture in captures:
        try:
            parsed = pipeline.paragraphs_of(capture)
        except ArchiveError as err:
            problems.append(f"cannot read {capture.source} from the archive: {err}")
            continue
        if parsed.paragraphs is None:
            continue  # a document that cannot be parsed has nothing to index
        for p in parsed.paragraphs:
            expected_ids.add(p.id)
            n = index.id_count(p.id)
            if n != 1:
                problems.append(f"{p.citation} ({p.id}) from {capture.source} is indexed "
                                f"{n} times, expected once")
                continue
            indexed = index.get(p.id)
            if indexed is not None and capture.source not in {s.url for s in indexed.sources}:
                problems.append(f"{p.citation} is indexed without its source {capture.source}")
    for p in index.all():
        if p.id not in expected_ids and not any(s.url in sources for s in p.sources):
            problems.append(f"{p.citation} ({p.id}) is indexed but no archived document has it")
    return len(captures), len(expected_ids)


def repair(data_dir: DataDir) -> int:
    """Index every archived protocol whose paragraphs are not all in the index.

    Returns the number of documents indexed. Used after a restore, and by
    ``paragraf check --repair``.
    """
    repaired = 0
    with Archive(data_dir.archive) as archive:
        index = WhooshIndex(data_dir.index)
        parser = IsolatedParser()
        try:
            pipeline = Pipeline(archive, index, parse=parser)
            for capture in pipeline.latest_parsed_captures():
                try:
                    parsed = pipeline.paragraphs_of(capture)
                except ArchiveError:
                    continue  # damaged: nothing to index from it; check reports it
                if parsed.paragraphs and any(index.id_count(p.id) != 1
                                             for p in parsed.paragraphs):
                    pipeline.index_capture(capture)
                    repaired += 1
        finally:
            parser.close()
            index.close()
    return repaired
