"""Warming the index before a server listens (indexer.warmup)."""

from __future__ import annotations

import logging

import httpx
import pytest

from paragraf_se.indexer.search import _cache_of
from paragraf_se.indexer.warmup import WARM_REQUESTS, warm
from paragraf_se.web import create_app
from paragraf_se.wiring import open_engine
from tests.serving import live_server
from tests.webdemo import build_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return build_demo(tmp_path_factory.mktemp("warm-demo"))


def test_warm_runs_every_request_and_leaves_the_answers_cached(demo):
    engine = open_engine(demo.index)
    try:
        report = warm(engine)
        assert report.error is None
        assert report.searches == len(WARM_REQUESTS)
        with engine.view() as view:
            version = view.version
        cache = _cache_of(engine)
        # What warming loaded is what the first real search would have loaded.
        assert all(cache.get((version, r)) is not None for r in WARM_REQUESTS)
    finally:
        engine.close()


def test_warm_stops_at_its_time_limit(demo):
    engine = open_engine(demo.index)
    ticks = iter(range(0, 1000, 10))  # every reading of the clock is 10 s later
    try:
        assert warm(engine, seconds=15, clock=lambda: float(next(ticks))).searches == 1
    finally:
        engine.close()


def test_a_failing_engine_is_reported_not_raised(demo, tmp_path):
    import shutil

    copy = tmp_path / "index"
    shutil.copytree(demo.index, copy)
    engine = open_engine(copy)
    try:
        for segment in copy.glob("*.seg"):  # the disk lost the segments under it
            segment.unlink()
        report = warm(engine)
        assert report.searches == 0
        assert report.error
    finally:
        engine.close()


def test_the_server_warms_before_it_listens(demo, caplog):
    caplog.set_level(logging.INFO, logger="paragraf")
    with live_server(create_app(demo)) as url:
        # Startup (which the live server waits for) logged the warming ...
        assert any("index warmed: 4 searches" in r.getMessage() for r in caplog.records)
        # ... and the server answers normally.
        assert httpx.get(url + "/readyz", timeout=10).json()["status"] == "ready"
