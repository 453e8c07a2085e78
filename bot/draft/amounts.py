"""Money, percentages and counts as printed: the digits, the unit word, the currency, the
qualifier before them. Numbers are read with Babel in the article's locale (2,3 is 2.3 in
French and Russian, 2,300 is 2300 in English)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from babel.numbers import NumberFormatError, parse_decimal

from bot.draft.lexicon import LEXICONS

# Amounts are not printed with leading zeros: "01" is a day or a code, not a sum.
NUMBER = r"(?!0\d)(?:\d{1,3}(?:[ \u00a0\u202f,.]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "₸": "KZT", "₽": "RUB"}


@dataclass(frozen=True)
class Number:
    """A number in a sentence: its value as printed and where it stands."""

    value: Decimal
    printed: str
    start: int
    end: int
    unit: str = "one"
    currency: str = ""
    qualifier: str = "exact"


@dataclass(frozen=True)
class _Compiled:
    money_symbol: re.Pattern[str]
    money_word: re.Pattern[str]
    percent: re.Pattern[str]
    qualifier: re.Pattern[str]
    qualifiers: dict[str, re.Pattern[str]]
    units: dict[str, re.Pattern[str]]
    currencies: dict[str, re.Pattern[str]]
    counts: re.Pattern[str]


@cache
def _compiled(lang: str) -> _Compiled:
    lex = LEXICONS[lang]
    units = "|".join(lex.units.values())
    currencies = "|".join(lex.currencies.values())
    symbols = re.escape("".join(_SYMBOLS))
    flags = re.IGNORECASE
    nouns = "|".join(lex.counts.values())
    return _Compiled(
        money_symbol=re.compile(
            rf"(?P<cur>[{symbols}]|(?<!\w)(?:US\$|USD|EUR|KZT|RUB)\s?)\s?(?P<num>{NUMBER})"
            rf"(?:\s*(?P<unit>{units})(?!\w))?", flags),
        money_word=re.compile(
            rf"(?<![\d.,])(?P<num>{NUMBER})\s*(?:(?P<unit>{units})\s*)?"
            rf"(?P<cur>(?:{currencies})(?!\w)|[{symbols}])", flags),
        percent=re.compile(rf"(?<![\d.,])(?P<num>{NUMBER})\s*(?:{lex.percent})", flags),
        qualifier=re.compile(rf"(?:{'|'.join(lex.qualifiers.values())})\s*[{symbols}]?\s*$",
                             flags),
        qualifiers={q: re.compile(rf"(?:{p})\s*[{symbols}]?\s*$", flags)
                    for q, p in lex.qualifiers.items()},
        units={u: re.compile(rf"^(?:{p})$", flags) for u, p in lex.units.items()},
        currencies={c: re.compile(rf"^(?:{p})$", flags) for c, p in lex.currencies.items()},
        counts=re.compile(
            rf"(?:(?<![\d.,$€£₸%])(?!0\d)(?P<num>\d{{1,3}}(?:[ \u00a0\u202f,]\d{{3}})*|\d+)|"
            rf"(?<!\w)(?P<word>{_alternatives(lex.number_words, lex.about_numbers)}))\s+"
            rf"(?:(?:\w+\s+){{0,2}})(?P<noun>{nouns})(?!\w)", flags),
    )


def _alternatives(*tables: dict[str, int]) -> str:
    """A pattern matching any of the words of ``tables``, longest first."""
    words = sorted({w for table in tables for w in table}, key=len, reverse=True)
    return "|".join(re.escape(w) for w in words) or r"(?!)"


def parse(printed: str, lang: str) -> Decimal | None:
    """The value of a printed number in ``lang``'s conventions; None if it is ambiguous."""
    text = re.sub(r"[ \u00a0\u202f]", "\u202f" if lang == "fr" else "\u00a0", printed)
    try:
        return parse_decimal(text, locale=lang, strict=lang == "en")
    except NumberFormatError:
        try:
            return parse_decimal(text.replace("\u00a0", "\u202f"), locale=lang)
        except NumberFormatError:
            return None


def _qualifier(before: str, lang: str) -> str:
    compiled = _compiled(lang)
    for name, rx in compiled.qualifiers.items():
        if rx.search(before[-30:]):
            return name
    return "exact"


def _code(word: str, table: dict[str, re.Pattern[str]]) -> str | None:
    clean = word.strip()
    return next((code for code, rx in table.items() if rx.match(clean)), None)


def money(text: str, lang: str) -> list[Number]:
    """Sums of money in ``text``: value, unit word, currency and qualifier as printed."""
    c = _compiled(lang)
    found: list[Number] = []
    for rx in (c.money_symbol, c.money_word):
        for m in rx.finditer(text):
            if any(n.start < m.end() and m.start() < n.end for n in found):
                continue
            value = parse(m["num"], lang)
            if value is None:
                continue
            cur = m["cur"].strip()
            currency = _SYMBOLS.get(cur) or ("USD" if cur.upper() == "US$" else None) or \
                (cur.upper() if cur.upper() in ("USD", "EUR", "KZT", "RUB") else None) or \
                _code(cur, c.currencies)
            unit = _code(m["unit"], c.units) if m["unit"] else "one"
            if currency is None or unit is None:
                continue
            found.append(Number(value, m["num"], m.start(), m.end(), unit, currency,
                                _qualifier(text[:m.start()], lang)))
    return sorted(found, key=lambda n: n.start)


def percents(text: str, lang: str) -> list[Number]:
    """Percentages in ``text``."""
    out = []
    for m in _compiled(lang).percent.finditer(text):
        value = parse(m["num"], lang)
        if value is not None:
            out.append(Number(value, m["num"], m.start(), m.end(),
                              qualifier=_qualifier(text[:m.start()], lang)))
    return out


def counts(text: str, lang: str) -> list[tuple[Number, str]]:
    """Counted things ("about 230 enterprises"), with the lexicon's code for the noun."""
    lex = LEXICONS[lang]
    out = []
    for m in _compiled(lang).counts.finditer(text):
        if m["word"]:  # "trois accords", "une quinzaine de chefs d'entreprise"
            word = m["word"].casefold()
            about = lex.about_numbers.get(word)
            value: Decimal | None = Decimal(about if about else lex.number_words[word])
        else:
            value = parse(m["num"], lang)
            if value is None or (1900 <= value <= 2100 and len(m["num"]) == 4):
                continue
        qualifier = _qualifier(text[:m.start()], lang)
        if m["word"] and m["word"].casefold() in lex.about_numbers and qualifier == "exact":
            qualifier = "approximately"
        assert value is not None
        noun = m["noun"]
        code = next(k for k, p in lex.counts.items()
                    if re.fullmatch(p, noun, re.IGNORECASE))
        printed = m["num"] or m["word"]
        out.append((Number(value, printed, m.start(), m.start() + len(printed),
                           qualifier=qualifier), code))
    return out


def digits(value: Decimal) -> str:
    """The significant digits of a value as printed (4.20 -> 420, 16.4 -> 164)."""
    return re.sub(r"\D", "", format(value, "f"))
