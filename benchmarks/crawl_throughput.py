"""Crawl throughput: pages/s and peak RSS against a generated loopback site.

Generates a Meetings Plus-shaped site in a temporary directory (bodies,
meetings, one protocol PDF and one attachment per meeting), serves it on
127.0.0.1 and crawls it into a fresh archive with politeness delays off,
then re-crawls it (everything answers 304). Indexing is not included: this
measures fetch + archive (WARC write, fsync, catalog, frontier).

    .venv/bin/python benchmarks/crawl_throughput.py [--bodies 10] [--meetings 20]
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from paragraf_se.archive.crawl.config import CrawlerSettings, Limits, SourceConfig
from paragraf_se.archive.crawl.frontier import Frontier
from paragraf_se.archive.crawl.sources import crawl_source
from paragraf_se.archive.store import Archive
from paragraf_se.sample_site.server import serve_sample_site
from tests.pdfgen import make_pdf


def generate(root: Path, bodies: int, meetings: int) -> int:
    """Write the site under ``root/bench``; returns the number of URLs in it."""
    site = root / "bench" / "committees"
    site.mkdir(parents=True)
    (root / "bench" / "robots.txt").write_text("User-agent: *\nDisallow: /sok\n")
    links = "".join(f"<li><a href='committees/organ-{b}'>Organ {b}</a></li>"
                    for b in range(bodies))
    (site / "index.html").write_text(f"<html><body><main><ul>{links}</ul></main></body></html>")
    urls = 1
    for b in range(bodies):
        body_dir = site / f"organ-{b}"
        body_dir.mkdir()
        rows = []
        for m in range(meetings):
            date = f"{2020 + m // 12}-{1 + m % 12:02d}-{1 + b % 28:02d}"
            slug = f"mote-{date}"
            rows.append(f"<li><a href='organ-{b}/{slug}'>Möte {date}</a></li>")
            meeting = body_dir / slug
            (meeting / "protocol").mkdir(parents=True)
            (meeting / "agenda").mkdir()
            paragraphs = [f"§ {m * 10 + k} Ärende {k}\nBeslut om ärende {k}." for k in range(8)]
            (meeting / "index.html").write_text(
                f"<html><body><main><h1>Organ {b} {date}</h1>"
                f"<pre>{chr(10).join(paragraphs)}</pre>"
                f"<a href='{slug}/protocol/protokoll-{date}pdf?downloadMode=open'>"
                f"Öppna protokoll</a>"
                f"<a href='{slug}/agenda/bilaga-{date}pdf?downloadMode=open'>Bilaga</a>"
                f"</main></body></html>")
            lines = ["Benchkommun", f"Organ {b}", "PROTOKOLL", f"Sammanträdesdatum {date}"]
            for k in range(8):
                lines += [f"§ {m * 10 + k} Ärende {k}", "Text " * 30, "Beslut", "Bifall."]
            (meeting / "protocol" / f"protokoll-{date}pdf").write_bytes(
                make_pdf([lines[i:i + 40] for i in range(0, len(lines), 40)]))
            (meeting / "agenda" / f"bilaga-{date}pdf").write_bytes(make_pdf([["Bilaga"] * 20]))
            urls += 3
        (body_dir / "index.html").write_text(
            f"<html><body><main><h1>Organ {b}</h1><ul>{''.join(rows)}</ul></main></body></html>")
        urls += 1
    return urls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bodies", type=int, default=10)
    parser.add_argument("--meetings", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency-per-host", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        urls = generate(root / "site", args.bodies, args.meetings)
        limits = dataclasses.replace(Limits(), delay=0.0, max_pages=urls + 10,
                                     concurrency_per_host=args.concurrency_per_host)
        settings = CrawlerSettings(user_agent="Paragraf-bench/0.1", workers=args.workers)
        with serve_sample_site("bench", root=root / "site") as server, \
                Archive(root / "archive") as archive:
            source = SourceConfig(name="bench", organisation="Benchkommun", kind="meetingsplus",
                                  start_urls=(server.url("bench", "committees"),),
                                  limits=limits)
            frontier = Frontier(root / "state.sqlite")
            for label in ("first crawl", "re-crawl (304s)"):
                started = time.perf_counter()
                report = crawl_source(source, settings, archive=archive, frontier=frontier)
                seconds = time.perf_counter() - started
                print(f"{label}: {report.fetched} fetches ({report.new} new, "
                      f"{report.unchanged} unchanged, {report.failed_count} failed) "
                      f"in {seconds:.2f} s = {report.fetched / seconds:.0f} pages/s")
            frontier.close()
            size = sum(p.stat().st_size for p in (root / "archive" / "warc").iterdir())
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"site: {urls} URLs; WARC bytes: {size / 1e6:.1f} MB; "
              f"peak RSS: {peak_kib / 1024:.0f} MiB (whole process, server included)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
