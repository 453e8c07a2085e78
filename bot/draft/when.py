"""Dates and statistical periods written in words, resolved against the publication day.

Month names come from CLDR through Babel in every language it knows; Russian case endings
(январе, января) are matched on the names' common stem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from babel.dates import get_day_names, get_month_names

from bot.draft.lexicon import LEXICONS, Lexicon

YEAR = r"(?:19|20)\d{2}"


@dataclass(frozen=True)
class Span:
    """A statistical period: whole months from ``start`` to ``end`` of one or two years."""

    start: tuple[int, int]
    end: tuple[int, int]

    @property
    def key(self) -> str:
        """``2024`` for a calendar year, else ``2023-01/2023-08`` (the data's period form)."""
        (y1, m1), (y2, m2) = self.start, self.end
        if y1 == y2 and (m1, m2) == (1, 12):
            return str(y1)
        return f"{y1}-{m1:02d}/{y2}-{m2:02d}"


@dataclass(frozen=True)
class When:
    """An event's date as the text gives it: a day, a month, a year, or none."""

    precision: str  # day | days | before | month | year | unknown
    value: date | None = None  # the day, the first day of a range, or the day it is before
    explicit: bool = True  # False when taken from the dateline or the publication day
    year_given: bool = True  # False for "on 12 March": the year is the publication's
    end: date | None = None  # the last day of a range


def _month_forms(lang: str) -> list[list[str]]:
    """For each month, its names in ``lang`` (wide, abbreviated, both grammatical contexts)."""
    forms: list[set[str]] = [set() for _ in range(12)]
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            for number, name in get_month_names(width, context, lang).items():
                forms[number - 1].add(name.rstrip(".").casefold())
    if lang == "en":
        forms[8].add("sept")
    if lang == "fr":
        forms[1].add("fevrier")
        forms[7].add("aout")
    return [sorted(f, key=len, reverse=True) for f in forms]


def _month_pattern(lang: str) -> tuple[str, list[re.Pattern[str]]]:
    """A pattern matching any month name, and one per month to tell which it is."""
    alternatives: list[str] = []
    for names in _month_forms(lang):
        if lang == "ru":
            wide = [n.casefold() for context in ("format", "stand-alone")
                    for n in [get_month_names("wide", context, lang)[len(alternatives) + 1]]]
            stem = _common_prefix(wide)
            alternatives.append(re.escape(stem) + r"[ьяеюйа]{0,2}")
        else:
            alternatives.append("|".join(re.escape(n) + (r"\.?" if len(n) <= 4 else "")
                                         for n in names))
    each = [re.compile(rf"^(?:{alt})$", re.IGNORECASE) for alt in alternatives]
    return "(?:" + "|".join(f"(?:{a})" for a in alternatives) + ")", each


def _weekday_forms(lang: str) -> list[str]:
    """A pattern per weekday, Monday first (Russian case endings on the stem: среду)."""
    names = get_day_names("wide", "format", lang)
    forms = []
    for number in range(7):
        name = names[number].casefold()
        if lang == "ru":
            stem = name[:-1] if name[-1] in "аяеь" else name
            forms.append(re.escape(stem) + r"\w{0,2}")
        else:
            forms.append(re.escape(name))
    return forms


def _common_prefix(words: list[str]) -> str:
    """The longest start shared by every word."""
    first = min(words)
    last = max(words)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]


@dataclass(frozen=True)
class Patterns:
    """The compiled date and period patterns of one language."""

    lex: Lexicon
    month: str
    months: list[re.Pattern[str]]
    day_month: re.Pattern[str]
    month_day: re.Pattern[str]
    day_range: re.Pattern[str]
    month_day_range: re.Pattern[str]
    before: re.Pattern[str]
    weekday: re.Pattern[str]
    weekdays: list[re.Pattern[str]]
    month_year: re.Pattern[str]
    month_range: re.Pattern[str]
    first_months: re.Pattern[str]
    first_half: re.Pattern[str]
    quarter: re.Pattern[str]
    year: re.Pattern[str]
    last_year: re.Pattern[str]
    base: re.Pattern[str]

    def month_number(self, word: str) -> int:
        """1-12 for a month name found by ``month``."""
        clean = word.casefold().rstrip(".")
        return next(i + 1 for i, p in enumerate(self.months) if p.match(clean))


@cache
def patterns(lang: str) -> Patterns:
    """Build (once) the patterns of ``lang``."""
    lex = LEXICONS[lang]
    month, each = _month_pattern(lang)
    ys = lex.year_suffix
    m = rf"(?P<m>{month})"
    numbers = "|".join(lex.number_words)
    count = rf"(?P<n>\d{{1,2}}|{numbers})" if numbers else r"(?P<n>\d{1,2})"
    if lang == "fr":
        first_months = rf"(?:les\s+)?{count}\s+(?:premiers\s+|derniers\s+)?mois"
    elif lang == "ru":
        first_months = rf"(?:перв\w+\s+)?{count}\s+(?:перв\w+\s+)?{lex.months_word}"
    else:
        first_months = rf"(?:first\s+|past\s+|last\s+)?{count}\s+{lex.months_word}"
    flags = re.IGNORECASE
    to = r"\s*(?:[-–—]|\s(?:to|and|au|et|по|и)\s)\s*"
    on_day = r"(?:в|во)\s+" if lang == "ru" else ""  # "среди" is not Wednesday
    return Patterns(
        lex=lex, month=month, months=each,
        day_range=re.compile(
            rf"\b(?:from\s+|du\s+|les\s+|с\s+)?(?P<d1>[0-3]?\d)(?:er)?{to}(?P<d2>[0-3]?\d)\s+"
            rf"{m}\b(?:,?\s+(?P<y>{YEAR}){ys})?", flags),
        month_day_range=re.compile(
            rf"\b{m}\s+(?P<d1>[0-3]?\d){to}(?P<d2>[0-3]?\d)\b(?!\s*%)(?:,?\s+(?P<y>{YEAR}))?",
            flags),
        before=re.compile(rf"(?:{lex.before})\s*$", flags),
        weekday=re.compile(rf"(?<!\w){on_day}(?P<w>{'|'.join(_weekday_forms(lang))})(?!\w)",
                           flags),
        weekdays=[re.compile(rf"^(?:{form})$", flags) for form in _weekday_forms(lang)],
        day_month=re.compile(
            rf"\b(?P<d>[0-3]?\d)(?:er|st|nd|rd|th|-?го)?\s+{m}\b(?:,?\s+(?P<y>{YEAR}){ys})?",
            flags),
        month_day=re.compile(
            rf"\b{m}\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\b(?!\s*(?:%|\d))(?:,?\s+(?P<y>{YEAR}))?",
            flags),
        month_year=re.compile(rf"\b{m}\s+(?:of\s+|de\s+|d['’])?(?P<y>{YEAR}){ys}", flags),
        month_range=re.compile(
            rf"\b(?:from\s+|de\s+|du\s+|с\s+)?(?P<m1>{month})\s*"
            rf"(?:[-–—]|\s(?:through|to|till|until|à|au|по)\s)\s*(?P<m2>{month})\b"
            rf"(?:\s+(?:of\s+)?(?P<y>{YEAR}){ys})?", flags),
        first_months=re.compile(
            rf"\b{first_months}\b(?:\s+(?:of|de|d['’])?\s*(?:(?P<y>{YEAR}){ys}|"
            rf"(?P<this>{lex.this_year})))?", flags),
        first_half=re.compile(rf"\b(?:{lex.first_half})\b(?:\s+(?:of\s+|de\s+)?(?P<y>{YEAR}))?",
                              flags),
        quarter=re.compile(rf"(?<!\w)(?:{lex.quarter})(?!\w)(?:\s+(?:of\s+|de\s+)?(?P<y>{YEAR}))?",
                           flags),
        year=re.compile(rf"(?<![\d.,])(?P<y>{YEAR})(?![\d.,]\d)"),
        last_year=re.compile(rf"(?:{lex.last_year})", flags),
        base=re.compile(rf"(?:{lex.base_year}|{lex.base_same_period}|{lex.base_previous_year})",
                        flags),
    )


def _number(text: str, lex: Lexicon) -> int:
    """A small count written in digits or in words."""
    return int(text) if text.isdigit() else lex.number_words[text.casefold()]


def blank(text: str, pattern: re.Pattern[str]) -> str:
    """``text`` with ``pattern``'s matches replaced by spaces (offsets kept)."""
    return pattern.sub(lambda m: " " * len(m.group()), text)


def period(text: str, lang: str, published: date) -> Span | None:
    """The statistical period a sentence states, comparison bases left aside; None if none."""
    p = patterns(lang)
    text = blank(text, p.base)
    if found := p.month_range.search(text):
        year = int(found["y"]) if found["y"] else _year_near(text, p, found.end(), published)
        m1, m2 = p.month_number(found["m1"]), p.month_number(found["m2"])
        return Span((year, m1), (year, m2)) if year is not None and m1 <= m2 else None
    if found := p.first_months.search(text):
        n = _number(found["n"], p.lex)
        if not 1 <= n <= 11:
            return None
        year = int(found["y"]) if found["y"] else _year_near(text, p, found.end(), published)
        if year is None and not found["this"]:
            # "the past nine months": the year to date, as statistics are published
            year = published.year if n < published.month else published.year - 1
        return Span((year or published.year, 1), (year or published.year, n))
    if found := p.quarter.search(text):
        q = _ordinal(found["q"] or found["qn"])
        year = int(found["y"]) if found["y"] else _year_near(text, p, found.end(), published)
        return Span((year, 3 * q - 2), (year, 3 * q)) if year is not None else None
    if found := p.first_half.search(text):
        year = int(found["y"]) if found["y"] else _year_near(text, p, found.end(), published)
        return Span((year, 1), (year, 6)) if year is not None else None
    years = {int(y["y"]) for y in p.year.finditer(text)}
    if len(years) == 1:
        year = years.pop()
        return Span((year, 1), (year, 12)) if year <= published.year else None
    if not years and p.last_year.search(text):
        return Span((published.year - 1, 1), (published.year - 1, 12))
    return None


def _year_near(text: str, p: Patterns, end: int, published: date) -> int | None:
    """The year of a period phrase: written right after it, the current year if it says so,
    else the one year the sentence names (comparisons aside); None when unclear."""
    rest = text[end:end + 30]
    if found := re.match(rf"\s*(?:of\s+|de\s+|d['’])?(?:the\s+)?(?P<y>{YEAR})", rest):
        return int(found["y"])
    if re.match(rf"\s*(?:of\s+|de\s+)?(?:{p.lex.this_year})", rest, re.IGNORECASE):
        return published.year
    years = {int(y["y"]) for y in p.year.finditer(text)}
    if len(years) == 1:
        return years.pop()
    if not years and re.search(rf"(?:{p.lex.this_year})", text, re.IGNORECASE):
        return published.year
    return None


_ORDINALS = {"first": 1, "1st": 1, "premier": 1, "i": 1, "second": 2, "2nd": 2, "deuxième": 2,
             "ii": 2, "third": 3, "3rd": 3, "troisième": 3, "iii": 3, "fourth": 4, "4th": 4,
             "quatrième": 4, "iv": 4}


def _ordinal(word: str) -> int:
    """1-4 for a quarter's ordinal in any of the three languages."""
    low = word.casefold()
    if low.isdigit():
        return int(low)
    if low in _ORDINALS:
        return _ORDINALS[low]
    return {"перв": 1, "втор": 2, "трет": 3, "четв": 4}[low[:4]]


def event_dates(text: str, lang: str, published: date, future: bool = False) -> list[When]:
    """Every date the sentence gives, in order; relative days ("yesterday", "on Tuesday")
    resolved against the publication day, a weekday forward when the sentence is future."""
    p = patterns(lang)
    text = blank(text, p.base)
    found: list[tuple[int, When]] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, when: When) -> None:
        if not any(s < end and start < e for s, e in taken):
            taken.append((start, end))
            found.append((start, when))

    for rx in (p.day_range, p.month_day_range):
        for m in rx.finditer(text):
            month = p.month_number(m["m"])
            year = int(m["y"]) if m["y"] else published.year
            try:
                first, last = date(year, month, int(m["d1"])), date(year, month, int(m["d2"]))
            except ValueError:
                continue
            if first < last:
                add(m.start(), m.end(), When("days", first, year_given=bool(m["y"]), end=last))
    for rx in (p.day_month, p.month_day):
        for m in rx.finditer(text):
            day, month = int(m["d"]), p.month_number(m["m"])
            year = int(m["y"]) if m["y"] else published.year
            precision = "before" if p.before.search(text[:m.start()]) else "day"
            try:
                add(m.start(), m.end(), When(precision, date(year, month, day),
                                             year_given=bool(m["y"])))
            except ValueError:
                continue
    for m in p.month_year.finditer(text):
        add(m.start(), m.end(), When("month", date(int(m["y"]), p.month_number(m["m"]), 1)))
    for m in p.year.finditer(text):
        add(m.start(), m.end(), When("year", date(int(m["y"]), 1, 1)))
    lex = p.lex
    dated = any(w.precision in ("day", "days", "before") for _, w in found)
    for m in p.weekday.finditer(text) if not dated else ():
        wanted = next(i for i, rx in enumerate(p.weekdays) if rx.match(m["w"]))
        days = (wanted - published.weekday()) % 7 if future else \
            -((published.weekday() - wanted) % 7)
        add(m.start(), m.end(), When("day", published + timedelta(days=days), False))
    for words, shift in ((lex.today, 0), (lex.yesterday, -1), (lex.tomorrow, 1)):
        for m in re.finditer(rf"\b(?:{words})\b", text, re.IGNORECASE):
            add(m.start(), m.end(), When("day", published + timedelta(days=shift), False))
    return [w for _, w in sorted(found, key=lambda item: item[0])]


def dateline(first: str, lang: str, published: date) -> date | None:
    """The day a report's opening dateline gives ("ASTANA, Kazakhstan, November 1.")."""
    head = first[:80]
    for when in event_dates(head, lang, published):
        if when.precision == "day" and when.explicit:
            return when.value
    return None
