"""Paragraf: the command line, the ingest pipeline and the demo that tie the stages together."""
