"""The JSON API: a thin Starlette adapter over :func:`indexer.search.search`."""
