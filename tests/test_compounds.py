from pathlib import Path

import pytest

from paragraf_se.indexer.compounds import build_wordlist, dictionary, split_compound

WORDS = frozenset({"avfall", "plan", "eldning", "förbud", "samverkan", "råd", "kommun",
                   "styrelse", "ladda", "infrastruktur", "till", "stånd", "elbil", "laddning"})


@pytest.mark.parametrize("word, parts", [
    ("avfallsplan", ("avfall", "plan")),
    ("avfallsplanen", ("avfall", "planen")),
    ("eldningsförbudet", ("eldning", "förbudet")),
    ("samverkansråd", ("samverkan", "råd")),
    ("kommunstyrelsen", ("kommun", "styrelsen")),
    ("laddinfrastruktur", ("ladd", "infrastruktur")),
    ("elbilsladdning", ("elbil", "laddning")),
])
def test_splits_with_linking_morphemes(word, parts):
    assert split_compound(word, WORDS) == parts


@pytest.mark.parametrize("word", ["tillståndet", "avfall", "plan", "okändaordet", "RS2019"])
def test_leaves_simple_and_lexicalised_words_whole(word):
    assert split_compound(word, WORDS) == ()


def test_recursive_compounds():
    words = WORDS | {"detalj", "ändring"}
    assert split_compound("detaljplaneändring", words) == ("detalj", "planeändring", "plan",
                                                           "ändring")


def test_shipped_dictionary_is_loaded():
    words = dictionary()
    assert len(words) > 100_000
    assert {"avfall", "samverkan", "förbud"} <= words
    assert split_compound("eldningsförbudet") == ("eldning", "förbudet")


def test_build_wordlist_reads_hunspell_format(tmp_path: Path):
    dic = tmp_path / "sv.dic"
    dic.write_text("4\navfall/ABD\nPlan/X\n1990\nx/\n", encoding="utf-8")
    assert build_wordlist(dic, ["samverkan"]) == ["avfall", "plan", "samverkan"]


def test_nominalisations_and_nested_modifiers():
    words = WORDS | {"park", "ring", "brand", "skydd", "brandskydd", "kontroll", "skon",
                     "troll"}
    assert split_compound("parkering", words) == ()
    assert split_compound("brandskyddskontroll", words) == ("brandskydd", "kontroll", "brand",
                                                            "skydd")
