"""The facets, declared once: what a result can be narrowed by and counted over.

Every layer reads this tuple instead of naming facets itself: the search
request (its ``orgs=``-style keywords and ``filters``), the URL parameter
parser, the query language's field names, OpenAPI, the CLI's options, the
UI's facet lists and filter bar, and feeds. Adding a facet is one
:class:`Facet` here plus the engine's support for it (for Whoosh: a field in
``indexer/whoosh/schema.py``); see docs/architecture.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from paragraf_se.indexer.slug import slugify


class FacetValueError(ValueError):
    """A filter value the facet cannot take; the message is English, for API and CLI."""


def _text(raw: str) -> str:
    return raw.strip()


_YEAR = re.compile(r"[0-9]{4}")


def _year(raw: object) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool) and 1000 <= raw <= 2999:
        return raw
    text = str(raw).strip()
    # ASCII digits only: int() accepts other scripts' digits.
    if not _YEAR.fullmatch(text) or not 1000 <= int(text) <= 2999:
        raise FacetValueError(f"must be a four-digit year, not {text[:40]!r}")
    return int(text)


@dataclass(frozen=True)
class Facet:
    """One facet: its names in every layer and how its values are read and shown."""

    name: str  # URL parameter, facet key in results, engine's facet name: "org"
    request_name: str  # SearchRequest keyword and attribute: "orgs"
    label: str  # Swedish heading in the UI: "Organisation"
    feed_label: str  # Swedish, in a feed's title: "organisation"
    description: str  # English, for OpenAPI and the CLI's help
    query_aliases: tuple[str, ...]  # field names in the query language: organ:"Åsjö kommun"
    parse: Callable[[object], object] = _text  # raw value -> request value, or FacetValueError
    # Results list values by count (most first), or by value (newest year first).
    by_count: bool = True
    # Filter keys are slugs of the display name ("kommunstyrelsen"), or the value itself.
    slugged: bool = True
    openapi_schema: dict[str, object] = field(default_factory=lambda: {"type": "string"})
    cli_hint: str = ""  # English, after "'x' is not a <name>;" when parse refuses a value
    help_example: str = ""  # the query-language example on the help page: år:2022
    help_text: str = ""  # Swedish, what the example finds

    def key(self, value: str) -> str:
        """The filter key of a displayed facet value (what a facet link carries)."""
        return slugify(value) if self.slugged else value


FACETS: tuple[Facet, ...] = (
    Facet("org", "orgs", "Organisation", "organisation", "Organisation, name or slug",
          ("organ", "org", "organisation"), help_example='organ:"Åsjö kommun"',
          help_text="Bara en organisation."),
    Facet("body", "bodies", "Organ", "organ", "Body (nämnd, styrelse), name or slug",
          ("nämnd", "namnd", "body"), help_example="nämnd:Kommunstyrelsen",
          help_text="Bara ett organ (nämnd, styrelse, råd)."),
    Facet("year", "years", "År", "år", "Meeting year", ("år", "ar", "year"),
          parse=_year, by_count=False, slugged=False,
          openapi_schema={"type": "integer", "minimum": 1000, "maximum": 2999},
          cli_hint="write four digits, e.g. 2022", help_example="år:2022",
          help_text="Bara ett år."),
)
FACET_NAMES: tuple[str, ...] = tuple(f.name for f in FACETS)
BY_NAME: dict[str, Facet] = {f.name: f for f in FACETS}
BY_REQUEST_NAME: dict[str, Facet] = {f.request_name: f for f in FACETS}
