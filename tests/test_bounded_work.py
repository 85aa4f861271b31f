"""Bounded work per request: pathological queries finish and ordinary searches still answer.

No timed assertions: the bounds are asserted as behaviour (what was cut, what
was looked at), and the concurrent test asserts that every request finishes
and ordinary searches answer correctly while the attack runs. What the
pathological queries cost is measured by ``benchmarks/pathological.py``.
"""

from __future__ import annotations

import random
import string
import threading

import httpx
import pytest

from benchmarks.synth import SyntheticCorpus
from paragraf_se.indexer import spelling
from paragraf_se.indexer.budget import Budget
from paragraf_se.indexer.engine import SearchRequest
from paragraf_se.indexer.query import MAX_QUERY_CHARS
from paragraf_se.indexer.search import search
from paragraf_se.indexer.whoosh.index import WhooshIndex
from paragraf_se.settings import DataDir
from paragraf_se.web import create_app
from tests.serving import live_server
from tests.synthetic_data import indexed_data_dir

ORDINARY = ("budget", "detaljplan", "skola", "yttrande")


def _word(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.ascii_lowercase + "åäö") for _ in range(n))


def pathological(seed: int) -> list[str]:
    rng = random.Random(seed)
    return [
        " ".join(_word(rng, 9) for _ in range(800))[:8000],  # 8,000 characters
        " ".join(_word(rng, rng.randint(5, 10)) for _ in range(2000)),  # 2,000 words
        " OR ".join(f"{a}{b}*" for a in "abdefgk" for b in "aeiloruy"),  # 56 prefixes
        _word(rng, 10_000),  # one 10 KB "word"
    ]


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> DataDir:
    return indexed_data_dir(tmp_path_factory.mktemp("bounded"),
                            SyntheticCorpus(5).paragraphs(3000))


@pytest.fixture()
def index(data):
    ix = WhooshIndex(data.index)
    yield ix
    ix.close()


def test_suggestions_see_only_the_cut_query(index):
    typo = "budgte"
    assert search(index, SearchRequest(q=typo)).suggestion == "budget"
    padding = "x" * (MAX_QUERY_CHARS + 10)
    # The parser cuts the query: a typo beyond the cut is not looked up either.
    assert search(index, SearchRequest(q=f"{padding} {typo}")).suggestion is None


def test_at_most_max_words_unknown_words_are_looked_up(index):
    rng = random.Random(3)
    noise = " ".join(_word(rng, 8) for _ in range(spelling.MAX_WORDS))
    assert search(index, SearchRequest(q=f"budgte {noise}")).suggestion.startswith("budget ")
    budget = Budget()
    with index.view() as s:
        assert spelling.suggest(s, f"{noise} budgte", budget) is None
    assert "suggestions" in budget.cut


def test_a_cancelled_or_expired_budget_stops_suggestions(index):
    budget = Budget()
    budget.cancel()
    with index.view() as s:
        assert spelling.suggest(s, "budgte", budget) is None
        assert spelling.suggest(s, "budgte", Budget(seconds=0)) is None
        assert spelling.suggest(s, "budgte", Budget()) == "budget"


def test_prefix_expansion_is_bounded_and_says_so(index):
    q = " OR ".join(f"{a}{b}*" for a in "abdefgk" for b in "aeiloruy")
    full = search(index, SearchRequest(q=q), Budget(seconds=600, expansion_terms=10**6))
    # (another page size: not the cached result of the first)
    small = search(index, SearchRequest(q=q, size=11), Budget(seconds=600, expansion_terms=5))
    assert 0 < small.total < full.total
    assert any("begränsades" in n for n in small.notices)
    assert not any("begränsades" in n for n in full.notices)


def test_pathological_queries_beside_ordinary_searches_on_a_real_server(data, index):
    expected = {q: search(index, SearchRequest(q=q)).total for q in ORDINARY}
    assert all(expected.values())
    with live_server(create_app(data)) as url:
        attack_status: list[int] = []
        errors: list[str] = []

        def attack(seed: int) -> None:
            with httpx.Client(base_url=url, timeout=600) as c:
                for i, q in enumerate(pathological(seed)):
                    path = ("/api/search", "/", "/feed.atom")[(seed + i) % 3]
                    try:
                        attack_status.append(c.get(path, params={"q": q}).status_code)
                    except httpx.HTTPError as err:
                        errors.append(repr(err))

        attackers = [threading.Thread(target=attack, args=(seed,)) for seed in range(4)]
        for t in attackers:
            t.start()
        ordinary: list[tuple[str, int]] = []
        with httpx.Client(base_url=url, timeout=600) as c:
            while any(t.is_alive() for t in attackers) or len(ordinary) < 8:
                q = ORDINARY[len(ordinary) % len(ORDINARY)]
                r = c.get("/api/search", params={"q": q})
                assert r.status_code == 200
                ordinary.append((q, r.json()["total"]))
        for t in attackers:
            t.join()
    assert not errors, errors
    assert attack_status == [200] * 16
    assert all(total == expected[q] for q, total in ordinary), ordinary
