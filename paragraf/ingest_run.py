"""One ``paragraf ingest`` run, and exactly what it committed when a write fails.

Ingest archives each original (fsynced, catalog row committed) before
parsing it, and commits index changes in batches. When a write fails (a
full disk, a read-only mount) the run stops at once, and the report says
which files are archived, which of those are indexed, and which were
reported "OK" but wait in an uncommitted index batch: nothing previously
reported is left unindexed without saying so. A re-run completes the work.
"""

from __future__ import annotations

import json
import sys
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from paragraf_se.ingest_facts import FileFacts, MetadataError
from paragraf_se.pipeline import WRITE_ERRORS, NotTaken, Outcome, Pipeline, WriteFailed
from paragraf_se.progress import ProgressReporter


def _out(line: str = "") -> None:
    print(line, flush=True)


class IngestRun:
    """One ``ingest``: files in order, and exactly what is committed if a write fails."""

    def __init__(self, pipeline: Pipeline, as_json: bool, describe: Callable[[Outcome], str],
                 to_json: Callable[[Outcome], str]) -> None:
        self.pipeline = pipeline
        self.as_json = as_json
        self.describe = describe
        self.to_json = to_json
        self.total = self.failed = self.skipped = 0
        self.archived: list[str] = []  # originals committed to the archive this run
        self.uncommitted: list[str] = []  # archived, index changes not yet committed
        self.unindexable: list[str] = []  # archived, not indexed by design (failed, removed)
        self.stopped: WriteFailed | None = None  # what stopped the run

    def run(self, items: list[Path | NotTaken | Outcome],
            facts_of: Callable[[Path], FileFacts | Mapping[str, str]], *,
            parsers: Sequence[Callable[..., object]] = (), batch_documents: int = 100,
            procs: int = 1) -> None:
        """Ingest ``items``, printing a line each; stops at the first failed write.

        ``facts_of`` gives each file's facts (options, sidecar, manifest row); a
        :class:`MetadataError` from it fails that file only. An :class:`Outcome`
        among the items (e.g. a manifest row naming no file) is reported as it
        is. Files are archived in groups and parsed by ``parsers`` in parallel
        (:meth:`Pipeline.ingest_files`); index commits hold ``batch_documents``
        documents, written by ``procs`` bulk-writer processes.
        """
        index = self.pipeline.index
        reports: deque[Outcome] = deque()  # items that are no file to ingest, in order
        waiting: list[str] = []  # archived, outcome not reported yet

        def files() -> Iterator[tuple[Path, FileFacts | Mapping[str, str]]]:
            for item in items:
                if isinstance(item, Outcome):
                    reports.append(item)
                elif isinstance(item, NotTaken):
                    reports.append(Outcome(str(item.path), item.status,
                                           messages=(item.reason,)))
                else:
                    try:
                        facts = facts_of(item)
                    except MetadataError as err:
                        reports.append(Outcome(str(item), "failed", messages=(str(err),)))
                    else:
                        yield item, facts

        def archived(name: str) -> None:
            self.archived.append(name)
            waiting.append(name)

        try:
            # Index commits are grouped; every original is archived before it is parsed.
            with index.batch(batch_documents, procs=procs), ProgressReporter(
                    "ingest", len(items), unit="files", rates=("§",)) as progress:
                for outcome in self.pipeline.ingest_files(files(), parsers,
                                                          on_archived=archived):
                    while reports:
                        self._report(reports.popleft(), progress)
                    if outcome.name in waiting:
                        waiting.remove(outcome.name)
                        if outcome.status in ("failed", "skipped"):
                            self.unindexable.append(outcome.name)
                        c = outcome.change
                        if c.added or c.updated or c.removed:
                            self.uncommitted.append(outcome.name)
                    if not index.has_uncommitted():
                        self.uncommitted.clear()
                    self._report(outcome, progress)
                while reports:
                    self._report(reports.popleft(), progress)
                try:
                    index.commit_pending()
                except WRITE_ERRORS as err:
                    raise WriteFailed("the index batch", "committing", False, err) from err
                self.uncommitted.clear()
        except WriteFailed as err:
            self.stopped = err
            # Archived, parsed or not, but never indexed: the report must name them.
            self.uncommitted.extend(name for name in waiting if name not in self.uncommitted)
            if err.archived and err.name not in self.archived:
                self.archived.append(err.name)
                self.uncommitted.append(err.name)
            self._commit_what_waits()

    def _report(self, outcome: Outcome, progress: ProgressReporter) -> None:
        self.total += 1
        self.failed += outcome.failed
        self.skipped += outcome.status == "skipped"
        progress.update(1, {"§": outcome.paragraphs, "failed": int(outcome.failed)})
        # Results on stdout; a FAILED line is an error, so stderr (JSON stays whole).
        progress.write(self.to_json(outcome) if self.as_json else self.describe(outcome),
                       sys.stderr if outcome.failed and not self.as_json else sys.stdout)

    def _commit_what_waits(self) -> None:
        """After a failed write, try once to commit the index batch (the index may have room)."""
        if not self.uncommitted or not self.pipeline.index.has_uncommitted():
            return
        try:
            self.pipeline.index.commit_pending()
        except Exception:  # still failing: the report lists them as not indexed
            return
        # Committed now; the document whose indexing failed stays listed, to be safe.
        stopped = self.stopped
        self.uncommitted = ([stopped.name] if stopped is not None and stopped.stage == "indexing"
                            and stopped.name in self.uncommitted else [])

    def report_stop(self, items: list[Path | NotTaken | Outcome]) -> None:
        """Say what stopped the run and exactly what it committed (archive and index)."""
        err = self.stopped
        assert err is not None
        print(f"paragraf: stopped: {err}", file=sys.stderr, flush=True)
        names = [i.name if isinstance(i, Outcome) else str(i.path if isinstance(i, NotTaken)
                                                             else i) for i in items]
        done = set(self.archived)
        left = [n for n in names[self.total:] if n not in done]
        indexed = len(self.archived) - len(self.uncommitted) - len(self.unindexable)
        if self.as_json:
            _out(json.dumps({"stopped": str(err), "archived": len(self.archived),
                             "indexed": indexed, "not_indexed": self.uncommitted,
                             "not_indexable": self.unindexable, "not_processed": left},
                            ensure_ascii=False))
            return
        _out(f"Stopped: {err}.")
        _out(f"Committed before the stop: {len(self.archived)} file(s) archived, "
             f"{indexed} of them indexed"
             + (f", {len(self.unindexable)} not indexable (reported above)."
                if self.unindexable else "."))
        if self.uncommitted:
            _out(f"Archived but NOT indexed ({len(self.uncommitted)}; their 'OK' above is not "
                 "searchable yet):")
            for name in self.uncommitted:
                _out(f"  {name}")
        if left:
            _out(f"Not processed: {len(left)} file(s), from {left[0]}.")
        _out("Nothing committed is lost. When the disk can be written again, run the same "
             "'paragraf ingest' again: it indexes what is missing and skips nothing.")
