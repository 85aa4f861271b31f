"""People on a protocol's front page: "Robert Uitto (S), ordf., Region X"."""

from __future__ import annotations

import re

from paragraf_se.indexer.model import Attendee
from paragraf_se.indexer.parsing.bodies import kind_of

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


# How many people a body's front page can plausibly list. A fullmäktige has at most
# 101 members (kommunallagen 5 kap. 5 §), up to half as many ersättare, and some
# officials; other bodies (nämnd, styrelse, utskott, råd, beredning, direktion) are
# far smaller. When the body is unknown the fullmäktige bound applies.
MAX_PEOPLE = {"fullmäktige": 200, "other": 80}
_JUNK_SHARE = 0.25  # more than this share of non-names means the list is not a list
# Whole words that are never part of a person's name in a protocol.
_NOT_NAME_WORD = re.compile(
    r"^(?:[\wåäö-]*(?:fullmäktige|styrelse|styrelsen|nämnd|nämnden|utskott|utskottet|rådet"
    r"|beredningen|direktionen)|kommun\w*|region\w*|landsting\w*|stad|staden|stads"
    r"|protokoll\w*|sammanträde\w*|\w*datum|justera\w*|ordförande|sekreterare|ersättare"
    r"|ledamot|ledamöter|beslutande|närvarande|paragraf\w*|plats|tid|sign\.?|sida|bilaga\w*"
    r"|ärende\w*|\w*förvaltning\w*|\w*kontoret|avdelning\w*|enhet\w*|beslut\w*"
    r"|yrkande\w*|förslag\w*|anslag\w*|underskrift\w*|januari|februari|mars|april|juni"
    r"|juli|augusti|september|oktober|november|december|måndag|tisdag|onsdag|torsdag"
    r"|fredag|lördag|söndag)$",
    re.IGNORECASE,
)


def is_person_name(name: str) -> bool:
    """True when ``name`` has a person's shape: capitalised given name(s) and a
    surname, not a header in capitals nor a word of protocol furniture."""
    words = name.split()
    if not 2 <= len(words) <= 4:
        return False
    if any(len(w) > 2 and w.isupper() for w in words):
        return False  # "HÖGSBY KOMMUN", "ANNA EK" in a header band
    return not any(_NOT_NAME_WORD.match(w.strip(".,:;")) for w in words)


def plausible_attendees(attendees: tuple[Attendee, ...], body: str | None
                        ) -> tuple[tuple[Attendee, ...], str]:
    """(attendees, warning): the people of a plausible list, or none and why.

    Entries without a person's name are left out; a list that is mostly not names,
    or longer than the body can seat, is dropped whole with a warning.
    """
    if not attendees:
        return (), ""
    people = tuple(a for a in attendees if is_person_name(a.name))
    junk = [a.name for a in attendees if not is_person_name(a.name)]
    if len(junk) >= 3 and len(junk) > _JUNK_SHARE * len(attendees):
        examples = ", ".join(repr(n) for n in junk[:3])
        return (), (f"attendee list dropped: {len(junk)} of {len(attendees)} entries are "
                     f"not names of people (e.g. {examples})")
    unique = tuple(dict.fromkeys(people))
    kind = kind_of(body) if body else None
    bound = MAX_PEOPLE["other"] if kind and kind != "fullmäktige" else MAX_PEOPLE["fullmäktige"]
    if len(unique) > bound:
        what = f"a {kind}" if kind else "any body"
        return (), (f"attendee list dropped: {len(unique)} people is more than {what} "
                    f"can have (at most {bound})")
    return unique, ""
