"""Meeting facts from a protocol's front page: organisation, body, date, place,
time, attendees, justerare and the paragraph range."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from paragraf_se.indexer.model import MeetingInfo
from paragraf_se.indexer.parsing.attendees import parse_attendees, parse_names
from paragraf_se.indexer.parsing.dates import find_dates
from paragraf_se.indexer.parsing.lines import Line
from paragraf_se.indexer.parsing.sections import decision_body

_ORG_PATTERNS = (
    re.compile(r"\bRegion (?:[A-ZÅÄÖ][a-zåäö]+)(?: [A-ZÅÄÖ][a-zåäö]+)?"),
    re.compile(r"\b[A-ZÅÄÖ][a-zåäö]+(?:-[A-ZÅÄÖ][a-zåäö]+)? kommun\b"),
    re.compile(r"\b[A-ZÅÄÖ][a-zåäö]+s [Ss]tads?\b"),
    re.compile(r"\b(?:Landstinget|Kommunförbundet) [A-ZÅÄÖ][a-zåäö]+(?: [a-zåäö]+ län)?"),
)
_BODY_LINE = re.compile(
    r"^(?:[A-ZÅÄÖ][\wåäö\-]*\s+){0,4}(?:[\wåäö\-]*\s+)?"
    r"[\wåäö\-]*(?:fullmäktige|styrelse|styrelsen|nämnd|nämnden|råd|rådet|utskott|utskottet"
    r"|direktion|direktionen|beredning|beredningen)$"
)
_RUNNING_HEADER = re.compile(
    r"^(?P<head>.+?)(?:,\s*|s\s+)(?:sammanträdes)?protokoll\b", re.IGNORECASE
)
_DATE_LABEL = re.compile(
    r"^(?:sammanträdesdatum|mötesdatum|sammanträdesdag|datum|sammanträde)\b\s*:?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_PLACE_TIME = re.compile(r"^plats och tid\s*:?\s*(?P<rest>.*)$", re.IGNORECASE)
_CLOCK = re.compile(r"(?:kl\.?|klockan)\s*(\d{1,2}[.:]\d{2}(?:\s*[-–]\s*\d{1,2}[.:]\d{2})?)")
_JUSTERARE = re.compile(r"^(?:utses att justera|justerare|justerande)\b\s*:?\s*(?P<rest>.*)$",
                        re.IGNORECASE)
_RANGE = re.compile(
    r"(?:protokollet omfattar|paragrafer|paragraf)\s*:?\s*(?:§§?\s*)?(\d{1,4})\s*[-–—]\s*(?:§\s*)?"
    r"(\d{1,4})",
    re.IGNORECASE,
)


def extract_meeting(lines: list[Line], front_end: int) -> MeetingInfo:
    """Read the meeting facts. ``front_end`` is the index of the first paragraph
    header: labels are looked for before it, falling back to the whole text."""
    texts = [line.text for line in lines]
    front = texts[:front_end] or texts
    org = _find_org(texts, front)
    date = _find_date(front) or _find_date(texts) or _leading_date(front)
    place, time = _find_place_time(front)
    if date is None:
        date = _date_from_place_time(front, texts)
    return MeetingInfo(
        org=org,
        body=_find_body(texts, front, org),
        date=date,
        place=place,
        time=time,
        attendees=parse_attendees(front),
        justerare=_find_justerare(front),
        paragraph_range=_find_range(front),
    )


def _find_org(texts: list[str], front: list[str]) -> str | None:
    counts: Counter[str] = Counter()
    for position, text in enumerate(texts):
        weight = 3 if (position < 15 or len(text) < 60) else 1
        for pattern in _ORG_PATTERNS:
            for match in pattern.finditer(text):
                counts[_nominative_org(match.group(0))] += weight
    if not counts:
        return None
    return counts.most_common(1)[0][0]


def _nominative_org(name: str) -> str:
    """"Göteborgs Stads" -> "Göteborgs Stad", "Region Jämtland Härjedalens" ->
    "Region Jämtland Härjedalen"."""
    if name.endswith(("Stads", "stads")):
        return name[:-1]
    if name.startswith("Region ") and name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name


def _find_body(texts: list[str], front: list[str], org: str | None) -> str | None:
    for text in front[:40]:
        if _BODY_LINE.match(text) and len(text.split()) <= 6:
            return _strip_org(text, org)
    for text in texts:
        match = _RUNNING_HEADER.match(text)
        if match and len(text) < 90:
            head = _strip_org(match["head"], org)
            if _BODY_LINE.match(head):
                return _capitalise(head)
    for text in texts:
        body = decision_body(text)
        if body and _BODY_LINE.match(body):
            return body
    return None


def _strip_org(text: str, org: str | None) -> str:
    if org and text.startswith(org + " "):
        return text[len(org) + 1:].strip()
    return text.strip()


def _capitalise(text: str) -> str:
    """"kommunstyrelsens" (from "... kommunstyrelsens protokoll") -> "Kommunstyrelsen"."""
    if text.endswith("ens") or text.endswith("ets"):
        text = text[:-1]
    return text[:1].upper() + text[1:]


def _find_date(texts: list[str]) -> dt.date | None:
    year = _implied_year(texts)
    for position, text in enumerate(texts):
        match = _DATE_LABEL.match(text)
        if not match:
            continue
        # The date may follow the label on the same line or a few lines later.
        candidates = [match["rest"], *texts[position + 1:position + 6]]
        for candidate in candidates:
            found = find_dates(candidate, default_year=year)
            if found:
                return found[0].date
    return None


def _leading_date(front: list[str]) -> dt.date | None:
    """An ISO date in the first lines, e.g. a web page title "Möte 2023-10-16"."""
    for text in [t for t in front if t][:3]:
        found = [f for f in find_dates(text) if f.has_year]
        if found:
            return found[0].date
    return None


def _date_from_place_time(front: list[str], texts: list[str]) -> dt.date | None:
    year = _implied_year(texts)
    for position, text in enumerate(front):
        if _PLACE_TIME.match(text):
            for candidate in front[position:position + 3]:
                found = find_dates(candidate, default_year=year)
                if found:
                    return found[0].date
    # Prose dates with a weekday ("måndagen den 8 januari 2007") name the meeting day.
    for text in front:
        if re.search(r"(?:mån|tis|ons|tors|fre|lör|sön)dag(?:en)?\s+den\b", text, re.I):
            found = find_dates(text, default_year=year)
            if found:
                return found[0].date
    return None


def _implied_year(texts: list[str]) -> int | None:
    """The most common year among dates written with a year."""
    years: Counter[int] = Counter()
    for text in texts[:400]:
        for found in find_dates(text):
            if found.has_year:
                years[found.date.year] += 1
    return years.most_common(1)[0][0] if years else None


def _find_place_time(front: list[str]) -> tuple[str | None, str | None]:
    for position, text in enumerate(front):
        match = _PLACE_TIME.match(text)
        if not match:
            continue
        value = match["rest"] or next((t for t in front[position + 1:position + 4] if t), "")
        clock = _CLOCK.search(value)
        time = clock.group(1).replace(" ", "") if clock else None
        place = re.split(r",?\s*(?:(?:mån|tis|ons|tors|fre|lör|sön)dag(?:en)?\s+)?den\s+\d"
                         r"|,?\s*\d{4}-\d{2}-\d{2}|,?\s*(?:kl\.?|klockan)\s*\d",
                         value, maxsplit=1)[0].strip(" ,")
        return (place or None), time
    return None, None


def _find_justerare(front: list[str]) -> tuple[str, ...]:
    for position, text in enumerate(front):
        match = _JUSTERARE.match(text)
        if match:
            value = match["rest"] or next((t for t in front[position + 1:position + 3] if t), "")
            names = parse_names(value)
            if names:
                return names
    return ()


def _find_range(front: list[str]) -> str | None:
    for text in front:
        match = _RANGE.search(text)
        if match:
            return f"{int(match[1])}–{int(match[2])}"
    return None
