"""``paragraf demo``: the main job on the embedded sample site, with no network.

The sample sites (two fictional authorities in the Meetings Plus shape) are
served on loopback ports, crawled over real HTTP into the archive, parsed and
indexed; then the UI is served.
"""

from __future__ import annotations

from typing import TextIO

from archive.crawl.meetingsplus import crawl_meetingsplus
from archive.fetch import Fetcher
from archive.store import Archive
from indexer.whoosh_engine import WhooshIndex
from paragraf.pipeline import Outcome, Pipeline
from paragraf.sample_site.content import org_by_slug
from paragraf.sample_site.server import serve_sample_site
from paragraf.settings import DataDir

# Fixed ports keep the archived source URLs the same from one demo run to
# the next, so a second run finds everything unchanged.
SAMPLE_PORT = 8701
USER_AGENT = "Paragraf-demo/0.1 (+mailto:paragraf@example.invalid)"


def _serve_site():
    try:
        return serve_sample_site(port=SAMPLE_PORT)
    except OSError:
        return serve_sample_site(port=0)


def crawl_and_index(data_dir: DataDir, out: TextIO) -> tuple[int, int]:
    """Crawl every sample organisation and index what is new; returns (documents, failed)."""
    archive = Archive(data_dir.archive)
    index = WhooshIndex(data_dir.index)
    pipeline = Pipeline(archive, index)
    documents = failed = 0
    try:
        with _serve_site() as site, Fetcher(USER_AGENT) as fetcher:
            for slug, base_url in sorted(site.base_urls.items()):
                org = org_by_slug(slug).name
                report = crawl_meetingsplus([base_url + "committees"], org=org,
                                            archive=archive, fetcher=fetcher)
                print(f"{org}: fetched {report.fetched}, new {report.new}, "
                      f"unchanged {report.unchanged}, failed {len(report.failed)}",
                      file=out, flush=True)
                for url, reason in report.failed:
                    print(f"  failed {url}: {reason}", file=out)
                captures = [archive.get(cid) for cid in report.captures]
                # Meeting pages first: the protocol PDF's text then wins.
                captures.sort(key=lambda c: c.content_type == "application/pdf")
                for capture in captures:
                    outcome = pipeline.index_capture(capture)
                    documents, failed = _count(outcome, documents, failed, out)
        if index.count() == 0:
            # An archive crawled before but an index lost: rebuild from the archive.
            for outcome in pipeline.reindex_all():
                documents, failed = _count(outcome, documents, failed, out)
        print(f"Index: {index.count()} paragraphs in {data_dir.root}", file=out, flush=True)
    finally:
        index.close()
        archive.close()
    return documents, failed


def _count(outcome: Outcome, documents: int, failed: int, out: TextIO) -> tuple[int, int]:
    if outcome.status == "skipped":
        return documents, failed
    if outcome.failed:
        print(f"  could not index {outcome.name}: {'; '.join(outcome.messages)}", file=out)
    return documents + 1, failed + outcome.failed


def run_demo(data_dir: DataDir, *, host: str, port: int, serve: bool, out: TextIO) -> int:
    """Crawl, index, then serve the UI until interrupted."""
    _, failed = crawl_and_index(data_dir, out)
    if not serve:
        return 1 if failed else 0
    import uvicorn

    from paragraf.web import create_app

    print(f"Serving Paragraf on http://{host}:{port}/  (Ctrl-C stops)", file=out, flush=True)
    uvicorn.run(create_app(data_dir), host=host, port=port, log_level="warning")
    return 0
