"""The briefings: each takes a scope (library, pair, locale, instant) and returns Rendered."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, tzinfo
from decimal import Decimal
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from bot.core import fx
from bot.core.checks import (
    Disagreement,
    Finding,
    GrowthMismatch,
    Mislabel,
    SumMismatch,
    findings,
    period_of,
)
from bot.core.facts import (
    UNIT_FACTOR,
    Amount,
    Article,
    Count,
    Event,
    Investment,
    Period,
    TradeFigure,
)
from bot.core.library import Library, Pair, Sourced, pair_key, visible
from bot.core.phrases import Phrases
from bot.core.render import Rendered, echo, render, template_module

FLOWS = ("turnover", "exports", "imports")
EVENT_MODES = ("upcoming", "past", "all")
PAST_SHOWN = 5
LIST_SHOWN = 20  # events per message: a briefing, not an archive
SOURCES_SHOWN = 3


@dataclass(frozen=True)
class Scope:
    """What a briefing is about: the data as of an instant, a pair, a language, a zone."""

    library: Library
    pair: Pair
    locale: str
    now: datetime
    zone: tzinfo
    pairs: tuple[Pair, ...] = ()  # every pair an article list or event list covers; () = pair
    prefix: str = "/"  # how the chat writes commands: "/" on Telegram, "!" on Matrix
    # Command names as this locale shows them ("trade" -> "commerce"); missing ones as is.
    commands: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def make(cls, library: Library, locale: str, now: datetime, zone: str = "UTC",
             pair: Pair | None = None, pairs: tuple[Pair, ...] = (), *, prefix: str = "/",
             commands: Mapping[str, str] | None = None) -> Scope:
        """Build a scope, seeing only what was published by ``now``."""
        seen = visible(library, now)
        chosen = pair or (pairs[0] if pairs else None) or library.default_pair() or ("KZ", "FR")
        return cls(seen, chosen, locale, now, ZoneInfo(zone), pairs if len(pairs) > 1 else (),
                   prefix, commands or {})

    @property
    def pair_arg(self) -> str:
        """`` KZ-DE`` for detail commands about a pair other than the default one, else ""."""
        default = self.library.default_pair()
        if self.pairs or default is None or pair_key(self.pair) == pair_key(default):
            return ""
        return f" {self.pair[0]}-{self.pair[1]}"

    @property
    def covering(self) -> tuple[Pair, ...]:
        """The pairs this scope covers."""
        return self.pairs or (self.pair,)

    @property
    def phrases(self) -> Phrases:
        """Phrase makers for this scope's locale."""
        return Phrases(self.locale, self.library.countries, self.library.names, self.commands)

    def today(self, event: Event | None = None) -> date:
        """Today's date where the event takes place, else in the scope's zone."""
        zone = ZoneInfo(event.place.timezone) if event and event.place else self.zone
        return self.now.astimezone(zone).date()

    def base(self, **context: object) -> dict[str, object]:
        """Context every template gets."""
        names = [self.phrases.pair(pair) for pair in self.covering]
        return {"p": self.phrases, "pair_name": ", ".join(names), "prefix": self.prefix,
                "pair_arg": self.pair_arg,
                "as_of": self.phrases.day(self.now.astimezone(self.zone).date()), **context}


# Trade ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SeriesValue:
    """One value given for a period, with every source that gives it."""

    figure: TradeFigure
    sources: tuple[Article, ...]


@dataclass(frozen=True)
class SeriesRow:
    """A period of the turnover series; several values when sources disagree."""

    label: str
    values: tuple[SeriesValue, ...]


def _series(figs: list[Sourced[TradeFigure]], flow: str) -> list[SeriesRow]:
    """The figures of one flow by period, oldest first, merging sources that agree."""
    by_period: dict[str, list[Sourced[TradeFigure]]] = defaultdict(list)
    for s in figs:
        if s.fact.flow == flow:
            by_period[s.fact.period.key].append(s)
    rows = []
    for items in sorted(by_period.values(), key=lambda i: (i[0].fact.period.start,
                                                           i[0].fact.period.end)):
        values: dict[tuple[object, ...], list[Sourced[TradeFigure]]] = defaultdict(list)
        for s in items:
            f = s.fact
            values[(f.absolute, f.currency, f.qualifier, f.direction)].append(s)
        merged = sorted((SeriesValue(v[0].fact, tuple(x.article for x in v))
                         for v in values.values()), key=lambda v: -len(v.sources))
        rows.append(SeriesRow(items[0].fact.period.key, tuple(merged)))
    return rows


@dataclass(frozen=True)
class Headline:
    """The latest full-year turnover, the value most sources give, with its breakdown."""

    period: Period
    turnover: Sourced[TradeFigure]
    parts: tuple[Sourced[TradeFigure], ...]  # exports, imports from the same article
    agreeing: int  # sources giving the same value


@dataclass(frozen=True)
class TradeView:
    """What a trade briefing shows, before any wording: computed once per library and year."""

    years: list[int]
    headline: Headline | None = None
    latest_partial: SeriesRow | None = None
    full: tuple[tuple[str, tuple[SeriesRow, ...]], ...] = ()  # by currency
    partial: tuple[SeriesRow, ...] = ()
    notes: tuple[Finding, ...] = ()
    lead_notes: int = 0  # notes on the headline's period
    breakdown: tuple[Sourced[TradeFigure], ...] = ()  # a year's exports and imports
    sources: tuple[Article, ...] = ()


def _headline(figs: list[Sourced[TradeFigure]]) -> Headline | None:
    """The latest full year's turnover: the value most sources give, newest on a tie."""
    years = [s for s in figs if s.fact.period.is_year and s.fact.flow == "turnover"]
    if not years:
        return None
    latest = max(s.fact.period.start.year for s in years)
    pool = [s for s in years if s.fact.period.start.year == latest]
    count: dict[tuple[object, ...], int] = defaultdict(int)
    for s in pool:
        count[(s.fact.absolute, s.fact.currency)] += 1
    best = max(pool, key=lambda s: count[(s.fact.absolute, s.fact.currency)])
    parts = tuple(Sourced(t, best.article) for flow in ("exports", "imports")
                  for t in best.article.trade
                  if t.flow == flow and t.period.key == best.fact.period.key)
    return Headline(best.fact.period, best, parts,
                    count[(best.fact.absolute, best.fact.currency)])


def _in_year(s: Sourced[TradeFigure], year: int | None) -> bool:
    return year is None or year in (s.fact.period.start.year, s.fact.period.end.year)


def trade_view(library: Library, pair: Pair, year: int | None) -> TradeView:
    """The figures a trade briefing leads with, the series and the notes to show."""
    return library.cached(("trade-view", pair_key(pair), year),
                          lambda: _trade_view(library, pair, year))


def _trade_view(library: Library, pair: Pair, year: int | None) -> TradeView:
    every = library.trade(pair)
    years = sorted({s.fact.period.start.year for s in every})
    figs = [s for s in every if _in_year(s, year)]
    if not figs:
        return TradeView(years)
    head = _headline(figs)
    rows = _series(figs, "turnover")
    full = [r for r in rows if r.values[0].figure.period.is_year]
    partial = tuple(r for r in rows if not r.values[0].figure.period.is_year)
    currencies = list(dict.fromkeys(v.figure.currency for r in full for v in r.values))
    by_currency = tuple((c, tuple(SeriesRow(r.label, tuple(v for v in r.values
                                                          if v.figure.currency == c))
                                  for r in full if any(v.figure.currency == c
                                                       for v in r.values)))
                        for c in currencies)
    lead = head.period.key if head else None
    found = [f for f in findings(library, pair) if year is None
             or period_of(f)[:4] == str(year) or period_of(f)[-7:-3] == str(year)]
    found.sort(key=lambda f: (period_of(f) != lead, -int(period_of(f)[:4]),
                              isinstance(f, Mislabel)))
    newer = [r for r in partial if head is None
             or r.values[0].figure.period.end > head.period.end]
    breakdown = tuple(s for s in figs if year is not None and s.fact.flow != "turnover")
    sources = tuple(dict.fromkeys(s.article for s in figs))
    return TradeView(years, head, newer[-1] if newer else None, by_currency, partial,
                     tuple(found), sum(1 for f in found if period_of(f) == lead), breakdown,
                     sources)


NOTES_SHOWN = 10


def trade(scope: Scope, year: int | None = None, view: str = "short") -> Rendered:
    """Trade: the latest full year (``short``), ``all`` figures, ``notes``, ``sources``."""
    p = scope.phrases
    data = trade_view(scope.library, scope.pair, year)
    if not data.sources:
        return render("trade", scope.locale, **scope.base(missing=True, year=year,
                                                          years=data.years))
    notes = [describe(n, p) for n in data.notes[:NOTES_SHOWN]]
    template = {"short": "trade", "all": "trade-all", "notes": "trade-notes",
                "sources": "sources"}[view if year is None or view != "short" else "all"]
    context = scope.base(
        missing=False, year=year, view=data, notes=notes, what="trade",
        articles=data.sources, investments=_investments(scope) if year is None else [],
        companies=_counts(scope, "economy") if year is None else [],
        rates=fx.rates() if any(isinstance(n, Disagreement) and n.converted
                                for n in data.notes) else None)
    if template == "trade":
        return fit(template, scope.locale, BUDGETS["trade"], context, ["partial", "parts"])
    return render(template, scope.locale, **context, show={})


def _investments(scope: Scope) -> list[Sourced[Investment]]:
    """Investment figures between the pair, newest source first."""
    key = pair_key(scope.pair)
    return [Sourced(i, a) for a in scope.library.about(scope.pair) for i in a.investments
            if pair_key((i.investor, i.host)) == key][:3]


def _counts(scope: Scope, topic: str) -> list[Sourced[Count]]:
    """Counts on one topic, newest source first."""
    return [Sourced(c, a) for a in scope.library.about(scope.pair) for c in a.counts
            if c.topic == topic][:3]


def _by_value(figures: tuple[Sourced[TradeFigure], ...],
              p: Phrases) -> list[tuple[TradeFigure, list[str]]]:
    """Figures grouped by value as printed, each with its publishers."""
    groups: dict[tuple[object, ...], tuple[TradeFigure, list[str]]] = {}
    for s in figures:
        f = s.fact
        entry = groups.setdefault((f.value, f.unit, f.currency, f.qualifier), (f, []))
        entry[1].append(p.publisher(s.article))
    return list(groups.values())


def _approximate(value: Decimal, like: TradeFigure, currency: str) -> Amount:
    """A converted value in ``like``'s unit and printed digits, marked approximate."""
    exponent = like.value.as_tuple().exponent
    assert isinstance(exponent, int)
    scaled = (value / UNIT_FACTOR[like.unit]).quantize(Decimal(1).scaleb(min(exponent, 0)))
    return Amount(value=scaled, unit=like.unit, currency=currency, qualifier="approximately")


def describe(finding: Finding, p: Phrases) -> str:
    """One sentence on a consistency finding, in the phrases' language."""
    _ = p._
    if isinstance(finding, SumMismatch):
        t = finding.turnover
        total = t.model_copy(update={"value": finding.total, "qualifier": "exact"})
        return _("{period}: exports ({exports}) and imports ({imports}) add up to {total}, "
                 "not the stated {turnover}, more than the rounding of the printed figures "
                 "allows ({source}).").format(
            period=p.period(t.period), exports=p.money(finding.exports),
            imports=p.money(finding.imports), total=p.money(total), turnover=p.money(t),
            source=p.source(finding.article))
    if isinstance(finding, GrowthMismatch):
        return _describe_growth(finding, p)
    if isinstance(finding, Mislabel):
        f, twin = finding.figure, finding.twin
        return _("{period}: {source}’s {value} ({growth}) repeats the number and growth of "
                 "the {other} other sources give, in another currency: most likely a "
                 "currency mislabel.").format(
            period=p.period(f.fact.period), source=p.publisher(f.article),
            value=p.money(f.fact), growth=p.percent(f.fact.growth.percent)
            if f.fact.growth else "", other=p.money(twin.fact))
    return _describe_disagreement(finding, p)


def _describe_growth(finding: GrowthMismatch, p: Phrases) -> str:
    """A stated growth that the printed figures cannot give, and what would decide it."""
    _ = p._
    f, b = finding.figure, finding.base.fact
    assert f.growth is not None
    text = _("{period}: stated growth {stated} ({source}), but {base} to {value} allows only "
             "{low} to {high}.").format(
        period=p.period(f.period), stated=p.percent(f.growth.percent), base=p.money(b),
        value=p.money(f), low=p.percent(finding.low), high=p.percent(finding.high),
        source=p.source(finding.article))
    if finding.decider is not None:
        return text + " " + _("{source}’s more precise {base} decides it.").format(
            source=p.publisher(finding.decider.article), base=p.money(b))
    return text + " " + _("Only a more precise {period} figure could change that.").format(
        period=p.period(b.period))


def _describe_disagreement(finding: Disagreement, p: Phrases) -> str:
    """Values that cannot all be true, with indicative conversions into the main currency."""
    _ = p._
    fig = finding.figures[0].fact
    parts = []
    for value, publishers in _by_value(finding.figures, p):
        text = f"{p.money(value)} ({p.join(publishers)}"
        match = next((c for c in finding.converted if c.figure.fact is value), None)
        if match is not None:
            rate = _approximate(match.value, value, match.currency)
            text += "; " + _("{amount} at the {year} average rate").format(
                amount=p.money(rate), year=value.period.end.year)
        parts.append(text + ")")
    label = _("turnover") if fig.flow == "turnover" else p.direction(fig)
    return _("{period}, {flow}: sources differ: {values}.").format(
        period=p.period(fig.period), flow=label, values=p.join(parts))


# Events -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class EventItem:
    """An event with every article reporting it, the most precise report first."""

    event: Event
    article: Article
    sources: tuple[Article, ...]

    @property
    def key(self) -> str:
        """Stable id: ``<article>/<event>`` of the canonical report."""
        return f"{self.article.id}/{self.event.id}"


_PRECISION_RANK = {"day": 0, "days": 1, "month": 2, "before": 3, "year": 4, "unknown": 5}


def merged_events(library: Library, pair: Pair) -> list[EventItem]:
    """Events on the pair, reports of the same happening merged through ``same_as``.

    Reports are merged across every pair first, so a happening reported for two pairs (a
    regional summit) is one event with one key, whichever pair it is listed under.
    """
    key = pair_key(pair)
    return library.cached(("merged-events", key), lambda: [
        item for item in _all_merged(library)
        if any(pair_key(a.countries[:2]) == key for a in item.sources)])


def events_on(library: Library, pairs: tuple[Pair, ...]) -> list[EventItem]:
    """Events on any of ``pairs``, each once."""
    if len(pairs) == 1:
        return merged_events(library, pairs[0])
    seen: dict[str, EventItem] = {}
    for pair in pairs:
        for item in merged_events(library, pair):
            seen.setdefault(item.key, item)
    return list(seen.values())


def _all_merged(library: Library) -> list[EventItem]:
    """Every event of the library, reports of the same happening merged."""
    return library.cached("all-merged-events", lambda: _merge(library))


def _merge(library: Library) -> list[EventItem]:
    groups: dict[str, list[Sourced[Event]]] = defaultdict(list)
    for s in (Sourced(e, a) for a in library.articles for e in a.events):
        groups[s.fact.same_as or f"{s.article.id}/{s.fact.id}"].append(s)
    items = []
    for reports in groups.values():
        best = min(reports, key=lambda s: (_PRECISION_RANK[s.fact.date.precision],
                                           s.fact.same_as is not None))
        sources = tuple(dict.fromkeys([best.article, *(r.article for r in reports)]))
        items.append(EventItem(best.fact, best.article, sources))
    return items


def is_upcoming(event: Event, today: date) -> bool:
    """Planned and not yet over, as far as the date's precision tells."""
    return event.status == "planned" and event.date.bounds()[1] >= today


def _sort_key(item: EventItem) -> date:
    """Order by the first possible day; "before X" events by their last possible day."""
    low, high = item.event.date.bounds()
    if high == date.max:
        return date.max
    return high if item.event.date.precision == "before" else low


def split_events(scope: Scope) -> tuple[list[EventItem], list[EventItem]]:
    """(upcoming soonest first, past newest first)."""
    # Every zone's offset is a multiple of 15 minutes, so "today" anywhere is constant
    # within a quarter-hour: the split can be shared by every request in it.
    quarter = int(scope.now.timestamp()) // 900
    keys = tuple(pair_key(p) for p in scope.covering)
    return scope.library.cached(("split-events", keys, quarter, str(scope.zone)),
                                lambda: _split_events(scope))


def _split_events(scope: Scope) -> tuple[list[EventItem], list[EventItem]]:
    items = events_on(scope.library, scope.covering)
    days: dict[str | None, date] = {}
    upcoming: list[EventItem] = []
    past: list[EventItem] = []
    for item in items:
        zone = item.event.place.timezone if item.event.place else None
        if zone not in days:
            days[zone] = scope.today(item.event)
        (upcoming if is_upcoming(item.event, days[zone]) else past).append(item)
    upcoming.sort(key=lambda i: (_sort_key(i), i.key))
    past.sort(key=lambda i: (_past_key(i), i.key), reverse=True)
    return upcoming, past


def _past_key(item: EventItem) -> date:
    """Past events with an unknown date sort by their report's publication day."""
    key = _sort_key(item)
    return item.article.source.published.date() if key == date.max else key


SHORT_EVENTS = 3


def events(scope: Scope, mode: str = "upcoming") -> Rendered:
    """Upcoming events, three at most (or ``past``, ``all``, ``sources``)."""
    upcoming, past = split_events(scope)
    if mode == "sources":
        shown = [*upcoming, *past]
        articles = tuple(dict.fromkeys(a for i in shown for a in i.sources))
        return render("sources", scope.locale, **scope.base(articles=articles, what="events"))
    if mode == "upcoming":
        more = len(upcoming) - SHORT_EVENTS if upcoming else 0
        return fit("events-short", scope.locale, BUDGETS["events"], scope.base(
            upcoming=upcoming[:SHORT_EVENTS], past=[] if upcoming else past[:SHORT_EVENTS],
            more=max(more, 0), today=scope.today), ["as_of", "titles", "third"])
    if mode == "past":
        upcoming = []
    room = max(LIST_SHOWN - len(upcoming[:LIST_SHOWN]), PAST_SHOWN)
    hidden = max(0, len(upcoming) - LIST_SHOWN) + max(0, len(past) - room)
    upcoming, past = upcoming[:LIST_SHOWN], past[:room]
    return render("events", scope.locale, **scope.base(
        mode=mode, upcoming=upcoming, past=past, hidden=hidden,
        lines=event_lines(scope, [*upcoming, *past])))


def event_lines(scope: Scope, items: list[EventItem]) -> dict[str, Markup]:
    """Each event's lines in an event list, by event key.

    An event reads the same in every list that holds it (one pair's, several pairs', past or
    all) on the same day in the same language, so its lines are rendered once per library,
    language and day: a chat following several pairs gets lists made of lines already made.
    """
    lines: dict[str, Markup] = {}
    macros: list[Any] = []  # the macros module, made on the first line not yet rendered

    def build(item: EventItem, day: date) -> Markup:
        if not macros:
            macros.append(template_module("_macros", scope.locale, **scope.base()))
        return Markup(macros[0].event_line(item, lambda event: day))

    for item in items:
        day = scope.today(item.event)
        lines[item.key] = scope.library.cached(("event-lines", item.key, scope.locale, day),
                                               partial(build, item, day))
    return lines


# Word budgets ------------------------------------------------------------------------------

# What a phone screen shows and a reader takes in at a glance, counted on the plain text.
BUDGETS = {"summary": 80, "trade": 80, "brief": 80, "events": 100, "digest": 120, "alert": 50}


def words(rendered: Rendered) -> int:
    """Words of the plain text, as a reader counts them (a link's address is one)."""
    return len(rendered.text.split())


def fit(template: str, locale: str, budget: int, context: dict[str, object],
        optional: list[str]) -> Rendered:
    """Render, dropping the ``optional`` parts in order until the text fits ``budget`` words."""
    shown = dict.fromkeys(optional, True)
    rendered = render(template, locale, **context, show=shown)
    for key in optional:
        if words(rendered) <= budget:
            break
        shown[key] = False
        rendered = render(template, locale, **context, show=shown)
    return rendered


# Summary and overview ---------------------------------------------------------------------

def summary(scope: Scope, ref: str | None = None, view: str = "short") -> Rendered:
    """One article: ``short`` (headline, key point, figure, next), ``full``, or ``sources``."""
    lib = scope.library
    pool = lib.about_any(scope.covering)
    article = lib.find_in(ref, pool) if ref else (pool[0] if pool else None)
    if article is None:
        return render("summary", scope.locale, **scope.base(
            article=None, ref=echo(ref) if ref else ref, articles=pool[:10], show={}))
    if view == "sources":
        return render("sources", scope.locale, **scope.base(articles=(article,),
                                                            what="summary"))
    # The article's own pair decides its next event.
    scope = replace(scope, pair=(article.countries[0], article.countries[1]), pairs=())
    upcoming, _ = split_events(scope)
    own = [i for i in upcoming if article in i.sources]
    meetings = [e for e in article.events if e.kind in ("meeting", "talks") and
                len(e.participants) >= 2]
    sectors = [lib.sectors[c].label.get(scope.locale) for c in article.sectors
               if c in lib.sectors]
    turnover = [t for t in article.trade if t.flow == "turnover"]
    years = sorted((t for t in turnover if t.period.is_year), key=lambda t: t.period.end)
    lead = years[-1] if years else None
    context = scope.base(
        article=article, ref=ref, meetings=meetings, sectors=sectors, today=scope.today,
        next_event=(own or upcoming)[0] if (own or upcoming) else None, turnover=turnover,
        lead=lead, flagged=lead is not None and any(
            lead is f for f in flagged_figures(lib, scope.pair)),
        ref_arg=f" {ref}" if ref else "")
    if view == "full":
        return render("summary", scope.locale, **context, show={})
    return fit("summary-short", scope.locale, BUDGETS["summary"], context,
               ["next", "figure", "point"])


def flagged_figures(library: Library, pair: Pair) -> list[TradeFigure]:
    """The figures some note is about (a sum, a growth, a disagreement, a mislabel)."""
    out: list[TradeFigure] = []
    for f in findings(library, pair):
        if isinstance(f, SumMismatch):
            out.append(f.turnover)
        elif isinstance(f, GrowthMismatch | Mislabel):
            out.append(f.figure if isinstance(f, GrowthMismatch) else f.figure.fact)
        else:
            out.extend(s.fact for s in f.figures)
    return out


MEETING_KINDS = ("meeting", "talks", "official_visit", "state_visit", "visit", "commission")


def brief(scope: Scope) -> Rendered:
    """One screen: latest full-year turnover, next event, latest meeting, newest article."""
    view = trade_view(scope.library, scope.pair, None)
    upcoming, past = split_events(scope)
    meeting = next((i for i in past if i.event.kind in MEETING_KINDS
                    and i.event.status == "held"), None)
    pool = scope.library.about(scope.pair)
    article = pool[0] if pool else None
    head, upcoming_first = view.headline, upcoming[0] if upcoming else None
    named = {x.article.id for x in (head.turnover if head else None, upcoming_first, meeting)
             if x is not None}
    context = scope.base(
        head=head, next_event=upcoming_first, meeting=meeting, article=article,
        today=scope.today, one_source=article is not None and named <= {article.id})
    # Relative dates and "as of" go first; long titles are cut last, sources never.
    return fit("brief", scope.locale, BUDGETS["brief"], context, ["extras", "whole"])


def article_list(scope: Scope) -> Rendered:
    """The articles on the scope's pairs, newest first, numbered for /summary."""
    return render("articles", scope.locale, **scope.base(articles=scope.library.about_any(
        scope.covering)))
