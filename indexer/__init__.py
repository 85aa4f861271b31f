"""Protocol parsing into paragraphs, Swedish analysis and the search index.

This package never touches the network: it turns archived bytes into
paragraphs and paragraphs into an index.
"""
