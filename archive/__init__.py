"""Fetching and the immutable store of originals.

Imports nothing else of Paragraf: the archive must stay usable (and
verifiable) on its own, whatever happens to the parsers and the index.
"""
