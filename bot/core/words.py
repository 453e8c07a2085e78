"""Argument words in both languages: languages, months, times of day.

A French speaker types ``/langue anglais``, ``/evenements juin`` or ``18 h 30``; an English
speaker ``/lang French`` or ``6:30pm``. Names come from Babel's CLDR data, never a hand list.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import time
from functools import cache

from babel import Locale
from babel.dates import get_month_names

from bot.core.facts import LOCALES

# 18:30, 18h30, 18h, 6:30pm, 6pm, 6:30 p.m.
_CLOCK = re.compile(r"(\d{1,2})(?:([:h])(\d{2})?)?(am|pm|a\.m\.|p\.m\.)?")
_MERIDIEM = frozenset({"am", "pm", "a.m.", "p.m."})

def fold(word: str) -> str:
    """``Résumé`` -> ``resume``: lower case without accents, as words are compared."""
    decomposed = unicodedata.normalize("NFKD", word.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def _languages() -> dict[str, str]:
    """Every way to name a supported language, folded: codes and names in each language."""
    names = {code: code for code in LOCALES}
    for code in LOCALES:
        for shown_in in LOCALES:
            names[fold(Locale.parse(shown_in).languages[code])] = code
    return names


def language_code(words: str) -> str | None:
    """``fr``, ``français``, ``French``, ``anglais``... -> the locale code, if Bilat speaks it."""
    return _languages().get(fold(words))


@cache
def _months() -> dict[str, int]:
    """Month names and abbreviations in English and French, folded, to 1..12."""
    found: dict[str, int] = {}
    for locale in LOCALES:
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=locale).items():
                found[fold(str(name)).rstrip(".")] = number
    return found


def month_number(word: str) -> int | None:
    """``juin``, ``June``, ``févr.`` -> 6, 6, 2; None for anything else."""
    return _months().get(fold(word).rstrip("."))


def month_name(number: int, locale: str) -> str:
    """The month's name in ``locale`` (``juin``, ``June``)."""
    return str(get_month_names("wide", locale=locale)[number])


def join_clock_words(args: list[str]) -> list[str]:
    """``18 h 30``, ``18h 30`` and ``6:30 pm`` typed as separate words, joined into one each."""
    joined: list[str] = []
    for word in args:
        last = joined[-1].lower() if joined else ""
        lower = word.lower()
        glue = ((lower == "h" and last.isdigit())
                or (lower.isdigit() and len(lower) == 2 and re.fullmatch(r"\d{1,2}h", last))
                or (lower in _MERIDIEM and re.fullmatch(r"\d{1,2}(:\d{2})?", last)))
        if glue:
            joined[-1] += word
        else:
            joined.append(word)
    return joined


def clock(word: str) -> time | bool | None:
    """``18:30``, ``18h30``, ``18h``, ``6:30pm``, ``6pm`` -> a time; False when shaped like a
    time but impossible (``25h``, ``13pm``); None when not a time at all (``18``)."""
    match = _CLOCK.fullmatch(word.strip().lower())
    if match is None:
        return None
    hour, separator, minutes, meridiem = int(match[1]), match[2], match[3], match[4]
    if (separator is None and meridiem is None) or (separator == ":" and minutes is None):
        return None
    minute = int(minutes or 0)
    if meridiem is not None:
        if not 1 <= hour <= 12:
            return False
        hour = hour % 12 + (12 if meridiem.startswith("p") else 0)
    if hour > 23 or minute > 59:
        return False
    return time(hour, minute)
