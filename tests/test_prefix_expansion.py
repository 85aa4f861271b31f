"""Prefix expansion (``elbil*``) that stays cheap: cached vocabulary, fair caps, a flag.

Cost is measured by ``benchmarks/pathological.py`` (docs/reliability.md); these
tests assert behaviour: a prefix finds exactly what Whoosh's own ``Prefix``
finds; a query of many prefixes shares the allowance so a later prefix is not
starved by an earlier one; a cut search says so in the API (``limited``).
"""

from __future__ import annotations

import httpx
import numpy as np
import pytest
from whoosh import query as wq

from benchmarks.synth import SyntheticCorpus
from paragraf_se.indexer.budget import Budget
from paragraf_se.indexer.engine import SearchRequest
from paragraf_se.indexer.model import Paragraph
from paragraf_se.indexer.search import search
from paragraf_se.indexer.whoosh.index import WhooshIndex
from paragraf_se.settings import DataDir
from paragraf_se.web import create_app
from tests.paragraph_factory import make_paragraph
from tests.serving import live_server
from tests.synthetic_data import indexed_data_dir

# 1,200 distinct words starting with "ka": "ka*" stands for more terms than
# one prefix may (MAX_EXPANSION), so a search for it is cut.
KA_WORDS = " ".join(f"ka{a}{b}{c}" for a in "bdfghjklmnprstv" for b in "aeiouy"
                    for c in "bdfghjklmnprst")[:1200 * 6]


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> DataDir:
    extra: list[Paragraph] = [
        make_paragraph(number=str(n), text=text) for n, text in enumerate((
            "Åtgärdsplan för ängar och åkrar i Åsjö.",
            "Ärendet om återvinning av ändrade äldreboenden.",
            "Öppna förskolor och översiktsplan för ödegårdar.",
            KA_WORDS,
        ), start=900)]
    # Two commits: two segments, so expansion merges the terms of both.
    return indexed_data_dir(tmp_path_factory.mktemp("prefixes"),
                            SyntheticCorpus(11).paragraphs(1200), extra)


@pytest.fixture()
def index(data):
    ix = WhooshIndex(data.index)
    yield ix
    ix.close()


@pytest.mark.parametrize("prefix", ["bud", "s", "sam", "å", "äl", "öve", "kommunst", "zzq",
                                    "kab"])
def test_a_prefix_finds_what_whoosh_finds(index, prefix):
    # With room enough, the cached-vocabulary expansion is exactly Whoosh's.
    with index._pool.searcher() as s:
        for field in ("text", "title", "exact"):
            q = wq.Prefix(field, prefix)
            expected = np.sort(np.fromiter(s.docs_for_query(q), dtype=np.int64))
            got = index.evaluator.evaluate(s, q, Budget(seconds=600, expansion_terms=10**6))
            assert np.array_equal(got.ids, expected), (field, prefix)


def test_a_later_prefix_is_not_starved_by_an_earlier_one(index):
    # "ko*" stands for 100 terms over the three fields; "bud*" for fewer. The
    # query's allowance of 60 is split between them, so every paragraph with
    # "budget" still matches the first clause (before, "ko*", first in the
    # query, took all 60 terms and "bud*" none).
    budget_total = search(index, SearchRequest(q="budget")).total
    assert budget_total
    budget = Budget(seconds=600, expansion_terms=60)
    result = search(index, SearchRequest(q="ko* OR bud* budget"), budget)
    assert "expansion" in budget.cut and result.limited  # the query was cut ...
    assert result.total == budget_total  # ... and "bud*" still found every "budget"


def test_prefixes_that_fit_the_allowance_are_not_cut(index):
    # 56 prefixes whose terms fit the query's allowance together: none is cut,
    # however many there are (an even split would have cut the larger ones).
    q = " OR ".join(f"{a}{b}{c}*" for a in "bkr" for b in "aeiou" for c in "dlmnrst")[:999]
    budget = Budget(seconds=600)
    result = search(index, SearchRequest(q=q), budget)
    assert result.total > 0
    assert budget.cut == [] and not result.limited


def test_a_limited_search_says_so_in_the_api(data):
    with live_server(create_app(data)) as url:
        cut = httpx.get(url + "/api/search", params={"q": "ka*"}, timeout=60).json()
        plain = httpx.get(url + "/api/search", params={"q": "budget"}, timeout=60).json()
        page = httpx.get(url + "/", params={"q": "ka*"}, timeout=60)
    assert cut["limited"] is True
    assert any("begränsades" in n for n in cut["notices"])
    assert plain["limited"] is False
    assert not any("begränsades" in n for n in plain["notices"])
    assert "begränsades" in page.text
