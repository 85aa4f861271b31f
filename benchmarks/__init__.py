"""Benchmarks: synthetic corpus, the Paragraf measurements, peers and the report."""
