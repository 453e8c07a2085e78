"""Locales, gettext catalogs and Babel formatting: every number, amount and date goes here."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale, negotiate_locale
from babel.dates import format_date, format_interval, format_skeleton, format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import (
    NumberPattern,
    get_currency_name,
    get_currency_symbol,
    parse_pattern,
)
from babel.support import Translations

from bot.core.facts import LOCALES, UNIT_FACTOR, Amount
from bot.core.spacing import french_spacing

LOCALE_DIR = Path(__file__).resolve().parents[2] / "briefs" / "locale"
DOMAIN = "messages"


def negotiate(language_code: str | None, default: str = "en") -> str:
    """Pick fr or en for a client language code (``fr-CA`` -> ``fr``), else ``default``."""
    if not language_code:
        return default
    wanted = [language_code.replace("-", "_"), language_code.split("-")[0].split("_")[0]]
    return negotiate_locale(wanted, list(LOCALES), sep="_") or default


def is_supported(code: str) -> bool:
    """True for an interface language Bilat speaks."""
    return code in LOCALES


@cache
def translations(locale: str) -> Translations:
    """The compiled catalog for ``locale``: the built .mo, or the .po compiled in memory."""
    folder = LOCALE_DIR / locale / "LC_MESSAGES"
    mo, po = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return Translations(fh, domain=DOMAIN)
    if not po.exists():
        return Translations(domain=DOMAIN)
    # A checkout without `make` still speaks French: compile the catalog in memory.
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=locale, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


@lru_cache(maxsize=4096)
def gettext(locale: str, message: str) -> str:
    """Translate one message for ``locale`` (French with its spacing: every notice, not only
    the rendered briefings, puts U+202F before ; : ! ? and inside « »)."""
    text = translations(locale).gettext(message)
    return french_spacing(text) if locale == "fr" else text


@cache
def _locale(code: str) -> Locale:
    return Locale.parse(code)


# English output holds one style, British: day-month-year dates beside British spelling.
_DATE_LOCALES = {"en": "en_GB"}


def _dates(code: str) -> Locale:
    """The locale dates are written in (``en`` -> British English)."""
    return _locale(_DATE_LOCALES.get(code, code))


_FIRST = re.compile(r"(?<![\d,.])1(?=[\s\u00a0\u202f][^\d\s])")


def _premier(text: str, locale: str) -> str:
    """French writes the first of the month ``1er``."""
    return _FIRST.sub("1er", text) if locale == "fr" else text


def number(value: Decimal | int, locale: str) -> str:
    """Format a number with exactly the digits it was printed with (4.20 stays 4,20)."""
    # Cached by text: Decimal("4.2") == Decimal("4.20"), but they print differently.
    return _number(str(value), locale)


@lru_cache(maxsize=4096)
def _number(text: str, locale: str) -> str:
    value = Decimal(text)
    exponent = value.as_tuple().exponent
    digits = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return str(_pattern(digits).apply(value, _locale(locale)))


@cache
def _pattern(digits: int) -> NumberPattern:
    return parse_pattern("#,##0" + ("." + "0" * digits if digits else ""))


def scaled(value: Decimal, unit: str, locale: str) -> str:
    """A number with its unit word from CLDR (``5,5 milliards``, ``1.8 billion``)."""
    text = number(value, locale)
    if unit == "one":
        return text
    loc = _locale(locale)
    forms = loc.compact_decimal_formats["long"]
    plural = loc.plural_form(value)
    key = str(UNIT_FACTOR[unit])
    form = forms.get(plural, forms["other"]).get(key) or forms["other"][key]
    pattern = form.pattern if hasattr(form, "pattern") else str(form)
    # A no-break space keeps "5,5" and "milliards" on one line.
    return pattern.replace("0", text, 1).replace(" ", "\u00a0")


# French writes large amounts in words: "5,5 milliards de dollars", "20 milliards d'euros".
FRENCH_CURRENCY_WORDS = {"USD": "de dollars", "EUR": "d’euros", "KZT": "de tenges",
                         "GBP": "de livres sterling", "CNY": "de yuans"}


def money(amount: Amount, locale: str) -> str:
    """An amount as printed, placed with its currency the locale's way (``$5.5 billion``)."""
    return _money(str(amount.value), amount.unit, amount.currency, locale)


@lru_cache(maxsize=4096)
def _money(value: str, unit: str, currency: str, locale: str) -> str:
    body = scaled(Decimal(value), unit, locale)
    if locale == "fr" and unit != "one" and currency in FRENCH_CURRENCY_WORDS:
        return f"{body} {FRENCH_CURRENCY_WORDS[currency]}"
    symbol = get_currency_symbol(currency, locale)
    pattern = _locale(locale).currency_formats["standard"].pattern
    if pattern.strip().startswith("¤"):
        gap = "\u00a0" if symbol[-1:].isalpha() else ""
        return f"{symbol}{gap}{body}"
    return f"{body}\u00a0{symbol}"


def clock(hhmm: str, locale: str) -> str:
    """A time of day: ``18 h 30`` / ``18 h`` in French, ``18:30`` in English."""
    hours, minutes = hhmm.split(":")
    if locale != "fr":
        return f"{int(hours):02d}:{minutes}"
    return f"{int(hours)}\u00a0h" + (f"\u00a0{minutes}" if minutes != "00" else "")


def percent(value: Decimal, locale: str, signed: bool = False) -> str:
    """A percentage with its printed digits (``7,7 %``), signed on request (``+31 %``)."""
    text = number(abs(value), locale)
    pattern = str(_locale(locale).percent_formats[None].pattern)
    sign_char = str(_locale(locale).number_symbols["latn"]["percentSign"])
    body = pattern.replace("#,##0", text).replace("%", sign_char)
    if signed:
        sign = "+" if value >= 0 else "\u2212"
        return sign + body
    return ("\u2212" if value < 0 else "") + body


@lru_cache(maxsize=4096)
def day(value: date, locale: str) -> str:
    """A day in long form: ``7 mai 2025`` / ``May 7, 2025``."""
    return _premier(str(format_date(value, "long", locale=_dates(locale))), locale)


@lru_cache(maxsize=4096)
def month(value: date, locale: str) -> str:
    """A month: ``mai 2025`` / ``May 2025``."""
    return str(format_skeleton("yMMMM", value, locale=_dates(locale)))


@lru_cache(maxsize=4096)
def day_range(start: date, end: date, locale: str) -> str:
    """A range of days: ``1–2 nov. 2023``."""
    return _premier(str(format_interval(start, end, "yMMMd", locale=_dates(locale))), locale)


@lru_cache(maxsize=4096)
def month_range(start: date, end: date, locale: str) -> str:
    """A range of months: ``janv.–août 2023``."""
    text = str(format_interval(start, end, "yMMM", locale=_dates(locale)))
    return re.sub(r"\s*–\s*", "–", text)  # one style for ranges: "Jan–Aug 2023"


@lru_cache(maxsize=4096)
def relative(delta: timedelta, locale: str) -> str:
    """Relative time in words: ``dans 3 semaines`` / ``3 weeks ago``."""
    return str(format_timedelta(delta, granularity="day", add_direction=True,
                                locale=_locale(locale)))


@lru_cache(maxsize=4096)
def duration(delta: timedelta, locale: str) -> str:
    """A span without direction: ``3 semaines``."""
    return str(format_timedelta(delta, granularity="day", locale=_locale(locale)))


@lru_cache(maxsize=4096)
def territory(code: str, locale: str) -> str:
    """A country's name from CLDR (``Kazakhstan``)."""
    return str(_locale(locale).territories.get(code, code))


@lru_cache(maxsize=4096)
def language_name(code: str, locale: str) -> str:
    """A language's name from CLDR, lower-case as inside a sentence (``French``, ``français``)."""
    return str(_locale(locale).languages.get(code, code))


@lru_cache(maxsize=256)
def currency_name(code: str, locale: str) -> str:
    """A currency's name in the plural, from CLDR (``US dollars``, ``euros``)."""
    return str(get_currency_name(code, count=2, locale=_locale(locale)))
