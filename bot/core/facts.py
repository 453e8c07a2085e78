"""Typed, frozen models of article data: the facts every briefing is rendered from."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from babel import Locale
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

LOCALES = ("en", "fr")
_EN = Locale("en")


class Model(BaseModel):
    """Base for every fact: immutable, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


def _country(code: str) -> str:
    """Validate an ISO 3166-1 alpha-2 code against CLDR's territory list."""
    if not re.fullmatch(r"[A-Z]{2}", code) or code not in _EN.territories:
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return code


def _currency(code: str) -> str:
    """Validate an ISO 4217 currency code."""
    if not re.fullmatch(r"[A-Z]{3}", code) or code not in _EN.currencies:
        raise ValueError(f"{code!r} is not an ISO 4217 currency code")
    return code


Country = Annotated[str, AfterValidator(_country)]
Currency = Annotated[str, AfterValidator(_currency)]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)]

# Limits by schema. Data is written by people and checked once, then served to everyone, so
# every text, number and date is bounded here rather than wherever it is used.
NAME_MAX = 200  # a publisher, a name, a place
LINE_MAX = 400  # one sentence of ours: a title, a key point, a note (the longest is ~200)
PASSAGE_MAX = 1000  # a verbatim source sentence or quotation (the longest is ~330)
URL_MAX = 500
ITEMS_MAX = 100  # people, quotes, figures or events in one article
AMOUNT_DIGITS = 15  # up to 999 trillion in the unit word: beyond is a typo, not a statistic
AMOUNT_PLACES = 6
FIRST_YEAR, LAST_YEAR = 1900, 2100  # a window that makes sense for news


def _printable(text: str) -> str:
    """Refuse control characters (a newline or tab excepted): they break messages."""
    for char in text:
        if char not in "\n\t" and (ord(char) < 32 or 127 <= ord(char) < 160):
            raise ValueError(f"contains the control character U+{ord(char):04X}")
    return text


def _in_window(day: date) -> date:
    """Refuse dates outside the news window (0001-01-01 or 9999-12-31 are typos)."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"{day.isoformat()} is outside {FIRST_YEAR}-{LAST_YEAR}")
    return day


Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX), AfterValidator(_printable)]
Line = Annotated[str, Field(min_length=1, max_length=LINE_MAX), AfterValidator(_printable)]
Passage = Annotated[str, Field(min_length=1, max_length=PASSAGE_MAX),
                    AfterValidator(_printable)]
Day = Annotated[date, AfterValidator(_in_window)]
Figure = Annotated[Decimal, Field(ge=0, max_digits=AMOUNT_DIGITS,
                                  decimal_places=AMOUNT_PLACES)]
Qualifier = Literal["exact", "approximately", "more_than", "nearly", "less_than"]
Unit = Literal["one", "thousand", "million", "billion"]
UNIT_FACTOR: dict[str, int] = {"one": 1, "thousand": 10**3, "million": 10**6, "billion": 10**9}
# Text a draft leaves for the editor to write (titles, key points); never served.
PLACEHOLDER = "TODO"


class Localized(Model):
    """A text written by Bilat in both interface languages."""

    fr: Line
    en: Line

    def get(self, locale: str) -> str:
        """Return the text for ``locale`` (English for any other)."""
        return self.fr if locale == "fr" else self.en


class Source(Model):
    """Where an article was published."""

    publisher: Name
    url: str | None = Field(default=None, pattern=r"^https?://\S+$", max_length=URL_MAX)
    published: datetime
    language: str = Field(pattern=r"^[a-z]{2,3}$")

    @field_validator("published")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("publication time needs its UTC offset (e.g. +01:00)")
        _in_window(value.date())
        return value


class Period(Model):
    """A calendar year or a range of whole months, as a statistic covers it."""

    start: Day
    end: Day

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, raw: object) -> object:
        if isinstance(raw, int):
            raw = str(raw)
        if not isinstance(raw, str):
            return raw
        if m := re.fullmatch(r"(\d{4})", raw):
            year = int(m[1])
            return {"start": date(year, 1, 1), "end": date(year, 12, 31)}
        if m := re.fullmatch(r"(\d{4})-(\d{2})/(\d{4})-(\d{2})", raw):
            y1, m1, y2, m2 = (int(g) for g in m.groups())
            if not (1 <= m1 <= 12 and 1 <= m2 <= 12):
                raise ValueError(f"{raw} is not a valid month range")
            last = calendar.monthrange(y2, m2)[1]
            return {"start": date(y1, m1, 1), "end": date(y2, m2, last)}
        raise ValueError(f"{raw!r} is not a period (use 2024 or 2023-01/2023-08)")

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError("period ends before it starts")
        return self

    @property
    def is_year(self) -> bool:
        """True when the period is exactly one calendar year."""
        return (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31) \
            and self.start.year == self.end.year

    @property
    def key(self) -> str:
        """A stable text key: ``2024`` or ``2023-01/2023-08``."""
        if self.is_year:
            return str(self.start.year)
        return f"{self.start:%Y-%m}/{self.end:%Y-%m}"

    def previous_year(self) -> Period:
        """The same span one year earlier."""
        last = calendar.monthrange(self.end.year - 1, self.end.month)[1]
        return Period(start=self.start.replace(year=self.start.year - 1),
                      end=self.end.replace(year=self.end.year - 1, day=last))


class Growth(Model):
    """A stated change in percent, with what it is measured against."""

    percent: Decimal = Field(ge=-100, le=100_000, max_digits=9, decimal_places=3)
    base: Literal["previous_year", "same_period_previous_year"]


class Amount(Model):
    """Money exactly as printed: the digits, the unit word and the currency."""

    value: Figure
    unit: Unit = "one"
    currency: Currency
    qualifier: Qualifier = "exact"

    @property
    def absolute(self) -> Decimal:
        """The value in currency units (5.5 billion -> 5500000000)."""
        return self.value * UNIT_FACTOR[self.unit]

    @property
    def half_ulp(self) -> Decimal:
        """Half a unit of the last printed digit, in currency units (rounding slack)."""
        exponent = self.value.as_tuple().exponent
        assert isinstance(exponent, int)
        return Decimal(5).scaleb(exponent - 1) * UNIT_FACTOR[self.unit]


class Evidenced(Model):
    """A fact that carries the sentence of the source it comes from."""

    id: Slug
    evidence: Passage
    # Drafted by `bilat draft` and not yet checked by an editor: never served.
    unreviewed: bool = False


class TradeFigure(Evidenced, Amount):
    """Bilateral trade over a period, seen from the reporter's side."""

    period: Period
    flow: Literal["turnover", "exports", "imports"]
    reporter: Country
    partner: Country
    growth: Growth | None = None
    attributed_to: Localized | None = None


    @property
    def direction(self) -> tuple[str, str]:
        """(from, to) of the goods: exports go reporter->partner, imports the other way."""
        if self.flow == "imports":
            return (self.partner, self.reporter)
        return (self.reporter, self.partner)


class Investment(Evidenced, Amount):
    """Investment by one country in another: a stock or an inflow."""

    kind: Literal["stock", "inflow"]
    investor: Country
    host: Country
    since: int | None = Field(default=None, ge=1900, le=2100)
    period: Period | None = None
    as_of: Day | None = None
    attributed_to: Localized | None = None



class Count(Evidenced):
    """A counted thing (companies, visas, programmes...) with its qualifier."""

    what: Localized
    value: Figure
    qualifier: Qualifier = "exact"
    topic: Literal["economy", "people", "education", "diplomacy", "other"] = "other"
    as_of: Day | None = None
    period: Period | None = None
    growth: Growth | None = None


class DayDate(Model):
    """An event on a known day."""

    precision: Literal["day"]
    value: Day

    def bounds(self) -> tuple[date, date]:
        """Earliest and latest day the event can fall on."""
        return (self.value, self.value)


class DaysDate(Model):
    """An event over a range of days."""

    precision: Literal["days"]
    start: Day
    end: Day

    @model_validator(mode="after")
    def _ordered(self) -> DaysDate:
        if self.end < self.start:
            raise ValueError("date range ends before it starts")
        return self

    def bounds(self) -> tuple[date, date]:
        """Earliest and latest day the event can fall on."""
        return (self.start, self.end)


class MonthDate(Model):
    """An event known only to the month."""

    precision: Literal["month"]
    value: str = Field(pattern=r"^\d{4}-\d{2}$")

    @field_validator("value")
    @classmethod
    def _month(cls, value: str) -> str:
        if not 1 <= int(value[5:]) <= 12:
            raise ValueError(f"{value} is not a valid month")
        if not FIRST_YEAR <= int(value[:4]) <= LAST_YEAR:
            raise ValueError(f"{value} is outside {FIRST_YEAR}-{LAST_YEAR}")
        return value

    def bounds(self) -> tuple[date, date]:
        """Earliest and latest day the event can fall on."""
        year, month = int(self.value[:4]), int(self.value[5:])
        return (date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))


class YearDate(Model):
    """An event known only to the year."""

    precision: Literal["year"]
    value: int = Field(ge=1900, le=2100)

    def bounds(self) -> tuple[date, date]:
        """Earliest and latest day the event can fall on."""
        return (date(self.value, 1, 1), date(self.value, 12, 31))


class BeforeDate(Model):
    """An event known only to come before a day (that day excluded)."""

    precision: Literal["before"]
    value: Day
    after: Day | None = None

    def bounds(self) -> tuple[date, date]:
        """Earliest and latest day the event can fall on."""
        return (self.after or date.min, date.fromordinal(self.value.toordinal() - 1))


class UnknownDate(Model):
    """An event whose date the source does not give."""

    precision: Literal["unknown"]

    def bounds(self) -> tuple[date, date]:
        """Earliest and latest day the event can fall on."""
        return (date.min, date.max)


EventDate = Annotated[
    DayDate | DaysDate | MonthDate | YearDate | BeforeDate | UnknownDate,
    Field(discriminator="precision"),
]


class Place(Model):
    """Where an event takes place, with its IANA time zone."""

    name: Localized
    timezone: str = Field(max_length=64)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone") from None
        if not is_place_zone(value):
            raise ValueError(f"{value!r} is not a place's time zone")
        return value


# Names tzdata lists that are no place's zone: the host's zone, a placeholder, the rule sets.
NOT_PLACES = frozenset({"localtime", "factory", "posixrules"})


def is_place_zone(name: str) -> bool:
    """True for an IANA zone one can live in (not ``localtime``, ``Factory``, ``posix/...``)."""
    return name.lower() not in NOT_PLACES and not name.startswith(("posix/", "right/"))


EventKind = Literal["state_visit", "official_visit", "visit", "forum", "ceremony", "meeting",
                    "commission", "talks", "signing", "other"]


class Event(Evidenced):
    """A bilateral event: visit, forum, ceremony, meeting..."""

    kind: EventKind
    title: Localized
    date: EventDate
    time: str | None = Field(default=None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    place: Place | None = None
    participants: tuple[Slug, ...] = Field(default=(), max_length=ITEMS_MAX)
    status: Literal["planned", "held", "cancelled"]
    note: Localized | None = None
    same_as: str | None = Field(default=None, max_length=161,
                                pattern=r"^[a-z0-9][a-z0-9_-]*/[a-z0-9][a-z0-9_-]*$")


class Person(Model):
    """Someone the article names, with their role at the time."""

    id: Slug
    name: Name
    country: Country | None = None
    role: Localized
    unreviewed: bool = False


class Translation(Model):
    """Our translation of a quotation into the interface languages it was not given in."""

    fr: Passage | None = None
    en: Passage | None = None

    def get(self, locale: str) -> str | None:
        """The translation for ``locale``, if there is one."""
        return self.fr if locale == "fr" else self.en


class Quote(Model):
    """A quotation, verbatim, in the language it was given in, with our translation."""

    speaker: Slug
    language: str = Field(pattern=r"^[a-z]{2,3}$")
    text: Passage
    translation: Translation = Field(default_factory=Translation)


class Article(Model):
    """One published article, encoded as facts."""

    id: Slug
    # A file `bilat draft` wrote and an editor has not finished: checked, never served.
    draft: bool = False
    source: Source
    countries: tuple[Country, ...] = Field(min_length=2, max_length=10)
    title: Localized
    key_points: tuple[Localized, ...] = Field(min_length=3, max_length=5)
    sectors: tuple[Slug, ...] = Field(default=(), max_length=ITEMS_MAX)
    people: tuple[Person, ...] = Field(default=(), max_length=ITEMS_MAX)
    quotes: tuple[Quote, ...] = Field(default=(), max_length=ITEMS_MAX)
    trade: tuple[TradeFigure, ...] = Field(default=(), max_length=ITEMS_MAX)
    investments: tuple[Investment, ...] = Field(default=(), max_length=ITEMS_MAX)
    counts: tuple[Count, ...] = Field(default=(), max_length=ITEMS_MAX)
    events: tuple[Event, ...] = Field(default=(), max_length=ITEMS_MAX)

    @field_validator("countries")
    @classmethod
    def _countries(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("a country is listed twice")
        return value

    @model_validator(mode="after")
    def _written(self) -> Article:
        if not self.draft:
            texts = [self.title.fr, self.title.en, self.source.publisher,
                     *(t for p in self.key_points for t in (p.fr, p.en))]
            if any(t.startswith(PLACEHOLDER) for t in texts):
                raise ValueError(f"the title, key points or publisher still say {PLACEHOLDER}:"
                                 " write them, or keep `draft: true`")
        return self

    def person(self, person_id: str) -> Person | None:
        """The person with that id, if the article names them."""
        return next((p for p in self.people if p.id == person_id), None)

    @property
    def pair(self) -> frozenset[str]:
        """The country pair the article is about (its first two countries)."""
        return frozenset(self.countries[:2])


class Sector(Model):
    """A sector of cooperation from the vocabulary file."""

    code: Slug
    label: Localized


class CountryForms(Model):
    """How a country is named: in a sentence (English name, French name with its article),
    as an adjective (``German``, ``allemand``), as the first half of a compound adjective
    (``Franco``-Kazakh, ``germano``-kazakh), and by other names readers may type."""

    code: Country
    en: Name
    fr: Name = Field(pattern=r"^(le |la |les |l')")
    adjective: Localized | None = None
    prefix: Localized | None = None
    aliases: tuple[Name, ...] = Field(default=(), max_length=ITEMS_MAX)


class NameForms(Localized):
    """How a person's or a publisher's name is spelled in each interface language."""

    code: str = Field(min_length=1, max_length=200)
