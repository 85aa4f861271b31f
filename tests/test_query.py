from hypothesis import given, settings
from hypothesis import strategies as st

from paragraf_se.indexer.query import MAX_CLAUSES, Clause, Term, parse_query


def test_plain_words_are_anded_clauses():
    q = parse_query("basfinansiering turism")
    assert q.clauses == (Clause((Term("basfinansiering"),)), Clause((Term("turism"),)))
    assert q.notices == ()


def test_or_not_phrase_prefix_and_fields():
    q = parse_query('avfall OR sopor -förbud NOT eldning "för att" elbil* '
                    'organ:"Åsjö kommun" nämnd:Kommunstyrelsen år:2022 dnr:RS/559/2019')
    assert q.clauses[0] == Clause((Term("avfall"), Term("sopor")))
    assert q.clauses[1] == Clause((Term("förbud"),), negated=True)
    assert q.clauses[2] == Clause((Term("eldning"),), negated=True)
    assert q.clauses[3] == Clause((Term("för att", "phrase"),))
    assert q.clauses[4] == Clause((Term("elbil", "prefix"),))
    assert q.filters == (("org", "Åsjö kommun"), ("body", "Kommunstyrelsen"),
                         ("year", "2022"), ("dnr", "RS/559/2019"))


def test_identifiers_stay_one_term():
    assert parse_query("RS/559/2019").clauses == (Clause((Term("RS/559/2019"),)),)


def test_malformed_falls_back_to_plain_words_with_a_notice():
    for text in ['"obalanserat citat', "OR x", "x OR", "NOT x", "okänt:fält y"]:
        q = parse_query(text)
        assert q.notices, text
        assert all(not c.negated for c in q.clauses)
        assert q.filters == ()


def test_long_queries_are_bounded():
    q = parse_query(" ".join(f"ord{i}" for i in range(500)))
    assert len(q.clauses) == MAX_CLAUSES
    assert q.notices


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_never_raises(text):
    q = parse_query(text)
    assert len(q.clauses) <= MAX_CLAUSES


def test_spaced_identifiers_become_one_term():
    assert parse_query("Dnr KS 2023/123").clauses == (Clause((Term("KS 2023/123", "phrase"),)),)
    q = parse_query("beslut 2023-05-10 KS 2018/14")
    assert [t.text for c in q.clauses for t in c.alternatives] == ["beslut", "2023-05-10",
                                                                    "KS 2018/14"]
