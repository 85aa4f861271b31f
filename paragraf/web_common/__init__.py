"""What the JSON API and the web UI share, below both: URLs, lookups, errors, requests.

``search_api`` and ``ui`` never import each other; what both need lives here
and imports only ``indexer``, ``archive`` and Starlette. ``paragraf_se.web``
assembles the two adapters and answers every error through one path.
"""
