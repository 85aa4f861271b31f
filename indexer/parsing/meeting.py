"""Meeting facts from a protocol's front page and running headers: organisation,
body, date (each with where it was read), place, time, attendees, justerare and
the paragraph range."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from paragraf_se.indexer.model import MeetingInfo, Provenance
from paragraf_se.indexer.parsing.attendees import (
    parse_attendees,
    parse_names,
    plausible_attendees,
)
from paragraf_se.indexer.parsing.dates import find_dates
from paragraf_se.indexer.parsing.lines import Line
from paragraf_se.indexer.parsing.printed_facts import (
    FRONT_PAGE,
    RUNNING_HEADER,
    Sighting,
    read_printed_facts,
    running_header_lines,
)

_DATE_LABEL = re.compile(
    r"^(?:sammanträdesdatum|mötesdatum|sammanträdesdag|datum|sammanträde)\b\s*:?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
# A layout text layer puts columns on one line: "Kommunstyrelsen Sammanträdesdatum
# 2024-03-12 1 (12)". Only the unambiguous labels are looked for inside a line.
_DATE_LABEL_INLINE = re.compile(
    r"\b(?:sammanträdesdatum|mötesdatum|sammanträdesdag)\b\s*:?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_HEADER_DATE = re.compile(
    r"^(?:sammanträdesdatum|mötesdatum|sammanträdesdag)\s*:?\s*\d{4}-\d{2}-\d{2}$",
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
    header: the front page is what comes before it.

    Organisation and body are read only where a protocol prints its own facts
    (front page, running headers; see :mod:`printed_facts`), each with its
    provenance; what is read nowhere stays unknown. Readings that disagree or
    rest on an inference carry a warning, also listed in ``warnings``.
    """
    texts = [line.text for line in lines]
    front = texts[:front_end]
    printed = read_printed_facts(lines, front_end)
    org, org_from = _choose_org(printed.orgs)
    body, body_from = _choose_body(printed.bodies)
    date, date_from = _meeting_date(lines, front, texts)
    place, time = _find_place_time(front)
    attendees, attendee_warning = plausible_attendees(parse_attendees(front), body)
    warnings = [f"{label}: {p.warning}" for label, p in
                (("organisation", org_from), ("body", body_from), ("meeting date", date_from))
                if p is not None and p.warning]
    if attendee_warning:
        warnings.append(attendee_warning)
    return MeetingInfo(
        org=org,
        body=body,
        date=date,
        place=place,
        time=time,
        attendees=attendees,
        justerare=_find_justerare(front),
        paragraph_range=_find_range(front),
        org_from=org_from,
        body_from=body_from,
        date_from=date_from,
        warnings=tuple(warnings),
    )


def _choose_org(sightings: tuple[Sighting, ...]) -> tuple[str | None, Provenance | None]:
    """The first listed authority printed in a trusted place (front page first).

    An authority-shaped name the list lacks is taken only when no listed one is
    printed, and flagged; so is a choice between several printed authorities.
    """
    listed = [s for s in sightings if s.listed]
    pool = listed or list(sightings)
    if not pool:
        return None, None
    chosen = _ordered(pool)[0]
    names = list(dict.fromkeys(s.value for s in _ordered(pool)))
    warning = ""
    if not listed:
        warning = (f"{chosen.value!r} is not in the list of Sweden's municipalities and "
                   "regions")
    elif len(names) > 1:
        warning = (f"several authorities are printed ({', '.join(names)}); "
                   f"{chosen.value!r} was taken")
    return chosen.value, Provenance(chosen.place, chosen.printed, warning)


def _choose_body(sightings: tuple[Sighting, ...]) -> tuple[str | None, Provenance | None]:
    """The first body printed in a trusted place; flagged when others disagree."""
    if not sightings:
        return None, None
    ordered = _ordered(list(sightings))
    chosen = ordered[0]
    names = list(dict.fromkeys(s.value for s in ordered))
    others = [n for n in names if n.casefold() != chosen.value.casefold()]
    warning = (f"several bodies are printed ({', '.join(names)}); {chosen.value!r} was taken"
               if others else "")
    return chosen.value, Provenance(chosen.place, chosen.printed, warning)


def _ordered(sightings: list[Sighting]) -> list[Sighting]:
    """Front page before running headers, each in document order."""
    return sorted(sightings, key=lambda s: s.place != FRONT_PAGE)


def _meeting_date(lines: list[Line], front: list[str], texts: list[str]
                  ) -> tuple[dt.date | None, Provenance | None]:
    """The meeting date from a labelled date on the front page or in a running header,
    else an ISO date in the first lines, else the "Plats och tid" line."""
    year = _implied_year(texts)
    found = _find_date(front, year)
    place = FRONT_PAGE
    if found is None:
        found = _find_date(_header_date_lines(lines), year)
        place = RUNNING_HEADER
    if found is None:
        found, place = _leading_date(front), FRONT_PAGE
    if found is None:
        found, place = _date_from_place_time(front, year), FRONT_PAGE
    if found is None:
        return None, None
    date, printed, has_year = found
    warning = "" if has_year else (
        f"the year is not printed with the date; {date.year} is the year most dates in "
        "the document have")
    return date, Provenance(place, printed, warning)


def _header_date_lines(lines: list[Line]) -> list[str]:
    """Running-header lines that may carry the meeting date: furniture-shaped date
    lines ("Sammanträdesdatum: 2024-01-10") wherever they stand, and dated lines
    repeated where running headers are printed."""
    shaped = [line.text for line in lines if _HEADER_DATE.match(line.text)]
    return list(dict.fromkeys([*shaped, *running_header_lines(lines)]))


def _find_date(texts: list[str], year: int | None
               ) -> tuple[dt.date, str, bool] | None:
    # The meeting's own labels first: a front page's anslagsbevis has other dates
    # under the generic "Datum" ("Datum då anslaget sätts upp").
    for label in (_DATE_LABEL_INLINE.search, _DATE_LABEL.match):
        for position, text in enumerate(texts):
            match = label(text)
            if not match:
                continue
            # The date may follow the label on the same line or a few lines later.
            candidates = [match["rest"], *texts[position + 1:position + 6]]
            for candidate in candidates:
                found = find_dates(candidate, default_year=year)
                if found:
                    printed = text if candidate == match["rest"] else candidate
                    return found[0].date, printed, found[0].has_year
    return None


def _leading_date(front: list[str]) -> tuple[dt.date, str, bool] | None:
    """An ISO date in the first lines, e.g. a web page title "Möte 2023-10-16"."""
    for text in [t for t in front if t][:3]:
        found = [f for f in find_dates(text) if f.has_year]
        if found:
            return found[0].date, text, True
    return None


def _date_from_place_time(front: list[str], year: int | None
                          ) -> tuple[dt.date, str, bool] | None:
    for position, text in enumerate(front):
        if _PLACE_TIME.match(text):
            for candidate in front[position:position + 3]:
                found = find_dates(candidate, default_year=year)
                if found:
                    return found[0].date, candidate, found[0].has_year
    # Prose dates with a weekday ("måndagen den 8 januari 2007") name the meeting day.
    for text in front:
        if re.search(r"(?:mån|tis|ons|tors|fre|lör|sön)dag(?:en)?\s+den\b", text, re.I):
            found = find_dates(text, default_year=year)
            if found:
                return found[0].date, text, found[0].has_year
    return None


def _implied_year(texts: list[str]) -> int | None:
    """The most common year among dates written with a year (in the first 400 lines)."""
    years: Counter[int] = Counter()
    # One search of the lines joined by NUL finds the dates a search of each
    # line finds, without a call per line: no date pattern matches NUL, and to
    # the patterns' lookarounds it is what a line's start or end is (no word
    # character, digit, hyphen or space), so no date runs into another line.
    for found in find_dates("\0".join(texts[:400])):
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
