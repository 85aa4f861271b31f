"""Swedish compound splitting: "eldningsförbudet" -> "eldning" + "förbudet".

Swedish writes compounds as one word, so a search for "avfall" misses
"avfallsplan" unless the index also holds the parts. :func:`split_compound`
finds them with a dictionary of known words: a compound is a known modifier,
an optional linking morpheme (-s-, -e-, -a-, -u-, -o-), then a known head or
another compound. Pure and cached; the dictionary is a word list shipped in
``indexer/data`` and rebuilt by ``paragraf compounds build``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
WORDLIST = DATA_DIR / "sv_words.txt"  # generated: paragraf compounds build
EXTRA_WORDS = DATA_DIR / "sv_words_extra.txt"  # hand-written supplement

MIN_WORD = 7  # shorter words are left whole
MIN_MODIFIER = 4  # "för", "sam", "eld" are prefixes far more often than modifiers
MIN_HEAD = 3  # "råd" in "samverkansråd"
LINKERS = ("", "s", "e", "a", "u", "o")
# Derivational endings that happen to be dictionary words; never heads.
# "ring" ends nominalisations ("parkering", "finansiering"), not compounds.
NOT_HEADS = frozenset({"het", "ende", "dom", "else", "ning", "skap", "ande", "lig", "ling",
                       "tion", "are", "ern", "ens", "ets", "ighet", "ring", "rings"})
# Prefixes that are words of their own but mostly form lexicalised words
# ("tillstånd", "undersökning", "överenskommelse"): never split off.
NOT_MODIFIERS = frozenset({"till", "under", "över", "efter", "mellan", "genom", "utan",
                           "inom", "fram", "bort", "samman", "från", "emot", "ovan"})
# Heads may carry inflection the dictionary lacks: "förbudet", "planerna".
HEAD_ENDINGS = ("", "en", "et", "n", "t", "ar", "er", "or", "na", "arna", "erna", "orna",
                "ens", "ets", "s", "ns", "ts", "ade", "at", "ande")


@functools.cache
def dictionary() -> frozenset[str]:
    """The shipped word list (lowercased base forms), loaded once."""
    if not WORDLIST.exists():
        return frozenset()
    return frozenset(WORDLIST.read_text(encoding="utf-8").split())


def _is_head(part: str, words: frozenset[str]) -> bool:
    if len(part) < MIN_HEAD or part in NOT_HEADS:
        return False
    for ending in HEAD_ENDINGS:
        if part.endswith(ending):
            base = part[: len(part) - len(ending)] if ending else part
            if len(base) >= MIN_HEAD and base in words and base not in NOT_HEADS:
                return True
    return False


def _is_modifier(part: str, words: frozenset[str]) -> bool:
    # Verb stems compound without their -a: "ladd" + "infrastruktur".
    if len(part) < MIN_MODIFIER or part in NOT_MODIFIERS:
        return False
    return part in words or part + "a" in words


def split_compound(word: str, words: frozenset[str] | None = None) -> tuple[str, ...]:
    """The parts of a lowercased compound (heads inflected as in the word), or ()."""
    words = dictionary() if words is None else words
    if len(word) < MIN_WORD or not words or not word.isalpha():
        return ()
    return _split(word, words)


@functools.lru_cache(maxsize=200_000)
def _split_cached(word: str) -> tuple[str, ...]:
    return _split(word, dictionary())


def split_cached(word: str) -> tuple[str, ...]:
    """:func:`split_compound` with the shipped dictionary, memoised per word."""
    if len(word) < MIN_WORD or not word.isalpha():
        return ()
    return _split_cached(word)


def _split(word: str, words: frozenset[str]) -> tuple[str, ...]:
    best: tuple[str, ...] = ()
    best_score = 0.0
    for i in range(MIN_MODIFIER, len(word) - MIN_HEAD + 1):
        modifier = word[:i]
        if not _is_modifier(modifier, words):
            continue
        for linker in LINKERS:
            rest_start = i + len(linker)
            if word[i:rest_start] != linker or len(word) - rest_start < MIN_HEAD:
                continue
            rest = word[rest_start:]
            direct = _is_head(rest, words)
            if direct:
                parts: tuple[str, ...] = (modifier, rest)
            elif len(rest) >= MIN_WORD and (sub := _split(rest, words)):
                parts = (modifier, rest, *sub)
            else:
                continue
            # Prefer balanced, long parts (Koehn & Knight use part
            # frequencies; lengths are a frequency-free stand-in), a head
            # that is a word over one that needs splitting again, and a
            # linking morpheme over a modifier that swallowed it
            # ("samverkan+s+råd", "brandskydd+s+kontroll").
            score = min(len(modifier), len(rest)) + (0.5 if linker else 0.0) + (2 if direct else 0)
            if score > best_score:
                best, best_score = parts, score
    if best and len(best[0]) >= MIN_WORD:
        # A modifier may be a compound too: "brandskydd" -> "brand" + "skydd".
        best = (*best, *_split(best[0], words))
    return best


def read_extra_words(path: Path = EXTRA_WORDS) -> list[str]:
    """The hand-written supplement: one word per line, ``#`` comments."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [w.strip() for w in lines if w.strip() and not w.startswith("#")]


def build_wordlist(hunspell_dic: Path, extra_words: Iterable[str] = ()) -> list[str]:
    """Base forms from a hunspell ``.dic`` (affix flags dropped) plus extra words."""
    out: set[str] = set()
    lines = hunspell_dic.read_text(encoding="utf-8").splitlines()[1:]
    for line in [*lines, *extra_words]:
        word = line.split("/", 1)[0].strip().lower()
        if 3 <= len(word) <= 30 and word.isalpha():
            out.add(word)
    return sorted(out)
