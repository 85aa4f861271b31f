"""Crawlers that fetch published protocols into the archive (one module per platform)."""
