"""Properties: parse_document never raises and always returns a coherent result."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paragraf_se.indexer.model import ParseResult
from paragraf_se.indexer.parsing import parse_document
from tests.pdfgen import make_pdf

PROTOCOLISH = st.lists(
    st.one_of(
        st.sampled_from([
            "§ 1 Budget", "§ 2", "KS § 3 a", "Kf §12", "§§ 1 – 4", "Beslut", "Sammanfattning",
            "ÄRENDELISTA", "PROTOKOLL 1(8)", "Justerandes sign", "Mötesdatum", "2017-08-21",
            "Utses att justera Eva Ek (S)", "Beslutande Ola Berg (M), ordf.", "enligt § 63,",
            "kommun-", "styrelsen", "Kommunstyrelsens beslut", "\f", "", "•   4", "Dnr KS 2023/1",
            "Plats och tid Rådhuset, den 21 augusti kl. 13:00", "Hoppa över navigering",
        ]),
        st.text(max_size=60),
    ),
    max_size=60,
)


def check(result: ParseResult) -> None:
    assert isinstance(result, ParseResult)
    assert result.status in {"ok", "warnings", "failed"}
    if result.status != "ok":
        assert result.messages
    for paragraph in result.paragraphs:
        assert paragraph.number and paragraph.number[0].isdigit()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data):
    check(parse_document(data))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000), st.sampled_from([None, "application/pdf", "text/html"]))
def test_arbitrary_text_never_raises(text, content_type):
    check(parse_document(text.encode("utf-8"), content_type))


@settings(max_examples=200, deadline=None)
@given(PROTOCOLISH)
def test_protocol_like_lines_parse_to_increasing_numbers(lines):
    result = parse_document("\n".join(lines).encode("utf-8"))
    check(result)
    keys = [(int(p.number.split(" ")[0]), p.number) for p in result.paragraphs]
    assert keys == sorted(set(keys))


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=1, max_size=300), st.sampled_from(["<html><body>", "%PDF-1.4\n"]))
def test_broken_html_and_pdf_never_raise(tail, head):
    check(parse_document(head.encode() + tail))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.lists(st.text(alphabet="§ 1234abcÅÄÖåäöBeslut-\n", max_size=40),
                         max_size=8), min_size=1, max_size=3),
       st.integers(min_value=1, max_value=100))
def test_cut_generated_pdfs_never_raise(pages, percent):
    data = make_pdf([[line.replace("\n", " ") for line in page] for page in pages])
    check(parse_document(data[: max(1, len(data) * percent // 100)]))


def test_huge_flat_document_is_parsed():
    text = "\n".join(f"§ {n} Ärende {n}\n\nBeslut\nBifalls.\n" for n in range(1, 3001))
    result = parse_document(text.encode())
    assert len(result.paragraphs) == 3000


def test_deeply_nested_html_does_not_crash():
    data = b"<html><body>" + b"<div>" * 5000 + b"\xc2\xa7 1 Budget" + b"</div>" * 5000
    check(parse_document(data))


@pytest.mark.parametrize(
    "text",
    [
        "Beslutande " + "A" * 100_000,  # once quadratic in the name pattern
        "Utses att justera " + "Aa" * 50_000,
        "a" * 200_000 + "s protokoll",
        "den 1 " * 50_000,
        "§ 1 A\n" + "Beslut\n" * 50_000,
        "ab-\n" * 50_000,
    ],
)
def test_pathological_lines_finish(text):
    check(parse_document(text.encode()))
