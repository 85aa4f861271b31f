"""How paragraphs, hits and results look as JSON."""

from __future__ import annotations

import datetime as dt
from typing import Any

from paragraf_se.indexer.cases import Case, HitGroup
from paragraf_se.indexer.citation import cite
from paragraf_se.indexer.context import ParagraphContext
from paragraf_se.indexer.engine import BodySummary, Hit, SearchResult
from paragraf_se.indexer.model import Paragraph
from paragraf_se.indexer.parsing.reflow import reflow_text
from paragraf_se.indexer.serialize import meeting_to_dict, paragraph_to_dict
from paragraf_se.web_common.lookup import organisations
from paragraf_se.web_common.urls import api_case_path, archive_url, case_path, meeting_path


def full_citation(p: Paragraph, base_url: str) -> str:
    """The full citation without the archive date (see :func:`indexer.citation.cite`)."""
    return cite(p, base_url + p.permalink).full


def cases_json(dnrs: tuple[str, ...]) -> list[dict[str, str]]:
    """Links to the case page of each diarienummer."""
    return [{"diarienummer": d, "url": case_path(d), "api_url": api_case_path(d)}
            for d in dnrs if d.strip()]


def hit_json(hit: Hit) -> dict[str, Any]:
    body = paragraph_ref_json(hit.paragraph)
    del body["diarienummer"]
    return {**body, "cases": cases_json(hit.paragraph.diarienummer), "snippet": hit.snippet,
            "score": round(hit.score, 4), "match": hit.match,
            "matched_terms": list(hit.matched_terms), "decision_kind": hit.decision_kind}


def groups_json(groups: tuple[HitGroup, ...]) -> list[dict[str, Any]]:
    """Hits grouped by case (``group=arende``): one entry per case or ungrouped hit."""
    return [{"diarienummer": g.diarienummer,
             "case_url": case_path(g.diarienummer) if g.diarienummer else None,
             "hits": [hit_json(h) for h in g.hits]} for g in groups]


def result_json(result: SearchResult, groups: tuple[HitGroup, ...] | None = None
                ) -> dict[str, Any]:
    extra = {} if groups is None else {"groups": groups_json(groups)}
    return {**extra,
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
        "partial_total": result.partial_total,
        "limited": result.limited,
    }


def paragraph_json(p: Paragraph) -> dict[str, Any]:
    body = paragraph_to_dict(p)
    for src_json, src in zip(body["sources"], p.sources, strict=True):
        src_json["url"] = src.public_url  # never a server file path
        src_json["archive_url"] = archive_url(src)
    for section_json, section in zip(body["sections"], p.sections, strict=True):
        section_json["text_display"] = reflow_text(section.text)
    body.update(
        # For reading: hard-wrapped lines joined into paragraphs (blank-line
        # separated), hyphenation undone; "text" stays as extracted.
        text_display=reflow_text(p.text),
        decision_display=reflow_text(p.decision),
        cases=cases_json(p.diarienummer),
        permalink=p.permalink,
        citation=p.citation,
        meeting_id=p.meeting_id,
        meeting_url=meeting_path(p),
    )
    return body


def paragraph_ref_json(p: Paragraph) -> dict[str, Any]:
    """A short reference to another paragraph (neighbour, trail entry)."""
    return {
        "id": p.id,
        "permalink": p.permalink,
        "org": p.org,
        "body": p.body,
        "date": p.date.isoformat(),
        "number": p.number,
        "title": p.title,
        "citation": p.citation,
        "diarienummer": list(p.diarienummer),
    }


def paragraph_detail_json(p: Paragraph, ctx: ParagraphContext, base_url: str,
                          archived: dt.date | None = None) -> dict[str, Any]:
    """A paragraph with its neighbours, case trail and the citation in both forms."""
    body = paragraph_json(p)
    citation = cite(p, base_url + p.permalink, archived)
    body.update(
        permalink_url=base_url + p.permalink,
        citation=citation.to_dict(),
        citation_full=citation.full,
        previous=paragraph_ref_json(ctx.previous) if ctx.previous else None,
        next=paragraph_ref_json(ctx.next) if ctx.next else None,
        trail=[paragraph_ref_json(o) for o in ctx.trail],
    )
    return body


def meeting_json(meeting_id: str, paragraphs: list[Paragraph]) -> dict[str, Any]:
    first = paragraphs[0]
    return {
        "id": meeting_id,
        "org": first.org,
        "body": first.body,
        "date": first.date.isoformat(),
        **meeting_to_dict(first.meeting),
        "url": meeting_path(first),
        "paragraphs": [paragraph_json(p) for p in paragraphs],
    }


def bodies_json(summaries: list[BodySummary]) -> dict[str, Any]:
    """Organisations with their bodies, each with paragraph counts and year spans."""
    return {"organisations": organisations(summaries)}


def case_json(case: Case) -> dict[str, Any]:
    """A case: its paragraphs across bodies in date order, each with its decision."""
    return {
        "diarienummer": case.diarienummer,
        "url": case_path(case.diarienummer),
        "total": len(case.paragraphs),
        "truncated": case.truncated,
        "bodies": [{"org": org, "body": body} for org, body in case.bodies],
        "paragraphs": [{**paragraph_ref_json(p), "decision": p.decision,
                        "decision_display": reflow_text(p.decision),
                        "meeting_url": meeting_path(p)} for p in case.paragraphs],
    }
