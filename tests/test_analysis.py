from paragraf_se.indexer.analysis import (
    STOPWORDS,
    exact_analyzer,
    is_stopword,
    stem,
    swedish_analyzer,
)


def tokens(analyzer, text):
    return [t.text for t in analyzer(text)]


def test_snowball_swedish_stems_definite_forms():
    assert stem("beslutet") == stem("beslut")
    assert stem("förslaget") == stem("förslag")
    assert stem("avtalet") == stem("avtal")


def test_overrides_fix_known_snowball_misses():
    assert stem("protokollet") == stem("protokoll")
    assert stem("tillståndet") == stem("tillstånd")
    assert stem("ekonomin") == stem("ekonomi")


def test_positions_are_kept_and_stopwords_indexed():
    # Whoosh reuses one Token object, so read each as it comes.
    toks = [(t.text, t.pos) for t in swedish_analyzer()("Beslut för att minska avfall",
                                                         positions=True)]
    assert [pos for _, pos in toks] == [0, 1, 2, 3, 4]
    assert [text for text, _ in toks][1:3] == ["för", "att"]


def test_hyphenated_and_identifier_words_split():
    assert tokens(exact_analyzer(), "IT-nämnden RS/559/2019") == ["it", "nämnden", "rs", "559",
                                                                   "2019"]


def test_stopword_list():
    assert len(STOPWORDS) == 114
    assert is_stopword("Och") and not is_stopword("avfall")


def test_genitive_and_umlaut_plurals():
    assert stem("studentbostäders") == stem("studentbostäder") == stem("studentbostad")
    assert stem("bostäder") == stem("bostad") == stem("bostaden")
    assert stem("städer") == stem("stad")
