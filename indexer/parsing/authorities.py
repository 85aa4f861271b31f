"""Sweden's municipalities and regions, and finding their names where a protocol prints them.

The list (``indexer/data/authorities.tsv``, public SCB facts) gives each
authority's official name and, where it differs, the name it prints itself
("Göteborgs Stad", "Region Gotland"). A protocol may print either, in capitals
("HÖGSBY KOMMUN"), in the genitive ("Högsby kommuns"), or, for a region, under its
former county council name ("Kalmar läns landsting", "Landstinget Kronoberg").
Every form maps to one canonical name, the one the authority prints itself, so
that facets and permalinks do not split one authority in two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "authorities.tsv"


@dataclass(frozen=True)
class Authority:
    """One municipality or region of the list."""

    code: str  # SCB code: "0821" (kommun), "08" (region)
    kind: str  # "kommun" | "region"
    name: str  # official: "Högsby kommun", "Göteborgs kommun"
    printed: str  # how it prints itself: "Göteborgs Stad"; the official name if no other
    county: str  # "Kalmar län"

    @property
    def canonical(self) -> str:
        """The name facts are stored under: how the authority prints itself."""
        return self.printed or self.name


@dataclass(frozen=True)
class AuthorityMatch:
    """An authority named in a line of text."""

    authority: Authority
    start: int
    end: int
    printed: str  # as found: "HÖGSBY KOMMUN", "Högsby kommuns"


@cache
def authorities() -> tuple[Authority, ...]:
    """Every authority of the shipped list."""
    out = []
    for raw in DATA_FILE.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        code, kind, name, printed, county = raw.split("\t")
        out.append(Authority(code, kind, name, printed or name, county))
    return tuple(out)


def _genitive(name: str) -> str:
    """Swedish genitive: "Högsby kommun" -> "Högsby kommuns"; "Region Skåne" -> "Region
    Skånes"; names ending in s, x or z take no s ("Borås" stays "Borås")."""
    return name if name[-1].lower() in "sxz" else name + "s"


def _forms(authority: Authority) -> set[str]:
    names = {authority.name, authority.printed}
    if authority.kind == "region":
        county = authority.county  # "Kalmar län"
        short = authority.name.removeprefix("Region ")  # "Kalmar län", "Skåne"
        names |= {f"{_genitive(county)} landsting", f"Landstinget i {county}",
                  f"Landstinget {short}", f"Landstinget i {short}"}
    return names | {_genitive(n) for n in names}


@cache
def _lookup() -> tuple[dict[str, Authority], re.Pattern[str]]:
    by_form: dict[str, Authority] = {}
    for authority in authorities():
        for form in _forms(authority):
            by_form.setdefault(form.casefold(), authority)
    # Longest first, so "Region Jämtland Härjedalens" wins over "Region Jämtland Härjedalen".
    alternatives = sorted(by_form, key=len, reverse=True)
    pattern = re.compile(
        r"(?<![\w-])(?:" + "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in alternatives)
        + r")(?![\w-])",
        re.IGNORECASE,
    )
    return by_form, pattern


_KIND_WORD = re.compile(r"kommun|region|stad|landsting", re.IGNORECASE)


def find_authorities(text: str) -> list[AuthorityMatch]:
    """Every listed authority named in ``text``, in order."""
    if not _KIND_WORD.search(text):
        return []  # every form names its kind; most lines are ruled out cheaply
    by_form, pattern = _lookup()
    out = []
    for match in pattern.finditer(text):
        key = re.sub(r"\s+", " ", match.group(0)).casefold()
        authority = by_form.get(key)
        if authority is not None:
            out.append(AuthorityMatch(authority, match.start(), match.end(), match.group(0)))
    return out


def lookup(name: str) -> Authority | None:
    """The authority a whole string names ("HÖGSBY KOMMUN", "Göteborgs Stads"), if any."""
    return _lookup()[0].get(re.sub(r"\s+", " ", name.strip()).casefold())


# Authority-shaped names the list lacks: a federation of authorities
# ("Kommunalförbundet Sjuhärad"), or a municipality the list does not know (a
# fictional one in examples, a list gone out of date). Callers flag them. A
# definite plural genitive ("Möjligheternas kommun", a slogan) is no place name.
_UNLISTED = re.compile(
    r"(?<![\w-])(?:(?:Kommunalförbundet|Samordningsförbundet|Kommunförbundet"
    r"|Räddningstjänstförbundet|Gymnasieförbundet)(?:\s+[A-ZÅÄÖ][\wåäö-]+){1,3}"
    r"|Region\s+[A-ZÅÄÖ][\wåäö]+(?:\s+[A-ZÅÄÖ][\wåäö]+)?"
    r"|(?![\wåäö]+nas\s)[A-ZÅÄÖ][\wåäö]+(?:-[A-ZÅÄÖ][\wåäö]+)?\s+(?:kommun|[Ss]tad)s?)"
    r"(?![\w-])"
)


_NOT_NAME_TAIL = re.compile(
    r"(?:protokoll\w*|kallelse|fullmäktige|styrelsen?|nämnden?|utskottet|rådet|beredningen"
    r"|direktionen)$", re.IGNORECASE)


def find_unlisted(text: str) -> list[tuple[int, int, str]]:
    """(start, end, nominative name) of authority-shaped names the list lacks."""
    out = []
    for match in _UNLISTED.finditer(text):
        words = match.group(0).split()
        # "Kommunalförbundet Sjuhärad Direktionen Protokoll": the name ends before
        # a body or a document word.
        while len(words) > 1 and _NOT_NAME_TAIL.search(words[-1]):
            words.pop()
        if len(words) < 2 or lookup(" ".join(words)) is not None:
            continue
        end = match.start() + match.group(0).rindex(words[-1]) + len(words[-1])
        if words[-1] in ("kommuns", "stads", "Stads") or (
                words[0] == "Region" and words[-1].endswith("s")):
            words[-1] = words[-1][:-1]  # genitive
        out.append((match.start(), end, " ".join(words)))
    return out
