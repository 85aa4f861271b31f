"""Translate the engine-neutral query tree into Whoosh queries."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

from whoosh import query as wq

from paragraf_se.indexer.analysis import STOPWORDS, gram, is_stopword, stem, words
from paragraf_se.indexer.cases import normalise_dnr
from paragraf_se.indexer.compounds import split_cached
from paragraf_se.indexer.engine import InvalidRequest, SearchRequest
from paragraf_se.indexer.facets import FACETS
from paragraf_se.indexer.parsing.diarienummer import split_glued_code
from paragraf_se.indexer.query import Clause, ParsedQuery, Term, parse_query
from paragraf_se.indexer.whoosh.schema import (
    EXACT_FIELD,
    FACET_FILTER_FIELDS,
    FIELD_BOOSTS,
    GRAMS_FIELD,
)


@dataclass(frozen=True)
class CompiledQuery:
    """A Whoosh query plus the normalised terms a snippet should mark."""

    query: wq.Query
    filter: wq.Query | None
    wanted: frozenset[str]  # normalised terms of the query's own words
    prefixes: tuple[str, ...]  # lowercased prefixes of prefix terms
    has_text: bool
    decompound: bool = False
    # Each positive clause as typed ("budget", "avfall OR sopor") with its
    # query, and the negated clauses: for partial matches (some of the words).
    clauses: tuple[tuple[str, wq.Query], ...] = ()
    negative: wq.Query | None = None
    # Stems of the parts of each compound query word ("cykelväg" -> cykel,
    # väg), which the search matches as whole words written apart.
    parts: tuple[frozenset[str], ...] = ()

    def matcher(self, normalise: Callable[[str], str]) -> Callable[[str], bool]:
        """A predicate telling whether a lowercased word is a match (for snippets).

        It follows the analysis the search used: a word matches when its stem
        is a query word's, or one of its compound parts is ("avfall" marks
        "avfallsplanen", as the index has the part). The parts of a compound
        query word were searched as whole words ("cykelväg" finds "väg för
        cykel"), so they mark whole words, or a compound holding all of them
        ("cykelvägnätet"), never "spårvägar", whose part "väg" only collides
        with the query's.
        """
        wanted, prefixes, decompound = self.wanted, self.prefixes, self.decompound
        groups = self.parts
        whole = wanted.union(*groups)

        def decide(word: str) -> bool:
            if normalise(word) in whole or (prefixes and word.startswith(prefixes)):
                return True
            if not decompound:
                return False
            word_parts = {stem(p) for p in split_cached(word)}
            return bool(word_parts & wanted) or any(g <= word_parts for g in groups)

        # Words repeat within and across the snippets of one page: decide each once.
        seen: dict[str, bool] = {}

        def is_match(word: str) -> bool:
            found = seen.get(word)
            if found is None:
                found = seen[word] = decide(word)
            return found

        return is_match


def query_matcher(q: str, mode: str = "stemmed", *,
                  compounds: bool = True) -> Callable[[str], bool] | None:
    """A predicate for lowercased words the search ``q`` matches; None without words."""
    if not q.strip():
        return None
    try:
        request = SearchRequest(q=q, mode=mode)
    except InvalidRequest:
        request = SearchRequest(q=q)
    compiled = compile_query(request, parse_query(q), decompound=compounds)
    if not compiled.has_text:
        return None
    return compiled.matcher(str.lower if request.mode == "exact" else stem)


def compile_query(
    request: SearchRequest, parsed: ParsedQuery, *, decompound: bool = True,
    grams: bool = False,
) -> CompiledQuery:
    """Build the scoring query (text clauses) and the filter (facets, dates).

    With ``decompound`` a compound query word also matches its parts
    anywhere in a paragraph ("elbilsladdning" finds "laddning av elbilar").
    """
    exact = request.mode == "exact"
    decompound = decompound and not exact
    global_grams = grams and not exact
    norm = str.lower if exact else stem
    wanted: set[str] = set()
    parts: list[frozenset[str]] = []
    prefixes: set[str] = set()
    musts: list[wq.Query] = []
    nots: list[wq.Query] = []
    texts: list[str] = []
    droppable = _only_stopwords_dropped(parsed)
    for clause in parsed.clauses:
        sink = (wanted, prefixes, parts) if not clause.negated else (set(), set(), [])
        q = _clause(clause, exact, norm, sink, droppable, (decompound, global_grams))
        if q is None:
            continue
        (nots if clause.negated else musts).append(q)
        if not clause.negated:
            texts.append(_clause_text(clause, droppable))
    if musts:
        main: wq.Query = musts[0] if len(musts) == 1 else wq.And(musts)
    else:
        main = wq.Every()
    if nots:
        main = wq.AndNot(main, wq.Or(nots))
    return CompiledQuery(
        main, _filters(request, parsed), frozenset(wanted), tuple(sorted(prefixes)), bool(musts),
        decompound, tuple(zip(texts, musts, strict=True)),
        (nots[0] if len(nots) == 1 else wq.Or(nots)) if nots else None,
        tuple(parts),
    )


def _clause_text(clause: Clause, droppable: bool) -> str:
    """A clause as the user typed it: "budget", "avfall OR sopor", '"för att"', "elbil*"."""
    shown = []
    for t in clause.alternatives:
        if droppable and t.kind == "word" and is_stopword(t.text):
            continue
        shown.append(f'"{t.text}"' if t.kind == "phrase" else
                     f"{t.text}*" if t.kind == "prefix" else t.text)
    return " OR ".join(shown)


def _only_stopwords_dropped(parsed: ParsedQuery) -> bool:
    """Drop free stopwords unless the query consists of nothing else."""
    for c in parsed.positive:
        for t in c.alternatives:
            if t.kind != "word" or not is_stopword(t.text):
                return True
    return False


def _clause(clause: Clause, exact: bool, norm, sink, droppable: bool, options):
    alts = []
    for term in clause.alternatives:
        if droppable and not clause.negated and term.kind == "word" and is_stopword(term.text):
            continue
        q = _term(term, exact, norm, sink, options)
        if q is not None:
            alts.append(q)
    if not alts:
        return None
    return alts[0] if len(alts) == 1 else wq.Or(alts)


def _fields(exact: bool) -> list[tuple[str, float]]:
    return [(EXACT_FIELD, 1.0)] if exact else list(FIELD_BOOSTS.items())


def _term(term: Term, exact: bool, norm, sink, options) -> wq.Query | None:
    wanted, prefixes, part_stems = sink
    decompound, grams = options
    tokens = words(term.text)
    if not tokens:
        return None
    if term.kind == "prefix" and len(tokens) == 1:
        prefix = tokens[0]
        prefixes.add(prefix)
        return wq.Or([wq.Prefix(f, prefix, boost=b) for f, b in _fields(exact)])
    normed = [norm(t) for t in tokens]
    wanted.update(normed)
    per_field: list[wq.Query] = []
    for f, b in _fields(exact):
        if len(normed) == 1:
            per_field.append(wq.Term(f, normed[0], boost=b))
        else:
            # Quoted phrases, and words the tokenizer splits ("IT-nämnden",
            # "RS/559/2019"), keep their parts together.
            per_field.append(wq.Phrase(f, normed, boost=b))
    q: wq.Query = wq.Or(per_field)
    if grams and len(tokens) > 1:
        q = _with_grams(tokens, normed, q)
    parts = split_cached(tokens[0]) if decompound and len(tokens) == 1 else ()
    if parts:
        stems = [stem(p) for p in parts[:2]]
        part_stems.append(frozenset(stems))
        # The parts anywhere, each in any field, ranked below the whole word.
        q = wq.Or([q, wq.And([_any_field(st, 0.5) for st in stems])])
    if len(tokens) > 1 or any(ch.isdigit() for ch in term.text):
        # Typed as written in the protocol: "RS/559/2019", "KS 2018/14", and
        # internal case numbers ("123456") that are one token.
        q = wq.Or([q, _dnr_term(term.text)])
    return q


def _dnr_term(text: str) -> wq.Term:
    """A diarienummer as typed; one copied with its glued classification code
    ("00910/20241.1.2") finds the case it names ("00910/2024")."""
    case, _code = split_glued_code(text.strip())
    return wq.Term("dnr", normalise_dnr(case))


def _with_grams(tokens: list[str], normed: list[str], phrase: wq.Query) -> wq.Query:
    """A phrase with common words, answered from the common-grams field.

    When every adjacent pair has a common word, the grams alone answer it
    (positions unchecked: "för att" and "att minska" side by side is what
    "för att minska" almost always is). Otherwise the grams narrow the
    paragraphs whose positions Whoosh must check.
    """
    pairs = [gram(a, b) for (ta, tb), (a, b) in
             zip(itertools.pairwise(tokens), itertools.pairwise(normed), strict=True)
             if ta in STOPWORDS or tb in STOPWORDS]
    if not pairs:
        return phrase
    terms: list[wq.Query] = [wq.Term(GRAMS_FIELD, g, boost=FIELD_BOOSTS["text"]) for g in pairs]
    if len(pairs) == len(tokens) - 1:
        return terms[0] if len(terms) == 1 else wq.And(terms)
    return wq.And([*terms, phrase])


def _any_field(normed: str, weight: float) -> wq.Query:
    return wq.Or([wq.Term(f, normed, boost=b * weight) for f, b in FIELD_BOOSTS.items()])


def _filters(request: SearchRequest, parsed: ParsedQuery) -> wq.Query | None:
    parts: list[wq.Query] = []
    for facet in FACETS:
        values = [str(v) for v in request.values(facet.name)]
        values += [v for f, v in parsed.filters if f == facet.name]
        if values:
            field = FACET_FILTER_FIELDS[facet.name]
            parts.append(wq.Or([wq.Term(field, facet.key(v.strip())) for v in values]))
    for d in (v for f, v in parsed.filters if f == "dnr"):
        parts.append(_dnr_term(d))
    if request.date_from or request.date_to:
        start = request.date_from.isoformat() if request.date_from else None
        end = request.date_to.isoformat() if request.date_to else None
        parts.append(wq.TermRange("date", start, end))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)
