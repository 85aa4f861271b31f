"""How staff cite a paragraph: organisation, body, meeting date, § and title.

One builder for the paragraph page and the JSON API, so both give the same
strings. The short form names the paragraph unambiguously even when two
authorities in one archive both have a Kommunstyrelsen; the full form adds the
title, the permanent link and the date the original was archived.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from paragraf_se.indexer.model import Paragraph


@dataclass(frozen=True)
class Citation:
    """A paragraph's citation in a short and a full form."""

    short: str  # "Högsby kommun, Kommunstyrelsen, 2024-03-05, § 42"
    full: str  # short + ", ”Title”. <permalink> (arkiverad 2024-03-07)"
    archived: dt.date | None  # capture date of the archived original, when known

    def to_dict(self) -> dict[str, str | None]:
        return {"short": self.short, "full": self.full,
                "archived": self.archived.isoformat() if self.archived else None}


def short_citation(p: Paragraph) -> str:
    """"Högsby kommun, Kommunstyrelsen, 2024-03-05, § 42"."""
    return f"{p.org}, {p.body}, {p.date.isoformat()}, § {p.number}"


def cite(p: Paragraph, permalink_url: str, archived: dt.date | None = None) -> Citation:
    """The citation of ``p``, linking ``permalink_url`` (absolute, the caller's host).

    ``archived`` is the capture date of the original the text comes from; it
    is left out, not guessed, when unknown.
    """
    short = short_citation(p)
    title = " ".join(p.title.split())
    full = f"{short}, ”{title}”. {permalink_url}" if title else f"{short}. {permalink_url}"
    if archived is not None:
        full += f" (arkiverad {archived.isoformat()})"
    return Citation(short, full, archived)
