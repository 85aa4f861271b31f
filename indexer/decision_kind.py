"""What a paragraph decided: a matter decided, postponed, referred back or noted.

Staff searching protocols look for the paragraph that *decided* a matter. A
case is often tabled ("Ärendet bordläggs") several times, or referred back
("Ärendet återremitteras"), before it is decided, and reports are merely
noted ("Informationen antecknas", "läggs till handlingarna"); those
paragraphs repeat the title, so they match a search as well as the decision
does. :func:`classify_decision` reads the decision with a general rule over
Swedish decision phrasing, so ranking can prefer the decision a little (see
:data:`PRIORS`).

The rule, over the decision's sentences (lead-ins such as "På förslag av
ordföranden:" or "Kommunstyrelsen beslutar:" and history such as "Bordlagt
den 15 januari 2025" are neutral):

- the first sentence that decides anything postpones the matter: ``bordlagt``;
  refers it back: ``återremiss`` (the sentences after it elaborate it, until
  the next numbered point);
- every sentence only takes note: ``information``; list paragraphs
  (anmälningsärenden, delegationsbeslut, meddelanden) are ``information`` too;
- any other decision: ``beslut``; no decision text at all: ``okänt``.

Pure functions; cached per decision text.
"""

from __future__ import annotations

import functools
import re

from paragraf_se.indexer.parsing.sections import split_sections

BESLUT = "beslut"
BORDLAGT = "bordlagt"
ATERREMISS = "återremiss"
INFORMATION = "information"
OKANT = "okänt"
KINDS = (BESLUT, BORDLAGT, ATERREMISS, INFORMATION, OKANT)

# Multiplicative ranking prior per kind: modest, so a clearly better text
# match still ranks first, but among equal matches the decision leads. Chosen
# with the relevance set (docs/search-quality.md): the largest handicaps that
# left no judged query worse. A note is only a tie-breaker: at 0.95 a noted
# report graded relevant fell below unrelated decisions with the same weak match.
PRIORS: dict[str, float] = {
    BESLUT: 1.0,
    OKANT: 1.0,
    INFORMATION: 0.985,
    ATERREMISS: 0.92,
    BORDLAGT: 0.92,
}

_POSTPONE = re.compile(r"\bbordl(?:ägg|äg|ag|ad)\w*")
_REFER = re.compile(r"\båterremi(?:tt|ss)\w*")
# A motion to postpone or refer back that was rejected is no postponement.
_REJECTED = re.compile(
    r"\b(?:avslå\w*|avslag|avslogs|inte|ej|icke)\b.{0,80}\b(?:bordl|återremi)"
    r"|\b(?:bordl|återremi)\w*.{0,80}\b(?:avslås|avslogs|avslagits|faller|föll)\b"
    r"|\bavgöras\b"
)
# History in the decision text: "Bordlagt den 15 januari 2025, § 8",
# "återremitterat från kommunfullmäktige".
_HISTORY = re.compile(
    r"\b(?:bordlagt|bordlagd|bordlades|återremitterat|återremitterad|återremitterades)\b"
    r"\s+(?:den|från|av|vid|på|i|till\s+kommunstyrelsen\s+den|\d)"
)
_NOTE = re.compile(
    r"\b(?:antecknas|antecknades|antecknar\s+(?:informationen|redovisningen|rapporten)"
    r"|läggs\s+till\s+handlingarna|lades\s+till\s+handlingarna"
    r"|lägg(?:er|a)\s+.{0,80}\btill\s+handlingarna"
    r"|noterar|noteras|noterades|tar\s+del\s+av|tagit\s+del\s+av|tog\s+del\s+av"
    r"|tackar\s+för|tar\s+emot\s+(?:informationen|redovisningen|rapporten)"
    r"|(?:informationen|redovisningen|rapporten|anmälningarna|meddelandena)\s+"
    r"(?:tas\s+emot|mottas|godkänns|noteras|läggs)"
    r"|(?:har|hade|blev|blir)\s+informerad\w*|informeras\s+om)"
)
# Words that make a noted report a decision after all ("antecknas och
# förklaras fullgjort", "… antecknas och nämnden får i uppdrag").
_DECIDES_TOO = re.compile(
    r"\b(?:fullgjor\w*|uppdrag\w*|fastställ\w*|beviljas|avslås|bifalls|antas|upphävs"
    r"|godkänns)\b"
)
_PROPOSES = re.compile(r"\b(?:föreslå\w*|tillstyrk\w*|hemställ\w*|uppdrag\w*)\b")
_NUMBERED = re.compile(r"^\(?\d{1,2}[.):]\s")
_BULLET = re.compile(r"^(?:[•\-–*]|[a-zåäö][.)])\s*")
# Sentence ends, numbered points and bullets start new segments.
_SEGMENTS = re.compile(
    r"(?<=[.:;!?])(?<!\b\d[.)])(?<!\b\d\d[.)])\s+|\s+(?=\(?\d{1,2}[.)]\s)|\s*•\s*")
_LIST_TITLE = re.compile(
    r"^(?:(?:redovisning|anmälan|anmälningar|förteckning|lista|rapportering)\s+"
    r"(?:av|om|över)\s+(?:\w+\s+){0,2}(?:delegationsbeslut|inkomna|meddelanden|delgivningar)"
    r"|delegationsbeslut\b|anmälningsärenden|anmälningar\b|anmälda\s+ärenden|meddelanden\b"
    r"|delgivningar\b|informationsärenden|inkomna\s+(?:skrivelser|handlingar)"
    r"|\w+s\s+anmälningar\b)",
    re.IGNORECASE,
)


def classify_decision(title: str, decision: str, text: str = "") -> str:
    """The kind of decision a paragraph records: one of :data:`KINDS`.

    ``decision`` is the parsed decision section; when it is empty the
    sections of ``text`` headed as a decision ("Beslut", "Kommunstyrelsens
    beslut") are read instead, and the title says whether it is a list of
    notices.
    """
    body = decision.strip() or _decision_in_text(text)
    kind = classify_decision_text(body) if body else OKANT
    if kind in (BESLUT, OKANT) and _LIST_TITLE.match(title.strip()):
        return INFORMATION
    return kind


def _decision_in_text(text: str) -> str:
    if "eslut" not in text:  # no "Beslut"/"… beslut" heading can be there
        return ""
    return "\n\n".join(s.text for s in split_sections(text.splitlines()) if s.kind == "beslut")


# What decides the kind is in the first sentences; a longer decision is cut
# here (at a sentence end) so classifying costs little whatever its length.
MAX_DECISION_CHARS = 1500


@functools.lru_cache(maxsize=50_000)
def classify_decision_text(decision: str) -> str:
    """The kind of one decision text (see the module docstring for the rule)."""
    normalised = " ".join(decision[: MAX_DECISION_CHARS * 2].lower().split())
    if len(normalised) > MAX_DECISION_CHARS:
        cut = normalised.rfind(". ", 0, MAX_DECISION_CHARS)
        normalised = normalised[: cut + 1] if cut > 0 else normalised[:MAX_DECISION_CHARS]
    kinds: list[str] = []
    elaborating = False
    for raw in _SEGMENTS.split(normalised):
        segment = raw.strip()
        if not segment:
            continue
        numbered = bool(_NUMBERED.match(segment))
        if elaborating and not numbered:
            continue  # the points of a postponement or a referral back
        elaborating = False
        segment = _BULLET.sub("", _NUMBERED.sub("", segment)).strip()
        kind = _segment_kind(segment)
        if kind is None:
            continue
        # What follows a first postponement or referral elaborates it.
        elaborating = kind in (BORDLAGT, ATERREMISS) and not kinds
        kinds.append(kind)
    if not kinds:
        return OKANT
    if kinds[0] in (BORDLAGT, ATERREMISS) and all(k != BESLUT for k in kinds[1:]):
        return kinds[0]
    if all(k == INFORMATION for k in kinds):
        return INFORMATION
    return BESLUT


def _segment_kind(segment: str) -> str | None:
    """One sentence's kind, or None when it decides nothing (lead-in, history)."""
    if len(segment) < 3 or not any(ch.isalpha() for ch in segment):
        return None
    if segment.endswith(":") and not _PROPOSES.search(segment):
        return None  # "På förslag av ordföranden:", "Kommunstyrelsen beslutar:"
    if "bordl" in segment or "återremi" in segment:  # cheap test before the patterns
        if _HISTORY.search(segment) and not _present_tense(segment):
            return None
        if _REJECTED.search(segment):
            return None  # a rejected motion to postpone: the decision follows
        if _POSTPONE.search(segment) and _present_tense(segment, postpone=True):
            return BORDLAGT
        if _REFER.search(segment) and _present_tense(segment, postpone=False):
            return ATERREMISS
    if _NOTE.search(segment) and not _DECIDES_TOO.search(_NOTE.sub(" ", segment)):
        return INFORMATION
    return BESLUT


_POSTPONE_NOW = re.compile(r"\bbordl(?:äggs|ägges|ägger|ägga|äggning|ade\s+ärendet)\b|"
                           r"\bbordlagt\s*\.?$|\bbordläggs\b")
_REFER_NOW = re.compile(r"\båterremitt(?:eras|eres|erar|era)\b|\båterremiss\b|"
                        r"\båterremitterades\s+ärendet")


def _present_tense(segment: str, postpone: bool | None = None) -> bool:
    """The sentence itself postpones or refers back (not history of it)."""
    if postpone is None:
        return bool(_POSTPONE_NOW.search(segment) or _REFER_NOW.search(segment))
    return bool((_POSTPONE_NOW if postpone else _REFER_NOW).search(segment))


def prior(kind: str) -> float:
    """The ranking multiplier of a decision kind (1.0 for unknown values)."""
    return PRIORS.get(kind, 1.0)
