"""Diarienummer (case numbers) in their many printed forms.

Seen formats: ``RS/559/2019``, ``KS 2018/14``, ``DNR:KU/2007.9`` (-> ``KU/2007.9``),
``SLK-2024-00078`` (also with a document suffix ``SLK-2023-00025:26``; ``:-1`` means
"no document" and is dropped), ``0098/22`` and "Dnr KS 2023/123" (-> ``KS 2023/123``).
Dates ("2017-08-21", "2018-2020") and law references ("(2017:725)") are not diarienummer.

Some templates print the archive/classification code glued to the number:
``00910/20241.1.2`` is diarienummer ``00910/2024`` and code ``1.1.2``
(:func:`split_glued_code`). Paragraph headers carry case identifiers in more
forms than running text does (bare ``1360/22``, ``KNSLI/20014197``, internal
numbers); :func:`header_case` reads those at the start of a header's rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LABEL = r"(?:dnr|diarienr|diarienummer|ärendenummer|ärendenr|ärende\s*nr)\b\.?\s*:?\s*"
_PREFIX = r"[A-ZÅÄÖ]{1,6}(?:-[A-ZÅÄÖ]{1,4})?"
_FORMS = (
    rf"{_PREFIX}/\d{{1,6}}/\d{{2,4}}",  # RS/559/2019
    rf"{_PREFIX}/\d{{4}}[.:/]\d{{1,6}}",  # KU/2007.9, KS/2018:14
    rf"{_PREFIX}-\d{{4}}-\d{{2,6}}(?::-?\d{{1,4}})?",  # SLK-2024-00078, SLK-2023-00025:26
    rf"{_PREFIX} \d{{4}}/\d{{1,6}}",  # KS 2018/14 (not "SFS 2017:725")
    r"0\d{2,4}/\d{2}",  # 0098/22: the leading zero marks a serial, not a fraction
)
_ANY_FORM = "|".join(f"(?:{form})" for form in _FORMS)
# An archive/classification code glued to a number that ends in a year.
_CODE = r"\d{1,2}(?:\.\d{1,3}){1,4}"
_YEAR = r"(?:19|20)\d{2}"
_GLUED = rf"\d{{1,6}}/{_YEAR}(?={_CODE}\.?(?![\w/-]|[.:]\d))"
_END = r"(?![\w/-]|[.:]\d)"
# _UNLABELLED and _LABELLED run over the text of every paragraph, so each is
# written to start with one character class: the regex engine then skips in C
# to the next character that can start a match, where a pattern that starts
# with a lookbehind or a case-insensitive word is tried at every position.
# Read plainly they are
#   _UNLABELLED: (?<![\w/.:-])(?:(?:{_ANY_FORM}){_END}|0\d{2,5}/{_YEAR}(?={_CODE}))
#   _LABELLED:   {_LABEL}({_GLUED}|(?:{_ANY_FORM}|...){_END})   (IGNORECASE)
# and tests/test_parsing_fast_paths.py checks that they match exactly as those do.
#
# Unlabelled, every form starts with a letter of _PREFIX or with "0": that first
# character is matched first, then the lookbehind (nothing of a token before it)
# and the form's remainder, chosen by a lookbehind at the first character.
_PREFIX_REST = r"[A-ZÅÄÖ]{0,5}(?:-[A-ZÅÄÖ]{1,4})?"  # _PREFIX after its first letter
_LETTER_FORMS = "|".join(f"(?:{_PREFIX_REST}{form.removeprefix(_PREFIX)})"
                         for form in _FORMS if form.startswith(_PREFIX))
_ZERO_FORMS = "|".join(f"(?:{form.removeprefix('0')})" for form in _FORMS if form[0] == "0")
_UNLABELLED = re.compile(
    rf"[A-ZÅÄÖ0](?<![\w/.:-].)"
    rf"(?:(?<=[A-ZÅÄÖ])(?:{_LETTER_FORMS}){_END}"
    rf"|(?<=0)(?:(?:{_ZERO_FORMS}){_END}|\d{{2,5}}/{_YEAR}(?={_CODE})))"
)
# _LABEL with its first letter matched case-sensitively: under IGNORECASE "d"
# matches only d and D, and "ä" only ä and Ä (unlike "i", "k", "s" and "å", which
# also match characters such as ı, K (Kelvin sign), ſ and Å (Ångström sign)).
_LABEL_SCANNED = (r"(?-i:[dDäÄ])(?:(?<=d)(?:nr|iarienr|iarienummer)"
                  r"|(?<=ä)(?:rendenummer|rendenr|rende\s*nr))\b\.?\s*:?\s*")
# With a label, bare numeric forms are safe too: "Dnr 2023/123", "Dnr 123/22",
# "DNR:KNSLI/20014197", "Diarienummer 00910/20241.1.2" (code glued on).
_LABELLED_FORMS = (rf"({_GLUED}|(?:{_ANY_FORM}|{_PREFIX}/\d{{5,10}}|\d{{4}}/\d{{1,6}}"
                   rf"|\d{{1,6}}/\d{{2,4}}){_END})")
_LABELLED = re.compile(_LABEL_SCANNED + _LABELLED_FORMS, re.IGNORECASE)
_GLUED_WHOLE = re.compile(rf"(?:{_LABEL})?(?<![\w/.:-])\d{{1,6}}/{_YEAR}{_CODE}\.?(?!\S)",
                          re.IGNORECASE)
_GLUED_SPLIT = re.compile(rf"^(?P<dnr>.*/{_YEAR})(?P<code>{_CODE})\.?$")
_NO_DOCUMENT = re.compile(r":-\d+$")
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]")  # left where a diarienummer was
_LABEL_ONLY = re.compile(rf"^\s*(?:{_LABEL})?\s*$", re.IGNORECASE)


# Every form has a "/" or a "-", and a match ends soon after its last one: at
# most 11 characters on, and its lookaheads read at most 25 characters past it
# (a glued code, "910/202412.123.123.123.123..5"; the tests hold examples at that
# edge). Text further than _TAIL past the text's last "/" or "-" cannot change
# what is found, so it is not searched: often most of a paragraph.
_TAIL = 64


def find_diarienummer(text: str) -> tuple[str, ...]:
    """All diarienummer in ``text``, normalised, in order of first appearance."""
    last = max(text.rfind("/"), text.rfind("-"))
    if last < 0:
        return ()
    end = last + _TAIL  # searched as if the text ended there
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for match in _LABELLED.finditer(text, 0, end):
        found.append((match.start(1), match.group(1)))
        taken.append(match.span(1))
    for match in _UNLABELLED.finditer(text, 0, end):
        if not any(start <= match.start() < end for start, end in taken):
            found.append((match.start(), match.group(0)))
    found.sort()
    out: list[str] = []
    for _, raw in found:
        # "SLK-2023-00369:-1" is a case without a document number.
        value = _NO_DOCUMENT.sub("", raw)
        if value not in out:
            out.append(value)
    return tuple(out)


def strip_diarienummer(text: str) -> str:
    """``text`` without diarienummer and their labels ("Dnr", "Ärendenummer").

    Used on header lines: "§ 12 Dnr KS 2023/123" leaves nothing, so the title
    must be on the next line.
    """
    if "/" in text or "-" in text:  # as in find_diarienummer: no form without one
        text = _GLUED_WHOLE.sub(" ", text)
        text = _LABELLED.sub(" ", text)
        text = _UNLABELLED.sub(" ", text)
    text = _EMPTY_BRACKETS.sub(" ", text)
    if _LABEL_ONLY.match(text):
        return ""
    return " ".join(text.split())


def split_glued_code(raw: str) -> tuple[str, str | None]:
    """``("00910/2024", "1.1.2")`` for ``"00910/20241.1.2"``; ``(raw, None)``
    when no classification code is glued to a number ending in a year."""
    match = _GLUED_SPLIT.match(raw)
    if not match:
        return raw, None
    return match["dnr"], match["code"]


@dataclass(frozen=True)
class HeaderCase:
    """What a paragraph header carries after its § number: an optional case
    identifier (diarienummer or internal number), the classification code that
    was glued to or printed beside it, and the rest, which starts the title."""

    case: str | None
    code: str | None
    title: str
    labelled: bool = False


_LABEL_START = re.compile(rf"^{_LABEL}", re.IGNORECASE)
# After a label anything number-like is the identifier ("DNR:KNSLI/20014197"),
# with a series prefix when one stands before the number ("Dnr KS 2023/123").
_LABELLED_TOKEN = re.compile(rf"^(?:{_PREFIX}\s(?=\d))?[^\s,;()]*\d[^\s,;()]*")
# Without a label only identifier shapes count, so that a title such as
# "2024 års budget" or "EU 2020 förordningen" is not read as one.
_BARE_TOKEN = re.compile(
    rf"^(?:{_PREFIX}(?:[/-]\d[\d/.:-]*\d|\s\d{{1,6}}[/.:-]\d[\d/.:-]*\d)"  # RS/559/2019, KS 2023/1
    rf"|\d{{1,6}}/\d{{2,6}}(?:[/.:-]\d{{1,6}})*\.?"  # 1360/22, 00910/20241.1.2 (not 13-15)
    rf"|\d{{5,6}})"  # internal case numbers
    rf"(?=\s|$)"
)
_SPACED_CODE = re.compile(rf"^\s+({_CODE}(?:\.\d{{1,3}})?)\.?(?=\s|$)")
_YEAR_SPAN = re.compile(r"^((?:19|20)\d{2})[/-](\d{2}|\d{4})$")
_SEPARATORS = " \t-–—:,;"


def header_case(rest: str) -> HeaderCase:
    """Read ``rest`` (a header line after its § number) as
    ``[label] [case identifier [code]] [title]``.

    "Diarienummer 00910/20241.1.2" -> case "00910/2024", code "1.1.2", no title;
    "1360/22 Detaljplan för ..." -> case "1360/22", title "Detaljplan för ...";
    "Budget 2024   Dnr KS 2023/123" -> no case here, title "Budget 2024" (the
    diarienummer is still found by :func:`find_diarienummer`).
    """
    text = rest.strip()
    label = _LABEL_START.match(text)
    token = None
    if label:
        after = text[label.end():]
        match = _LABELLED_TOKEN.match(after)
        if match:
            token, text = match.group(0), after[match.end():]
        else:
            text = after
    else:
        match = _BARE_TOKEN.match(text)
        if match and _plausible_bare(match.group(0), text[match.end():]):
            token, text = match.group(0), text[match.end():]
    if token is None:
        return HeaderCase(None, None, strip_diarienummer(text), bool(label))
    token = token.rstrip(".:")
    case, code = split_glued_code(token)
    spaced = _SPACED_CODE.match(text) if code is None else None
    if spaced:
        code, text = spaced.group(1), text[spaced.end():]
    case = _NO_DOCUMENT.sub("", case)
    return HeaderCase(case, code, strip_diarienummer(text.lstrip(_SEPARATORS)), bool(label))


def _plausible_bare(token: str, after: str) -> bool:
    """A bare number is a case identifier unless it reads as part of the title:
    followed by a lower-case word ("2023/24 års taxor") or a span of years."""
    following = after.lstrip()
    if following and following[0].islower():
        return False
    span = _YEAR_SPAN.match(token)
    if span:
        first, second = int(span[1]), int(span[2])
        if second % 100 == (first + 1) % 100:
            return False
    return True
