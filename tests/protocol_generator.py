"""Synthetic Swedish meeting protocols whose truth is known, for the parser.

The generator composes the variants real protocols are printed in (see
../shared/docs/sources.md and README "Parsing protocols"): header forms x
case-number forms x title placement and wrapping x body prefixes x page
furniture (and page breaks inside titles and text) x section headings x front
pages x text layers (pdftotext -layout style, pypdfium2-style plain text, HTML).
Each :class:`Protocol` carries the bytes a parser sees and the truth it must
recover. Pure and seeded: the same seed gives the same protocol.

Adding a variant: add its value to the dimension tuple below, render it in the
function named for that dimension, and make the truth say what a reader of the
printed protocol would say (see README "How to add a template variant").
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import random
from dataclasses import dataclass

# The dimensions and their values. ``variants()`` enumerates their product.
HEADER_FORMS = ("spaced", "tight", "prefixed", "prefixed_tight", "lettered")
CASE_FORMS = ("none", "labelled", "labelled_glued", "bare", "bare_glued", "bare_series",
              "internal", "case_line", "after_title")
PLACEMENTS = ("same_line", "next_line", "after_blank")
WRAPS = (1, 2, 3)
FURNITURE = ("none", "counters", "running", "break_in_title", "break_in_text")
HEADINGS = ("beslut", "body_beslut", "full", "bakgrund", "text_first")
FRONT_PAGES = ("labels", "prose", "agenda")
LAYERS = ("layout", "plain", "html")

# Families reported separately by benchmarks/parse_accuracy.py.
FAMILIES = {"case": CASE_FORMS, "placement": PLACEMENTS, "layer": LAYERS,
            "furniture": FURNITURE, "header": HEADER_FORMS, "headings": HEADINGS,
            "front": FRONT_PAGES}

_ORGS = (  # (organisation, bodies with their paragraph prefix)
    ("Högsby kommun", (("Kommunstyrelsen", "KS"), ("Kommunfullmäktige", "Kf"),
                       ("Barn- och utbildningsnämnden", "BUN"))),
    ("Bergs kommun", (("Kommunstyrelsen", "KS"), ("Miljö- och byggnämnden", "MBN"))),
    ("Region Gotland", (("Regionstyrelsen", "RS"), ("Hälso- och sjukvårdsnämnden", "HSN"))),
    ("Uppsala kommun", (("Kommunstyrelsens arbetsutskott", "KSAU"),
                        ("Kulturnämnden", "KN"))),
    ("Göteborgs Stad", (("Kommunstyrelsen", "KS"), ("Idrotts- och föreningsnämnden", "IFN"))),
)
_LABELS = ("Dnr", "DNR:", "Dnr.", "Dnr:", "Diarienummer", "Diarienr", "Ärendenummer",
           "Ärende nr")
_TOPICS = (
    "utökad skolskjuts för elever på landsbygden", "belysning längs gång- och cykelvägar",
    "fler laddplatser för elbilar vid kommunens arbetsplatser",
    "gratis kollektivtrafik för pensionärer", "en fritidsbank i varje kommundel",
    "minskad användning av engångsartiklar i förskolan", "ökad trygghet i centrum",
)
_PLACES = ("kvarteret Eken i Kvarnbyn", "del av Fågelsången 1:12, Norra hamnen",
           "bostäder vid Lillsjöns strand", "verksamhetsområde i Östra industriområdet")
_REVIEWS = ("granskning av kommunens upphandling och avtalstrohet",
            "om intern kontroll av leverantörsutbetalningar",
            "granskning av styrning och uppföljning av hemtjänsten")
_TAILS = ("en översyn av riktlinjerna för kommunens verksamhet",
          "förslag till handlingsplan för åren 2025–2027",
          "en utredning av kostnaderna för genomförandet",
          "ändring av reglementet för den berörda nämnden",
          "uppföljning av tidigare fattade beslut i frågan",
          "samråd med länsstyrelsen och grannkommunerna",
          "en plan för att minska kommunens klimatpåverkan",
          "finansiering inom ramen för nästa års budget",
          "information till berörda föreningar och skolor",
          "en redovisning av erfarenheterna från andra kommuner")
_SERVICES = ("bygglov", "renhållning", "vatten och avlopp", "livsmedelskontroll")
_NAMES = (("Anna Berg", "S"), ("Lars Ek", "M"), ("Karin Lund", "C"), ("Omar Said", "V"),
          ("Eva Holm", "KD"), ("Per Sand", "SD"), ("Maria Ås", "L"), ("Jonas Strand", "MP"))
_OPENINGS = (
    "{body} har fått en motion om {topic} och förvaltningen har utrett frågan.",
    "Förvaltningen har tagit fram ett förslag som beskrivs i tjänsteskrivelsen.",
    "Ärendet har beretts av förvaltningen i samråd med berörda verksamheter.",
    "Samhällsbyggnadsförvaltningen redovisar förslaget och dess konsekvenser för ekonomin.",
    "Revisorerna har granskat verksamheten och lämnar sina iakttagelser i en rapport.",
    "En medborgare har lämnat ett förslag om {topic}.",
    "Enligt kommunallagen ska fullmäktige besluta i ärenden av principiell beskaffenhet.",
    "Socialförvaltningen har på uppdrag av nämnden sett över rutinerna.",
    "Nämnden ska varje år följa upp hur verksamheten bedrivs.",
    "Länsstyrelsen har begärt att kommunen yttrar sig i ärendet.",
)
_SENTENCES = (
    "Förslaget bedöms rymmas inom befintlig budget för innevarande år.",
    "Samråd har skett med de fackliga organisationerna enligt gällande avtal.",
    "Kostnaden beräknas till 1,2 miljoner kronor per år från och med nästa år.",
    "Frågan har tidigare behandlats av arbetsutskottet som lämnat ärendet utan eget förslag.",
    "Förvaltningen bedömer att förslaget bidrar till de övergripande målen i budgeten.",
    "Ett genomförande kräver att ansvaret mellan nämnderna tydliggörs i reglementet.",
)
_DECISIONS = (
    "Motionen avslås.", "Motionen anses besvarad.", "Detaljplanen antas.",
    "Rapporten läggs till handlingarna.", "Taxan fastställs att gälla från och med den 1 januari.",
    "{body} föreslår kommunfullmäktige att anta förslaget i sin helhet.",
    "Informationen noteras.", "Förvaltningen får i uppdrag att återkomma med en redovisning.",
)
_WEEKDAYS = ("måndagen", "tisdagen", "onsdagen", "torsdagen", "fredagen", "lördagen",
             "söndagen")
_MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
           "september", "oktober", "november", "december")
# Words after which a wrapped title line visibly goes on; a title broken at a
# page break is only unambiguous where the line ends in one of these or the
# next line starts in lower case (a reader could not tell either otherwise).
_CONTINUING = frozenset({"och", "av", "om", "för", "i", "med", "till", "på", "samt", "från",
                         "inom", "den", "det", "de"})


@dataclass(frozen=True)
class Variant:
    """One combination of the dimensions."""

    header: str
    case: str
    placement: str
    wrap: int
    furniture: str
    headings: str
    front: str
    layer: str

    def family_values(self) -> dict[str, str]:
        return {"case": self.case, "placement": self.placement, "layer": self.layer,
                "furniture": self.furniture, "header": self.header,
                "headings": self.headings, "front": self.front}


@dataclass(frozen=True)
class TruthParagraph:
    """What the printed paragraph says."""

    number: str
    title: str
    diarienummer: str | None
    code: str | None
    decision: str


@dataclass(frozen=True)
class Protocol:
    """A generated document and its truth."""

    variant: Variant
    seed: int
    data: bytes
    content_type: str
    org: str
    body: str
    date: dt.date
    paragraphs: tuple[TruthParagraph, ...]


def is_valid(variant: Variant) -> bool:
    """Combinations that cannot be printed: a case on its own line needs the
    title below the header; a page break inside a title needs a wrapped title
    and pages (HTML has none)."""
    if variant.case == "case_line" and variant.placement == "same_line":
        return False
    if variant.furniture == "break_in_title" and (variant.wrap < 2 or variant.layer == "html"):
        return False
    return not (variant.layer == "html" and variant.furniture != "none")


def variants() -> list[Variant]:
    """Every valid combination, in a fixed order."""
    out = []
    for combo in itertools.product(HEADER_FORMS, CASE_FORMS, PLACEMENTS, WRAPS, FURNITURE,
                                   HEADINGS, FRONT_PAGES, LAYERS):
        variant = Variant(*combo)
        if is_valid(variant):
            out.append(variant)
    return out


def sample(count: int, seed: int = 0) -> list[Protocol]:
    """``count`` protocols over variants drawn without bias from all valid ones."""
    every = variants()
    rng = random.Random(seed)
    chosen = rng.sample(every, min(count, len(every)))
    return [generate(v, seed * 1_000_003 + i) for i, v in enumerate(chosen)]


def generate(variant: Variant, seed: int) -> Protocol:
    """One protocol of ``variant``; deterministic in ``seed``."""
    rng = random.Random(seed)
    org, bodies = rng.choice(_ORGS)
    body, prefix = rng.choice(bodies)
    date = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(0, 700))
    first = rng.randrange(1, 300)
    count = rng.randrange(4, 8)
    paragraphs: list[_Para] = []
    number = first
    for position in range(count):
        letter = variant.header == "lettered" and position == 2
        label = f"{number - 1} a" if letter else str(number)
        if not letter:
            number += 1
        paragraphs.append(_unique_paragraph(rng, variant, label, body, paragraphs))
    doc = _Doc(variant, rng, org, body, prefix, date, paragraphs)
    data, ctype = (doc.html(), "text/html") if variant.layer == "html" else (doc.text(),
                                                                             "text/plain")
    truth = tuple(TruthParagraph(p.number, p.title, p.dnr, p.code, p.decision)
                  for p in paragraphs)
    return Protocol(variant, seed, data.encode("utf-8"), ctype, org, body, date, truth)


@dataclass(frozen=True)
class _Para:
    number: str
    title: str
    title_lines: tuple[str, ...]
    printed_case: str | None  # as printed after the number (or on its own line)
    dnr: str | None
    code: str | None
    blocks: tuple[tuple[str, str], ...]  # ("heading" | "text", content)
    decision: str


def _unique_paragraph(rng: random.Random, variant: Variant, number: str, body: str,
                      before: list[_Para]) -> _Para:
    """A protocol does not print the same title twice. Nor, in this generator,
    the same title ending, opening line or wrapped decision: a text line
    repeated at the top or foot of most pages is read as a running header or
    footer (a known limit of furniture detection by repetition; a line right
    under a § header or a heading is safe, so one-line decisions may repeat)."""
    for _ in range(10_000):
        para = _paragraph(rng, variant, number, body)
        if not any(p.title[-30:] == para.title[-30:] or _opening(p) == _opening(para)
                   or (p.decision == para.decision and len(para.decision) > 40)
                   for p in before):
            return para
    raise AssertionError("the generator's word lists are too small for unique paragraphs")


def _opening(para: _Para) -> str:
    return next(content for kind, content in para.blocks if kind == "text")[:60]


def _paragraph(rng: random.Random, variant: Variant, number: str, body: str) -> _Para:
    title = _title(rng, variant.wrap)
    lines = _wrap_title(rng, title, variant.wrap, variant)
    printed, dnr, code = _case(rng, variant.case)
    if variant.case == "after_title":
        lines = (*lines[:-1], f"{lines[-1]} {printed}")
    decision = rng.choice(_DECISIONS).format(body=body)
    blocks = _blocks(rng, variant.headings, body, decision)
    return _Para(number, title, lines, printed, dnr, code, blocks, decision)


def _title(rng: random.Random, wrap: int) -> str:
    """A title long enough to wrap over ``wrap`` lines."""
    name, party = rng.choice(_NAMES)
    short = [
        "Val av justerare", "Anmälan av delegationsbeslut", "Fastställande av dagordning",
        f"Taxa för {rng.choice(_SERVICES)} 2025", "Informationsärenden",
    ]
    medium = [
        f"Svar på motion om {rng.choice(_TOPICS)}", f"Detaljplan för {rng.choice(_PLACES)}",
        f"Revisionsrapport {rng.choice(_REVIEWS)}", f"Medborgarförslag om {rng.choice(_TOPICS)}",
        "Delårsrapport per den 31 augusti för kommunens samlade verksamhet",
        "Ändring av reglemente för krisledningsnämnden m.m.",
    ]
    tail = rng.choice(_TAILS)
    long = [
        f"Svar på motion från {name} ({party}) om {rng.choice(_TOPICS)} och {tail}",
        f"Yttrande över remiss om {rng.choice(_TOPICS)} samt {tail}",
    ]
    return rng.choice((short, medium, long)[wrap - 1])


def _wrap_title(rng: random.Random, title: str, wrap: int, variant: Variant) -> tuple[str, ...]:
    """``title`` over ``wrap`` lines, wrapped at a column as a word processor
    does. Where a page break may fall inside the title, or text follows it
    without a blank line, only wraps where the title visibly goes on qualify
    (the line ends in "för", "om", ... or the next starts in lower case)."""
    if wrap == 1:
        return (title,)
    strict = (variant.furniture == "break_in_title" or variant.headings == "text_first"
              or variant.layer == "plain")
    widths = list(range(20, 100))
    rng.shuffle(widths)
    for width in widths:
        lines = _wrap(title, width)
        if len(lines) != wrap:
            continue
        if strict and not all(a.split()[-1] in _CONTINUING or b[:1].islower()
                              for a, b in itertools.pairwise(lines)):
            continue
        return tuple(lines)
    raise AssertionError(f"cannot wrap {title!r} over {wrap} lines")


def _case(rng: random.Random, form: str) -> tuple[str | None, str | None, str | None]:
    """(as printed, diarienummer, classification code) for a case-number form."""
    year = rng.randrange(2015, 2025)
    serial = rng.randrange(1, 1500)
    code = f"{rng.randrange(1, 4)}.{rng.randrange(1, 9)}.{rng.randrange(1, 9)}"
    ids = [f"KS {year}/{serial}", f"{year}/{serial}", f"{serial}/{year % 100:02d}",
           f"RS/{serial}/{year}", f"SLK-{year}-{serial:05d}", f"KU/{year}.{serial}",
           f"KNSLI/{year}{serial:04d}"]
    if form == "none":
        return None, None, None
    if form == "labelled":
        dnr = rng.choice(ids)
        return f"{_label(rng)} {dnr}".replace(": ", ":", rng.random() < 0.5), dnr, None
    if form in ("labelled_glued", "bare_glued"):
        dnr = f"{serial:05d}/{year}"
        glued = f"{dnr}{code}" + ("." if rng.random() < 0.3 else "")
        printed = f"{_label(rng)} {glued}" if form == "labelled_glued" else glued
        return printed, dnr, code
    if form == "bare":
        dnr = rng.choice([f"{serial}/{year % 100:02d}", f"RS/{serial}/{year}",
                          f"SLK-{year}-{serial:05d}", f"KU/{year}.{serial}"])
        return dnr, dnr, None
    if form == "bare_series":
        dnr = f"{rng.choice(('KS', 'BUN', 'MBN'))} {year}/{serial}"
        return dnr, dnr, None
    if form == "internal":
        dnr = str(rng.randrange(10000, 999999))
        return dnr, dnr, None
    if form == "case_line":
        dnr = rng.choice(ids)
        return f"{_label(rng)} {dnr}", dnr, None
    if form == "after_title":  # "Budget 2025 (Dnr KS 2023/123)" or "... (RS/559/2019)"
        dnr = rng.choice([i for i in ids if not i[0].isdigit()] + [f"{year}/{serial}"])
        # Unlabelled only in the forms that say "case number" by their shape.
        bare_ok = not dnr[0].isdigit() and not dnr.startswith("KNSLI")
        label = f"{_label(rng)} " if not bare_ok or rng.random() < 0.5 else ""
        return f"({label}{dnr})", dnr, None
    raise ValueError(form)


def _label(rng: random.Random) -> str:
    return rng.choice(_LABELS)


def _blocks(rng: random.Random, headings: str, body: str, decision: str
            ) -> tuple[tuple[str, str], ...]:
    topic = rng.choice(_TOPICS)
    opening = rng.choice(_OPENINGS).format(body=body, topic=topic)
    more = " ".join(rng.sample(_SENTENCES, rng.randrange(1, 4)))
    text = ("text", f"{opening} {more}")
    genitive = body if body.endswith("s") else f"{body}s"
    if headings == "beslut":
        return (text, ("heading", "Beslut"), ("text", decision))
    if headings == "body_beslut":
        return (("heading", "Sammanfattning"), text, ("heading", f"{genitive} beslut"),
                ("text", decision))
    if headings == "full":
        return (("heading", "Ärendet"), text, ("heading", "Förslag till beslut"),
                ("text", rng.choice(_SENTENCES)), ("heading", "Beslut"), ("text", decision),
                ("heading", "Expedieras till"), ("text", "Kommunledningsförvaltningen"))
    if headings == "bakgrund":
        return (("heading", "Bakgrund"), text, ("heading", "Beslutsunderlag"),
                ("text", "Tjänsteskrivelse från förvaltningen"), ("heading", "Beslut"),
                ("text", decision))
    if headings == "text_first":  # text right under the title, no blank line
        return (text, ("heading", "Beslut"), ("text", decision))
    raise ValueError(headings)


class _Doc:
    """Renders one protocol in its text layer."""

    def __init__(self, variant: Variant, rng: random.Random, org: str, body: str,
                 prefix: str, date: dt.date, paragraphs: list[_Para]) -> None:
        self.v, self.rng, self.org, self.body = variant, rng, org, body
        self.prefix, self.date, self.paragraphs = prefix, date, paragraphs
        self.width = rng.randrange(55, 80)
        self.indent = " " * rng.randrange(8, 16) if variant.layer == "layout" else ""
        self.counter = rng.choice(("Sida {n} av {total}", "{n} ({total})", "{n}({total})"))

    # -- text layers (layout and plain) -------------------------------------

    def text(self) -> str:
        lines: list[str | None] = [*self._front_lines()]  # None marks a page break
        if self.rng.random() < 0.6:
            lines.append(None)
        for index, para in enumerate(self.paragraphs):
            lines.extend(self._paragraph_lines(para))
            lines.append("")
            if index % 2 == 1 and index < len(self.paragraphs) - 1:
                lines.append(None)
        return self._paginate(lines)

    def _front_lines(self) -> list[str]:
        v, d = self.v, self.date
        iso = d.isoformat()
        names = self.rng.sample(_NAMES, 4)
        out = [self.org, "", "Sammanträdesprotokoll", "", self.body, ""]
        if v.front == "prose":
            out += [f"Plats och tid Kommunhuset, Sal A, {_WEEKDAYS[d.weekday()]} den {d.day} "
                    f"{_MONTHS[d.month - 1]} {d.year} kl. 13.00–16.30", ""]
        else:
            out += [f"Sammanträdesdatum {iso}", "",
                    "Plats och tid Kommunhuset, Sal A, kl. 13.00–16.30", ""]
        out.append(f"Beslutande {names[0][0]} ({names[0][1]}), ordförande")
        out += [f"{n} ({p})" for n, p in names[1:3]]
        out += ["", f"Utses att justera {names[3][0]} ({names[3][1]})", ""]
        numbers = [p.number for p in self.paragraphs]
        out += [f"Paragrafer {numbers[0]}–{numbers[-1]}".replace(" a", ""), ""]
        if v.front == "agenda":
            out += ["Ärendelista"]
            out += [f"§ {p.number} {p.title}" for p in self.paragraphs]
            out.append("")
        return out

    def _paragraph_lines(self, para: _Para) -> list[str | None]:
        v, ind = self.v, self.indent
        head = self._head(para.number)
        case = para.printed_case if v.case not in ("case_line", "after_title") else None
        gap = " " * self.rng.randrange(6, 30) if v.layer == "layout" else " "
        out: list[str | None] = []
        title = list(para.title_lines)
        if v.placement == "same_line":
            first = f"{head} {case} {title[0]}" if case else f"{head}{gap[:4] or ' '}{title[0]}"
            out.append(first if v.layer == "plain" else first.replace(f"{head} ", f"{head}{gap}"))
            rest = title[1:]
        else:
            out.append(f"{head}{gap}{case}" if case else head)
            if v.case == "case_line":
                out.append(f"{ind}{para.printed_case}")
            if v.placement == "after_blank":
                out.append("")
            rest = title
        out.extend(f"{ind}{line}" for line in rest)
        if v.furniture == "break_in_title" and len(title) > 1:
            # The page breaks after the title's first line.
            position = out.index(f"{ind}{title[1]}") if v.placement != "same_line" else 1
            out.insert(position, None)
        if v.headings != "text_first":
            out.append("")
        broke = False
        for kind, content in para.blocks:
            if kind == "heading":
                if out and out[-1] not in ("", None) and v.headings != "text_first":
                    out.append("")
                out.append(f"{ind}{content}")
            else:
                wrapped = _wrap(content, self.width)
                for i, line in enumerate(wrapped):
                    if v.furniture == "break_in_text" and not broke and i == 1:
                        out.append(None)
                        broke = True
                    out.append(f"{ind}{line}")
                out.append("")
        return out

    def _head(self, number: str) -> str:
        form = self.v.header
        if form == "tight":
            return f"§{number}"
        if form == "prefixed":
            return f"{self.prefix} § {number}"
        if form == "prefixed_tight":
            return f"{self.prefix} §{number}"
        if form == "lettered":
            return f"§ {number.replace(' ', '')}" if self.rng.random() < 0.5 else f"§ {number}"
        return f"§ {number}"

    def _paginate(self, lines: list[str | None]) -> str:
        pages: list[list[str]] = [[]]
        for line in lines:
            if line is None:
                pages.append([])
            else:
                pages[-1].append(line)
        total = len(pages)
        out = []
        for n, page in enumerate(pages, start=1):
            top, bottom = self._furniture(n, total)
            page_lines = [*top, *page, *bottom]
            if self.v.layer == "plain":
                # pypdfium2 gives one line per text line: no blank lines for
                # vertical space, so titles end by their shape alone.
                page_lines = [line for line in page_lines if line.strip()]
            out.append("\n".join(page_lines))
        return "\n\f".join(out)

    def _furniture(self, n: int, total: int) -> tuple[list[str], list[str]]:
        kind, layout = self.v.furniture, self.v.layer == "layout"
        if kind == "none":
            return [], []
        counter = self.counter.format(n=n, total=total)
        if kind == "counters":
            return ([" " * 60 + counter if layout else counter, ""], [])
        if layout:
            top = [f"{self.org.upper()}{' ' * 20}Sammanträdesprotokoll{' ' * 14}{counter}",
                   f"{' ' * 40}Sammanträdesdatum {self.date.isoformat()}", ""]
            bottom = ["", f"Justerandes sign{' ' * 30}Utdragsbestyrkande"]
        else:
            top = [self.org, "Sammanträdesprotokoll", f"Sammanträdesdatum {self.date.isoformat()}",
                   counter, ""]
            bottom = ["", "Justerandes sign", "Utdragsbestyrkande"]
        return top, bottom

    # -- HTML ------------------------------------------------------------------

    def html(self) -> str:
        e = html.escape
        v = self.v
        parts = [f"<!DOCTYPE html><html lang='sv'><head><meta charset='utf-8'>"
                 f"<title>Protokoll {self.date.isoformat()} - {e(self.body)}</title></head><body>",
                 "<nav><a href='/'>Start</a> <a href='/committees'>Nämnder</a></nav><main>",
                 f"<h1>{e(self.body)}</h1>"]
        parts += [f"<p>{e(line)}</p>" for line in self._front_lines() if line
                  and line != self.body]
        for para in self.paragraphs:
            head = e(self._head(para.number))
            case = para.printed_case if v.case not in ("case_line", "after_title") else None
            title = "<br>".join(e(t) for t in para.title_lines)
            parts.append("<div class='paragraph'>")
            if v.placement == "same_line":
                parts.append(f"<h2>{head} {e(case) + ' ' if case else ''}{title}</h2>")
            else:
                parts.append(f"<h2>{head}{' ' + e(case) if case else ''}</h2>")
                if v.case == "case_line":
                    parts.append(f"<p>{e(para.printed_case or '')}</p>")
                if v.placement == "after_blank":
                    parts.append("<p>&nbsp;</p>")
                parts.append(f"<h3>{title}</h3>")
            for kind, content in para.blocks:
                parts.append(f"<h4>{e(content)}</h4>" if kind == "heading"
                             else f"<p>{e(content)}</p>")
            parts.append("</div>")
        parts.append("</main><footer>Kontakt: registrator</footer>"
                     "<div id='cookie-consent'>Vi använder kakor.</div></body></html>")
        return "\n".join(parts)


def _wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap, never hyphenating."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(current)
    return lines


FIELDS = ("number", "title", "diarienummer", "decision")


def _norm(text: str) -> str:
    return " ".join(text.split())


def compare(protocol: Protocol, result) -> list[str]:
    """Differences between a parse result and the truth; empty when exact.

    Whitespace is normalised in text fields (line wrapping is layout, not
    content). The diarienummer must be exactly the printed one (and the glued
    classification code recorded); meeting org, body and date must match.
    """
    problems = []
    parsed = {p.number: p for p in result.paragraphs}
    if list(parsed) != [t.number for t in protocol.paragraphs]:
        problems.append(f"numbers {list(parsed)} != {[t.number for t in protocol.paragraphs]}")
    for truth in protocol.paragraphs:
        got = parsed.get(truth.number)
        if got is None:
            continue
        for field, ok in field_hits(truth, got).items():
            if not ok and field != "number":
                want = {"title": truth.title, "decision": truth.decision,
                        "diarienummer": (truth.diarienummer, truth.code)}[field]
                have = {"title": got.title, "decision": got.decision,
                        "diarienummer": (got.diarienummer,
                                         getattr(got, "classification_codes", ()))}[field]
                problems.append(f"§ {truth.number} {field}: want {want!r} got {have!r}")
    meeting = result.meeting
    for name, want, have in (("org", protocol.org, meeting.org),
                             ("body", protocol.body, meeting.body),
                             ("date", protocol.date, meeting.date)):
        if want != have:
            problems.append(f"meeting {name}: want {want!r} got {have!r}")
    return problems


def field_hits(truth: TruthParagraph, got) -> dict[str, bool]:
    """Per field, whether a parsed paragraph (or None) recovered the truth."""
    if got is None:
        return dict.fromkeys(FIELDS, False)
    want_dnr = (truth.diarienummer,) if truth.diarienummer else ()
    want_code = (truth.code,) if truth.code else ()
    return {
        "number": got.number == truth.number,
        "title": _norm(got.title) == _norm(truth.title),
        "diarienummer": (tuple(got.diarienummer) == want_dnr
                         and tuple(getattr(got, "classification_codes", ())) == want_code),
        "decision": _norm(got.decision) == _norm(truth.decision),
    }
