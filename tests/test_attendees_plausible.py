"""Attendee lists are people with party and role, within the size a body can have."""

from __future__ import annotations

import random

from paragraf_se.indexer.model import Attendee
from paragraf_se.indexer.parsing import parse_document
from paragraf_se.indexer.parsing.attendees import is_person_name, plausible_attendees

GIVEN = ("Anna", "Bo", "Karin", "Per", "Eva", "Lars", "Maria", "Sven-Åke", "Ann-Sofie", "Ali",
         "Fatima", "Johan", "Lena", "Mats", "Susanné", "Olof")
SURNAMES = ("Ek", "Berg", "Lind", "Andersson", "Nyström", "Åhman", "Holm", "von Platen",
            "Söderberg", "Yilmaz", "Strand", "Eklund", "Danielsson", "af Klint")
PARTIES = ("S", "M", "SD", "C", "V", "KD", "L", "MP")


def _people(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    names: list[str] = []
    while len(names) < count:
        name = f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)}"
        if rng.random() < 0.2:
            name = f"{rng.choice(GIVEN)} {name}"
        if name not in names:
            names.append(name)
    return names


def _front(body: str, members: list[str], ersattare: list[str]) -> str:
    rng = random.Random(3)
    lines = [body, "Sammanträdesdatum 2024-03-12", "Plats och tid Kommunhuset kl. 18.00"]
    lines.append(f"Beslutande {members[0]} ({rng.choice(PARTIES)}), ordförande")
    lines += [f"{m} ({rng.choice(PARTIES)})" for m in members[1:]]
    if ersattare:
        lines.append(f"Ersättare {ersattare[0]} ({rng.choice(PARTIES)})")
        lines += [f"{e} ({rng.choice(PARTIES)}), tjänstgörande ersättare" for e in ersattare[1:]]
    lines += ["Övriga närvarande Eva Strand, sekreterare", "Utses att justera Anna Ek (S)", "",
              "§ 1 Val av justerare", "", "Beslut", "Anna Ek utses.", ""]
    return "\n".join(lines)


def test_a_full_council_with_ersattare_is_kept():
    names = _people(140)
    result = parse_document(_front("Kommunfullmäktige", names[:101], names[101:]).encode())
    attendees = result.meeting.attendees
    assert len(attendees) == 141  # 101 members, 39 ersättare, the secretary
    assert attendees[0].role == "ordförande" and attendees[0].party in ("S", "M", "SD", "C", "V",
                                                                        "KD", "L", "MP")
    assert attendees[-1] == Attendee("Eva Strand", None, "sekreterare")
    assert not any("attendee" in m for m in result.messages)


def test_more_people_than_a_namnd_can_seat_is_dropped_with_a_warning():
    names = _people(120)
    result = parse_document(_front("Socialnämnden", names[:100], names[100:]).encode())
    assert result.meeting.attendees == ()
    assert result.status == "warnings"
    assert any("attendee list dropped" in m and "nämnd" in m for m in result.messages)


def test_hundreds_of_persons_for_any_body_are_dropped():
    people = tuple(Attendee(n, "S", None) for n in _people(600, seed=11))
    assert plausible_attendees(people, None)[0] == ()
    assert "at most 200" in plausible_attendees(people, "Kommunfullmäktige")[1]


def test_headers_and_fragments_are_not_people():
    for junk in ("HÖGSBY KOMMUN", "Kommunstyrelsen Sammanträdesprotokoll", "Justerandes Sign",
                 "Andersson", "Sida Tre", "Måndag Den", "Plats Och Tid"):
        assert not is_person_name(junk), junk
    for name in ("Anna Ek", "Sven-Åke Draxten", "Karin von Platen", "Ann-Marie Johansson Berg"):
        assert is_person_name(name), name


def test_a_list_made_of_header_fragments_is_dropped():
    # What a layout PDF's front page gives when a block label runs on into headers.
    lines = ["Ledamöter"]
    for n in range(30):
        lines += ["HÖGSBY KOMMUN (S)", f"Kommunstyrelsen Protokoll ({n})", "Anna Ek (S)"]
    lines += ["", "§ 1 Val", "", "Beslut", "Ok."]
    result = parse_document("\n".join(lines).encode())
    assert result.meeting.attendees == ()
    assert any("not names of people" in m for m in result.messages)


def test_one_stray_entry_is_left_out_and_the_list_kept():
    people = (Attendee("Anna Ek", "S", "ordförande"), Attendee("Bo Berg", "M", None),
              Attendee("Karin Lind", "C", None), Attendee("Per Holm", "V", None),
              Attendee("SAMMANTRÄDESPROTOKOLL KS", None, None))
    kept, warning = plausible_attendees(people, "Kommunstyrelsen")
    assert kept == people[:4] and warning == ""
