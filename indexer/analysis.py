"""Swedish text analysis: tokenising, lowercasing, compound parts and Snowball stemming.

Built as Whoosh analysis chains (``Tokenizer | Filter | ...``). The classes
live at this importable path because Whoosh pickles the schema, analyzers
included, into the index.

Stopwords are *not* removed at index time: every word keeps its position so
phrases such as "för att" match exactly. The query side drops stopwords from
free (unquoted) terms instead; see :func:`is_stopword`.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
from collections.abc import Iterator
from pathlib import Path

import snowballstemmer
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, Token, Tokenizer

from paragraf_se.indexer import compounds
from paragraf_se.indexer.compounds import dictionary, split_cached

# Words joined by inner hyphens or digits stay apart ("IT-nämnden" -> it,
# nämnden) so each half is searchable; \w covers å, ä, ö and é.
TOKEN_PATTERN = re.compile(r"\w+", re.UNICODE)

# The Snowball project's Swedish stopword list.
STOPWORDS: frozenset[str] = frozenset(
    """
    och det att i en jag hon som han på den med var sig för så till är men ett om hade de av
    icke mig du henne då sin nu har inte hans honom skulle hennes där min man ej vid kunde
    något från ut när efter upp vi dem vara vad över än dig kan sina här ha mot alla under
    någon eller allt mycket sedan ju denna själv detta åt utan varit hur ingen mitt ni bli
    blev oss din dessa några deras blir mina samma vilken er sådan vår blivit dess inom
    mellan sådant varför varje vilka ditt vem vilket sitta sådana vart dina vars vårt våra
    ert era vilkas
    """.split()  # noqa: SIM905
)

# Known misses of Snowball Swedish that matter in protocols: definite forms
# it leaves whole ("protokollet") and roots it cuts too short ("styrelse" ->
# "styr" would merge it with "styra"). Values are the stems we want instead.
STEM_OVERRIDES: dict[str, str] = {
    "protokollet": "protokoll",
    "protokollets": "protokoll",
    "tillståndet": "tillstånd",
    "tillståndets": "tillstånd",
    "skolan": "skol",
    "skolans": "skol",
    "ekonomin": "ekonomi",
    "ekonomins": "ekonomi",
    "bostaden": "bost",
    "bostadens": "bost",
}

# Plurals with a vowel change that Snowball cannot join to their singular,
# also at the end of compounds ("studentbostäder" -> "studentbostad").
UMLAUT_PLURALS: tuple[tuple[str, str], ...] = (
    ("bostädernas", "bostad"), ("bostäderna", "bostad"), ("bostäders", "bostad"),
    ("bostäder", "bostad"), ("städernas", "stad"), ("städerna", "stad"), ("städer", "stad"),
    ("länderna", "land"), ("länder", "land"), ("händerna", "hand"), ("händer", "hand"),
    ("böckerna", "bok"), ("böcker", "bok"), ("fötterna", "fot"), ("fötter", "fot"),
)
_GENITIVE_AFTER = ("ers", "ars", "ors")

_SNOWBALL = snowballstemmer.stemmer("swedish")


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Stem one lowercased Swedish word, with the project's overrides."""
    override = STEM_OVERRIDES.get(word)
    if override is not None:
        return override
    for plural, singular in UMLAUT_PLURALS:
        if word.endswith(plural):
            word = word[: len(word) - len(plural)] + singular
            break
    else:
        # Snowball leaves the genitive -s after a plural ending ("bostäders").
        if len(word) > 6 and word.endswith(_GENITIVE_AFTER):
            word = word[:-1]
    stemmed = _SNOWBALL.stemWord(word)
    if stemmed == word and word.endswith("t") and len(word) > 5:
        return _definite_neuter(word)
    return stemmed


def _definite_neuter(word: str) -> str:
    """Snowball keeps some definite neuters whole ("avfallet", "ärendet", "projektet").

    When the word is not a dictionary base form itself but drops a definite
    -t/-et onto one ("ärende"+"t", "avfall"+"et"), stem that base form.
    """
    words = dictionary()
    if word in words:
        return word  # "budget", "paket": base forms ending in -et
    for base in (word[:-1], word[:-2] if word.endswith("et") else ""):
        if len(base) >= 4 and base in words:
            return _SNOWBALL.stemWord(base)
    return word


def use_wordlist(path: Path | None) -> None:
    """Analyse with the word list at ``path`` from now on (``None``: the shipped list).

    Applies to this process and to the worker processes it spawns afterwards
    (through ``$PARAGRAF_WORDLIST``); every cache that depends on the list is emptied.
    """
    wanted = str(path) if path is not None else None
    if os.environ.get(compounds.WORDLIST_ENV) == wanted:
        return
    if wanted is None:
        os.environ.pop(compounds.WORDLIST_ENV, None)
    else:
        os.environ[compounds.WORDLIST_ENV] = wanted
    for cached in (compounds.dictionary, compounds._split_cached, stem, analyse_word):
        cached.cache_clear()


def is_stopword(word: str) -> bool:
    """True for Snowball Swedish stopwords (after lowercasing)."""
    return word.casefold() in STOPWORDS


class _Stateless:
    """Analysis parts without settings: every instance is equal (Whoosh compares
    analyzers when it checks a schema)."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))


class SwedishStemFilter(_Stateless, Filter):
    """Replaces each token's text with its cached Snowball Swedish stem."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            if not t.stopped:
                t.text = stem(t.text)
            yield t


GRAM_JOINER = "_"


def gram(first_stem: str, second_stem: str) -> str:
    """The common-gram token of two adjacent stems ("för att" -> "för_att")."""
    return f"{first_stem}{GRAM_JOINER}{second_stem}"


def common_grams(text: str) -> list[str]:
    """Grams of every adjacent word pair where either word is a stopword.

    Phrases of common words ("för att", "i enlighet med") are slow to match
    by positions, because their words are in most paragraphs; indexed as
    grams they are single, rare-enough terms.
    """
    lowered = words(text)
    out = []
    for a, b in itertools.pairwise(lowered):
        if a in STOPWORDS or b in STOPWORDS:
            out.append(gram(stem(a), stem(b)))
    return out


class CommonGramsTokenizer(_Stateless, Tokenizer):
    """Tokenizer for the ``grams`` field: see :func:`common_grams`."""

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "",
                 **kwargs) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        grams = common_grams(value) if tokenize else [value]
        for i, g in enumerate(grams):
            t.text = g
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = start_pos + i
            if chars:
                t.startchar = t.endchar = start_char
            yield t


@functools.lru_cache(maxsize=200_000)
def analyse_word(lowered: str) -> tuple[str, ...]:
    """The terms one lowercased word gives: its stem, then its compound parts' stems."""
    return (stem(lowered), *(stem(part) for part in split_cached(lowered)))


class SwedishTokenizer(_Stateless, Tokenizer):
    """Tokenize, lowercase, add compound parts and stem in one pass.

    After each word come its compound parts at the same position
    ("eldningsförbudet" -> "eldningsförbud", "eldning", "förbud"), so "eldning
    förbud" finds it and phrases of whole words still match. One pass with
    the per-word work cached: a chain of Whoosh filters cost more than the
    analysis itself when building an index.
    """

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "",
                 **kwargs) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value.lower()
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        for pos, match in enumerate(TOKEN_PATTERN.finditer(value), start=start_pos):
            for term in analyse_word(match.group(0).lower()):
                t.text = term
                t.boost = 1.0
                t.stopped = False
                if keeporiginal:
                    t.original = match.group(0)
                if positions:
                    t.pos = pos
                if chars:
                    t.startchar = start_char + match.start()
                    t.endchar = start_char + match.end()
                yield t


def swedish_analyzer(compounds: bool = True):
    """The stemmed analyzer used for title, decision and text.

    ``compounds=False`` gives plain Snowball, the baseline the evaluation
    compares against.
    """
    if compounds:
        return SwedishTokenizer()
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | SwedishStemFilter()


def exact_analyzer():
    """Unstemmed, lowercased words: for exact mode and spelling suggestions."""
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter()


def words(text: str) -> list[str]:
    """Lowercased words of ``text`` as the analyzers see them."""
    return [m.group(0).lower() for m in TOKEN_PATTERN.finditer(text)]
