"""``paragraf crawl`` and ``paragraf archive`` end to end: config, incremental, SIGKILL."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from paragraf_se.archive.crawl.config import ConfigError, load_config, parse_config
from paragraf_se.cli import main
from paragraf_se.sample_site.generate import SITE_DIR
from paragraf_se.sample_site.server import serve_sample_site
from tests.crawl_sites import PDF_TYPE, RouteHandler, html, serve
from tests.pdfgen import make_pdf

REPO = Path(__file__).resolve().parents[1]


def _config(path: Path, sources: str, delay: float = 0) -> Path:
    path.write_text(
        f'[crawler]\nuser_agent = "Paragraf-test/1"\ncontact = "mailto:t@example.invalid"\n'
        f"delay = {delay}\nretries = 0\ntotal_timeout = 10\n\n{sources}", encoding="utf-8")
    return path


def _mp_source(name: str, url: str) -> str:
    return (f'[[source]]\nname = "{name}"\norganisation = "Åsjö kommun"\n'
            f'kind = "meetingsplus"\nstart_urls = ["{url}"]\n\n')


def _paragraphs(data: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    capsys.readouterr()
    found: dict[str, str] = {}
    for page in range(1, 10):
        assert main(["--data-dir", str(data), "search", "", "--json", "--size", "100",
                     "--page", str(page)]) == 0
        result = json.loads(capsys.readouterr().out)
        found.update((h["permalink"], h["title"]) for h in result["hits"])
        if len(found) >= result["total"] or not result["hits"]:
            assert len(found) == result["total"]  # no paragraph indexed twice
            return found
    raise AssertionError("more paragraphs than expected")


def test_example_config_is_valid_and_errors_are_clear(tmp_path: Path) -> None:
    config = load_config(REPO / "sources.example.toml")
    assert {s.kind for s in config.sources} == {"meetingsplus", "ciceron", "links"}
    assert config.crawler.contact and "(+" in config.crawler.user_agent_header
    slow = next(s for s in config.sources if s.kind == "links")
    assert slow.limits.delay >= config.crawler.limits.delay
    bad = [
        ({"source": [{"name": "a", "kind": "ftp", "organisation": "x", "start_urls": ["http://h/"]}]},
         "kind must be one of"),
        ({"source": [{"name": "a", "kind": "links", "organisation": "x"}]}, "start_urls"),
        ({"source": [{"name": "a", "kind": "links", "organisation": "x",
                      "start_urls": ["http://h/"], "include": ["("]}]}, "bad include pattern"),
        ({"source": [{"name": "a", "kind": "links", "organisation": "x",
                      "start_urls": ["http://h/"], "dealy": 1}]}, "unknown key(s) dealy"),
        ({"crawler": {"delay": -1}}, "delay must be positive"),
        ({"source": [{"name": "a", "kind": "links", "organisation": "x",
                      "start_urls": ["http://h/"]}] * 2}, "duplicate source name"),
    ]
    for data, message in bad:
        with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
            parse_config(data)
    broken = tmp_path / "broken.toml"
    broken.write_text("[crawler\n")
    assert main(["--data-dir", str(tmp_path / "d"), "crawl", "--config", str(broken)]) == 2


def test_dry_run_fetches_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path / "s.toml", _mp_source("asjo", "http://127.0.0.1:9/committees"))
    assert main(["--data-dir", str(tmp_path / "d"), "crawl", "--config", str(config),
                 "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "asjo: meetingsplus for 'Åsjö kommun'" in out and "max_pages=1000" in out
    assert not (tmp_path / "d").exists()


def test_crawl_index_recrawl_finds_changes_and_keeps_permalinks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITE_DIR, site)
    data = tmp_path / "data"
    with serve_sample_site("asjo-kommun", root=site) as server:
        config = _config(tmp_path / "s.toml",
                         _mp_source("asjo", server.url("asjo-kommun", "committees")))
        args = ["--data-dir", str(data), "crawl", "--config", str(config)]
        assert main(args) == 0
        out, err = capsys.readouterr()
        assert "asjo: fetched 25, new 25, unchanged 0, failed 0, left 0" in out
        # Progress on stderr (not a terminal: plain lines), pages of the URLs known.
        assert "crawl asjo: 25/25 pages (100%), " in err and "new 25" in err
        before = _paragraphs(data, capsys)
        assert len(before) > 20
        # A changed protocol, and a new meeting linked from its body page.
        ks = site / "asjo-kommun/committees/kommunstyrelsen"
        [pdf] = (ks / "mote-2022-03-02/protocol").iterdir()
        pdf.write_bytes(pdf.read_bytes().replace(b"%%EOF", b"%%EOF\n% rattad\n"))
        shutil.copytree(ks / "mote-2022-03-02", ks / "mote-2024-06-11")
        body_page = ks / "index.html"
        body_page.write_text(body_page.read_text().replace(
            '<section class="year">',
            '<section class="year"><ul><li><a href="kommunstyrelsen/mote-2024-06-11">Ny</a>'
            '</li></ul>', 1))
        assert main(args) == 0
        out = capsys.readouterr().out
    # New: the body page, the new meeting page, the changed protocol (the copied page
    # links to the old meeting's files, which are known).
    assert "fetched 26, new 3" in out and "failed 0" in out
    after = _paragraphs(data, capsys)
    assert set(before) <= set(after)  # the same permalinks, still there
    added = set(after) - set(before)
    assert added and all("/2024-06-11/" in link for link in added)
    # archive ls and verify
    assert main(["--data-dir", str(data), "archive", "ls", "--json",
                 "--source-prefix", server.url("asjo-kommun", "committees/kommunstyrelsen")]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    changed = [r for r in rows if "mote-2022-03-02/protocol" in r["source"]]
    assert len(changed) == 2 and {r["metadata"]["role"] for r in changed} == {"protocol"}
    assert main(["--data-dir", str(data), "archive", "verify"]) == 0
    assert ": ok" in capsys.readouterr().out


def _crash_site(pages: int, delay: float) -> dict[str, object]:
    def slow(body: tuple[int, dict[str, str], bytes]):
        def route(handler: RouteHandler) -> None:
            time.sleep(delay)  # so that the crawl is still running when it is killed
            handler.send(body[0], body[2], body[1])
        return route

    routes: dict[str, object] = {}
    for i in range(pages):
        onward = f"<a href='/sida{i + 1}'>nästa</a>" if i + 1 < pages else ""
        routes[f"/sida{i}"] = slow(html(f"{onward}<a href='/protokoll-{i}.pdf'>protokoll</a>"))
        date = f"2023-{1 + i // 28:02d}-{1 + i % 28:02d}"
        routes[f"/protokoll-{i}.pdf"] = slow((200, PDF_TYPE, make_pdf([[
            "Tallby kommun", "Kommunstyrelsen", "PROTOKOLL", f"Sammanträdesdatum {date}",
            f"§ {2 * i + 1} Val av justerare", "Till justerare utses Eva Ek (C).",
            f"§ {2 * i + 2} Ärende nummer {i}", f"Beslut om ärende {i}."]])))
    return routes


def test_sigkill_mid_crawl_then_resume(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    pages = 30
    data = tmp_path / "data"
    with serve(_crash_site(pages, 0.02)) as site:
        config = _config(tmp_path / "s.toml", (
            f'[[source]]\nname = "tallby"\norganisation = "Tallby kommun"\nkind = "links"\n'
            f'start_urls = ["{site.url("/sida0")}"]\nmax_depth = 100\n'))
        cmd = [sys.executable, "-m", "paragraf_se.cli", "--data-dir", str(data), "crawl",
               "--config", str(config)]
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            while sum(site.hits.values()) < pages and proc.poll() is None:
                time.sleep(0.01)
            assert proc.poll() is None, "the crawl ended before it could be killed"
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        first_run = sum(n for p, n in site.hits.items() if p != "/robots.txt")
        assert 0 < first_run < 2 * pages
        assert main(["--data-dir", str(data), "archive", "verify"]) == 0
        capsys.readouterr()
        assert main(["--data-dir", str(data), "crawl", "--config", str(config)]) == 0
        out = capsys.readouterr().out
        second_run = sum(n for p, n in site.hits.items() if p != "/robots.txt") - first_run
    assert "(resumed)" in out and "failed 0" in out
    assert second_run < 2 * pages  # resumed, not started over
    assert max(n for p, n in site.hits.items() if p != "/robots.txt") <= 2
    # Everything archived once, and indexed exactly once.
    assert main(["--data-dir", str(data), "archive", "ls", "--json"]) == 0
    sources = Counter(json.loads(line)["source"] for line in capsys.readouterr().out.splitlines())
    assert len(sources) == 2 * pages and set(sources.values()) == {1}
    paragraphs = _paragraphs(data, capsys)
    assert len(paragraphs) == 2 * pages
