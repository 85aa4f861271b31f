"""Diarienummer (case numbers) in their many printed forms.

Seen formats: ``RS/559/2019``, ``KS 2018/14``, ``DNR:KU/2007.9`` (-> ``KU/2007.9``),
``SLK-2024-00078`` (also with a document suffix ``SLK-2023-00025:26``; ``:-1`` means
"no document" and is dropped), ``0098/22`` and "Dnr KS 2023/123" (-> ``KS 2023/123``).
Dates ("2017-08-21", "2018-2020") and law references ("(2017:725)") are not diarienummer.
"""

from __future__ import annotations

import re

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
_UNLABELLED = re.compile(rf"(?<![\w/.:-])(?:{_ANY_FORM})(?![\w/-]|[.:]\d)")
# With a label, bare numeric forms are safe too: "Dnr 2023/123", "Dnr 123/22".
_LABELLED = re.compile(
    rf"{_LABEL}((?:{_ANY_FORM})|\d{{4}}/\d{{1,6}}|\d{{1,5}}/\d{{2,4}})(?![\w/-]|[.:]\d)",
    re.IGNORECASE,
)
_NO_DOCUMENT = re.compile(r":-\d+$")
_LABEL_ONLY = re.compile(rf"^\s*(?:{_LABEL})?\s*$", re.IGNORECASE)


def find_diarienummer(text: str) -> tuple[str, ...]:
    """All diarienummer in ``text``, normalised, in order of first appearance."""
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for match in _LABELLED.finditer(text):
        found.append((match.start(1), match.group(1)))
        taken.append(match.span(1))
    for match in _UNLABELLED.finditer(text):
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
    text = _LABELLED.sub(" ", text)
    text = _UNLABELLED.sub(" ", text)
    text = re.sub(r"\(\s*\)|\[\s*\]", " ", text)
    if _LABEL_ONLY.match(text):
        return ""
    return " ".join(text.split())
