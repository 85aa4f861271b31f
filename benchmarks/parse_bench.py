"""Parsing figures: PDF pages/s through parse_document, and parse+index throughput."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from benchmarks.stats import Timer
from benchmarks.synth import Meeting, SyntheticCorpus, protocol_text
from paragraf_se.indexer.model import SourceRef
from paragraf_se.indexer.parsing import parse_document
from paragraf_se.meeting_identity import build_paragraphs, resolve_identity
from paragraf_se.sample_site.pdfwriter import Flow, TextRun, build_pdf, text_width
from paragraf_se.wiring import open_engine


@dataclass(frozen=True)
class Rate:
    """``items`` (pages, paragraphs) done in ``seconds``; ``found`` checks the output."""

    items: int
    seconds: float
    found: int = 0

    @property
    def rate(self) -> float:
        return self.items / self.seconds if self.seconds else 0.0


def protocol_pdf(meeting: Meeting) -> tuple[bytes, int]:
    """A classic multi-page protocol PDF of the meeting; (bytes, page count)."""
    flow = Flow()
    flow.heading(meeting.org.name, size=14)
    flow.paragraph(f"PROTOKOLL {meeting.body}")
    flow.paragraph(f"Sammanträdesdatum {meeting.date.isoformat()}")
    flow.space()
    for p in meeting.paragraphs:
        dnr = f"   Dnr {p.diarienummer[0]}" if p.diarienummer else ""
        flow.heading(f"§ {p.number}{dnr}")
        flow.heading(p.title)
        flow.paragraph(p.text)
        if p.decision:
            flow.heading("Beslut")
            flow.paragraph(p.decision)
        flow.space()
    label = f"{meeting.body} {meeting.date.isoformat()}"

    def decorate(page: int, pages: int) -> list[TextRun]:
        counter = f"{page}({pages})"
        return [TextRun(70.0, 800.0, label), TextRun(525.0 - text_width(counter), 800.0,
                                                     counter),
                TextRun(70.0, 40.0, "Justerandes signatur")]

    pages = flow.finish(decorate)
    return build_pdf(pages, title=label), len(pages)


def pdf_parse_rate(corpus: SyntheticCorpus, documents: int = 8) -> Rate:
    """Parse ``documents`` generated protocol PDFs; pages per second."""
    pdfs = [protocol_pdf(m) for m in corpus.meetings(documents * 20)][:documents]
    pages = sum(n for _, n in pdfs)
    found = 0
    with Timer() as t:
        for data, _ in pdfs:
            found += len(parse_document(data, "application/pdf").paragraphs)
    return Rate(pages, t.seconds, found)


def pipeline_rate(corpus: SyntheticCorpus, paragraphs: int, work: Path) -> tuple[Rate, Rate]:
    """Text protocols -> parse -> index, one replace_source per document, commits
    grouped as ``paragraf ingest`` groups them (``WhooshIndex.batch``).

    Returns (parse only, parse + index) in paragraphs per second. The archive
    step (WARC write + fsync) is left out.
    """
    docs = []
    for m in corpus.meetings(paragraphs):
        docs.append((m, protocol_text(m).encode("utf-8")))
    with Timer() as tp:
        parsed = [(m, parse_document(data, "text/plain")) for m, data in docs]
    found = sum(len(r.paragraphs) for _, r in parsed)
    target = work / "pipeline-index"
    if target.exists():
        shutil.rmtree(target)
    index = open_engine(target)
    try:
        with Timer() as tall, index.batch():
            for m, data in docs:
                result = parse_document(data, "text/plain")
                identity = resolve_identity(result, {"org": m.org.name, "body": m.body,
                                                     "date": m.date.isoformat()})
                src = SourceRef(m.paragraphs[0].source.capture_id, m.url + ".txt",
                                "0" * 64, "text/plain")
                built, _ = build_paragraphs(result, identity, src)
                index.replace_source(src.url, built)
        indexed = index.count()
    finally:
        index.close()
        shutil.rmtree(target, ignore_errors=True)
    return Rate(found, tp.seconds, found), Rate(indexed, tall.seconds, indexed)
