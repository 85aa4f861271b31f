"""The parser against thousands of generated protocols whose truth is known.

See tests/protocol_generator.py for the variants. Every generated paragraph's
number, title, diarienummer (with its classification code) and decision must
come back exactly, and the meeting's organisation, body and date as the
current front-page parser reads them.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict

import pytest

from paragraf_se.indexer.parsing import parse_document
from tests import protocol_generator as gen
from tests.pdfgen import make_pdf

# Enough protocols that every value of every dimension is drawn many times;
# PARAGRAF_GENERATED raises it for a longer soak.
COUNT = int(os.environ.get("PARAGRAF_GENERATED", "2000"))
CHUNKS = 4


@pytest.fixture(scope="module")
def protocols():
    return gen.sample(COUNT, seed=12)


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_generated_protocols_parse_exactly(protocols, chunk):
    failures = []
    for protocol in protocols[chunk::CHUNKS]:
        result = parse_document(protocol.data, protocol.content_type)
        problems = gen.compare(protocol, result)
        if problems:
            failures.append(f"seed {protocol.seed} {protocol.variant}: {problems[:3]}")
    assert not failures, f"{len(failures)} protocols wrong, e.g.\n" + "\n".join(failures[:5])


def test_generator_is_deterministic():
    first = gen.sample(20, seed=5)
    again = gen.sample(20, seed=5)
    assert [p.data for p in first] == [p.data for p in again]
    assert [p.data for p in gen.sample(20, seed=6)] != [p.data for p in first]


def test_every_claimed_variant_value_is_generated(protocols):
    """Each value of each dimension occurs, and shows in the bytes as claimed."""
    seen: dict[str, set] = defaultdict(set)
    for protocol in protocols:
        for name, value in protocol.variant.family_values().items():
            seen[name].add(value)
        seen["wrap"].add(protocol.variant.wrap)
    for name, values in gen.FAMILIES.items():
        assert seen[name] == set(values), name
    assert seen["wrap"] == set(gen.WRAPS)
    for protocol in protocols[:400]:
        _assert_printed_as_claimed(protocol)


def _assert_printed_as_claimed(protocol: gen.Protocol) -> None:
    v = protocol.variant
    text = protocol.data.decode("utf-8")
    lines = text.split("\n")
    if v.layer == "html":
        assert text.startswith("<!DOCTYPE html>") and re.search(r"<h2>[^<]*§", text)
    else:
        assert "<" not in text
        indented = [line for line in lines if line.startswith("  ") and line.strip()]
        assert bool(indented) == (v.layer == "layout"), v
        blank = [line for line in lines if not line.strip()]
        assert bool(blank) == (v.layer == "layout"), v
    first = protocol.paragraphs[0]
    case_seen = first.diarienummer is None or first.diarienummer in text
    assert case_seen, v
    glued = first.code is not None and f"{first.diarienummer}{first.code}" in text
    assert glued == v.case.endswith("glued"), v
    if v.layer != "html":
        pages = text.count("\f") + 1
        assert pages >= 2, v
        if v.furniture in ("running", "break_in_title", "break_in_text"):
            assert "Justerandes sign" in text
        if v.furniture == "counters":
            assert f"({pages})" in text or f"av {pages}" in text
    if v.headings == "body_beslut":
        assert "s beslut" in text
    if v.front == "agenda":
        assert "Ärendelista" in text
    if v.header.startswith("prefixed"):
        assert f" §{'' if v.header.endswith('tight') else ' '}{first.number}" in text


def test_every_variant_is_valid_and_the_product_is_large():
    every = gen.variants()
    assert len(every) > 10_000
    assert all(gen.is_valid(v) for v in every)
    assert not gen.is_valid(gen.Variant("spaced", "case_line", "same_line", 1, "none", "beslut",
                                        "labels", "plain"))


def test_plain_layer_through_a_real_pdf_and_pypdfium2():
    """The plain layer is what pypdfium2 gives: print it into a PDF, extract
    it with pypdfium2 and the truth still comes back."""
    protocols = [p for p in gen.sample(400, seed=21) if p.variant.layer == "plain"][:40]
    assert len(protocols) >= 20
    for protocol in protocols:
        pages = [page.split("\n") for page in protocol.data.decode("utf-8").split("\f")]
        result = parse_document(make_pdf(pages), "application/pdf")
        assert gen.compare(protocol, result) == [], protocol.variant
