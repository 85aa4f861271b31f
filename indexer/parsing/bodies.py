"""Names of decision-making bodies, recognised by their kind.

A body's name ends in its kind: fullmäktige, styrelse, nämnd, utskott, råd,
beredning or direktion ("Kommunstyrelsen", "Barn- och utbildningsnämnden",
"Regionala beredningsrådet", "Kommunstyrelsens arbetsutskott"), or starts with it
and names a field ("Nämnden för teknik och fritid"). A phrase that merely
mentions a body ("Årsrapport för kommunstyrelsen", "Rättelse av
kommunstyrelsen") is not a name: its first word is neither a qualifier nor a
kind. Callers decide where a name may be read; this module only says whether a
string is one.
"""

from __future__ import annotations

import re

KINDS = ("fullmäktige", "styrelse", "nämnd", "utskott", "råd", "beredning", "direktion")
_KIND_WORD = re.compile(
    r"^[\wåäö-]*(?:fullmäktige|styrelse|styrelsen|nämnd|nämnden|utskott|utskottet|råd|rådet"
    r"|beredning|beredningen|direktion|direktionen)$"
)
_GENITIVE_KIND_WORD = re.compile(
    r"^[\wåäö-]*(?:fullmäktiges|styrelses|styrelsens|nämnds|nämndens|utskotts|utskottets|råds"
    r"|rådets|berednings|beredningens|direktions|direktionens)$"
)
_DEFINITE_KIND = re.compile(r"(?:en|et|ige)$")
_MAX_WORDS = 12
_MAX_CHARS = 90
# Words that may stand before the kind word: a genitive owner ("Kommunstyrelsens",
# "Regionens"), a definite adjective ("Regionala", "Gemensamma", "Allmänna"), or a
# coordinated first half of a compound ("Barn- och", "Kultur-, fritids- och").
_GENITIVE = re.compile(r"^[\wåäö-]{3,}s$")
_ADJECTIVE = re.compile(r"^(?:[\wåäö-]{3,}(?:a|e)|gemensam)$")
_COMPOUND_HALF = re.compile(r"^[\wåäö]+-,?$")
_COORDINATION = frozenset({"och", "samt"})
_TAIL_WORD = re.compile(r"^[\wåäöÅÄÖ][\wåäöÅÄÖ-]*,?$")


def kind_of(name: str) -> str | None:
    """The kind of body a name denotes ("Kommunstyrelsens arbetsutskott" -> "utskott")."""
    words = name.casefold().split()
    head = next((w for w in reversed(words) if _KIND_WORD.match(w)), None)
    if head is None:
        return None
    # The kind that ends the word: "styrelserådet" is a råd.
    return max(KINDS, key=lambda kind: head.rfind(kind))


def body_name(text: str, *, after_org: bool = False) -> str | None:
    """``text`` as a body name in the nominative, or None when it is not one.

    "KOMMUNSTYRELSEN" -> "Kommunstyrelsen", "Kommunfullmäktiges" ->
    "Kommunfullmäktige" (from "Kommunfullmäktiges protokoll"); "Årsrapport för
    kommunstyrelsen" -> None. A name stands capitalised unless ``after_org``: it
    follows an authority's name ("Göteborgs Stad kommunstyrelsens protokoll").
    """
    text = re.sub(r"\s+", " ", text.strip(" ,.:;–-|"))
    if not text or len(text) > _MAX_CHARS or re.search(r"[\d§()\"”“]", text):
        return None
    if text.isupper():
        text = text.lower()
    elif not text[0].isupper() and not after_org:
        return None  # "kommunfullmäktige." ends a sentence; a name is capitalised
    words = text.split(" ")
    if len(words) > _MAX_WORDS or not words[0][:1].isalpha():
        return None
    lowered = [w.casefold() for w in words]
    # "Nämnden för teknik och fritid", "Gemensam nämnd för IT-drift": a kind word
    # (definite, or qualified), then "för" and a field.
    if "för" in lowered:
        cut = lowered.index("för")
        head, tail = lowered[:cut], words[cut + 1:]
        if (not head or not _KIND_WORD.match(head[-1])
                or not (_DEFINITE_KIND.search(head[-1]) or len(head) > 1)
                or not tail or not all(_TAIL_WORD.match(w) for w in tail)
                or not _qualifiers_ok(head[:-1])):
            return None
        return _capitalise(text)
    last = lowered[-1]
    if _GENITIVE_KIND_WORD.match(last):
        # "Kommunstyrelsens" (a running header's "Kommunstyrelsens protokoll"):
        # the nominative drops the genitive s.
        words[-1] = words[-1][:-1]
        last = last[:-1]
    if not _KIND_WORD.match(last) or not _qualifiers_ok(lowered[:-1]):
        return None
    return _capitalise(" ".join(words))


def _qualifiers_ok(words: list[str]) -> bool:
    if len(words) > 5:
        return False
    for position, word in enumerate(words):
        if word in _COORDINATION:
            # Only inside a coordinated compound: "Barn- och utbildningsnämnden".
            if position == 0 or not _COMPOUND_HALF.match(words[position - 1]):
                return False
        elif not (_GENITIVE.match(word) or _ADJECTIVE.match(word)
                  or _COMPOUND_HALF.match(word)):
            return False
    return True


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]
