"""What replacing one source's paragraphs means, for any store of paragraphs.

Engine-neutral policy shared by the embedded index and the PostgreSQL store:
a paragraph found in several documents keeps every source and shows the best
one's text (the approved PDF wins), and a source re-published without a
paragraph takes only itself away from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from paragraf_se.indexer.engine import IndexChange
from paragraf_se.indexer.model import Paragraph, SourceRef


@dataclass(frozen=True)
class ReplacePlan:
    """The writes that make a store hold exactly a source's new paragraphs."""

    change: IndexChange
    writes: tuple[Paragraph, ...]  # new versions to store, in order
    deletes: tuple[Paragraph, ...]  # paragraphs with no source left


def source_rank(source: SourceRef) -> int:
    """Whose text wins when one paragraph has several sources: the approved PDF."""
    ct = source.content_type
    if ct == "application/pdf":
        return 3
    if ct.startswith("text/plain"):
        return 2
    return 1


def merge_sources(old: Paragraph | None, new: Paragraph) -> Paragraph:
    """One paragraph from two documents: both sources kept, the better one's text."""
    if old is None:
        return new
    others = tuple(s for s in old.sources if s.url != new.source.url)
    if others and source_rank(others[0]) > source_rank(new.source):
        # Keep the better source's text; just record the new source beside it.
        return replace(old, sources=(*others, *new.sources))
    return replace(new, sources=(*new.sources, *others))


def plan_replace(url: str, paragraphs: Sequence[Paragraph],
                 current: Mapping[str, Paragraph | None],
                 of_source: Iterable[Paragraph]) -> ReplacePlan:
    """Plan making a store hold exactly ``paragraphs`` from source ``url``.

    ``current`` is the stored version of every id in ``paragraphs`` (None when
    absent); ``of_source`` the stored paragraphs that have ``url`` as a source.
    A paragraph another source still has stays, one source fewer (updated).
    """
    current = dict(current)
    new_ids = {p.id for p in paragraphs}
    added = updated = unchanged = removed = 0
    added_ids: list[str] = []
    writes: list[Paragraph] = []
    deletes: list[Paragraph] = []
    for p in paragraphs:
        old = current.get(p.id)
        merged = merge_sources(old, p)
        if old is None:
            added += 1
            added_ids.append(p.id)
        elif merged == old:
            unchanged += 1
            continue
        else:
            updated += 1
        writes.append(merged)
        current[p.id] = merged  # a source may list one § twice
    for old in of_source:
        if old.id in new_ids:
            continue
        rest = tuple(s for s in old.sources if s.url != url)
        if rest:
            writes.append(replace(old, sources=rest))
            updated += 1
        else:
            deletes.append(old)
            removed += 1
    change = IndexChange(added, updated, unchanged, removed, tuple(added_ids), tuple(deletes))
    return ReplacePlan(change, tuple(writes), tuple(deletes))
