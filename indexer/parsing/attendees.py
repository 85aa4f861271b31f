"""People on a protocol's front page: "Robert Uitto (S), ordf., Region X"."""

from __future__ import annotations

import re

from paragraf_se.indexer.model import Attendee

# Word lengths are bounded so that matching stays linear on pathological lines.
_WORD = r"[A-ZÅÄÖÉÜ][\wåäöéüÅÄÖ'’\-]{1,30}"
_NAME = rf"{_WORD}(?:\s(?:af |von |de |van )?{_WORD}){{1,3}}"
_MAX_LINE = 400  # front-page lines are short; longer ones are body text
_NAME_PARTY = re.compile(rf"(?P<name>{_NAME})\s*\((?P<party>[A-Za-zÅÄÖåäö]{{1,4}})\)")
_NAME_ONLY = re.compile(rf"^{_NAME}$")
_ROLE = re.compile(
    r"\b(?:(?:1:e|2:e|förste|andre|tjänstgörande|tjg\.?)\s+)?(?:vice\s+)?"
    r"(?:ordf\.|ordförande|ordf\b|sekreterare|ersättare|ledamot|justerare)"
    r"|\bej tjänstgörande\b",
    re.IGNORECASE,
)
_BLOCK_LABELS = (
    ("beslutande", None),
    ("närvarande ledamöter", None),
    ("ledamöter", None),
    ("tjänstgörande ersättare", "ersättare"),
    ("ersättare", "ersättare"),
    ("övriga närvarande", ""),
    ("övriga deltagare", ""),
    ("närvarande tjänstemän", ""),
)
_STOP = re.compile(
    r"^(?:utses att justera|justerare|justeringens|underskrifter|protokollet omfattar|paragrafer"
    r"|sekreterare\b|ordförande\b|justerande\b|anslag|bevis|plats och tid|ärendelista"
    r"|föredragningslista|§)",
    re.IGNORECASE,
)
_PARAGRAPH_REF = re.compile(r"\s*§§?\s*[\d\s,\-–och]+$")


def parse_attendees(front: list[str]) -> tuple[Attendee, ...]:
    """Attendees listed under "Beslutande", "Ersättare" and "Övriga närvarande"."""
    found: list[Attendee] = []
    default_role: str | None = None
    in_block = False
    for text in front:
        label = _block_label(text)
        if label is not None:
            in_block, default_role, text = True, label[0], label[1]
        elif _STOP.match(text):
            in_block = False
            continue
        if in_block and text and len(text) <= _MAX_LINE:
            found.extend(_parse_line(text, default_role))
    return tuple(found)


def parse_names(text: str) -> tuple[str, ...]:
    """Names in a list like "Anna Ek (S) och Bo Berg (M)" or "Anna Ek, Bo Berg"."""
    text = text[:_MAX_LINE]
    with_party = [m["name"] for m in _NAME_PARTY.finditer(text)]
    if with_party:
        return tuple(with_party)
    parts = re.split(r",|\boch\b", text)
    return tuple(p.strip() for p in parts if _NAME_ONLY.match(p.strip()))


def _block_label(text: str) -> tuple[str | None, str] | None:
    """(default role, rest of line) when ``text`` starts an attendee block."""
    lowered = text.lower()
    for label, role in _BLOCK_LABELS:
        if lowered.startswith(label):
            rest = text[len(label):]
            rest = re.sub(r"^\s*(?:ledamöter|ledamot)?\s*:?\s*", "", rest, flags=re.IGNORECASE)
            return role, rest
    return None


def _parse_line(text: str, default_role: str | None) -> list[Attendee]:
    matches = list(_NAME_PARTY.finditer(text))
    if matches:
        out = []
        for position, match in enumerate(matches):
            end = matches[position + 1].start() if position + 1 < len(matches) else len(text)
            role = _ROLE.search(text[match.end():end])
            out.append(Attendee(
                name=match["name"],
                party=match["party"].upper(),
                role=role.group(0) if role else (default_role or None),
            ))
        return out
    name, _, rest = text.partition(",")
    name = name.strip()
    if not _NAME_ONLY.match(name):
        return []
    rest = _PARAGRAPH_REF.sub("", rest).strip(" ,")
    if default_role == "":  # "Övriga närvarande": the description is the role
        return [Attendee(name=name, party=None, role=rest or None)]
    role = _ROLE.search(rest)
    return [Attendee(name=name, party=None, role=role.group(0) if role else default_role)]
