from paragraf_se.indexer.analysis import stem
from paragraf_se.indexer.snippets import SCAN_CHARS, make_snippet


def matcher(*words):
    wanted = {stem(w) for w in words}
    return lambda w: stem(w) in wanted


def test_marks_matches_and_escapes_the_rest():
    text = 'Rådet <script>alert(1)</script> beslutar om basfinansiering & "turism".'
    html = make_snippet(text, matcher("basfinansiering", "turism"))
    assert "<mark>basfinansiering</mark>" in html
    assert "<mark>turism</mark>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&amp;" in html and "&quot;" in html


def test_window_moves_to_the_matches():
    text = "inledning " * 200 + "här står avfallsplanen för kommunen " + "slut " * 200
    html = make_snippet(text, matcher("avfallsplanen"))
    assert html.startswith("… ") and html.endswith(" …")
    assert "<mark>avfallsplanen</mark>" in html
    assert len(html) < 400


def test_no_match_gives_the_beginning():
    assert make_snippet("Kort text.", matcher("saknas")) == "Kort text."


def test_scanning_is_bounded():
    text = "a " * SCAN_CHARS + "turism"
    assert "<mark>" not in make_snippet(text, matcher("turism"))
