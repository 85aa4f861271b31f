"""Server-rendered Swedish web pages: a thin adapter over :func:`indexer.search.search`."""
