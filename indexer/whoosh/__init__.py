"""The Whoosh engine: index, bulk writer, postings sidecar, NumPy evaluator, searcher pool.

Everything here knows Whoosh; nothing outside this package does. The rest of
Paragraf reaches it through :mod:`paragraf_se.indexer.engine`'s protocol and
:func:`paragraf_se.indexer.whoosh.index.open_engine`.
"""
