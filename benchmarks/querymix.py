"""The fixed query mix, described engine-neutrally so every peer runs the same work.

Every query asks for the same things in every engine: the exact total, facet
counts by organisation, body and year over all matches, the requested page of
10 hits, and a highlighted snippet for each hit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from benchmarks.vocabulary import Vocabulary
from paragraf_se.indexer.analysis import is_stopword
from paragraf_se.indexer.engine import SearchRequest
from paragraf_se.indexer.slug import slugify

CLASSES = ("rare term", "common term", "2-3 terms", "common phrase", "filtered body+year",
           "sorted by date", "deep page 50")
PER_CLASS = 5
COMMON_PHRASES = ("för att", "att det", "det är", "inte att", "i enlighet med",
                  "med anledning av", "enligt förslag", "under året")


@dataclass(frozen=True)
class QuerySpec:
    """One query: words (ANDed) or a phrase, optional body/year filter, order, page."""

    cls: str
    words: tuple[str, ...]
    phrase: bool = False
    body: str | None = None  # display name
    year: int | None = None
    sort: str = "relevance"  # relevance | newest
    page: int = 1
    size: int = 10

    @property
    def q(self) -> str:
        """The query in Paragraf's query language."""
        return f'"{" ".join(self.words)}"' if self.phrase else " ".join(self.words)

    def request(self) -> SearchRequest:
        return SearchRequest(q=self.q, bodies=(slugify(self.body),) if self.body else (),
                             years=(self.year,) if self.year else (), sort=self.sort,
                             page=self.page, size=self.size)

    def params(self) -> dict[str, str]:
        """URL parameters for /api/search."""
        out = {"q": self.q, "page": str(self.page), "size": str(self.size)}
        if self.body:
            out["body"] = slugify(self.body)
        if self.year:
            out["year"] = str(self.year)
        if self.sort != "relevance":
            out["sort"] = self.sort
        return out


def _content(words, ranks: range) -> list[str]:
    return [w for w in (words[i] for i in ranks if i < len(words))
            if not is_stopword(w) and len(w) > 3]


def query_mix(vocab: Vocabulary, bodies: tuple[str, ...], seed: int = 11) -> list[QuerySpec]:
    """``PER_CLASS`` queries of each class in ``CLASSES``, fixed by ``seed`` and vocabulary.

    Each timed round uses another seed, so a result cache never answers a
    timed query; repeats are timed separately.
    """
    rng = np.random.default_rng(seed)
    g = vocab.general
    n = len(g)
    rare = _content(g, range(n // 3, n // 2))
    common = _content(vocab.domain, range(0, 12)) + _content(g, range(0, 150))
    mid = _content(g, range(30, 1000)) + list(vocab.domain)

    def pick(pool: list[str], k: int = 1) -> tuple[str, ...]:
        return tuple(str(w) for w in rng.choice(pool, size=k, replace=False))

    top = _content(g, range(0, 40)) + [w for w in g[:40] if len(w) <= 3]
    phrases = [p.split() for p in COMMON_PHRASES]
    out: list[QuerySpec] = []
    for i in range(PER_CLASS):
        # Half the phrases are frequent in the text, half are pairs of common
        # words that rarely stand together: both make an engine check positions.
        phrase = (tuple(phrases[int(rng.integers(0, len(phrases)))]) if i % 2 == 0
                  else pick(top, 2))
        out.append(QuerySpec("rare term", pick(rare)))
        out.append(QuerySpec("common term", pick(common)))
        out.append(QuerySpec("2-3 terms", pick(mid, 2 + i % 2)))
        out.append(QuerySpec("common phrase", phrase, phrase=True))
        out.append(QuerySpec("filtered body+year", pick(common), body=bodies[i % len(bodies)],
                             year=2010 + 3 * i))
        out.append(QuerySpec("sorted by date", pick(common), sort="newest"))
        out.append(QuerySpec("deep page 50", pick(common), page=50))
    return out
