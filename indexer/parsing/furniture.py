"""Page furniture: headers, footers and web chrome that are not protocol text.

Two mechanisms: patterns for furniture every template has ("PROTOKOLL 1(8)",
"Justerandes sign", "Sammanträdesdatum 2007-01-08", the Meetings Plus skip link),
and lines that repeat in the top or bottom band of many pages.
"""

from __future__ import annotations

import re
from collections import Counter

from paragraf_se.indexer.parsing.headers import match_header
from paragraf_se.indexer.parsing.lines import Line
from paragraf_se.indexer.parsing.sections import classify_heading

_BODY_WORD = r"(?:\w*(?:fullmäktige|styrelse|nämnd|råd|utskott|direktion|beredning)\w*)"
_ORG_PREFIX = r"(?:[\wÅÄÖåäö]+s? (?:[Ss]tad|kommun)|Region(?: [A-ZÅÄÖ][\wåäö]+){1,2})"
_PATTERNS = [
    r"(?:protokoll\s*)?\d{1,4}\s*\(\s*\d{1,4}\s*\)",  # "PROTOKOLL 1(8)", "1(14 )", "3 (74)"
    r"(?:sida|sid\.?)\s*\d{1,4}(?:\s*(?:av|/|\()\s*\d{1,4}\)?)?",  # "Sida 2 av 8"
    r"\d{1,4}\s*/\s*\d{1,4}",  # "2/8" alone on a line
    r"\(\s*\d{1,4}\s*\)",  # "(74)" when the page number went elsewhere
    r"(?:sammanträdesdatum|mötesdatum)\s*:?",
    r"(?:justerandes?\s*(?:sign(?:atur)?\.?|signaturer)\s*)?(?:utdragsbestyrkande)?",
    r"justerandes?\s*(?:sign(?:atur)?\.?|signaturer)",
    r"(?:sammanträdesdatum|mötesdatum|sammanträdesdag)\s*:?\s*\d{4}-\d{2}-\d{2}",
    r"protokoll\s*\(?\s*(?:nr|nummer)\.?\s*\d+\s*\)?",  # "Protokoll (nr 1)", "Protokoll nr 12"
    r"(?:protokoll|sammanträdesprotokoll|protokollsutdrag)",
    r"hoppa över navigering|gå till huvudinnehåll|till huvudinnehåll",
    r"vi använder cookies\b.*",
    r"det finns ingen information att visa",
    r"öppna (?:protokoll|kallelse|handling)",
]
# Running headers that start with free words (an organisation, a body, up to six
# words) are costly to try on every long line of text, and each needs the word
# "protokoll": they are tried only on lines that have it (see is_furniture).
_PROTOKOLL_PATTERNS = [
    # Running headers "Göteborgs Stad Kommunstyrelsen, protokoll" / "Kommunstyrelsen,
    # protokoll"; without the comma an org prefix is needed, because titles such as
    # "Arvodesberedningens protokoll 2024-02-08" look the same.
    rf"(?:{_ORG_PREFIX}\s+)?{_BODY_WORD},\s*(?:sammanträdes)?protokoll",
    rf"{_ORG_PREFIX}\s+{_BODY_WORD}s?\s+(?:sammanträdes)?protokoll",
    # A layout running header on one line: "HÖGSBY KOMMUN  Sammanträdesprotokoll  3 (12)".
    r"(?:[\w\-]+,?\s+){0,6}(?:sammanträdes)?protokoll(?:\s+[\w\-]+){0,3}\s+"
    r"(?:sida\s*)?\d{1,4}\s*(?:\(\s*\d{1,4}\s*\)|(?:av|/)\s*\d{1,4})",
]
_FURNITURE = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)
_PROTOKOLL_FURNITURE = re.compile("|".join(f"(?:{p})" for p in _PROTOKOLL_PATTERNS),
                                  re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_BAND = 3  # lines at the top and bottom of a page where running headers live


def is_furniture(text: str) -> bool:
    """True for a line that is page furniture whatever the document."""
    if not text:
        return False
    if _FURNITURE.fullmatch(text) is not None:
        return True
    # Each of those patterns ends with "protokoll" or a page number ("3 (12)",
    # "2 av 8"), so a line ending otherwise (text mostly ends in ".") cannot
    # match; nor can one whose case fold lacks "protokoll": under IGNORECASE
    # what matches one of its letters folds to that letter (K, the Kelvin sign, to k).
    last = text[-1]
    return ((last in "lL)" or last.isdecimal()) and "protokoll" in text.casefold()
            and _PROTOKOLL_FURNITURE.fullmatch(text) is not None)


def repeated_band_lines(lines: list[Line], page_count: int) -> set[str]:
    """Lines (digits masked) found in the top/bottom band of most pages.

    Needs at least three pages: on two pages a shared line may be real text.
    """
    if page_count < 3:
        return set()
    by_page: dict[int, list[str]] = {}
    for line in lines:
        if line.text:
            by_page.setdefault(line.page, []).append(line.text)
    seen: Counter[str] = Counter()
    for texts in by_page.values():
        # A § header is never furniture, even when every page starts with one,
        # nor is a section heading when every page ends with a decision, nor
        # the line right under either (titles that start alike, the same
        # one-line decision "Informationen noteras." at the foot of every page),
        # nor, near the foot, a line right above one (a boilerplate sentence
        # before "Beslut"): footers come after the last heading of a page. At
        # the top a running header does stand right above a § header.
        band = {t for i, t in enumerate(texts) if (i < _BAND or i >= len(texts) - _BAND)
                and not _structural(t) and not (i and _structural(texts[i - 1]))
                and not (len(texts) - _BAND <= i < len(texts) - 1
                         and _structural(texts[i + 1]))}
        seen.update({_mask(t) for t in band})
    threshold = max(3, (page_count * 3 + 4) // 5)
    return {text for text, count in seen.items() if count >= threshold}


def _structural(text: str) -> bool:
    return bool(match_header(text) or classify_heading(text))


def remove_furniture(
    lines: list[Line], repeated: set[str], names: tuple[str, ...] = ()
) -> list[Line]:
    """Blank out furniture lines (kept as blanks so paragraph structure holds).

    ``names`` are the organisation and body, which running headers repeat as
    lines of their own ("Kommunstyrelsen").
    """
    lowered = {n.casefold() for n in names if n}
    out = []
    for line in lines:
        text = line.text
        # A single-page document has no repeated lines to mask for, and one
        # without names no names to fold for.
        if (is_furniture(text) or (repeated and _mask(text) in repeated)
                or (lowered and text.casefold() in lowered)):
            out.append(Line("", line.page))
        else:
            out.append(line)
    return out


def _mask(text: str) -> str:
    return _DIGITS.sub("#", text)
