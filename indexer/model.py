"""Frozen values passed between the parse, index and search stages."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

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


# Where a meeting fact (organisation, body, date) came from. Options, sidecar files
# and manifests are the user's word; a crawl source's configuration is the operator's;
# the front page and running headers are where a protocol prints its own facts.
# Paragraph titles and text are never a source.
FACT_SOURCES = ("option", "sidecar", "manifest", "crawl source", "front page",
                "running header")


@dataclass(frozen=True)
class Provenance:
    """Where one meeting fact was read, and why it is uncertain if it is."""

    source: str  # one of FACT_SOURCES
    printed: str = ""  # the line or file it was read from, e.g. "HÖGSBY KOMMUN"
    warning: str = ""  # non-empty: the reading is uncertain, and this says why

    def to_dict(self) -> dict[str, str]:
        out = {"source": self.source, "printed": self.printed}
        if self.warning:
            out["warning"] = self.warning
        return out


@dataclass(frozen=True)
class MeetingInfo:
    """What a protocol says about its meeting. Every field may be unknown.

    ``org_from``, ``body_from`` and ``date_from`` say where the organisation,
    body and date were read (None while the fact is unknown).
    """

    org: str | None = None
    body: str | None = None
    date: dt.date | None = None
    place: str | None = None
    time: str | None = None
    attendees: tuple[Attendee, ...] = ()
    justerare: tuple[str, ...] = ()
    paragraph_range: str | None = None
    org_from: Provenance | None = None
    body_from: Provenance | None = None
    date_from: Provenance | None = None
    # What looked off while reading these facts (an uncertain fact, an attendee
    # list dropped as implausible); the parse result's messages repeat them.
    warnings: tuple[str, ...] = ()

    def provenance(self) -> dict[str, dict[str, str] | None]:
        """``{"org": {...}, "body": {...}, "date": {...}}`` for JSON output."""
        return {name: (p.to_dict() if p else None) for name, p in
                (("org", self.org_from), ("body", self.body_from), ("date", self.date_from))}


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


def public_source(url: str) -> str:
    """A source as the public may see it: a local file's name only, never its server path.

    Web sources are shown as they are; ``file:`` URLs (local ingests) would
    reveal the server's directory layout, so only the file name is shown.
    """
    if not url.lower().startswith("file:"):
        return url
    path = unquote(urlsplit(url).path)
    return path.rstrip("/").rsplit("/", 1)[-1] or "(local file)"


@dataclass(frozen=True)
class SourceRef:
    """Where a paragraph came from: an archived original."""

    capture_id: str
    url: str  # the original URL, or file:// path for local ingests
    sha256: str
    content_type: str
    page: int | None = None  # first PDF page of the paragraph

    @property
    def public_url(self) -> str:
        """The source without a local file's server path (see :func:`public_source`)."""
        return public_source(self.url)


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
