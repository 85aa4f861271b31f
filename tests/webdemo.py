"""The demo data set (sample sites crawled over loopback) served by a live app, for web tests."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator

from paragraf_se.demo import crawl_and_index
from paragraf_se.settings import DataDir
from paragraf_se.web import create_app
from tests.serving import live_server


def build_demo(root) -> DataDir:
    """Crawl and index the sample sites into ``root``; fails loudly if anything failed."""
    data = DataDir(root)
    out = io.StringIO()
    documents, failed = crawl_and_index(data, out)
    assert documents > 0 and failed == 0, out.getvalue()
    return data


@contextlib.contextmanager
def serve_demo(tmp_path_factory) -> Iterator[str]:
    """A live server over a fresh demo data directory; yields its base URL."""
    data = build_demo(tmp_path_factory.mktemp("demo"))
    with live_server(create_app(data)) as url:
        yield url
