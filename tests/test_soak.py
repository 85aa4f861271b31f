"""A short run of the soak script: the server keeps answering while an ingest runs."""

from benchmarks.soak import run


def test_short_soak_has_no_errors():
    report = run(duration=5, clients=4, documents=10)
    assert report["requests"] > 0
    assert report["errors"] == 0, report["outcomes"]
    assert report["ingest_exit"] == 0
