"""Parsing in a bounded child process: results, time limit, memory cap, crashes."""

import os
import signal

from paragraf_se.isolated_parse import IsolatedParser

TEXT = ("Åsjö kommun\nKommunstyrelsen\nSammanträdesdatum 2022-03-02\n\n"
        "§ 14 Avfallsplan\n\nBeslut\nPlanen antas.\n").encode()


def test_same_result_as_in_process():
    from paragraf_se.indexer.parsing import parse_document

    with IsolatedParser() as parse:
        assert parse(TEXT, "text/plain") == parse_document(TEXT, "text/plain")
        # The worker is reused for the next document.
        assert parse(TEXT, "text/plain").paragraphs[0].number == "14"


def test_overrun_is_stopped_and_the_next_document_still_parses(monkeypatch):
    # The warm-up (a fresh interpreter importing the parser) gets a generous limit:
    # on a loaded machine it can take longer than the short limit under test.
    with IsolatedParser(timeout=60) as parse:
        slow = parse(b"x" * 10, "text/plain")  # warm up a worker
        assert slow.status != "failed" or slow.messages
        worker = parse._proc
        assert worker is not None
        parse.timeout = 0.5
        os.kill(worker.pid, signal.SIGSTOP)  # a worker that never answers
        result = parse(TEXT, "text/plain")
        assert result.status == "failed" and "longer than" in result.messages[0]
        parse.timeout = 60  # the replacement worker starts afresh, as slowly as the first
        assert parse(TEXT, "text/plain").paragraphs[0].number == "14"


def test_a_dead_worker_is_reported_and_replaced():
    with IsolatedParser() as parse:
        parse(TEXT, "text/plain")
        parse._proc.kill()
        parse._proc.join()
        # A fresh worker is started for the next call.
        assert parse(TEXT, "text/plain").paragraphs[0].number == "14"


def test_a_huge_page_is_bounded():
    # A million lines take ~13 s (docs/reliability.md); 200,000 show the same here.
    page = ("rad utan paragraf\n" * 200_000).encode()
    with IsolatedParser(timeout=60) as parse:
        result = parse(page, "text/plain")
    assert result.status in ("warnings", "failed")
    assert result.paragraphs == ()
