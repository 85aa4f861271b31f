"""The user's query language, parsed into an engine-neutral tree.

Syntax (Swedish field names, English aliases):

    avfall plan            both words (AND is the default)
    avfall OR sopor        either word
    -förbud  NOT förbud    without the word
    "för att"              the exact phrase
    elbil*                 words starting with "elbil"
    organ:"Åsjö kommun"    field filters: organ/org, nämnd/body, år/year, dnr

Parsing never fails: input it cannot make sense of (an unbalanced quote, a
dangling OR, an unknown field) is read as plain words and a notice says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from paragraf_se.indexer.facets import FACETS

# Field names of the query language: each facet's aliases, and the diarienummer.
FIELD_ALIASES: dict[str, str] = {
    **{alias: f.name for f in FACETS for alias in f.query_aliases},
    "dnr": "dnr",
    "diarienummer": "dnr",
}

MAX_QUERY_CHARS = 1000
MAX_CLAUSES = 32


@dataclass(frozen=True)
class Term:
    """One searchable unit: a word, a quoted phrase or a prefix."""

    text: str
    kind: str = "word"  # "word" | "phrase" | "prefix"


@dataclass(frozen=True)
class Clause:
    """Alternatives joined by OR; the clause is negated for ``-x`` / ``NOT x``."""

    alternatives: tuple[Term, ...]
    negated: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    """Clauses (all must hold), field filters and notices for the user."""

    clauses: tuple[Clause, ...] = ()
    filters: tuple[tuple[str, str], ...] = ()
    notices: tuple[str, ...] = ()

    @property
    def positive(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if not c.negated)

    @property
    def is_empty(self) -> bool:
        return not self.clauses


_LEXEME = re.compile(r'(-?)(?:(\w+):)?(?:"([^"]*)"|([^\s"]+))', re.UNICODE)


class _Malformed(ValueError):
    pass


def parse_query(text: str) -> ParsedQuery:
    """Parse the query language; never raises."""
    notices: list[str] = []
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notices.append(f"Frågan kortades till {MAX_QUERY_CHARS} tecken.")
    try:
        parsed = _parse_strict(text)
    except _Malformed as err:
        parsed = _parse_plain(text)
        notices.append(f"Frågan kunde inte tolkas ({err}); orden söktes som vanliga ord.")
    if len(parsed.clauses) > MAX_CLAUSES:
        notices.append(f"Bara de {MAX_CLAUSES} första orden användes.")
        parsed = ParsedQuery(parsed.clauses[:MAX_CLAUSES], parsed.filters, parsed.notices)
    return ParsedQuery(parsed.clauses, parsed.filters, tuple(notices) + parsed.notices)


# "KS 2018/14", "Dnr KS 2023/123": a series prefix then a number is one identifier.
_SPACED_ID = re.compile(
    r"(?<![\w\"])(?:(?i:dnr|diarienummer|ärendenummer)[.:]?\s+)?"
    r"([A-ZÅÄÖ]{1,6})\s+(\d{1,4}[/.:-]\d{1,6}(?:[/.:-]\d+)?)(?![\w/.:-])"
)


# "Diarienummer 00910/2024", "Ärende nr 1360/22": the label as printed before a
# case number is not a word to look for (the number itself is).
_CASE_LABEL = re.compile(
    r"(?<![\w\"])(?i:dnr|diarienr|diarienummer|ärendenummer|ärendenr|ärende\s+nr)[.:]?\s+"
    r"(?=[^\s\"]*\d)"
)


def _parse_strict(text: str) -> ParsedQuery:
    if text.count('"') % 2:
        raise _Malformed("citattecken saknar slut")
    if '"' not in text:
        text = _SPACED_ID.sub(r'"\1 \2"', text)
        text = _CASE_LABEL.sub("", text)
    clauses: list[Clause] = []
    filters: list[tuple[str, str]] = []
    pending_or = False
    pending_not = False
    for m in _LEXEME.finditer(text):
        minus, field, quoted, bare = m.group(1), m.group(2), m.group(3), m.group(4)
        if field is None and quoted is None and bare in ("OR", "ELLER", "|"):
            if not clauses or pending_or or pending_not:
                raise _Malformed("OR står på fel plats")
            pending_or = True
            continue
        if field is None and quoted is None and bare in ("NOT", "INTE") and not minus:
            if pending_not:
                raise _Malformed("NOT står två gånger")
            pending_not = True
            continue
        if field is not None:
            name = FIELD_ALIASES.get(field.casefold())
            if name is None:
                raise _Malformed(f"okänt fält {field}:")
            value = (quoted if quoted is not None else bare or "").strip()
            if not value:
                raise _Malformed(f"fältet {field}: saknar värde")
            filters.append((name, value))
            continue
        term = _term(quoted, bare)
        if term is None:
            continue
        negated = bool(minus) or pending_not
        pending_not = False
        if pending_or:
            pending_or = False
            last = clauses[-1]
            if last.negated or negated:
                raise _Malformed("OR kan inte kombineras med NOT")
            clauses[-1] = Clause((*last.alternatives, term))
        else:
            clauses.append(Clause((term,), negated))
    if pending_or or pending_not:
        raise _Malformed("frågan slutar med OR eller NOT")
    if clauses and all(c.negated for c in clauses):
        raise _Malformed("bara uteslutna ord")
    return ParsedQuery(tuple(clauses), tuple(filters))


def _term(quoted: str | None, bare: str | None) -> Term | None:
    if quoted is not None:
        words = quoted.split()
        if not words:
            return None
        return Term(" ".join(words), "phrase" if len(words) > 1 else "word")
    assert bare is not None
    if bare.endswith("*") and len(bare.rstrip("*")) >= 2:
        return Term(bare.rstrip("*"), "prefix")
    core = bare.strip("*")
    return Term(core) if core else None


def _parse_plain(text: str) -> ParsedQuery:
    """Every run of word characters (and identifier punctuation) as a word."""
    words = re.findall(r"[\w/.:-]*\w", text, re.UNICODE)
    return ParsedQuery(tuple(Clause((Term(w),)) for w in words if w not in ("OR", "NOT")))
