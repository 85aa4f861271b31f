"""Headed sections inside a paragraph ("Sammanfattning", "Beslut", ...)."""

from __future__ import annotations

import re

from paragraf_se.indexer.model import Section

# Printed heading (lower-cased, no trailing colon) -> normalised kind.
_HEADINGS = {
    "sammanfattning": "sammanfattning",
    "sammanfattning av ärendet": "sammanfattning",
    "ärendet": "arendet",
    "ärendebeskrivning": "arendebeskrivning",
    "beskrivning av ärendet": "arendebeskrivning",
    "bakgrund": "bakgrund",
    "beslutsunderlag": "beslutsunderlag",
    "handlingar": "handlingar",
    "handling": "handlingar",
    "underlag": "beslutsunderlag",
    "förslag till beslut": "forslag_till_beslut",
    "förslag till beslut på sammanträdet": "forslag_till_beslut",
    "yrkanden": "yrkanden",
    "yrkande": "yrkanden",
    "beslutsgång": "beslutsgang",
    "propositionsordning": "propositionsordning",
    "proposition": "propositionsordning",
    "omröstning": "omrostning",
    "omröstningsresultat": "omrostning",
    "beslut": "beslut",
    "beslutet": "beslut",
    "reservation": "reservation",
    "reservationer": "reservation",
    "protokollsanteckning": "protokollsanteckning",
    "protokollsanteckningar": "protokollsanteckning",
    "särskilt yttrande": "sarskilt_yttrande",
    "särskilda yttranden": "sarskilt_yttrande",
    "jäv": "jav",
    "expedieras till": "expedieras",
    "expedieras": "expedieras",
    "beslutet skickas till": "expedieras",
    "beslutet expedieras till": "expedieras",
    "protokollsutdrag skickas till": "expedieras",
    "protokollsutdrag till": "expedieras",
    "tidigare behandling": "tidigare_behandling",
    "information": "information",
    "bilagor": "bilagor",
    "bilaga": "bilagor",
}
# "Kommunstyrelsens beslut", "Regionala beredningsrådets beslut": at most four
# words naming a body, the last in the genitive, then "beslut".
_BODY_DECISION = re.compile(
    r"^(?P<body>[A-ZÅÄÖ][\wåäö\-]*(?: [\wåäö\-]+){0,3}s) beslut$"
)
# Sentences that happen to fill a line: "Enligt kommunstyrelsens beslut".
_NOT_A_BODY = frozenset({
    "enligt", "genom", "efter", "med", "om", "se", "i", "till", "av", "inför", "före", "trots",
    "vid", "utan", "mot", "det", "detta", "ett", "en", "och", "som", "för", "på", "under",
})

_BLANK_LINES = re.compile(r"\n{3,}")


def classify_heading(text: str) -> str | None:
    """The section kind if the whole line ``text`` is a section heading."""
    cleaned = text.strip().rstrip(":").strip()
    if not cleaned or len(cleaned) > 60:
        return None
    kind = _HEADINGS.get(cleaned.lower())
    if kind:
        return kind
    if not cleaned.endswith(" beslut"):
        return None  # what _BODY_DECISION ends with (most lines, asked of every line)
    match = _BODY_DECISION.match(cleaned)
    if match and match["body"].split(" ")[0].lower() not in _NOT_A_BODY:
        return "beslut"
    return None


def decision_body(text: str) -> str | None:
    """The body named in a "<Body>s beslut" heading, in the nominative form."""
    match = _BODY_DECISION.match(text.strip().rstrip(":"))
    if not match or classify_heading(text) != "beslut":
        return None
    return match["body"][:-1]


def split_sections(lines: list[str]) -> tuple[Section, ...]:
    """Cut paragraph body lines at section headings. Text before the first
    heading belongs to no section."""
    sections: list[Section] = []
    kind: str | None = None
    heading = ""
    buffer: list[str] = []
    for line in [*lines, None]:
        found = classify_heading(line) if line is not None else None
        if line is None or found:
            if kind:
                sections.append(Section(kind, heading, tidy("\n".join(buffer))))
            if line is None:
                break
            kind, heading, buffer = found, line.strip().rstrip(":").strip(), []
        else:
            buffer.append(line)
    return tuple(sections)


def tidy(text: str) -> str:
    """Trim blank lines at the ends and collapse runs of blank lines."""
    if "\n\n\n" not in text:
        return text.strip()  # nothing to collapse (the common case, found in C)
    return _BLANK_LINES.sub("\n\n", text).strip()
