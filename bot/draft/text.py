"""Article text cut into paragraphs and sentences, each an exact slice of the input."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# A sentence ends at . ! ? … (and a closing quote) followed by space and a capital, a digit or
# an opening quote; abbreviations and initials ("Mr.", "J. Smith", "U.S.") do not end one.
_END = re.compile(r"(?<=[.!?…])[\"»”’)]?\s+(?=[\"«“(]?[A-ZÀ-ÖØ-ÞА-ЯЁ0-9])")
_ABBREV = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Mt|Jr|Sr|Prof|Gen|Col|No|Nos|vs|etc|M|Mme|Mlle|г|гг|им|ул|"
    r"т|ст|проф|Jan|Feb|Mar|Apr|Aug|Sept|Sep|Oct|Nov|Dec)"
    r"|\b[A-ZА-Я]|\b(?:[A-Za-z]\.){2,})\.$")
_PARAGRAPH = re.compile(r"[^\n]+")


@dataclass(frozen=True)
class Sentence:
    """One sentence: its exact text, where it starts, and its paragraph's number."""

    text: str
    start: int
    paragraph: int


def sentences(text: str) -> list[Sentence]:
    """Cut ``text`` into sentences; each ``text[start:start+len]`` is the sentence verbatim."""
    out: list[Sentence] = []
    for number, para in enumerate(_PARAGRAPH.finditer(text)):
        begin = para.start()
        chunk = para.group()
        cut = 0
        for end in _END.finditer(chunk):
            if _ABBREV.search(chunk[cut:end.start()].rstrip("\"»”’)")):
                continue
            _add(out, chunk, cut, end.start() + _closing(end.group()), begin, number)
            cut = end.end()
        _add(out, chunk, cut, len(chunk), begin, number)
    return out


def _closing(separator: str) -> int:
    """Length of the closing quote or bracket kept with the sentence before ``separator``."""
    return 1 if separator[:1] in "\"»”’)" else 0


def _add(out: list[Sentence], chunk: str, start: int, end: int, offset: int,
         paragraph: int) -> None:
    """Append the stripped slice ``chunk[start:end]`` when it holds words."""
    piece = chunk[start:end]
    lead = len(piece) - len(piece.lstrip())
    piece = piece.strip()
    if any(ch.isalpha() for ch in piece):
        out.append(Sentence(piece, offset + start + lead, paragraph))


def fold(text: str) -> str:
    """Lower case without accents, for comparing names spelled differently (Gérard, Gerard)."""
    # Cyrillic letters are kept whole: й is a letter of its own, not и with a mark.
    return "".join(
        ch if "\u0400" <= ch <= "\u04ff" else
        "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        for ch in text.casefold().replace("ё", "е"))
