"""``paragraf serve`` over the benchmark's data directory, for uvicorn's ``--factory``.

The data directory comes from ``$PARAGRAF_DATA_DIR`` like the CLI's default.
"""

from __future__ import annotations

from paragraf_se.settings import resolve_data_dir
from paragraf_se.web import create_app


def app():
    """The same ASGI app ``paragraf serve`` runs."""
    return create_app(resolve_data_dir(None))
