"""``paragraf demo``: the main job on the embedded sample site, with no network.

The sample sites (two fictional authorities in the Meetings Plus shape) are
served on loopback ports, crawled over real HTTP into the archive, parsed and
indexed; then the UI is served.
"""

from __future__ import annotations

from typing import TextIO

from paragraf_se.archive.crawl.config import CrawlerSettings, Limits, SourceConfig
from paragraf_se.archive.crawl.frontier import Frontier
from paragraf_se.archive.crawl.sources import crawl_source
from paragraf_se.crawl_commands import index_handoffs
from paragraf_se.pipeline import Outcome
from paragraf_se.sample_site.content import org_by_slug
from paragraf_se.sample_site.server import serve_sample_site
from paragraf_se.settings import DataDir
from paragraf_se.wiring import open_data_dir

# Fixed ports keep the archived source URLs the same from one demo run to
# the next, so a second run finds everything unchanged.
SAMPLE_PORT = 8701
# Loopback sample sites: no politeness delay needed.
SETTINGS = CrawlerSettings(user_agent="Paragraf-demo/0.1", contact="mailto:demo@example.invalid",
                           limits=Limits(delay=0.0, concurrency_per_host=2))


def _serve_site():
    try:
        return serve_sample_site(port=SAMPLE_PORT)
    except OSError:
        return serve_sample_site(port=0)


def crawl_and_index(data_dir: DataDir, out: TextIO) -> tuple[int, int]:
    """Crawl every sample organisation and index what is new; returns (documents, failed)."""
    opened = open_data_dir(data_dir)
    archive, index, pipeline = opened.archive, opened.engine, opened.pipeline()
    frontier = Frontier(data_dir.crawl_state)
    documents = failed = 0
    try:
        with _serve_site() as site:
            for slug, base_url in sorted(site.base_urls.items()):
                org = org_by_slug(slug).name
                source = SourceConfig(name=f"sample-{slug}", organisation=org,
                                      kind="meetingsplus", start_urls=(base_url + "committees",),
                                      limits=SETTINGS.limits)
                report = crawl_source(source, SETTINGS, archive=archive, frontier=frontier)
                docs, _, failures = index_handoffs(pipeline, frontier)
                documents += docs
                failed += sum(failures.values())
                print(f"{org}: fetched {report.fetched}, new {report.new}, "
                      f"unchanged {report.unchanged}, failed {report.failed_count}; "
                      f"indexed {docs} document(s)", file=out, flush=True)
                for reason, count in failures.items():
                    print(f"  could not index {count} document(s): {reason}", file=out)
        if index.count() == 0:
            # An archive crawled before but an index lost: rebuild from the archive.
            for outcome in pipeline.reindex_all():
                documents, failed = _count(outcome, documents, failed, out)
        print(f"Index: {index.count()} paragraphs in {data_dir.root}", file=out, flush=True)
    finally:
        frontier.close()
        opened.close()
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

    from paragraf_se.web import create_app

    print(f"Serving Paragraf on http://{host}:{port}/  (Ctrl-C stops)", file=out, flush=True)
    uvicorn.run(create_app(data_dir), host=host, port=port, log_level="warning")
    return 0
