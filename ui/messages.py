"""The UI's error messages, in Swedish, for the API's English request errors."""

from __future__ import annotations

import re

from paragraf_se.indexer.engine import MAX_PAGE, MAX_PAGE_SIZE, InvalidRequest

FIELD_NAMES = {"q": "Sökfrågan", "org": "Organisationen", "body": "Organet", "year": "Året",
               "from": "Från-datumet", "to": "Till-datumet", "sort": "Sorteringen",
               "mode": "Sökläget", "page": "Sidnumret", "size": "Antalet per sida",
               "group": "Grupperingen", "status": "Statusen"}
_BY_PARAM = {
    "year": "Året måste vara ett årtal med fyra siffror, till exempel 2023.",
    "from": "Från-datumet måste vara ett datum som ÅÅÅÅ-MM-DD, till exempel 2023-01-31.",
    "to": "Till-datumet måste vara ett datum som ÅÅÅÅ-MM-DD, till exempel 2023-12-31.",
    "sort": "Sorteringen kan vara relevans, nyast först eller äldst först.",
    "mode": "Sökläget kan vara vanlig sökning eller exakt sökning.",
    "page": f"Sidnumret måste vara ett heltal mellan 1 och {MAX_PAGE}.",
    "size": f"Antalet per sida måste vara ett heltal mellan 1 och {MAX_PAGE_SIZE}.",
    "group": "Grupperingen kan bara vara per ärende (group=arende).",
    "status": "Statusen kan vara ok, varningar eller misslyckad.",
}


def swedish_error(err: InvalidRequest) -> str:
    """A sentence a person can act on, for a request error of the search."""
    if "after 'to'" in err.message:
        return "Från-datumet kan inte vara efter till-datumet."
    if "at most once" in err.message:
        return f"{FIELD_NAMES.get(err.param, 'Parametern ' + err.param)} får bara anges en gång."
    return _BY_PARAM.get(err.param, f"Ogiltigt värde för {err.param}.")


# The parser's reasons (English, as the CLI and API give them) in Swedish for the
# documents page. A reason not listed is shown as it is, marked as English.
_REASON_FORMS = (
    (r"no § paragraphs found", "Inga paragrafer (§) hittades."),
    (r"paragraph numbers jump from § (.+) to § (.+)",
     r"Paragrafnumren hoppar från § \1 till § \2."),
    (r"§ (.+) has no title", r"§ \1 saknar rubrik."),
    (r"§ (.+) appears twice; the first is kept",
     r"§ \1 förekommer två gånger; den första behålls."),
    (r"meeting date not found", "Sammanträdesdatum hittades inte."),
    (r"empty document: the PDF has no text", "Tomt dokument: PDF-filen har ingen text."),
    (r"cannot read file: (.+)", r"Filen kan inte läsas: \1"),
    (r"the parser process died on this document",
     "Tolkningen avbröts: processen dog på dokumentet."),
    (r"parsing took longer than (\d+) s and was stopped",
     r"Tolkningen tog längre än \1 s och avbröts."),
    (r"needs OCR: pages (.+) have no text layer", r"Behöver OCR: sidorna \1 saknar textlager."),
    (r"needs OCR: OCR found no text on pages (.+)",
     r"Behöver OCR: OCR hittade ingen text på sidorna \1."),
    (r"needs OCR: OCR found no text", "Behöver OCR: OCR hittade ingen text."),
    (r"needs OCR", "Behöver OCR: dokumentet är skannat utan textlager."),
    (r"OCR \(Swedish\) read pages (.+)", r"Sidorna \1 lästes med OCR (svenska)."),
)
_REASONS = tuple((re.compile(pattern), swedish) for pattern, swedish in _REASON_FORMS)


def swedish_reason(message: str) -> tuple[str, bool]:
    """(text, translated): a parse reason in Swedish when its form is known."""
    for pattern, swedish in _REASONS:
        m = pattern.fullmatch(message)
        if m:
            return m.expand(swedish), True
    return message, False
