"""Work stops when the client is gone: a real uvicorn server on 127.0.0.1.

A raw socket sends a pathological request and hangs up (``shutdown``) at once,
the way a browser tab that is closed or a script that times out does. The
server must stop the search (or the export) at its next check instead of
running it to the end: ``/metrics`` counts it in
``paragraf_searches_cancelled_total`` and the request ends as 499. No timed
assertions: the test waits (with a generous deadline for a hang) until the
server has counted the request, then asserts what happened to it.
"""

from __future__ import annotations

import random
import socket
import string
import time

import anyio
import httpx
import pytest
from whoosh import query as wq

from benchmarks.synth import SyntheticCorpus
from paragraf_se.indexer.budget import EXPORT_SECONDS, Budget, SearchCancelled
from paragraf_se.indexer.engine import SearchRequest
from paragraf_se.indexer.query import parse_query
from paragraf_se.indexer.search import search
from paragraf_se.indexer.whoosh.index import WhooshIndex
from paragraf_se.web import create_app
from paragraf_se.web_common.cancellable import run_cancellable
from tests.serving import live_server
from tests.synthetic_data import indexed_data_dir

PREFIXES = " OR ".join(f"{a}{b}*" for a in "abdefgk" for b in "aeiloruy")


def _words(seed: int) -> str:
    rng = random.Random(seed)
    return " ".join("".join(rng.choice(string.ascii_lowercase) for _ in range(8))
                    for _ in range(120))


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    data = indexed_data_dir(tmp_path_factory.mktemp("hangups"),
                            SyntheticCorpus(8).paragraphs(3000))
    with live_server(create_app(data)) as base:
        yield base


def _metrics(url: str) -> dict[str, float]:
    out = {}
    for line in httpx.get(url + "/metrics", timeout=30).text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
    return out


def _requests(metrics: dict[str, float], route: str) -> float:
    return sum(v for k, v in metrics.items()
               if k.startswith("paragraf_http_requests_total{") and f'route="{route}"' in k)


def _cancelled(metrics: dict[str, float], kind: str) -> float:
    return metrics.get(f'paragraf_searches_cancelled_total{{kind="{kind}"}}', 0.0)


def _hang_up(url: str, path: str, q: str) -> None:
    """Send the request, then close our side at once and wait for the server to close its."""
    host, port = url.removeprefix("http://").split(":")
    target = httpx.URL(url + path, params={"q": q}).raw_path.decode("ascii")
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode("ascii"))
        sock.shutdown(socket.SHUT_WR)
        try:
            while sock.recv(65536):
                pass
        except OSError:
            pass  # reset: the server closed a connection with our request unread


def _hang_up_once_streaming(url: str, path: str, q: str) -> bytes:
    """Read the first bytes of the response (rows are being produced), then hang up.

    A small receive buffer and no further reading: the server cannot send the
    whole export ahead into socket buffers before it sees the hang-up.
    """
    host, port = url.removeprefix("http://").split(":")
    target = httpx.URL(url + path, params={"q": q}).raw_path.decode("ascii")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(60)
    try:
        sock.connect((host, int(port)))
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode("ascii"))
        head = b""
        while b"\r\n\r\n" not in head or len(head) < 2048:
            more = sock.recv(1024)
            assert more, "the server closed before streaming"
            head += more
    finally:
        sock.close()
    return head


def _wait_until(predicate, what: str) -> None:
    deadline = time.monotonic() + 60  # only against a hang; nothing is timed
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


@pytest.mark.parametrize(("path", "q"), [
    ("/api/search", PREFIXES),
    ("/", PREFIXES),
    ("/feed.atom", _words(1)),
    ("/api/search", _words(2)),
])
def test_a_search_stops_when_its_client_hangs_up(url, path, q):
    before = _metrics(url)
    _hang_up(url, path, q)
    # The request is over when the server has counted it.
    _wait_until(lambda: _requests(_metrics(url), path) > _requests(before, path),
                f"the server to finish {path}")
    after = _metrics(url)
    assert _cancelled(after, "search") == _cancelled(before, "search") + 1
    status_499 = (f'paragraf_http_requests_total{{method="GET",route="{path}",'
                  f'status="499"}}')
    assert after.get(status_499, 0) == before.get(status_499, 0) + 1
    # The same server still answers an ordinary search, and counts no cancel for it.
    r = httpx.get(url + "/api/search", params={"q": "budget"}, timeout=60)
    assert r.status_code == 200 and r.json()["total"] > 0
    assert _cancelled(_metrics(url), "search") == _cancelled(after, "search")


def test_an_export_stops_when_its_client_hangs_up(url):
    before = _metrics(url)
    head = _hang_up_once_streaming(url, "/api/export", "")  # every paragraph, a row each
    assert head.startswith(b"HTTP/1.1 200")
    _wait_until(lambda: _requests(_metrics(url), "/api/export")
                > _requests(before, "/api/export"), "the server to finish the export")
    assert _cancelled(_metrics(url), "export") == _cancelled(before, "export") + 1
    # A client that stays gets the whole export.
    r = httpx.get(url + "/api/export", params={"q": "", "format": "jsonl"}, timeout=120)
    assert r.status_code == 200 and len(r.text.splitlines()) == 3000
    assert _cancelled(_metrics(url), "export") == _cancelled(before, "export") + 1


def test_run_cancellable_stops_the_work_and_leaves_the_rest_alone():
    steps = []

    def endless(budget: Budget) -> None:
        for i in range(10**9):  # stops only by the cancel
            budget.check()
            steps.append(i)
            time.sleep(0.001)

    async def gone_after_a_while() -> None:
        while len(steps) < 5:
            await anyio.sleep(0.01)

    with pytest.raises(SearchCancelled):
        anyio.run(run_cancellable, endless, gone_after_a_while)
    assert 5 <= len(steps) < 10**9

    async def never_gone() -> None:
        await anyio.sleep_forever()

    budget = Budget()
    assert anyio.run(run_cancellable, lambda b: "answer", never_gone, budget) == "answer"
    assert not budget.cancelled
    # An error of the work is the work's own (not wrapped in an exception group).
    with pytest.raises(ZeroDivisionError):
        anyio.run(run_cancellable, lambda b: 1 / 0, never_gone)


def test_each_expensive_step_stops_at_a_cancelled_budget(tmp_path):
    index = WhooshIndex(tmp_path / "index")
    try:
        index.add_many(SyntheticCorpus(9).paragraphs(400))
        cancelled = Budget()
        cancelled.cancel()
        with pytest.raises(SearchCancelled):
            search(index, SearchRequest(q="budget"), cancelled)
        with index._pool.searcher() as s, pytest.raises(SearchCancelled):
            index.evaluator.evaluate(s, wq.Or([wq.Prefix("text", "bu"), wq.Term("text", "x")]),
                                      cancelled)
        # An export stops at the next row once its budget is cancelled.
        budget = Budget(EXPORT_SECONDS)
        rows = index.iter_matches(SearchRequest(q=""), parse_query(""), budget)
        assert len([next(rows) for _ in range(10)]) == 10
        budget.cancel()
        with pytest.raises(SearchCancelled):
            next(rows)
        # Nothing of a cancelled search was cached: the same search answers in full.
        assert search(index, SearchRequest(q="budget")).total > 0
    finally:
        index.close()
