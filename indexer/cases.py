"""An ärende (case) followed across bodies: every paragraph carrying one diarienummer.

Shared by the case page, its JSON twin and the paragraph page's trail. A
diarienummer is compared normalised (case and spaces ignored: "KS 2023/123"
is "ks2023/123") and shown as printed in the protocols.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from paragraf_se.indexer.engine import Hit
from paragraf_se.indexer.model import Paragraph

MAX_CASE_PARAGRAPHS = 500  # a "case" on more paragraphs is a catch-all number, not a case


class FindsParagraphs(Protocol):
    def by_case(self, diarienummer: str) -> list[Paragraph]: ...


@dataclass(frozen=True)
class Case:
    """One diarienummer's paragraphs in the order the case went: date, body, §."""

    diarienummer: str  # as printed in (the first of) its paragraphs
    paragraphs: tuple[Paragraph, ...]
    truncated: bool = False  # more than MAX_CASE_PARAGRAPHS carry the number

    @property
    def bodies(self) -> tuple[tuple[str, str], ...]:
        """(organisation, body) pairs in the order the case reached them."""
        seen: dict[tuple[str, str], None] = {}
        for p in self.paragraphs:
            seen.setdefault((p.org, p.body), None)
        return tuple(seen)


@dataclass(frozen=True)
class HitGroup:
    """Search hits of one page sharing a diarienummer (or one hit without any)."""

    diarienummer: str | None
    hits: tuple[Hit, ...]


def normalise_dnr(dnr: str) -> str:
    """Diarienummer as compared: lowercase, no spaces ("KS 2018/14" -> "ks2018/14")."""
    return "".join(dnr.split()).casefold()


def number_key(number: str) -> tuple[int, str]:
    """§ numbers in numeric order ("9" before "10", "3 a" after "3")."""
    digits = ""
    for ch in number:
        if not ch.isdigit():
            break
        digits += ch
    return (int(digits) if digits else 0, number)


def case_order(p: Paragraph) -> tuple:
    """Date first, then organisation, body and § number."""
    return (p.date, p.org, p.body, number_key(p.number))


def find_case(index: FindsParagraphs, diarienummer: str) -> Case | None:
    """The case of ``diarienummer``, or None when no paragraph carries it."""
    key = normalise_dnr(diarienummer)
    if not key:
        return None
    found = sorted(index.by_case(key), key=case_order)
    if not found:
        return None
    printed = next((d for p in found for d in p.diarienummer if normalise_dnr(d) == key),
                   diarienummer.strip())
    return Case(printed, tuple(found[:MAX_CASE_PARAGRAPHS]), len(found) > MAX_CASE_PARAGRAPHS)


def trail(index: FindsParagraphs, p: Paragraph, limit: int) -> tuple[Paragraph, ...]:
    """Other paragraphs sharing any of ``p``'s diarienummer, in case order."""
    found: dict[str, Paragraph] = {}
    for dnr in p.diarienummer:
        key = normalise_dnr(dnr)
        if key:
            found.update((o.id, o) for o in index.by_case(key) if o.id != p.id)
    return tuple(sorted(found.values(), key=case_order)[:limit])


def group_hits(hits: Sequence[Hit]) -> tuple[HitGroup, ...]:
    """One page's hits grouped by their first diarienummer, groups in rank order.

    A group stands where its best hit stood; hits without a diarienummer stay
    groups of their own.
    """
    groups: list[tuple[str | None, list[Hit]]] = []
    by_key: dict[str, list[Hit]] = {}
    for hit in hits:
        key = _first_key(hit.paragraph.diarienummer)
        if key is None:
            groups.append((None, [hit]))
        elif key in by_key:
            by_key[key].append(hit)
        else:
            by_key[key] = [hit]
            groups.append((hit.paragraph.diarienummer[0], by_key[key]))
    return tuple(HitGroup(dnr, tuple(members)) for dnr, members in groups)


def _first_key(dnrs: Iterable[str]) -> str | None:
    for d in dnrs:
        key = normalise_dnr(d)
        if key:
            return key
    return None
