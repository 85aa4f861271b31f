"""Deterministic synthetic protocols: organisations, bodies, meetings, § paragraphs.

Every meeting slot (organisation × body × year × meeting of the year) is
generated from its own random stream, and slots are taken in an order fixed by
the seed, so a smaller corpus is a prefix of a larger one and any size can be
regenerated without holding it in memory. Paragraph lengths follow the
Göteborg kommunstyrelse corpus (measured from ../shared when present, else the
quantiles written down below).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from benchmarks.vocabulary import Vocabulary, build_vocabulary
from paragraf_se.indexer.model import Paragraph, SourceRef, paragraph_id

SIZES = {"5k": 5_000, "50k": 50_000, "300k": 300_000, "1m": 1_000_000}
YEARS = range(2000, 2027)
MEETINGS_PER_YEAR = 11  # no meeting in July
MONTHS = (1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12)
PARAGRAPHS_PER_MEETING = (6, 36)  # uniform, mean ~20.5: capacity ~1.1M paragraphs
CORPUS = (Path(__file__).resolve().parents[2] / "shared" / "corpora" / "goteborg-ks"
          / "paragraphs.jsonl")

# Character lengths of the Göteborg corpus' paragraph full texts (2,094 rows),
# measured once: quantile -> characters. Mean 762, max 33,326.
BUILTIN_LENGTH_QUANTILES = (
    (0.0, 88), (0.05, 157), (0.1, 189), (0.2, 270), (0.3, 335), (0.4, 389), (0.5, 446),
    (0.6, 524), (0.7, 727), (0.8, 1173), (0.9, 1655), (0.95, 2207), (0.98, 2848),
    (0.99, 3347), (0.995, 4245), (0.999, 11549), (1.0, 33326),
)

_TOWN_HEADS = ("Ås", "Björk", "Ek", "Sjö", "Berg", "Lind", "Stor", "Lill", "Norr", "Söder",
               "Väster", "Öster", "Hav", "Fjäll", "Mal", "Tall", "Gran", "Kvarn", "Bro", "Hult")
_TOWN_TAILS = ("vik", "by", "köping", "hamn", "torp", "sund", "dal", "ås", "fors", "näs",
               "holm", "stad")
KOMMUN_BODIES = ("Kommunfullmäktige", "Kommunstyrelsen", "Byggnadsnämnden", "Socialnämnden",
                 "Barn- och utbildningsnämnden", "Miljö- och hälsoskyddsnämnden")
REGION_BODIES = ("Regionfullmäktige", "Regionstyrelsen", "Hälso- och sjukvårdsnämnden",
                 "Kulturnämnden", "Regionala utvecklingsnämnden", "Samverkansrådet")
FIXED_TITLES = ("Val av justerare", "Godkännande av dagordning", "Anmälan av jäv",
                "Anmälan av delegationsbeslut", "Meddelanden", "Informationsärenden",
                "Övriga frågor")
TITLE_PATTERNS = ("Yttrande över remiss om {w}", "Detaljplan för {place}", "Motion om {w}",
                  "Svar på medborgarförslag om {w}", "Revidering av {c}", "Budget {y}",
                  "Uppföljning av {c} {y}", "Delårsrapport {y}", "Ny {c}",
                  "Bygglov för {place} {n}:{m}", "Redovisning av {w} {y}")
# Phrases spliced into running text: protocols repeat these far more often
# than independent word draws would.
PHRASES = ("för att", "att det", "i enlighet med", "med anledning av", "det är", "inte att",
           "har inkommit", "enligt förslag", "i samverkan med", "under året")
PHRASE_RATE = 0.06  # phrases per running word
DNR_STYLES = ("{b} {y}/{n}", "{B}-{y}-{n:05d}", "{B}/{n}/{y}", "DNR:{B}/{y}.{n}")


def length_quantiles(corpus: Path = CORPUS) -> tuple[tuple[tuple[float, int], ...], str]:
    """(quantile, characters) pairs: measured from the corpus when present."""
    if corpus.is_file():
        lengths = np.array([len(json.loads(line)["fulltext"])
                            for line in corpus.read_text(encoding="utf-8").splitlines()
                            if line.strip()])
        qs = np.linspace(0.0, 1.0, 201)
        return (tuple((float(q), int(v)) for q, v in zip(qs, np.quantile(lengths, qs),
                                                         strict=True)),
                f"measured from {corpus.name} ({len(lengths):,} paragraphs)")
    return BUILTIN_LENGTH_QUANTILES, "built-in quantiles of the Göteborg corpus"


@dataclass(frozen=True)
class Org:
    name: str
    bodies: tuple[str, ...]
    dnr_style: str


@dataclass(frozen=True)
class Meeting:
    """One generated meeting and its paragraphs."""

    org: Org
    body: str
    date: dt.date
    paragraphs: tuple[Paragraph, ...]

    @property
    def url(self) -> str:
        return self.paragraphs[0].source.url


def organisations(n_orgs: int = 30, n_regions: int = 6) -> tuple[Org, ...]:
    """``n_orgs`` invented organisations, the last ``n_regions`` of them regions."""
    names: list[str] = []
    for i in range(n_orgs):
        head = _TOWN_HEADS[(i * 7) % len(_TOWN_HEADS)]
        tail = _TOWN_TAILS[(i * 5 + i // len(_TOWN_HEADS)) % len(_TOWN_TAILS)]
        names.append(head + tail)
    orgs = []
    for i, town in enumerate(names):
        region = i >= n_orgs - n_regions
        orgs.append(Org(f"Region {town}" if region else f"{town} kommun",
                        REGION_BODIES if region else KOMMUN_BODIES,
                        DNR_STYLES[i % len(DNR_STYLES)]))
    return tuple(orgs)


class SyntheticCorpus:
    """Generator of meetings and paragraphs; same seed, same corpus."""

    def __init__(self, seed: int = 2026, vocabulary: Vocabulary | None = None) -> None:
        self.seed = seed
        self.vocab = vocabulary or build_vocabulary(seed)
        self._cdf = self.vocab.cdf()
        self._words = np.array(self.vocab.words, dtype=object)
        self.orgs = organisations()
        self.quantiles, self.length_source = length_quantiles()
        self._q = np.array([q for q, _ in self.quantiles])
        self._v = np.log(np.array([max(v, 1) for _, v in self.quantiles], dtype=np.float64))
        self._mean_word = float(np.dot(self.vocab.probs,
                                       [len(w) + 1 for w in self.vocab.words]))

    @cached_property
    def slots(self) -> np.ndarray:
        """Meeting slot numbers in generation order."""
        n_bodies = len(self.orgs[0].bodies)
        total = len(self.orgs) * n_bodies * len(YEARS) * MEETINGS_PER_YEAR
        return np.random.default_rng(self.seed).permutation(total)

    def meetings(self, n_paragraphs: int) -> Iterator[Meeting]:
        """Meetings until ``n_paragraphs`` paragraphs are produced (the last one cut)."""
        left = n_paragraphs
        for slot in self.slots:
            if left <= 0:
                return
            m = self.meeting(int(slot), limit=left)
            left -= len(m.paragraphs)
            yield m
        if left > 0:
            raise ValueError(f"corpus capacity exceeded: {n_paragraphs:,} paragraphs asked")

    def paragraphs(self, n: int) -> Iterator[Paragraph]:
        """The first ``n`` paragraphs of the corpus."""
        for m in self.meetings(n):
            yield from m.paragraphs

    def meeting(self, slot: int, limit: int | None = None, *, extra: bool = False) -> Meeting:
        """The meeting in ``slot``; ``extra`` makes an extra meeting on day 28 (never a slot's)."""
        n_bodies = len(self.orgs[0].bodies)
        per_org = n_bodies * len(YEARS) * MEETINGS_PER_YEAR
        org = self.orgs[slot // per_org]
        rest = slot % per_org
        body = org.bodies[rest // (len(YEARS) * MEETINGS_PER_YEAR)]
        rest %= len(YEARS) * MEETINGS_PER_YEAR
        year, nth = YEARS[rest // MEETINGS_PER_YEAR], rest % MEETINGS_PER_YEAR
        rng = np.random.default_rng([self.seed, slot, int(extra)])
        date = dt.date(year, MONTHS[nth], 28 if extra else int(rng.integers(1, 28)))
        count = int(rng.integers(*PARAGRAPHS_PER_MEETING))
        if limit is not None:
            count = min(count, limit)
        first = nth * 21 + 1
        url = (f"https://{_slug(org.name)}.example.se/protokoll/{_slug(body)}/"
               f"{date.isoformat()}{'-extra' if extra else ''}.pdf")
        source = SourceRef(hashlib.sha1(url.encode()).hexdigest()[:26], url,
                           hashlib.sha256(url.encode()).hexdigest(), "application/pdf")
        paras = tuple(self._paragraph(rng, org, body, date, str(first + i), i, source)
                      for i in range(count))
        return Meeting(org, body, date, paras)

    # -- text ------------------------------------------------------------

    def _sample_length(self, rng: np.random.Generator) -> int:
        # 0.945: spliced phrases and sentence punctuation make text ~6 % longer
        # than the word count predicts; calibrated to the corpus mean.
        return int(0.945 * np.exp(np.interp(rng.random(), self._q, self._v)))

    def _words_for(self, rng: np.random.Generator, n: int) -> list[str]:
        idx = np.searchsorted(self._cdf, rng.random(n) * self._cdf[-1])
        return list(self._words[np.minimum(idx, len(self._words) - 1)])

    def text(self, rng: np.random.Generator, chars: int) -> str:
        """Sentences of vocabulary words, about ``chars`` characters long."""
        n = max(3, round(chars / self._mean_word))
        words = self._words_for(rng, n)
        phrase_at = rng.random(n) < PHRASE_RATE
        phrase_pick = rng.integers(0, len(PHRASES), n)
        sentence_len = rng.integers(6, 22, n)
        out: list[str] = []
        sentence: list[str] = []
        for i, w in enumerate(words):
            sentence.append(PHRASES[phrase_pick[i]] if phrase_at[i] else w)
            if len(sentence) >= sentence_len[i] or i == n - 1:
                s = " ".join(sentence)
                out.append(s[0].upper() + s[1:] + ".")
                sentence = []
        return " ".join(out)

    def _title(self, rng: np.random.Generator, index: int, date: dt.date) -> str:
        if index < 3:
            return FIXED_TITLES[index]
        if rng.random() < 0.15:
            return FIXED_TITLES[int(rng.integers(3, len(FIXED_TITLES)))]
        pattern = TITLE_PATTERNS[int(rng.integers(0, len(TITLE_PATTERNS)))]
        v = self.vocab
        return pattern.format(
            w=v.domain[int(rng.integers(0, len(v.domain)))],
            c=v.compounds[int(rng.zipf(1.3)) % len(v.compounds)],
            place=f"{_TOWN_HEADS[int(rng.integers(0, 20))]}{_TOWN_TAILS[int(rng.integers(0, 12))]}",
            y=date.year + int(rng.integers(0, 2)), n=int(rng.integers(1, 60)),
            m=int(rng.integers(1, 300)),
        )

    def _paragraph(self, rng, org: Org, body: str, date: dt.date, number: str, index: int,
                   source: SourceRef) -> Paragraph:
        title = self._title(rng, index, date)
        text = self.text(rng, self._sample_length(rng))
        decision = ""
        if rng.random() < 0.6:
            decision = f"{body} beslutar att " + self.text(rng, int(rng.integers(40, 240)))
            decision = decision[: len(body) + 13] + decision[len(body) + 13:].lower()
        dnr: tuple[str, ...] = ()
        if rng.random() < 0.7:
            initials = "".join(p[0] for p in body.replace("-", " ").split() if p[0].isupper())
            dnr = (org.dnr_style.format(b=initials or "KS", B=(initials or "KS").upper(),
                                        y=date.year, n=int(rng.integers(1, 2000))),)
        page = 1 + index // 2
        return Paragraph(
            id=paragraph_id(org.name, body, date, number), org=org.name, body=body, date=date,
            number=number, title=title, text=text,
            sources=(SourceRef(source.capture_id, source.url, source.sha256,
                               source.content_type, page),),
            decision=decision, diarienummer=dnr, pages=(page,),
        )


def protocol_text(meeting: Meeting) -> str:
    """The meeting as a plain-text protocol, shaped like the published ones."""
    lines = [meeting.org.name.upper(), "PROTOKOLL", meeting.body,
             f"Sammanträdesdatum {meeting.date.isoformat()}", ""]
    for p in meeting.paragraphs:
        dnr = f"   Dnr {p.diarienummer[0]}" if p.diarienummer else ""
        lines += [f"§ {p.number}{dnr}", "", p.title, "", p.text, ""]
        if p.decision:
            lines += ["Beslut", p.decision, ""]
    return "\n".join(lines) + "\n"


def _slug(text: str) -> str:
    from paragraf_se.indexer.slug import slugify

    return slugify(text)
