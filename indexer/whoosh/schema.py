"""The Whoosh schema, declared as data, and paragraph <-> index document mapping."""

from __future__ import annotations

import hashlib
import json

from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from paragraf_se.indexer.analysis import CommonGramsTokenizer, exact_analyzer, swedish_analyzer
from paragraf_se.indexer.cases import normalise_dnr
from paragraf_se.indexer.decision_kind import classify_decision
from paragraf_se.indexer.model import Paragraph
from paragraf_se.indexer.serialize import paragraph_from_dict, paragraph_to_dict
from paragraf_se.indexer.slug import slugify

# Relative weight of a match in each field (BM25F per-field boosts).
FIELD_BOOSTS: dict[str, float] = {"title": 3.0, "decision": 2.0, "text": 1.0}
STEMMED_FIELDS = tuple(FIELD_BOOSTS)
EXACT_FIELD = "exact"
GRAMS_FIELD = "grams"
DECISION_KIND_FIELD = "decision_kind"
# This engine's support for each facet of indexer.facets.FACETS: the sortable
# field whose column is counted (display values), and the field a filter
# matches (the facet's keys: slugs for names, the value itself for years).
FACET_COLUMN_FIELDS: dict[str, str] = {"org": "org", "body": "body", "year": "year"}
FACET_FILTER_FIELDS: dict[str, str] = {"org": "org_slug", "body": "body_slug", "year": "year"}


def build_schema(compounds: bool = True) -> Schema:
    """A fresh schema; analyzers are classes in :mod:`indexer.analysis`.

    ``compounds=False`` builds the plain-Snowball baseline for evaluation.
    """
    sw = swedish_analyzer(compounds)
    return Schema(
        id=ID(stored=True, unique=True),
        org=ID(sortable=True),
        body=ID(sortable=True),
        org_slug=ID,
        body_slug=ID,
        year=ID(sortable=True),
        date=ID(sortable=True),
        meeting=ID,
        sources=KEYWORD,  # space-separated source keys, see source_key()
        dnr=KEYWORD(lowercase=True, commas=True),
        title=TEXT(analyzer=sw),
        decision=TEXT(analyzer=sw),
        text=TEXT(analyzer=sw),
        exact=TEXT(analyzer=exact_analyzer()),
        # Common-grams of title and text, for fast phrases of common words.
        grams=TEXT(analyzer=CommonGramsTokenizer(), phrase=False),
        # What the paragraph decided (indexer.decision_kind): a cached column
        # gives every document its ranking prior.
        decision_kind=ID(sortable=True),
        payload=STORED,
    )


def source_key(url: str) -> str:
    """A whitespace-free key for a source URL (URLs and paths may hold spaces)."""
    return hashlib.sha1(url.encode("utf-8")).hexdigest()[:20]


def to_document(p: Paragraph, fields: frozenset[str] | None = None) -> dict[str, object]:
    """The fields Whoosh indexes for one paragraph.

    ``fields`` limits them to an older index's schema (one made before a
    field existed keeps working until it is rebuilt).
    """
    doc = _document(p)
    if fields is not None:
        return {name: value for name, value in doc.items() if name in fields}
    return doc


def _document(p: Paragraph) -> dict[str, object]:
    # One string for both fields: the bulk writer tokenizes it once.
    whole = "\n".join((p.title, with_decision(p)))
    return {
        "id": p.id,
        "org": p.org,
        "body": p.body,
        "org_slug": slugify(p.org),
        "body_slug": slugify(p.body),
        "year": str(p.date.year),
        "date": p.date.isoformat(),
        "meeting": p.meeting_id,
        "sources": " ".join(source_key(s.url) for s in p.sources),
        "dnr": ",".join(normalise_dnr(d) for d in p.diarienummer),
        "title": p.title,
        "decision": p.decision,
        "text": _without_decision(p),
        # The decision is part of the text: indexing it once more would
        # only cost postings.
        "exact": whole,
        "grams": whole,
        DECISION_KIND_FIELD: classify_decision(p.title, p.decision, p.text),
        "payload": json.dumps(paragraph_to_dict(p), ensure_ascii=False),
    }


def with_decision(p: Paragraph) -> str:
    """The whole text, decision included (parsers put it in the text already)."""
    if not p.decision or p.decision in p.text:
        return p.text
    return f"{p.text}\n{p.decision}"


def _without_decision(p: Paragraph) -> str:
    """The text minus the decision, which the boosted ``decision`` field holds."""
    if p.decision and p.decision in p.text:
        return p.text.replace(p.decision, "", 1)
    return p.text


def from_stored(fields: dict[str, object]) -> Paragraph:
    """Rebuild a paragraph from a stored document."""
    return paragraph_from_dict(json.loads(str(fields["payload"])))
