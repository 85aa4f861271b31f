"""The parser's fast paths give exactly what the plain code they replaced gives.

Date and diarienummer patterns are written to start with a character class so
the regex engine can skip ahead in C, and cheap checks skip work that cannot
find anything (see the comments at each). Each is compared here with the plain
version, kept below as the reference: on generated text built from the pieces
those patterns care about (digits, month and weekday names, "den", labels,
slashes and hyphens, Å/Ä/Ö, the characters IGNORECASE folds: ı İ ſ K Å, unusual
spaces, invisible and combining characters, case changes), on generated
protocols, and on the real protocols in ../shared when it is there.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from paragraf_se.indexer.parsing import (
    dates,
    furniture,
    headers,
    lines,
    meeting,
    paragraphs,
    printed_facts,
    sections,
)
from paragraf_se.indexer.parsing import diarienummer as dnr
from paragraf_se.indexer.parsing import text as text_module
from paragraf_se.indexer.parsing.dates import FoundDate, find_dates
from paragraf_se.indexer.parsing.diarienummer import find_diarienummer, strip_diarienummer
from paragraf_se.indexer.parsing.furniture import _mask, is_furniture, remove_furniture
from paragraf_se.indexer.parsing.lines import Line, normalise_line, split_pages, to_lines
from tests import protocol_generator
from tests.shared_data import SHARED, shared_path

# --- The references: the patterns as plainly written, and the code around them.

REF_ISO = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")
REF_PROSE = re.compile(
    rf"(?:\b{dates._WEEKDAY_WORD}\s+)?(?:\bden\s+)?\b(\d{{1,2}})(?::[ae])?(?:\s*[-–]\s*\d{{1,2}})?"
    rf"\s+({dates._MONTH_WORD})\b\.?(?:\s+(\d{{4}})\b)?",
    re.IGNORECASE,
)
REF_UNLABELLED = re.compile(
    rf"(?<![\w/.:-])(?:(?:{dnr._ANY_FORM}){dnr._END}|0\d{{2,5}}/{dnr._YEAR}(?={dnr._CODE}))")
REF_LABELLED = re.compile(
    rf"{dnr._LABEL}({dnr._GLUED}|(?:{dnr._ANY_FORM}|{dnr._PREFIX}/\d{{5,10}}|\d{{4}}/\d{{1,6}}"
    rf"|\d{{1,6}}/\d{{2,4}}){dnr._END})",
    re.IGNORECASE,
)

# One alternation of every furniture pattern (which comes first does not matter
# to whether a whole line matches).
REF_FURNITURE = re.compile(
    "|".join(f"(?:{p})" for p in [*furniture._PATTERNS, *furniture._PROTOKOLL_PATTERNS]),
    re.IGNORECASE)


def reference_find_dates(text: str, default_year: int | None = None) -> list[FoundDate]:
    found: list[FoundDate] = []
    for match in REF_ISO.finditer(text):
        try:
            date = dates.dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            continue
        found.append(FoundDate(date, match.start(), match.end(), True))
    for match in REF_PROSE.finditer(text):
        year = int(match[3]) if match[3] else default_year
        if year is None:
            continue
        date = dates._parse_day_month(match[1], match[2], year)
        if date is not None:
            found.append(FoundDate(date, match.start(), match.end(), bool(match[3])))
    found.sort(key=lambda f: f.start)
    return found


def reference_find_diarienummer(text: str) -> tuple[str, ...]:
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for match in REF_LABELLED.finditer(text):
        found.append((match.start(1), match.group(1)))
        taken.append(match.span(1))
    for match in REF_UNLABELLED.finditer(text):
        if not any(start <= match.start() < end for start, end in taken):
            found.append((match.start(), match.group(0)))
    found.sort()
    out: list[str] = []
    for _, raw in found:
        value = dnr._NO_DOCUMENT.sub("", raw)
        if value not in out:
            out.append(value)
    return tuple(out)


def reference_strip_diarienummer(text: str) -> str:
    text = dnr._GLUED_WHOLE.sub(" ", text)
    text = REF_LABELLED.sub(" ", text)
    text = REF_UNLABELLED.sub(" ", text)
    text = re.sub(r"\(\s*\)|\[\s*\]", " ", text)
    if dnr._LABEL_ONLY.match(text):
        return ""
    return " ".join(text.split())


def reference_implied_year(texts: list[str]) -> int | None:
    years: Counter[int] = Counter()
    for text in texts[:400]:
        for found in reference_find_dates(text):
            if found.has_year:
                years[found.date.year] += 1
    return years.most_common(1)[0][0] if years else None


def reference_normalise_line(text: str) -> str:
    text = unicodedata.normalize("NFC", lines._INVISIBLE.sub("", text))
    return lines._SPACES.sub(" ", text).strip()


def reference_remove_furniture(page: list[Line], repeated: set[str],
                               names: tuple[str, ...] = ()) -> list[Line]:
    lowered = {n.casefold() for n in names if n}
    return [Line("", line.page) if (is_furniture(line.text) or _mask(line.text) in repeated
                                    or line.text.casefold() in lowered) else line
            for line in page]


def reference_classify_heading(text: str) -> str | None:
    cleaned = text.strip().rstrip(":").strip()
    if not cleaned or len(cleaned) > 60:
        return None
    kind = sections._HEADINGS.get(cleaned.lower())
    if kind:
        return kind
    match = sections._BODY_DECISION.match(cleaned)
    if match and match["body"].split(" ")[0].lower() not in sections._NOT_A_BODY:
        return "beslut"
    return None


def reference_rejoin_hyphenated(page: list[Line], keep: set[int]) -> list[Line]:
    """The rejoin as it was, with the protected lines given by index."""
    out = list(page)
    i = 0
    while i < len(out) - 1:
        line, nxt = out[i], out[i + 1]
        if i + 1 in keep or not lines._ends_with_split_word(line.text) or not (
                lines._WORD_START.match(nxt.text)):
            i += 1
            continue
        first, _, rest = nxt.text.partition(" ")
        out[i] = Line(lines._join(line.text, first), line.page)
        if rest:
            out[i + 1] = Line(rest, nxt.page)
        else:
            del out[i + 1]
            keep = {k - 1 if k > i else k for k in keep}
        i += 1
    return out


def assert_same_rejoin(page: list[Line]) -> None:
    keep = {i for i, line in enumerate(page) if text_module._structural(line.text)}
    assert (lines.rejoin_hyphenated(page, text_module._structural)
            == reference_rejoin_hyphenated(page, keep))


def spans(pattern: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], tuple]]:
    return [(m.span(), m.groups()) for m in pattern.finditer(text)]


def assert_same(text: str, *, line: bool = False) -> None:
    """Every fast path against its reference on one text (one line of a document
    when ``line``: then what works on several lines is left out)."""
    # The fast ISO pattern's match starts at the hyphen, its date at group 1.
    assert ([(m.start(1), m.end(), m.groups()) for m in dates._ISO.finditer(text)]
            == [(m.start(), m.end(), m.groups()) for m in REF_ISO.finditer(text)])
    assert find_dates(text) == reference_find_dates(text)
    assert find_dates(text, default_year=2021) == reference_find_dates(text, default_year=2021)
    assert spans(dnr._UNLABELLED, text) == spans(REF_UNLABELLED, text)
    assert spans(dnr._LABELLED, text) == spans(REF_LABELLED, text)
    assert dnr._LABELLED.sub(" ", text) == REF_LABELLED.sub(" ", text)
    assert find_diarienummer(text) == reference_find_diarienummer(text)
    assert strip_diarienummer(text) == reference_strip_diarienummer(text)
    assert normalise_line(text) == reference_normalise_line(text)
    assert is_furniture(text) == bool(text and REF_FURNITURE.fullmatch(text))
    assert sections.classify_heading(text) == reference_classify_heading(text)
    assert paragraphs._ends_sentence(text) == bool(paragraphs._SENTENCE_END.search(text))
    assert printed_facts._shaped_as_running_header(text) == bool(
        printed_facts._PROTOCOL_WORD.search(text)
        and (printed_facts._RUNNING_SHAPE.search(text) or printed_facts.find_authorities(text)))
    # Shortcuts that skip a pattern where it cannot match.
    if "§" not in text:
        assert headers._HEADER.match(text) is None
    if line:
        return
    if "\n\n\n" not in text:
        assert sections._BLANK_LINES.search(text) is None
    assert sections.tidy(text) == re.sub(r"\n{3,}", "\n\n", text).strip()
    texts = text.split("\n")
    assert meeting._implied_year(texts) == reference_implied_year(texts)


# --- Generated text: the pieces the patterns look for, glued in any order.

PIECES = [
    "den ", "Den ", "DEN ", "måndagen ", "Tisdag ", "ONSDAGEN ", "torsdagen", "fredag den ",
    "lördag ", "söndagen ", "mån ", "sweden ", "8 ", "08 ", "31 ", "1:a ", "2:e ", "12-14 ",
    "3 – 5 ", "januari", "Jan.", "feb", "mars", "MAJ", "juni ", "sept.", "okt ", "december",
    "dec.", "2007", " 2024 ", "2017-08-21", "2018-2020", "12345-67-89", "Dnr ", "DNR:",
    "diarienr.", "Diarienummer ", "ärende nr ", "Ärendenr: ", "ÄRENDENUMMER", "ärendenummer",
    "KS ", "RS/559/2019", "KS 2018/14", "KU/2007.9", "KS/2018:14", "SLK-2024-00078",
    "SLK-2023-00025:26", ":-1", "0098/22", "00910/20241.1.2", "0123/2024", "2023/123", "123/22",
    "KNSLI/20014197", "B-ABC/12/2020", "AB-CD-2024-001", "ÅÄÖ 2020/1", "SFS 2017:725",
    "1.1.2", "(", ")", "§ 12 ", "\n", "  ", "\t", "\u00a0", "protokoll", "PROTO\u212aOLL",
    "Kommunstyrelsen, protokoll", "Göteborgs Stad Kommunstyrelsen ", "Sammanträdesprotokoll",
    "Region Jämtland Härjedalen ", "Sida 2 av 8", "3 (74)", "sida ", "av ", ", ",
    "s beslut", " beslut", "Beslut", "m.m.", "m.fl.", "t.ex.", "nr.", ".", "!", "?", ":",
]
ALPHABET = ("0123456789 -–/.:,\ndenraiumjkstgDENRAIUMJKSTGåäöÅÄÖıİſKÅx§()\0"
            "\t\u00a0\u2000\u2001\u2009\u202f\u3000\u00ad\u200b\ufeff\u0301\u030a\u212b")
TEXTS = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(alphabet=ALPHABET, max_size=6)), max_size=14,
).map("".join)
CASED = st.tuples(TEXTS, st.sampled_from([str, str.upper, str.lower, str.swapcase, str.title])
                  ).map(lambda pair: pair[1](pair[0]))


@settings(max_examples=3000, deadline=None)
@given(CASED)
@example("måndagen den 8 januari 2007")
@example("Tisdag 8 jan. och den 9 februari, torsdagen den 3–5 MARS 2020")
@example("x den 8 januari")  # "den" with no word boundary before it is not part of the date
@example("2017-08-21den 9 mars")
@example("Dnr KS 2023/123, RS/559/2019 och ÄRENDE  NR: 0098/22")
@example("dıarienr 2023/1 ſLK-2024-00078 ärendenr:-1")
@example("a-KS 2018/14 /0098/22 .RS/559/2019 x0123/20241.1.2")
# Codes glued on as long as they come: the lookahead reads up to 25 characters
# past the last "/", and each of these is found only when all of them are read.
@example("Diarienummer 910/202412.123.123.123.123x")
@example("Diarienummer 910/202412.123.123.123.123.5")
@example("Diarienummer 910/202412.123.123.123.123..5")
@example("Göteborgs Stad Kommunstyrelsen, PROTO\u212aOLL")
@example("HÖGSBY KOMMUN Sammanträdesprotokoll 3 (12)")
@example("Kommunstyrelsen Sammanträdesprotokoll sida ٣ av ٨")  # Arabic-Indic digits are \d
@example("Kommunstyrelsen, sammanträdesprotokoLL")
@example("Kommunstyrelsens beslut")
@example("  Regionala beredningsrådets beslut:  ")
@example("Enligt kommunstyrelsens beslut")
@example("Beslutet fattades m.m.")
@example("Informationen noteras.\n")
@example("Göteborgs Stad, protokoll")
def test_generated_text_same_as_reference(text):
    assert_same(text)


HYPHENATED = st.lists(
    st.sampled_from([
        "kommun-", "styrelsen", "styrelse-", "n", "IT-", "nämnden", "2018-", "2020 och mer",
        "verksamhets-", "och", "§ 12 Budget", "§ 13", "Beslut", "Beslut-", "beslut", "a-",
        "Kommunstyrelsens beslut", "", "ord- ", "x", "§ 14 Lokal-", "-", "ab-", "Sammanfattning",
    ]),
    max_size=12,
).map(lambda texts: [Line(text, 1 + i // 4) for i, text in enumerate(texts)])


@settings(max_examples=1500, deadline=None)
@given(HYPHENATED)
def test_rejoin_asks_keep_of_the_lines_it_was_given(page):
    """rejoin_hyphenated takes a predicate where it took the set of protected
    indexes (shifted on each deleted line): the same lines are protected."""
    assert_same_rejoin(page)


def test_case_folds_the_fast_paths_rely_on():
    """_LABEL_SCANNED spells the label's first letter as [dDäÄ], so IGNORECASE must
    not let "d" or "ä" match any other character; is_furniture looks for
    "protokoll" in the case fold, so what IGNORECASE lets match one of its letters
    must fold to it."""
    matching = {letter: set() for letter in "däprotkl"}
    patterns = {letter: re.compile(letter, re.IGNORECASE) for letter in matching}
    for code in range(0x110000):
        char = chr(code)
        for letter, pattern in patterns.items():
            if pattern.fullmatch(char):
                matching[letter].add(char)
    assert matching["d"] == set("dD")
    assert matching["ä"] == set("äÄ")
    for letter in "protkl":
        assert {char.casefold() for char in matching[letter]} == {letter}
    assert "\u212a" in matching["k"]  # the Kelvin sign: the case the fold is needed for


def test_nfc_makes_no_space_and_no_invisible_character():
    """normalise_line skips its substitutions on a line without unusual or doubled
    spaces and invisible characters; that needs NFC not to produce any."""
    for code in range(0x110000):
        if 0xD800 <= code < 0xE000:
            continue
        char = chr(code)
        if lines._SPACES.match(char) or lines._UNUSUAL.match(char):
            continue
        for form in ("NFC", "NFD"):
            normal = unicodedata.normalize(form, char)
            assert not lines._SPACES.search(normal), hex(code)
            assert not lines._UNUSUAL.search(normal), hex(code)


def test_generated_protocols_same_as_reference():
    for protocol in protocol_generator.sample(40, seed=3):
        text = protocol.data.decode("utf-8", errors="replace")
        assert_same(text)
        page = to_lines(split_pages(text), paged=False)
        for line in page:
            assert_same(line.text, line=True)
        assert_same_rejoin(page)
        found = headers.find_headers(page)
        assert headers.first_header(page) == (found[0] if found else None)
        for repeated, names in ((set(), ()), ({"Sida # av #"}, ("Kommunstyrelsen",))):
            assert (remove_furniture(page, repeated, names)
                    == reference_remove_furniture(page, repeated, names))


def test_real_protocols_same_as_reference():
    corpus = shared_path("corpora", "goteborg-ks", "paragraphs.jsonl")
    texts = [json.loads(row)["fulltext"]
             for row in corpus.read_text(encoding="utf-8").splitlines()]
    texts += [path.read_text(encoding="utf-8") for path in sorted(SHARED.glob("seeds/*.txt"))]
    assert len(texts) > 2000
    for text in texts:
        assert_same(text)
        for line in text.split("\n"):
            assert_same(line, line=True)


@pytest.mark.parametrize("text", ["", "2017-08-21", "den 8 januari 2007", "Dnr KS 2023/123"])
def test_trivial_inputs(text):
    assert_same(text)
