"""Frozen values passed between the parse, index and search stages."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from paragraf_se.indexer.slug import slugify


@dataclass(frozen=True)
class Section:
    """A headed part of a paragraph, e.g. "Sammanfattning" or "Beslut"."""

    kind: str  # normalised name: "sammanfattning", "beslut", "yrkanden", ...
    heading: str  # as printed: "Kommunstyrelsens beslut"
    text: str


@dataclass(frozen=True)
class Attendee:
    """A person named on the front page, e.g. ``Robert Uitto (S), ordf.``."""

    name: str
    party: str | None = None
    role: str | None = None


@dataclass(frozen=True)
class MeetingInfo:
    """What a protocol says about its meeting. Every field may be unknown."""

    org: str | None = None
    body: str | None = None
    date: dt.date | None = None
    place: str | None = None
    time: str | None = None
    attendees: tuple[Attendee, ...] = ()
    justerare: tuple[str, ...] = ()
    paragraph_range: str | None = None


@dataclass(frozen=True)
class ParsedParagraph:
    """One § as found in a document, before it is tied to a meeting identity."""

    number: str  # as printed, normalised spacing: "42", "3 a"
    title: str
    text: str  # the paragraph body, page furniture removed
    decision: str = ""
    sections: tuple[Section, ...] = ()
    diarienummer: tuple[str, ...] = ()
    pages: tuple[int, ...] = ()  # 1-based PDF pages the paragraph spans
    # Archive/classification codes printed with the header's case number
    # ("00910/20241.1.2" -> diarienummer "00910/2024", code "1.1.2").
    classification_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParseResult:
    """The outcome of parsing one document: meeting facts, paragraphs, status."""

    meeting: MeetingInfo
    paragraphs: tuple[ParsedParagraph, ...]
    status: str = "ok"  # "ok" | "warnings" | "failed"
    messages: tuple[str, ...] = ()
    needs_ocr: bool = False
    ocr_pages: tuple[int, ...] = ()  # 1-based pages whose text came from OCR


@dataclass(frozen=True)
class SourceRef:
    """Where a paragraph came from: an archived original."""

    capture_id: str
    url: str  # the original URL, or file:// path for local ingests
    sha256: str
    content_type: str
    page: int | None = None  # first PDF page of the paragraph


@dataclass(frozen=True)
class Paragraph:
    """One indexed document: a § of one meeting of one body."""

    id: str
    org: str
    body: str
    date: dt.date
    number: str
    title: str
    text: str
    sources: tuple[SourceRef, ...]  # primary (the text's origin) first
    decision: str = ""
    sections: tuple[Section, ...] = ()
    diarienummer: tuple[str, ...] = ()
    pages: tuple[int, ...] = ()
    classification_codes: tuple[str, ...] = ()  # printed with the header's case number
    ocr: bool = False  # text came from OCR of a scanned page
    # Front-page facts of the meeting (place, attendees, justerare), as parsed
    # from the document this paragraph's text came from.
    meeting: MeetingInfo = MeetingInfo()

    @property
    def source(self) -> SourceRef:
        """The original whose text this paragraph shows."""
        return self.sources[0]

    @property
    def year(self) -> int:
        return self.date.year

    @property
    def org_slug(self) -> str:
        return slugify(self.org)

    @property
    def body_slug(self) -> str:
        return slugify(self.body)

    @property
    def number_slug(self) -> str:
        return slugify(self.number)

    @property
    def permalink(self) -> str:
        """The readable, stable path of this paragraph."""
        return permalink_path(self.org, self.body, self.date, self.number)

    @property
    def meeting_id(self) -> str:
        return meeting_id(self.org, self.body, self.date)

    @property
    def citation(self) -> str:
        """How staff cite it: "Regionens samverkansråd 2017-08-21 § 42"."""
        return f"{self.body} {self.date.isoformat()} § {self.number}"


def permalink_path(org: str, body: str, date: dt.date, number: str) -> str:
    """``/p/{org}/{body}/{YYYY-MM-DD}/{number}`` with slugged parts."""
    return f"/p/{slugify(org)}/{slugify(body)}/{date.isoformat()}/{slugify(number)}"


def paragraph_id(org: str, body: str, date: dt.date, number: str) -> str:
    """A stable id derived only from (organisation, body, date, number).

    Slugs make the id insensitive to case and spacing differences between
    documents ("§ 3a" and "§ 3 a" are the same paragraph).
    """
    key = "|".join((slugify(org), slugify(body), date.isoformat(), slugify(number)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def meeting_id(org: str, body: str, date: dt.date) -> str:
    """A readable meeting id: ``{org}/{body}/{YYYY-MM-DD}`` slugged."""
    return f"{slugify(org)}/{slugify(body)}/{date.isoformat()}"
