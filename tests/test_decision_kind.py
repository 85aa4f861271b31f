"""Classifying what a paragraph decided (indexer.decision_kind)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from paragraf_se.indexer.decision_kind import (
    ATERREMISS,
    BESLUT,
    BORDLAGT,
    INFORMATION,
    KINDS,
    OKANT,
    PRIORS,
    classify_decision,
    classify_decision_text,
    prior,
)
from tests.shared_data import shared_path

POSTPONED = [
    "Ärendet bordläggs.",
    "Ärendet bordläggs till sammanträdet den 24 januari 2024.",
    "På förslag av Jenny Broman (V):\nÄrendet bordläggs till sammanträdet den 24 januari 2024.",
    "Kommunstyrelsen beslutar att bordlägga ärendet.",
    "Kommunstyrelsen bordlägger ärendet till nästa sammanträde.",
    "Ärendet bordlägges.",
    "Nämnden beslutar:\nÄrendet bordläggs i avvaktan på yttrande från miljönämnden.",
    "Motionen bordläggs.",
    "Bordläggning av ärendet till kommunstyrelsens sammanträde i maj.",
]
REFERRED = [
    "Ärendet återremitteras.",
    "Ärendet återremitteras till stadsledningskontoret.",
    "Enligt återremissyrkande från V, S och MP:\nÄrendet återremitteras till stadsledningskontoret"
    " som får i uppdrag att:\na. komplettera underlaget\nb. ta fram en konsekvensanalys.",
    "Kommunfullmäktige beslutar att återremittera ärendet till kommunstyrelsen.",
    "Motionen återremitteras till miljö- och klimatnämnden för att komplettera underlaget."
    " Återremissen ska redovisas senast i juni.",
    "Fullmäktige beslutar om återremiss av ärendet.",
]
NOTED = [
    "Informationen antecknas.",
    "Antecknas.",
    "Kommunstyrelsen lägger informationen till handlingarna.",
    "Informationen läggs till handlingarna.",
    "Nämnden noterar informationen.",
    "Kommunstyrelsen tackar för informationen.",
    "Nämnden har tagit del av informationen.",
    "Redovisningen av delegationsbeslut läggs till handlingarna.",
    "Meddelandena läggs till handlingarna.",
    "Det antecknas att inga ärenden är anmälda under denna rubrik.",
    "Enligt stadsledningskontorets förslag:\nÅrsrapport för dataskyddsarbetet 2024 antecknas.",
    "Kommunstyrelsen beslutar:\nAnmälningarna godkänns.",
]
DECIDED = [
    "Kommunfullmäktige fastställer budget 2025 för kommunen.",
    "Yrkandet från M, D, L och KD avslås.",
    "Kommunstyrelsen föreslår att kommunfullmäktige beslutar:\nDen väckta motionen avslås.",
    "Kommunstyrelsen tillstyrker stadsledningskontorets förslag och föreslår att"
    " kommunfullmäktige beslutar:\nBarnbokslut 2024 antecknas.",
    "Redovisning av uppdraget antecknas och förklaras fullgjort.",
    "Informationen antecknas.\nKommunstyrelsen ger stadsdirektören i uppdrag att återkomma.",
    "Avfallsplanen antas.",
    "Regionstyrelsen beslutar att bevilja 200 000 kronor till projektet.",
    "Yttrande över remissen översänds till Justitiedepartementet.",
    # A rejected motion to postpone is followed by the decision itself.
    "Kommunstyrelsen avslår yrkandet om bordläggning.\nDetaljplanen antas.",
    "Ärendet ska avgöras i dag.\nMotionen bifalls.",
    # Point 1 decided, the rest postponed: something was decided.
    "Enligt punkt 1 i förslaget:\nÅrsrapport 2023 godkänns.\nPå förslag av ordföranden:\n"
    "Punkterna 2-12 bordläggs.",
    # Numbered points: one referred back, the others decided.
    "1. Förslaget om kommunbidrag återremitteras för att beredas vidare.\n"
    "2. Hemställan om att överföra 10 mnkr beviljas.\n3. Lånetaket höjs till 5 100 mnkr.",
    # History of earlier postponements does not make a decision a postponement.
    "Bordlagt den 15 januari 2025, § 8.\nMotionen avslås.",
    "Återremitterat från kommunfullmäktige den 1 februari 2024, § 25.\nFöreskrifterna antas.",
]


@pytest.mark.parametrize("text", POSTPONED)
def test_postponements(text):
    assert classify_decision_text(text) == BORDLAGT


@pytest.mark.parametrize("text", REFERRED)
def test_referrals_back(text):
    assert classify_decision_text(text) == ATERREMISS


@pytest.mark.parametrize("text", NOTED)
def test_noted(text):
    assert classify_decision_text(text) == INFORMATION


@pytest.mark.parametrize("text", DECIDED)
def test_decisions(text):
    assert classify_decision_text(text) == BESLUT


@pytest.mark.parametrize("text", ["", "   ", "På förslag av ordföranden:", "- .", "1."])
def test_nothing_decided_is_unknown(text):
    assert classify_decision_text(text) == OKANT


def test_decision_read_from_the_text_when_not_parsed_apart():
    text = ("§ 3 Ärendenummer SLK-2023-00877\nPlan mot våld\nBeslut\n\nPå förslag av ordföranden:\n"
            "Ärendet bordläggs till sammanträdet den 24 januari 2024.\n\nTidigare behandling\n\n"
            "Bordlagt den 10 januari 2024, § 3.\n\nHandlingar\n\nTjänsteutlåtande.")
    assert classify_decision("Plan mot våld", "", text) == BORDLAGT
    decided = text.replace("Ärendet bordläggs till sammanträdet den 24 januari 2024.",
                           "Planen antas.")
    assert classify_decision("Plan mot våld", "", decided) == BESLUT
    # Only the history mentions a postponement, and there is no decision heading.
    assert classify_decision("Plan", "", "Ärendet bordlades den 10 januari 2024.") == OKANT


def test_parsed_decision_wins_over_the_text():
    assert classify_decision("X", "Ärendet bordläggs.", "Beslut\nPlanen antas.") == BORDLAGT


@pytest.mark.parametrize("title", [
    "Anmälningsärenden", "Anmälan av delegationsbeslut", "Delegationsbeslut enligt förteckning",
    "Redovisning av delegationsbeslut 2024", "Meddelanden", "Stadsdirektörens anmälningar",
    "Inkomna skrivelser och vidtagna åtgärder, 2024", "Informationsärenden",
])
def test_lists_of_notices_are_information(title):
    assert classify_decision(title, "") == INFORMATION
    assert classify_decision(title, "Anmälningarna godkänns.") == INFORMATION
    # A list paragraph can still be postponed.
    assert classify_decision(title, "Ärendet bordläggs.") == BORDLAGT


def test_ordinary_titles_are_not_lists():
    assert classify_decision("Budget 2025", "") == OKANT
    assert classify_decision("Information om brandrisk och eldningsförbud", "") == OKANT
    assert classify_decision("Delegation av beslut om bidrag", "Delegationen antas.") == BESLUT


def test_priors_favour_decisions_modestly():
    assert set(PRIORS) == set(KINDS)
    assert PRIORS[BESLUT] == PRIORS[OKANT] == 1.0
    for kind in (BORDLAGT, ATERREMISS, INFORMATION):
        assert 0.5 < PRIORS[kind] < 1.0
    assert prior("no such kind") == 1.0


def test_agrees_with_goteborg_labels():
    """The Göteborg corpus labels each paragraph's decision; postponements must agree."""
    corpus = shared_path("corpora", "goteborg-ks", "paragraphs.jsonl")
    pairs: Counter[tuple[str, str]] = Counter()
    with corpus.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            pairs[(row["beslut"], classify_decision(row["rubrik"], "", row["fulltext"]))] += 1
    postponed = sum(n for (label, _), n in pairs.items() if label == "bordläggning")
    assert pairs[("bordläggning", BORDLAGT)] >= 0.98 * postponed
    # Rejections and proposals to fullmäktige are decisions, never postponements.
    for label in ("avslag", "tillstyrkan_kf"):
        assert pairs[(label, BORDLAGT)] == 0
        assert pairs[(label, INFORMATION)] == 0
    assert sum(n for (label, kind), n in pairs.items()
               if label != "bordläggning" and kind == BORDLAGT) == 0
