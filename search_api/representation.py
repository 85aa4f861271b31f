"""How paragraphs, hits and results look as JSON (and the links both adapters use)."""

from __future__ import annotations

from typing import Any

from indexer.model import Paragraph, SourceRef
from indexer.search import Hit, SearchResult
from indexer.serialize import paragraph_to_dict


def archive_url(source: SourceRef) -> str:
    """The archived original, opened at the paragraph's page for PDFs."""
    url = f"/archive/{source.capture_id}"
    if source.content_type == "application/pdf" and source.page:
        url += f"#page={source.page}"
    return url


def meeting_path(p: Paragraph) -> str:
    return f"/m/{p.meeting_id}"


def hit_json(hit: Hit) -> dict[str, Any]:
    p = hit.paragraph
    return {
        "id": p.id,
        "permalink": p.permalink,
        "org": p.org,
        "body": p.body,
        "date": p.date.isoformat(),
        "number": p.number,
        "title": p.title,
        "snippet": hit.snippet,
        "citation": p.citation,
        "score": round(hit.score, 4),
    }


def result_json(result: SearchResult) -> dict[str, Any]:
    return {
        "total": result.total,
        "page": result.page,
        "size": result.size,
        "hits": [hit_json(h) for h in result.hits],
        "facets": {
            name: [{"value": f.value, "count": f.count, "key": f.key} for f in values]
            for name, values in result.facets.items()
        },
        "notices": list(result.notices),
        "suggestion": result.suggestion,
        "relaxed": result.relaxed,
    }


def paragraph_json(p: Paragraph) -> dict[str, Any]:
    body = paragraph_to_dict(p)
    for src_json, src in zip(body["sources"], p.sources, strict=True):
        src_json["archive_url"] = archive_url(src)
    body.update(
        permalink=p.permalink,
        citation=p.citation,
        meeting_id=p.meeting_id,
        meeting_url=meeting_path(p),
    )
    return body
