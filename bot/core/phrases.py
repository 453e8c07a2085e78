"""Localized phrases built from facts: qualifiers, directions, dates, sources.

Fixed words come from the gettext catalog; numbers and dates from Babel. Templates call these
through the filters and globals that ``render.environment`` binds to a locale.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from babel.lists import format_list

from bot.core import i18n
from bot.core.facts import (
    Amount,
    Article,
    BeforeDate,
    Count,
    CountryForms,
    DayDate,
    DaysDate,
    Event,
    Growth,
    Investment,
    Localized,
    MonthDate,
    Period,
    TradeFigure,
    YearDate,
)


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is used."""
    return message


QUALIFIERS = {
    "exact": N_("{value}"),
    "approximately": N_("about {value}"),
    "more_than": N_("more than {value}"),
    "nearly": N_("nearly {value}"),
    "less_than": N_("less than {value}"),
}
GROWTH_BASES = {
    "previous_year": N_("{change} on the previous year"),
    "same_period_previous_year": N_("{change} on the same period a year earlier"),
}


# The argument words of the detail views as a French reader types them (the parsers in
# bot.core.commands accept both languages' words).
FRENCH_VIEWS = {"all": {"trade": "tout", "events": "tous"}, "past": {"events": "passés"},
                "full": {"summary": "complet"}}


class Phrases:
    """Phrase makers bound to one locale and the library's country forms."""

    def __init__(self, locale: str, countries: dict[str, CountryForms],
                 names: Mapping[str, Localized] | None = None,
                 commands: Mapping[str, str] | None = None) -> None:
        self.locale = locale
        self.countries = countries
        self.names_by_language = names or {}
        self.commands = commands or {}

    def _(self, message: str) -> str:
        return i18n.gettext(self.locale, message)

    # Countries ---------------------------------------------------------------------------
    def country(self, code: str) -> str:
        """Bare name, as in a heading: ``Kazakhstan``."""
        return i18n.territory(code, self.locale)

    def pair(self, codes: tuple[str, str]) -> str:
        """``Kazakhstan–France``."""
        return "\u2013".join(self.country(c) for c in codes)

    def in_sentence(self, code: str) -> str:
        """Name inside a sentence: ``la France`` in French, ``France`` in English."""
        forms = self.countries.get(code)
        if forms is None:
            return self.country(code)
        return forms.fr if self.locale == "fr" else forms.en

    def of(self, code: str) -> str:
        """French ``de`` + name with contraction (``du Kazakhstan``); English name as is."""
        name = self.in_sentence(code)
        if self.locale != "fr":
            return name
        for article, joined in (("le ", "du "), ("les ", "des ")):
            if name.startswith(article):
                return joined + name[len(article):]
        return "de " + name

    def direction(self, fig: TradeFigure) -> str:
        """The flow in words: ``Exports from Kazakhstan to France``."""
        a, b = fig.reporter, fig.partner
        if fig.flow == "exports":
            text = self._("Exports from {origin} to {destination}")
            return text.format(origin=self.of(a), destination=self.in_sentence(b))
        if fig.flow == "imports":
            text = self._("Imports into {destination} from {origin}")
            return text.format(destination=self.of(a), origin=self.of(b))
        # One label for the measure, whichever country reported it first.
        return self._("Bilateral trade")

    def investment(self, inv: Investment) -> str:
        """``Investment from France in Kazakhstan (stock)``."""
        label = (self._("Investment stock from {investor} in {host}") if inv.kind == "stock"
                 else self._("Investment inflow from {investor} in {host}"))
        return label.format(investor=self.of(inv.investor), host=self.of(inv.host))

    # Numbers -----------------------------------------------------------------------------
    def money(self, amount: Amount) -> str:
        """An amount with its qualifier: ``nearly $20 billion``."""
        value = i18n.money(amount, self.locale)
        return self._(QUALIFIERS[amount.qualifier]).format(value=value)

    def count(self, item: Count) -> str:
        """``more than 200 companies with French capital``."""
        value = self._(QUALIFIERS[item.qualifier]).format(value=i18n.number(item.value,
                                                                             self.locale))
        worth = f" ({self.money(item.worth)})" if item.worth else ""
        return f"{value} {item.what.get(self.locale)}{worth}"

    def currency_name(self, code: str) -> str:
        """``US dollars`` / ``dollars des États-Unis``."""
        return i18n.currency_name(code, self.locale)

    def percent(self, value: Decimal, signed: bool = True) -> str:
        """``+31 %``."""
        return i18n.percent(value, self.locale, signed=signed)

    def growth(self, growth: Growth, period: Period | None = None) -> str:
        """``+31% on 2023``: the base named (``on the previous year`` without a period)."""
        if period is None:
            return self._(GROWTH_BASES[growth.base]).format(change=self.percent(growth.percent))
        return self._("{change} on {base}").format(change=self.percent(growth.percent),
                                                   base=self.base(growth, period))

    def base(self, growth: Growth, period: Period) -> str:
        """What a growth is measured against: ``2023`` or ``Jan–Aug 2022``."""
        del growth  # both bases are the same span a year earlier
        return self.period(period.previous_year())

    def change(self, growth: Growth, period: Period) -> str:
        """``up 31% on 2023`` / ``en hausse de 31 % par rapport à 2023``."""
        text = (self._("up {change} on {base}") if growth.percent >= 0
                else self._("down {change} on {base}"))
        return text.format(change=self.percent(abs(growth.percent), signed=False),
                           base=self.base(growth, period))

    def number(self, value: Decimal | int) -> str:
        """A plain number with its printed digits."""
        return i18n.number(value, self.locale)

    # Time --------------------------------------------------------------------------------
    def period(self, period: Period) -> str:
        """``2024`` or ``Jan – Aug 2023``."""
        if period.is_year:
            return str(period.start.year)
        return i18n.month_range(period.start, period.end, self.locale)

    def day(self, value: date) -> str:
        """``7 mai 2025``."""
        return i18n.day(value, self.locale)

    def when(self, event: Event) -> str:
        """An event's date at the precision the source gives."""
        d = event.date
        if isinstance(d, DayDate):
            return self.day(d.value)
        if isinstance(d, DaysDate):
            return i18n.day_range(d.start, d.end, self.locale)
        if isinstance(d, MonthDate):
            return i18n.month(d.bounds()[0], self.locale)
        if isinstance(d, YearDate):
            return str(d.value)
        if isinstance(d, BeforeDate):
            if event.status == "held":
                last = date.fromordinal(d.value.toordinal() - 1)
                return self._("no later than {date}").format(date=self.day(last))
            return self._("before {date}").format(date=self.day(d.value))
        return self._("date not given")

    def relative(self, event: Event, today: date) -> str:
        """``tomorrow``, ``in 3 weeks``, ``2 months ago``; empty when the date is too vague."""
        d = event.date
        if isinstance(d, BeforeDate):
            if d.value <= today or event.status != "planned":
                return ""
            span = i18n.duration(d.value - today, self.locale)
            return self._("within {span}").format(span=span)
        if not isinstance(d, DayDate | DaysDate | MonthDate):
            return ""
        start, end = d.bounds()
        if start <= today <= end:
            return self._("today") if isinstance(d, DayDate) else self._("under way")
        target = start if start > today else end
        days = (target - today).days
        if isinstance(d, DayDate) and abs(days) == 1:
            return self._("tomorrow") if days == 1 else self._("yesterday")
        return i18n.relative(target - today, self.locale)

    def schedule(self, event: Event, today: date) -> str:
        """The date line of an event: date, relative time, local time, place, status."""
        text = self.when(event)
        if rel := self.relative(event, today):
            text += f" ({rel})"
        if event.time:
            text += f", {i18n.clock(event.time, self.locale)}"
            if event.place:
                text += " " + self._("local time")
        if event.place:
            text += f" · {event.place.name.get(self.locale)}"
        if event.status == "cancelled":
            text += " · " + self._("cancelled")
        elif event.status == "planned" and event.date.bounds()[1] < today:
            text += " · " + self._("announced, not reported as held")
        return text

    # People and sources ------------------------------------------------------------------
    def person(self, article: Article, person_id: str) -> str:
        """``Roman Vassilenko, Deputy Minister of Foreign Affairs of Kazakhstan``."""
        who = article.person(person_id)
        return f"{self.name(who.name)}, {who.role.get(self.locale)}" if who else person_id

    def name(self, name: str) -> str:
        """A person's or publisher's name as the reader's language spells it."""
        forms = self.names_by_language.get(name)
        return forms.get(self.locale) if forms else name

    def names(self, article: Article, ids: tuple[str, ...]) -> str:
        """Names joined the locale's way: ``A, B et C``."""
        people = [self.name(p.name) for i in ids if (p := article.person(i))]
        return format_list(people, locale=self.locale) if people else ""

    def met(self, article: Article, event: Event) -> str:
        """``A, role, met B, role.`` for a meeting's participants (the first is the host)."""
        host, *guests = event.participants
        return self._("{host} met {guest}.").format(
            host=self.person(article, host) + ("," if article.person(host) else ""),
            guest=self.join([self.person(article, g) for g in guests]))

    def language(self, code: str) -> str:
        """``in French`` / ``en français`` for a quotation's language."""
        name = i18n.language_name(code, self.locale)
        return self._("in {language}").format(language=name)

    def view(self, command: str) -> str:
        """A detail view's command line in the reader's words: ``trade all`` -> ``trade tout``."""
        name, *args = command.split()
        if self.locale == "fr" and args:
            args[0] = FRENCH_VIEWS.get(args[0], {}).get(name, args[0])
        return " ".join([self.commands.get(name, name), *args])

    def clip(self, text: str, words: int) -> str:
        """``text`` cut to ``words`` words with an ellipsis (0 keeps it whole)."""
        parts = text.split()
        return text if not words or len(parts) <= words else " ".join(parts[:words]) + "…"

    def join(self, items: list[str]) -> str:
        """A list joined the locale's way."""
        return format_list(items, locale=self.locale) if items else ""

    def source(self, article: Article) -> str:
        """``La Gazette, 7 mai 2025`` (plain; templates add the link)."""
        return f"{self.publisher(article)}, {self.day(article.source.published.date())}"

    def publisher(self, article: Article) -> str:
        """The publisher's name in the reader's language."""
        return self.name(article.source.publisher)

    def clock(self, hhmm: str) -> str:
        """``18 h 30`` / ``18:30``."""
        return i18n.clock(hhmm, self.locale)
