"""Pure pieces shared by the UI and the API: citations, match marking, case order, grouping."""

import datetime as dt

from paragraf_se.indexer.cases import case_order, group_hits, trail
from paragraf_se.indexer.citation import cite
from paragraf_se.indexer.engine import Hit
from paragraf_se.indexer.highlight import Highlighter
from paragraf_se.indexer.whoosh.query_compile import query_matcher
from paragraf_se.ui.links import source_label, url
from paragraf_se.web_common.urls import case_path
from tests.paragraph_factory import make_paragraph


def test_citation_short_and_full_forms():
    p = make_paragraph("42", "Budget  2025", org="Högsby kommun", date="2024-03-05")
    c = cite(p, "https://h/p/x", dt.date(2024, 3, 7))
    assert c.short == "Högsby kommun, Kommunstyrelsen, 2024-03-05, § 42"
    assert c.full == ("Högsby kommun, Kommunstyrelsen, 2024-03-05, § 42, ”Budget 2025”. "
                      "https://h/p/x (arkiverad 2024-03-07)")
    unknown = cite(p, "https://h/p/x")
    assert unknown.full.endswith("https://h/p/x") and unknown.to_dict()["archived"] is None


def test_marks_use_the_search_analysis_and_escape_everything_else():
    mark = Highlighter(query_matcher("budget"))
    out = mark("Budgeten <b>2025</b> & budgetar")
    assert out == ('<mark id="traff-1">Budgeten</mark> &lt;b&gt;2025&lt;/b&gt; &amp; '
                   '<mark id="traff-2">budgetar</mark>')
    assert mark("budget") == '<mark id="traff-3">budget</mark>' and mark.count == 3
    exact = Highlighter(query_matcher("budget", "exact"))
    assert "<mark" not in exact("Budgeten") and "<mark" in exact("Budget")
    assert Highlighter(query_matcher(""))("a < b") == "a &lt; b"
    assert "<mark" not in Highlighter(query_matcher("avfall -budget"))("budget"), "excluded"


def test_case_order_is_date_then_body_then_number():
    ps = [make_paragraph("10", date="2023-03-01"), make_paragraph("9", date="2023-03-01"),
          make_paragraph("1", body="Byggnadsnämnden", date="2023-03-01"),
          make_paragraph("3", date="2023-02-01")]
    ordered = [(p.date.isoformat(), p.body, p.number) for p in sorted(ps, key=case_order)]
    assert ordered == [("2023-02-01", "Kommunstyrelsen", "3"),
                       ("2023-03-01", "Byggnadsnämnden", "1"),
                       ("2023-03-01", "Kommunstyrelsen", "9"),
                       ("2023-03-01", "Kommunstyrelsen", "10")]


class FakeIndex:
    """Just the lookup the trail needs, over a list (no engine involved)."""

    def __init__(self, paragraphs):
        self.paragraphs = paragraphs

    def by_case(self, value):
        return [p for p in self.paragraphs
                if value in {"".join(d.split()).casefold() for d in p.diarienummer}]


def test_trail_is_in_date_order_whatever_the_index_returns():
    dnr = ("SLK-2023-00582",)
    dates = ["2023-03-06", "2023-02-07", "2023-03-21", "2023-02-21"]
    ps = [make_paragraph(str(i), date=d, diarienummer=dnr) for i, d in enumerate(dates)]
    shown = trail(FakeIndex(ps), ps[0], 50)
    assert [p.date.isoformat() for p in shown] == ["2023-02-07", "2023-02-21", "2023-03-21"]


def test_hits_group_by_case_in_rank_order():
    a1 = make_paragraph("1", diarienummer=("KS 2023/1",))
    b = make_paragraph("2")
    a2 = make_paragraph("3", date="2023-01-01", diarienummer=("ks 2023/1",))
    c = make_paragraph("4", diarienummer=("RS/559/2019",))
    groups = group_hits([Hit(a1, ""), Hit(b, ""), Hit(a2, ""), Hit(c, "")])
    assert [(g.diarienummer, [h.paragraph.number for h in g.hits]) for g in groups] == [
        ("KS 2023/1", ["1", "3"]), (None, ["2"]), ("RS/559/2019", ["4"])]


def test_urls_round_trip_and_leave_out_empty_parameters():
    assert case_path("KS 2023/123") == "/arende/KS%202023%2F123"
    assert case_path("RS/559/2019") == "/arende/RS%2F559%2F2019"
    assert url("/", [("q", "a b"), ("from", ""), ("to", " ")]) == "/?q=a+b"
    assert url("/p/x", [("q", "")], "traff-1") == "/p/x#traff-1"
    assert source_label("file:///srv/data/in/KS%202023.pdf") == "KS 2023.pdf"
    assert source_label("https://kommun.se/p.pdf") == "https://kommun.se/p.pdf"


def test_parse_reasons_are_shown_in_swedish_when_their_form_is_known():
    from paragraf_se.ui.messages import swedish_reason

    assert swedish_reason("no § paragraphs found") == ("Inga paragrafer (§) hittades.", True)
    assert swedish_reason("paragraph numbers jump from § 3 to § 7") == (
        "Paragrafnumren hoppar från § 3 till § 7.", True)
    assert swedish_reason("something new") == ("something new", False)
