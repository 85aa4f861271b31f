"""Frozen shapes of the invented sample content (organisations, bodies, meetings).

The content itself lives in ``content_region.py`` and ``content_kommun.py``;
``content.py`` assembles it. Everything here is fictional on purpose, so the
demo never misquotes a real decision.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

# Placeholder heading replaced by the body's own decision heading
# ("Kommunstyrelsens beslut", "Beslut", ...) when rendering.
DECISION = "@BESLUT"


@dataclass(frozen=True)
class Item:
    """One numbered paragraph (§) of a meeting.

    ``sections`` are (heading, text) pairs; text paragraphs are separated by a
    blank line. ``letter`` makes a lettered paragraph ("§ 12 a") that shares the
    number of the paragraph before it. ``attachments`` name documents published
    with the item on the meeting page ("Bilagor").
    """

    title: str
    sections: tuple[tuple[str, str], ...]
    dnr: str | None = None
    letter: str = ""
    attachments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Meeting:
    """One sitting of a body. ``first`` is the number of its first paragraph."""

    date: str  # YYYY-MM-DD
    time: str  # "09:00–12:15"
    place: str
    first: int
    justerare: str
    items: tuple[Item, ...] = ()
    opening: str = "Ordföranden hälsar välkommen och förklarar sammanträdet öppnat."
    slug: str | None = None  # opaque slug instead of mote-YYYY-MM-DD
    cancelled: bool = False
    absent: tuple[str, ...] = ()  # members replaced by an ersättare this time


@dataclass(frozen=True)
class Body:
    """A political body (fullmäktige, styrelse, nämnd, råd) and its meetings."""

    slug: str
    name: str
    decision_heading: str
    chair: str
    members: tuple[str, ...]
    secretary: str
    deputies: tuple[str, ...] = ()
    meetings: tuple[Meeting, ...] = ()


@dataclass(frozen=True)
class Org:
    """A municipality or region with its own Meetings Plus site."""

    slug: str
    name: str
    kind: str  # "region" | "kommun"
    town: str
    bodies: tuple[Body, ...] = field(default=())


def justerare_item(name: str, when: str) -> Item:
    """The standard "Val av justerare" paragraph."""
    return Item(
        "Val av justerare och tid för justering",
        ((DECISION, f"{name} utses att justera dagens protokoll. Justering sker {when}."),),
    )


def agenda_item(note: str = "") -> Item:
    """The standard "Fastställande av föredragningslista" paragraph."""
    text = "Föredragningslistan fastställs" + (f" {note}." if note else " utan ändringar.")
    return Item(
        "Fastställande av föredragningslista",
        (
            ("Sammanfattning", "Förslag till föredragningslista har skickats ut med kallelsen."),
            (DECISION, text),
        ),
    )


def notices_item(*notices: str) -> Item:
    """The standard "Meddelanden" paragraph listing incoming letters and decisions."""
    listing = "\n\n".join(f"• {n}" for n in notices)
    return Item(
        "Meddelanden",
        (
            ("Sammanfattning", "Följande meddelanden har inkommit och redovisas för kännedom.\n\n"
             + listing),
            (DECISION, "Meddelandena läggs till handlingarna."),
        ),
    )


_WEEKDAYS = ("måndagen", "tisdagen", "onsdagen", "torsdagen", "fredagen", "lördagen",
             "söndagen")
_MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
           "september", "oktober", "november", "december")
_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})


def slugify(text: str) -> str:
    """Meetings Plus style slug: lower case, å/ä/ö folded, runs of other chars → '-'."""
    folded = text.lower().translate(_FOLD)
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def file_slug(file_name: str) -> str:
    """Slug of a published file name; ".pdf" becomes a bare "pdf" suffix."""
    stem, dot, ext = file_name.rpartition(".")
    return slugify(stem) + ext.lower() if dot else slugify(file_name)


def meeting_slug(meeting: Meeting) -> str:
    """The meeting's URL segment: explicit slug or ``mote-YYYY-MM-DD``."""
    return meeting.slug or f"mote-{meeting.date}"


def date_prose(iso: str, *, weekday: bool = True) -> str:
    """``2022-03-02`` → ``onsdagen den 2 mars 2022`` (or ``2 mars 2022``)."""
    day = dt.date.fromisoformat(iso)
    text = f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
    return f"{_WEEKDAYS[day.weekday()]} den {text}" if weekday else text


def shift_date(iso: str, days: int) -> str:
    """ISO date ``days`` later."""
    return (dt.date.fromisoformat(iso) + dt.timedelta(days=days)).isoformat()


def numbered(meeting: Meeting) -> list[tuple[str, Item]]:
    """Items with their paragraph labels ("12", "12 a", "13"), numbered from ``first``."""
    labels: list[tuple[str, Item]] = []
    number = meeting.first - 1
    for item in meeting.items:
        if item.letter:
            labels.append((f"{number} {item.letter}", item))
        else:
            number += 1
            labels.append((str(number), item))
    return labels


def decision_heading(heading: str, body: Body) -> str:
    """Resolve the :data:`DECISION` placeholder for ``body``."""
    return body.decision_heading if heading == DECISION else heading
