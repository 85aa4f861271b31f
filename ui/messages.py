"""The UI's error messages, in Swedish, for the API's English request errors."""

from __future__ import annotations

from paragraf_se.indexer.search import MAX_PAGE, MAX_PAGE_SIZE, InvalidRequest

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
