"""The OpenAPI 3.1 description of the JSON API, written by hand as data.

Kept beside the handlers and checked against the running app by
``tests/test_api_openapi.py`` (schemathesis), so it cannot drift from the
real responses unnoticed.
"""

from __future__ import annotations

from typing import Any

from paragraf_se.indexer.engine import MAX_PAGE, MAX_PAGE_SIZE
from paragraf_se.indexer.facets import FACET_NAMES
from paragraf_se.indexer.search_params import PAGE_PARAMS as PAGE_PARAMS_DECLARED
from paragraf_se.indexer.search_params import SEARCH_PARAMS


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(properties: dict[str, Any], *, optional: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": [k for k in properties if k not in optional],
    }


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


STR = {"type": "string"}
INT = {"type": "integer"}
DATE = {"type": "string", "format": "date"}
STRINGS = {"type": "array", "items": STR}
ERRORS = {"4XX": _json(_ref("Error"), "Invalid parameter, unknown or removed resource")}

_PARAGRAPH_REF = {
    "id": STR, "permalink": STR, "org": STR, "body": STR, "date": DATE, "number": STR,
    "title": STR, "citation": STR, "diarienummer": STRINGS,
}
_MEETING_FACTS = {
    "place": _nullable(STR),
    "time": _nullable(STR),
    "attendees": {"type": "array", "items": _obj(
        {"name": STR, "party": _nullable(STR), "role": _nullable(STR)})},
    "justerare": STRINGS,
    "paragraph_range": _nullable(STR),
    "provenance": _obj({name: _nullable(_obj(
        {"source": STR, "printed": STR, "warning": STR}, optional=("warning",)))
        for name in ("org", "body", "date")}),
}
_CASE_LINK = _obj({"diarienummer": STR, "url": {**STR, "description": "The case page"},
                   "api_url": {**STR, "description": "The case as JSON"}})
_DISPLAY = {**STR, "description": "For reading: hard-wrapped lines joined into paragraphs "
            "separated by blank lines, hyphenation undone; the stored text is unchanged"}
_PARAGRAPH = {
    "id": STR, "org": STR, "body": STR, "date": DATE, "number": STR, "title": STR,
    "text": STR, "decision": STR, "text_display": _DISPLAY, "decision_display": _DISPLAY,
    "cases": {"type": "array", "items": _CASE_LINK},
    "sections": {"type": "array", "items": _obj(
        {"kind": STR, "heading": STR, "text": STR, "text_display": _DISPLAY})},
    "diarienummer": STRINGS,
    "classification_codes": STRINGS,
    "pages": {"type": "array", "items": INT},
    "sources": {"type": "array", "items": _ref("Source")},
    "ocr": {"type": "boolean"},
    "meeting": _obj(_MEETING_FACTS),
    "permalink": STR, "citation": STR, "meeting_id": STR, "meeting_url": STR,
}
_SPAN = {"paragraphs": INT, "first_year": INT, "last_year": INT}

_CHECK = {"type": "object", "properties": {"ok": {"type": "boolean"}, "error": STR},
          "required": ["ok"]}
SCHEMAS: dict[str, Any] = {
    "Readiness": _obj({
        "status": {"enum": ["ready", "stale", "not ready"]},
        "checks": _obj({"index": _CHECK, "archive": _CHECK, "database": _CHECK},
                       optional=("database",)),
    }),
    "Error": {
        **_obj({"ok": {"const": False}, "status": INT, "error": STR, "param": STR},
               optional=("param",)),
        "additionalProperties": False,
    },
    "Hit": _obj({
        "id": STR, "permalink": STR, "org": STR, "body": STR, "date": DATE, "number": STR,
        "title": STR, "citation": STR, "score": {"type": "number"},
        "cases": {"type": "array", "items": _CASE_LINK},
        "snippet": {**STR, "description": "HTML: matches in <mark>, the rest escaped"},
        "match": {"type": "string", "enum": ["all", "partial"],
                  "description": "all: every word of the query; partial: some of them "
                                 "(shown after the full matches)"},
        "matched_terms": {**STRINGS, "description": "The query's words this paragraph has"},
        "decision_kind": {"type": "string",
                          "enum": ["beslut", "bordlagt", "återremiss", "information", "okänt",
                                   ""],
                          "description": "What the paragraph decided; \"\" for an index "
                                         "built before decision kinds"},
    }),
    "HitGroup": _obj({
        "diarienummer": _nullable(STR),
        "case_url": _nullable(STR),
        "hits": {"type": "array", "items": _ref("Hit")},
    }),
    "Citation": _obj({
        "short": {**STR, "example": "Högsby kommun, Kommunstyrelsen, 2024-03-05, § 42"},
        "full": {**STR, "description": "Short form, ”title”, permalink and (arkiverad DATE)"},
        "archived": {**_nullable(DATE), "description": "When the original was archived"},
    }),
    "Case": _obj({
        "diarienummer": STR, "url": STR, "total": INT, "truncated": {"type": "boolean"},
        "bodies": {"type": "array", "items": _obj({"org": STR, "body": STR}),
                   "description": "Organisation and body, in the order the case reached them"},
        "paragraphs": {"type": "array", "items": _obj(
            {**_PARAGRAPH_REF, "decision": STR, "decision_display": _DISPLAY,
             "meeting_url": STR}),
            "description": "Date order, then organisation, body and § number"},
    }),
    "FacetValue": _obj({"value": STR, "count": INT, "key": STR}),
    "SearchResult": _obj({
        "total": INT, "page": INT, "size": INT,
        "hits": {"type": "array", "items": _ref("Hit")},
        "groups": {"type": "array", "items": _ref("HitGroup"),
                   "description": "Only with group=arende: the page's hits by diarienummer"},
        "facets": _obj({name: {"type": "array", "items": _ref("FacetValue")}
                        for name in FACET_NAMES}),
        "notices": STRINGS,
        "suggestion": _nullable(STR),
        "relaxed": {"type": "boolean"},
        "partial_total": {**INT, "description": "Paragraphs with some but not all words; "
                                                "total and facets count those with every word"},
        "limited": {"type": "boolean",
                    "description": "The search's bounds cut it (a prefix such as ab* stood for "
                                   "too many words, or its time ran out): not every match may "
                                   "be counted; the notices say so"},
    }, optional=("groups",)),
    "Source": _obj({
        "capture_id": STR, "url": STR, "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "content_type": STR, "page": _nullable(INT),
        "archive_url": {**STR, "description": "The archived original; PDFs open at #page=N"},
    }),
    "Paragraph": _obj(_PARAGRAPH),
    "ParagraphRef": _obj(_PARAGRAPH_REF),
    "ParagraphDetail": _obj({
        **_PARAGRAPH,
        "permalink_url": STR,
        "citation": _ref("Citation"),
        "citation_full": STR,
        "previous": _nullable(_ref("ParagraphRef")),
        "next": _nullable(_ref("ParagraphRef")),
        "trail": {"type": "array", "items": _ref("ParagraphRef"),
                  "description": "Other paragraphs with the same diarienummer, oldest first"},
    }),
    "Meeting": _obj({
        "id": STR, "org": STR, "body": STR, "date": DATE, **_MEETING_FACTS, "url": STR,
        "paragraphs": {"type": "array", "items": _ref("Paragraph")},
    }),
    "Document": _obj({
        "capture_id": STR, "source": STR,
        "status": {"type": "string", "enum": ["ok", "warnings", "failed"]},
        "messages": STRINGS, "paragraphs": INT, "parsed_at": STR, "archive_url": STR,
    }),
    "Documents": _obj({
        "total": INT, "page": INT, "size": INT,
        "counts": _obj({"ok": INT, "warnings": INT, "failed": INT}),
        "documents": {"type": "array", "items": _ref("Document")},
    }),
    "Bodies": _obj({"organisations": {"type": "array", "items": _obj({
        "org": STR, "key": STR, **_SPAN,
        "bodies": {"type": "array", "items": _obj(
            {"body": STR, "key": STR, **_SPAN, "search_url": STR})},
    })}}),
}


def _query(name: str, schema: dict[str, Any], description: str, *,
           repeatable: bool = False) -> dict[str, Any]:
    if repeatable:
        schema = {"type": "array", "items": schema}
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description, **({"style": "form", "explode": True}
                                           if repeatable else {})}


def _path(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema}


# The search's parameters as indexer.search_params declares them (facets included).
FILTER_PARAMS = [_query(p.name, p.schema, p.description, repeatable=p.repeatable)
                 for p in SEARCH_PARAMS]
PAGE_PARAMS = [_query(p.name, p.schema, p.description) for p in PAGE_PARAMS_DECLARED]

PATHS: dict[str, Any] = {
    "/api/search": {"get": {
        "summary": "Search paragraphs, with facet counts over the whole result set",
        "parameters": FILTER_PARAMS + PAGE_PARAMS + [_query(
            "group", {"type": "string", "enum": ["arende"]},
            "arende: also return the page's hits grouped by diarienummer (groups)")],
        "responses": {"200": _json(_ref("SearchResult"), "One page of hits"), **ERRORS},
    }},
    "/api/paragraphs/{id}": {"get": {
        "summary": "One paragraph with neighbours, case trail, sources and citation",
        "parameters": [_path("id", STR)],
        "responses": {
            "200": _json(_ref("ParagraphDetail"), "The paragraph"),
            "301": {"description": "The paragraph moved (its body was renamed)",
                    "headers": {"Location": {"schema": STR}}},
            **ERRORS,
        },
    }},
    "/api/arenden/{diarienummer}": {"get": {
        "summary": "A case (ärende): every paragraph with the diarienummer, across bodies and "
                   "authorities, in date order, each with its decision",
        "parameters": [{**_path("diarienummer", STR), "description":
                        "As printed, percent-encoded (slashes too): KS%202023%2F123; "
                        "case and spaces are ignored"}],
        "responses": {"200": _json(_ref("Case"), "The case"), **ERRORS},
    }},
    "/api/meetings/{org}/{body}/{date}": {"get": {
        "summary": "A meeting: its facts and all its paragraphs in § order",
        "parameters": [_path("org", STR), _path("body", STR), _path("date", DATE)],
        "responses": {"200": _json(_ref("Meeting"), "The meeting"), **ERRORS},
    }},
    "/api/bodies": {"get": {
        "summary": "Organisations and their bodies with paragraph counts and year spans",
        "responses": {"200": _json(_ref("Bodies"), "Every organisation and body")},
    }},
    "/api/documents": {"get": {
        "summary": "Ingested documents with their parse status (ok, warnings, failed)",
        "parameters": [
            _query("status", {"type": "string", "enum": ["ok", "warnings", "failed"]},
                   "Only documents with this status"),
            _query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, "Page"),
            _query("size", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
                   "Documents per page (default 50)"),
        ],
        "responses": {"200": _json(_ref("Documents"), "One page of documents"), **ERRORS},
    }},
    "/api/documents/{capture_id}": {"get": {
        "summary": "One archived document's parse status and reasons",
        "parameters": [_path("capture_id", STR)],
        "responses": {"200": _json(_ref("Document"), "The document"), **ERRORS},
    }},
    "/api/export": {"get": {
        "summary": "The full result set of a search, streamed (page and size do not apply)",
        "parameters": [*FILTER_PARAMS, _query(
            "format", {"type": "string", "enum": ["csv", "jsonl"]}, "csv (default) or jsonl")],
        "responses": {
            "200": {"description": "One row or line per paragraph",
                    "headers": {"Content-Disposition": {"schema": STR}},
                    "content": {"text/csv": {"schema": STR},
                                "application/x-ndjson": {"schema": STR}}},
            **ERRORS,
        },
    }},
    "/healthz": {"get": {
        "summary": "Liveness: the process is up and answering",
        "responses": {"200": _json(_obj({"status": {"const": "ok"}}), "Up")},
    }},
    "/readyz": {"get": {
        "summary": "Readiness: the index opens and answers, the archive is readable; on a "
                   "node with --database, whether the change log is reachable and the lag",
        "parameters": [{"name": "strict", "in": "query", "required": False,
                        "description": "1: a stale node (database away) answers 503",
                        "schema": {"type": "string", "enum": ["0", "1", "true", "false"]}}],
        "responses": {
            "200": _json(_ref("Readiness"), "Ready (or stale: serving its last index)"),
            "503": _json(_ref("Readiness"), "Not ready; the failing check says why"),
        },
    }},
    "/metrics": {"get": {
        "summary": "Prometheus metrics: requests and latency by route template, search "
                   "latency, index generation and size, archive, ingest and crawl counts",
        "responses": {"200": {"description": "Prometheus text exposition format 0.0.4",
                              "content": {"text/plain": {"schema": STR}}}},
    }},
    "/feed.atom": {"get": {
        "summary": "Atom feed of the newest paragraphs matching a search",
        "parameters": FILTER_PARAMS,
        "responses": {
            "200": {"description": "Atom 1.0",
                    "content": {"application/atom+xml": {"schema": STR}}},
            **ERRORS,
        },
    }},
}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Paragraf",
        "version": "1",
        "description": "Search and archive of Swedish municipal and regional meeting "
                       "protocols. Every 4xx answers with the Error shape.",
    },
    "paths": PATHS,
    "components": {"schemas": SCHEMAS},
}
