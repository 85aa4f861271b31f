"""Readable text: a PDF's hard-wrapped lines joined back into paragraphs.

Text extracted from a PDF keeps the printed line breaks, mid-sentence, and
words split at the margin ("kommun-" / "styrelsen"). For display the lines of
one paragraph are joined, hyphenation added by the typesetter is undone, and
list items and headings stay on lines of their own. A pure function over the
stored text: the stored text and the archived original are never changed.
"""

from __future__ import annotations

import re

# A list item: a bullet, or a number/letter with "." or ")" ("1.", "2)", "a)").
_ITEM = re.compile(r"^(?:[-–—•*▪■●◦·]\s+|\(?(?:\d{1,3}|[a-zåäö])[.)]\s+)")
# A line printed in columns (a table, a signature block): kept as it is.
_COLUMNS = re.compile(r"\S\s{3,}\S")
_SENTENCE_END = ".!?:;"
# Words after which a trailing hyphen is a suspended compound ("barn- och
# utbildningsnämnden"), not a word split at the margin.
_CONJUNCTIONS = frozenset({"och", "eller", "samt", "respektive", "resp.", "till", "som"})
# Printed protocols wrap at well under this many characters per line; text
# with longer lines (from HTML, or already reflowed) has one paragraph a line.
MAX_PRINTED_WIDTH = 140
# A line shorter than this share of the text's line width ended where its
# author ended it (a paragraph's last line, a heading), not at the margin.
SHORT_LINE = 0.7
HEADING_MAX_CHARS = 60
HEADING_MAX_WORDS = 7


def reflow(text: str) -> tuple[str, ...]:
    """Split ``text`` into display blocks: paragraphs, list items and headings.

    Lines of one paragraph are joined with a space; a word hyphenated at the
    end of a line is joined again ("kommun-" + "styrelsen" -> "kommunstyrelsen")
    unless the hyphen is real ("SLK-" + "2024", "EU-" + "stöd", "barn-" + "och").
    Blank lines, list items, short lines (headings, a paragraph's last line)
    and lines printed in columns end a block.
    """
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    width = _line_width(lines)
    wrapped = 0 < width <= MAX_PRINTED_WIDTH
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            blocks.append(_join(current))
            current.clear()

    for i, line in enumerate(lines):
        if not line:
            flush()
            continue
        if _COLUMNS.search(line):
            flush()
            blocks.append(line)
            continue
        if _ITEM.match(line):
            flush()
        current.append(line)
        if not wrapped or _ends_block(line, _at(lines, i + 1), _at(lines, i + 2), width):
            flush()
    flush()
    return tuple(blocks)


def reflow_text(text: str) -> str:
    """The reflowed blocks of ``text`` separated by blank lines."""
    return "\n\n".join(reflow(text))


def _line_width(lines: list[str]) -> int:
    """The text's wrap width: the 90th percentile of its prose lines' lengths."""
    lengths = sorted(len(line) for line in lines if line and not _COLUMNS.search(line))
    if not lengths:
        return 0
    return lengths[int(0.9 * (len(lengths) - 1))]


def _at(lines: list[str], i: int) -> str:
    return lines[i] if i < len(lines) else ""


def _ends_block(line: str, nxt: str, after: str, width: int) -> bool:
    """Whether the paragraph ends after ``line`` (the two lines after it given)."""
    if not nxt or _ITEM.match(nxt) or _COLUMNS.search(nxt):
        return True
    if line.endswith("-") and not line.endswith(" -"):
        return False  # a word or compound continues on the next line
    if line[-1] in _SENTENCE_END and _is_heading(nxt, after):
        return True
    if len(line) >= SHORT_LINE * width:
        return False  # the line ran to the margin: the sentence goes on
    # A short line: ended by its author, unless a sentence plainly continues
    # (a page break or a layout quirk inside a sentence).
    return line[-1] in _SENTENCE_END or not nxt[0].islower()


def _is_heading(line: str, after: str) -> bool:
    """A short capitalised line without a full stop, followed by a new sentence."""
    if len(line) > HEADING_MAX_CHARS or len(line.split()) > HEADING_MAX_WORDS:
        return False
    if line[-1] in _SENTENCE_END + ",-–" or not line[0].isupper():
        return False
    return not after or not after[0].islower()


def _join(lines: list[str]) -> str:
    out = lines[0]
    for line in lines[1:]:
        out = _join_two(out, line)
    return out


def _join_two(left: str, right: str) -> str:
    if not left.endswith("-") or len(left) < 2 or left.endswith(" -"):
        return f"{left} {right}"
    first = right.split(maxsplit=1)[0]
    word = re.split(r"[\s/(]", left[:-1])[-1]
    if first.lower() in _CONJUNCTIONS or first[0] in ",;":
        return f"{left} {right}"  # "barn- och utbildningsnämnden"
    if not word or not right[0].isalpha() or not right[0].islower():
        return left + right  # "SLK-" "2024", "IT-" "Nämnden": a real hyphen, no space
    if not word[-1].isalpha() or word.isupper() or any(c.isdigit() for c in word):
        return left + right  # "EU-" "stöd", "covid-19-" "pandemin": the hyphen is printed
    return left[:-1] + right  # "kommun-" "styrelsen": hyphenation of the line break
