"""Where a protocol prints its own organisation and body: front page and running headers.

Only those two places are trusted. A paragraph title or the text of a paragraph
often names an authority or a body ("Möjligheternas kommun", "Årsrapport för
kommunstyrelsen") without being the meeting's own; they are never read.

A *header line* is a line made only of an authority's name, a body's name and
page furniture (document words, dates, page numbers): "HÖGSBY KOMMUN",
"Göteborgs Stad Kommunstyrelsen, protokoll", "Kommunstyrelsen 2024-01-10 3 (12)".
Such lines are read on the front page (before the first § and before any
agenda) and among the running headers (lines repeated in the top or bottom band
of the pages, or shaped as a running header "<body>, protokoll").
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from paragraf_se.indexer.parsing.authorities import find_authorities, find_unlisted
from paragraf_se.indexer.parsing.bodies import body_name
from paragraf_se.indexer.parsing.lines import Line

FRONT_PAGE = "front page"
RUNNING_HEADER = "running header"

_FRONT_LINES = 80  # a front page is short; further lines are not front matter
_BAND = 3  # lines at the top and bottom of a page where running headers live
_MAX_LINE = 160
_MONTHS = (r"(?:januari|februari|mars|april|maj|juni|juli|augusti|september|oktober"
           r"|november|december)")
# Page furniture that may share a header line with the authority and the body.
_FURNITURE = re.compile(
    r"(?<![\wåäöÅÄÖ])(?:(?:justerat\s+|justerade\s+)?(?:sammanträdes)?protokoll(?:sutdrag|et)?"
    r"(?:\s*\(?\s*(?:nr|nummer)\.?\s*\d+\s*\)?)?"
    r"|kallelse|utdrag|beslutsprotokoll|mötesprotokoll"
    r"|(?:sammanträdesdatum|mötesdatum|sammanträdesdag|sammanträde|datum)\s*:?"
    r"|justerandes?\s*(?:sign(?:atur)?\.?|signaturer)|utdragsbestyrkande"
    r"|(?:sida|sid\.?|blad)(?:\s*\d{1,4}(?:\s*(?:av|/|\()\s*\d{1,4}\)?)?)?"
    r"|\d{1,4}\s*\(\s*\d{1,4}\s*\)|\(\s*\d{1,4}\s*\)|\d{1,4}\s*/\s*\d{1,4}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}\s+" + _MONTHS + r"\s+\d{4})(?![\wåäöÅÄÖ])",
    re.IGNORECASE,
)
# "Kommunstyrelsen, protokoll": a running header wherever it stands. Without the
# comma only with an authority's name: "Arvodesberedningens protokoll 2024-02-08"
# is a paragraph title (an anmälan of another body's minutes).
_RUNNING_SHAPE = re.compile(r",\s*(?:sammanträdes)?protokoll\b", re.IGNORECASE)
_PROTOCOL_WORD = re.compile(r"protokoll", re.IGNORECASE)
_ABBREVIATION = re.compile(r"\(\s*[A-ZÅÄÖ][A-ZÅÄÖa-zåäö&-]{1,9}\s*\)")
_PUNCTUATION = re.compile(r"^[\s,.:;|/–—-]*$")
_LABEL = re.compile(r"^(?:organ|instans|nämnd|beslutande organ)\s*:?\s+(?P<rest>.+)$",
                    re.IGNORECASE)
_AGENDA = re.compile(
    r"^(?:ärendelista|ärendeförteckning|föredragningslista|dagordning|innehåll"
    r"|innehållsförteckning|ärenden)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Sighting:
    """One fact read from one trusted line."""

    value: str  # canonical organisation or nominative body name
    place: str  # FRONT_PAGE | RUNNING_HEADER
    printed: str  # the line as printed
    listed: bool = True  # organisations: found in the list of authorities


@dataclass(frozen=True)
class PrintedFacts:
    """Every organisation and body a document prints in a trusted place, in order
    (front page first)."""

    orgs: tuple[Sighting, ...]
    bodies: tuple[Sighting, ...]


def read_printed_facts(lines: list[Line], front_end: int) -> PrintedFacts:
    """Organisations and bodies from the front page and the running headers."""
    orgs: list[Sighting] = []
    bodies: list[Sighting] = []
    for text, place in trusted_lines(lines, front_end):
        found = read_header_line(text)
        if found is None:
            continue
        org_sightings, body = found
        orgs.extend(Sighting(value, place, text, listed) for value, listed in org_sightings)
        if body:
            bodies.append(Sighting(body, place, text))
    return PrintedFacts(tuple(orgs), tuple(bodies))


def trusted_lines(lines: list[Line], front_end: int) -> list[tuple[str, str]]:
    """(text, place) of the lines where a protocol prints its own facts."""
    out = [(text, FRONT_PAGE) for text in front_lines(lines, front_end)]
    seen = {text for text, _ in out}
    for text in running_header_lines(lines):
        if text not in seen:
            seen.add(text)
            out.append((text, RUNNING_HEADER))
    return out


def front_lines(lines: list[Line], front_end: int) -> list[str]:
    """Non-empty lines before the first § and before any agenda listing."""
    out = []
    for line in lines[:front_end]:
        if not line.text:
            continue
        if _AGENDA.match(line.text) or len(out) >= _FRONT_LINES:
            break
        out.append(line.text)
    return out


def running_header_lines(lines: list[Line]) -> list[str]:
    """Lines that repeat where running headers are printed, plus lines shaped as a
    running header ("Kommunstyrelsen, protokoll") wherever they stand."""
    texts = [line.text for line in lines if line.text and len(line.text) <= _MAX_LINE]
    pages = sorted({line.page for line in lines if line.page})
    repeated: list[str] = []
    if len(pages) >= 2:
        by_page: dict[int, list[str]] = {}
        for line in lines:
            if line.text and len(line.text) <= _MAX_LINE:
                by_page.setdefault(line.page, []).append(line.text)
        seen: Counter[str] = Counter()
        first_seen: dict[str, str] = {}
        for page_texts in by_page.values():
            # A bare body name at a page's foot is likely the end of a list of
            # recipients ("Beslutet skickas till / Socialnämnden"), which templates
            # that start each paragraph on a new page repeat; footers that are
            # running headers carry an authority's name or furniture.
            band = set(page_texts[:_BAND]) | {
                t for t in page_texts[-_BAND:] if find_authorities(t) or _FURNITURE.search(t)}
            for text in band:
                key = _mask(text)
                seen[key] += 1
                first_seen.setdefault(key, text)
        # A running header is on most pages (the front page often lacks it).
        threshold = max(2, math.ceil((len(pages) - 1) / 2))
        repeated = [first_seen[k] for k, n in seen.items() if n >= threshold]
    else:
        # No pages (plain text, HTML): a line repeated three times is a running
        # header only with an authority's name or page furniture in it. A bare body
        # name repeats in lists of recipients ("Protokollsutdrag skickas till").
        counts = Counter(texts)
        repeated = [t for t, n in counts.items()
                    if n >= 3 and (find_authorities(t) or _FURNITURE.search(t))]
    shaped = [t for t in dict.fromkeys(texts) if _shaped_as_running_header(t)]
    return list(dict.fromkeys([*repeated, *shaped]))


def _shaped_as_running_header(text: str) -> bool:
    # What IGNORECASE lets match a letter of "protokoll" case-folds to it, so the
    # fold is a cheap test first (the pattern is tried at every position).
    if "protokoll" not in text.casefold() or not _PROTOCOL_WORD.search(text):
        return False
    return bool(_RUNNING_SHAPE.search(text) or find_authorities(text))


def read_header_line(text: str) -> tuple[list[tuple[str, bool]], str | None] | None:
    """([(organisation, listed)], body) when ``text`` is a header line, else None.

    The line may hold nothing but authority names, one body name and furniture.
    """
    if len(text) > _MAX_LINE or "§" in text:
        return None
    labelled = _LABEL.match(text)
    if labelled:
        body = body_name(labelled["rest"])
        return ([], body) if body else None
    orgs: list[tuple[str, bool]] = []
    spans: list[tuple[int, int]] = []
    for match in find_authorities(text):
        orgs.append((match.authority.canonical, True))
        spans.append((match.start, match.end))
    if not orgs:
        for start, end, name in find_unlisted(text):
            orgs.append((name, False))
            spans.append((start, end))
    rest = _blank(text, spans)
    rest = _FURNITURE.sub(" ", rest)
    rest = _ABBREVIATION.sub(" ", rest)  # "Barn- och utbildningsnämnden (BUN)"
    # "Protokoll fört vid sammanträde med kommunfullmäktige i Högsby kommun".
    rest = re.sub(r"^[\s,.:;|/–—-]+|[\s,.:;|/–—-]+$", "", rest)
    rest = re.sub(r"^(?:fört\s+vid|från)(?:\s+(?:med|i))?\s+|\s+i$", "", rest, flags=re.I)
    if _PUNCTUATION.match(rest):
        return (orgs, None) if orgs else None
    body = body_name(rest, after_org=bool(orgs))
    if body is None:
        return None
    return orgs, body


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _mask(text: str) -> str:
    return re.sub(r"\d+", "#", text)
