"""Peer engines measured on the same corpus and queries as Paragraf."""
