"""Swedish vocabulary with realistic word frequencies for the synthetic corpus.

General Swedish comes from ``wordfreq`` (its ``sv`` list, frequencies from
subtitles, Wikipedia, web text) when that benchmark-only package is installed,
else from a small built-in list of function words. Protocol language is
added on top: a hand-written domain list (ranked, Zipf-weighted) and
generated compounds joined with Swedish linking morphemes (``avfall+s+plan``),
so compound search has something to find.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import product

import numpy as np

GENERAL_SIZE = 30_000


def _split(text: str) -> list[str]:
    return text.split()


# Share of running words drawn from each layer.
GENERAL_SHARE, DOMAIN_SHARE, COMPOUND_SHARE = 0.70, 0.22, 0.08
_WORD = re.compile(r"[a-zåäöé]+")

# Frequent in protocols, roughly most frequent first (written for this benchmark).
DOMAIN_WORDS = _split("""
beslut förslag ärendet kommunstyrelsen nämnden kommunen beslutar yrkande
förvaltningen sammanträdet kommunfullmäktige yttrande uppdrag budget verksamheten
protokoll ordförande ledamöter ersättare justering remiss detaljplan bygglov
ekonomi kostnader miljoner kronor investering planen riktlinjer policy
utredning medborgarförslag motion interpellation redovisning uppföljning
delårsrapport årsredovisning taxa avgifter bidrag föreningar skolan förskolan
äldreomsorgen socialtjänsten hemtjänsten vården regionen samverkan avtal
upphandling fastigheten lokaler renovering ombyggnad tillstånd tillsyn
miljöbalken plan bygglagen kommunallagen delegation delegationsbeslut anmälan
information övriga frågor bordläggs återremitteras bifalls avslås godkänns antas
reglemente arbetsordning förvaltningsberättelse revision revisorerna ansvarsfrihet
mål strategi handlingsplan program översiktsplan trafik gång cykel kollektivtrafik
vatten avlopp avfall renhållning energi klimat hållbarhet naturvård friluftsliv
kultur bibliotek idrott fritid ungdomar barn elever lärare rektor personal
medarbetare arbetsmiljö rekrytering lön pension ersättning arvode valnämnden
val ombud styrelse bolaget stiftelsen förbundet kommunförbundet länsstyrelsen
regeringen myndigheten inkomna skrivelser meddelanden dagordning justerare
""")

COMPOUND_HEADS = _split("""
avfall samverkan detaljplan bygg miljö skol förskole äldre social trafik vatten
kultur fritid idrott budget investering fastighet lokal personal arbetsmiljö
energi klimat natur kollektivtrafik gång cykel park gata hamn arkiv
eldning bostad område vård region kommun plan
""")
COMPOUND_TAILS = _split("""
plan råd nämnd förvaltning avtal beslut ärende policy program strategi taxa
förbud tillstånd ansvar verksamhet utredning rapport bidrag kostnad lokal
område frågor uppdrag organisation ändring chef grupp
""")
# Linking morpheme per head ending: Swedish mostly uses -s- after these.
_LINK_S = ("ing", "het", "tion", "an", "al", "ad", "ek")

# Built-in general Swedish, used only when wordfreq is absent (rank order).
FALLBACK_GENERAL = _split("""
och att i det som en på är av för med till den har de inte om ett kan
vara ska eller men så från vid under efter andra detta även mot mellan
där sig också genom sina hur utan när skulle dessa vilket nu bara år
inom samt kommer finns får görs enligt sedan redan över alla många
mycket nya stora olika första hela arbete fråga del tid sätt behov
""")


@dataclass(frozen=True)
class Vocabulary:
    """Words with sampling probabilities, and where the general layer came from."""

    words: tuple[str, ...]
    probs: np.ndarray  # sums to 1, same order as words
    general: tuple[str, ...]  # the general layer, most frequent first
    domain: tuple[str, ...]
    compounds: tuple[str, ...]
    source: str

    def cdf(self) -> np.ndarray:
        return np.cumsum(self.probs)


def _zipf(n: int, s: float = 1.0) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** s
    return w / w.sum()


def general_words(size: int = GENERAL_SIZE) -> tuple[tuple[str, ...], np.ndarray, str]:
    """General Swedish words and relative frequencies (wordfreq when installed)."""
    try:
        import wordfreq
    except ImportError:
        words = tuple(FALLBACK_GENERAL)
        return words, _zipf(len(words)), "built-in list (wordfreq not installed)"
    words = tuple(w for w in wordfreq.top_n_list("sv", size * 2) if _WORD.fullmatch(w))[:size]
    freqs = np.array([wordfreq.word_frequency(w, "sv") for w in words], dtype=np.float64)
    version = getattr(wordfreq, "__version__", None) or _dist_version("wordfreq")
    return words, freqs / freqs.sum(), f"wordfreq {version} (sv, top {len(words):,})"


def _dist_version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


def compounds() -> tuple[str, ...]:
    """Swedish-like compounds of domain heads and tails, in a fixed order."""
    out = []
    for head, tail in product(COMPOUND_HEADS, COMPOUND_TAILS):
        if head == tail:
            continue
        link = "s" if head.endswith(_LINK_S) else ""
        out.append(head + link + tail)
    return tuple(out)


def build_vocabulary(seed: int = 7) -> Vocabulary:
    """The three layers merged; compound ranks shuffled by ``seed`` (Zipf tail)."""
    general, gprobs, source = general_words()
    comp = list(compounds())
    np.random.default_rng(seed).shuffle(comp)
    layers = [
        (general, gprobs * GENERAL_SHARE),
        (tuple(DOMAIN_WORDS), _zipf(len(DOMAIN_WORDS), 0.9) * DOMAIN_SHARE),
        (tuple(comp), _zipf(len(comp), 1.1) * COMPOUND_SHARE),
    ]
    merged: dict[str, float] = {}
    for words, probs in layers:
        for w, p in zip(words, probs, strict=True):
            merged[w] = merged.get(w, 0.0) + float(p)
    words = tuple(merged)
    probs = np.array([merged[w] for w in words])
    return Vocabulary(words, probs / probs.sum(), general, tuple(DOMAIN_WORDS), tuple(comp),
                      source)
