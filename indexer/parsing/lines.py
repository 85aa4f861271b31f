"""Lines of a document with their page numbers, normalised for parsing."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    """One line of text; ``page`` is 1-based, 0 when the source has no pages."""

    text: str
    page: int = 0


_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")
# Words after which a line-end hyphen is a suspended compound ("verksamhets- och
# administrativa"), not a hyphenated word.
_CONJUNCTIONS = frozenset({"och", "eller", "samt", "respektive", "resp", "som", "till", "&"})
_WORD_START = re.compile(r"^([^\W\d_]|\d)")


# A character either pattern above would change (an invisible one, or a space
# other than " "). Most lines have none and no run of spaces: for them the two
# substitutions change nothing and are skipped (every line of every document
# passes here).
_UNUSUAL = re.compile(r"[\t\u00a0\u2000-\u200a\u202f\u205f\u3000\u00ad\u200b-\u200d\u2060\ufeff]")


def normalise_line(text: str) -> str:
    """NFC, one space between words, no invisible characters, stripped."""
    if "  " not in text and not _UNUSUAL.search(text):
        # NFC turns no other character into a space or an invisible one
        # (tests/test_parsing_fast_paths.py checks every code point).
        return unicodedata.normalize("NFC", text).strip()
    text = unicodedata.normalize("NFC", _INVISIBLE.sub("", text))
    return _SPACES.sub(" ", text).strip()


def to_lines(pages: list[str], *, paged: bool) -> list[Line]:
    """Split page texts into normalised lines, numbering pages when ``paged``."""
    out: list[Line] = []
    for number, page in enumerate(pages, start=1):
        for raw in page.split("\n"):
            out.append(Line(normalise_line(raw), number if paged else 0))
    return out


def split_pages(text: str) -> list[str]:
    """Pages of a plain-text document: form feeds separate them."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\f")


def rejoin_hyphenated(lines: list[Line], keep: Callable[[str], bool] | None = None
                      ) -> list[Line]:
    """Join words hyphenated at line ends: "kommun-" + "styrelsen" -> "kommunstyrelsen".

    Real hyphens survive: "IT-" + "nämnden" -> "IT-nämnden", "2018-" + "2020" ->
    "2018-2020", and "verksamhets-" + "och" keeps "verksamhets- och". Lines for
    which ``keep(text)`` is true (paragraph headers) are never merged into; it is
    asked only of a line after a split word, and always of a line as it was given
    (the line after the one being joined has not been changed yet).
    """
    out = list(lines)
    i = 0
    while i < len(out) - 1:
        line, nxt = out[i], out[i + 1]
        if (not _ends_with_split_word(line.text) or not _WORD_START.match(nxt.text)
                or (keep is not None and keep(nxt.text))):
            i += 1
            continue
        first, _, rest = nxt.text.partition(" ")
        out[i] = Line(_join(line.text, first), line.page)
        if rest:
            out[i + 1] = Line(rest, nxt.page)
        else:
            del out[i + 1]
        i += 1
    return out


def _ends_with_split_word(text: str) -> bool:
    return len(text) >= 3 and text.endswith("-") and text[-2].isalnum()


def _join(head: str, word: str) -> str:
    stem = head[:-1]
    last = stem.split(" ")[-1]
    if word.lower().rstrip(".,") in _CONJUNCTIONS:
        return f"{head} {word}"
    if len(last) >= 2 and last[-1].islower() and word[0].islower() and not last.isupper():
        return stem + word
    return head + word
