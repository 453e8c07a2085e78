"""The briefings: each takes a scope (library, pair, locale, instant) and returns Rendered."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo

from bot.core.checks import Disagreement, Finding, GrowthMismatch, SumMismatch, findings
from bot.core.facts import Article, Count, Event, Investment, Period, TradeFigure
from bot.core.library import Library, Pair, Sourced, pair_key, visible
from bot.core.phrases import Phrases
from bot.core.render import Rendered, echo, render

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
    prefix: str = "/"  # what commands start with where the briefing is read

    @classmethod
    def make(cls, library: Library, locale: str, now: datetime, zone: str = "UTC",
             pair: Pair | None = None, pairs: tuple[Pair, ...] = (), *,
             prefix: str = "/") -> Scope:
        """Build a scope, seeing only what was published by ``now``."""
        seen = visible(library, now)
        chosen = pair or (pairs[0] if pairs else None) or library.default_pair() or ("KZ", "FR")
        return cls(seen, chosen, locale, now, ZoneInfo(zone), pairs if len(pairs) > 1 else (),
                   prefix)

    @property
    def covering(self) -> tuple[Pair, ...]:
        """The pairs this scope covers."""
        return self.pairs or (self.pair,)

    @property
    def phrases(self) -> Phrases:
        """Phrase makers for this scope's locale."""
        return Phrases(self.locale, self.library.countries)

    def today(self, event: Event | None = None) -> date:
        """Today's date where the event takes place, else in the scope's zone."""
        zone = ZoneInfo(event.place.timezone) if event and event.place else self.zone
        return self.now.astimezone(zone).date()

    def base(self, **context: object) -> dict[str, object]:
        """Context every template gets."""
        names = [self.phrases.pair(pair) for pair in self.covering]
        return {"p": self.phrases, "pair_name": ", ".join(names),
                "as_of": self.phrases.day(self.now.astimezone(self.zone).date()),
                "prefix": self.prefix, **context}


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


def _latest_period(figs: list[Sourced[TradeFigure]], year: int | None) -> str | None:
    """The period key a trade briefing leads with."""
    pool = [s.fact for s in figs if year is None or s.fact.period.start.year == year
            or s.fact.period.end.year == year]
    if not pool:
        return None
    best = max(pool, key=lambda f: (f.period.end, f.period.is_year, f.flow == "turnover"))
    return best.period.key


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
        merged = tuple(SeriesValue(v[0].fact, tuple(x.article for x in v))
                       for v in values.values())
        rows.append(SeriesRow(items[0].fact.period.key, merged))
    return rows


@dataclass(frozen=True)
class TradeView:
    """What a trade briefing shows, before any wording: computed once per library and year."""

    years: list[int]
    period: Period | None = None
    lead: tuple[Sourced[TradeFigure], ...] = ()
    others: tuple[Sourced[TradeFigure], ...] = ()
    series: tuple[SeriesRow, ...] = ()
    notes: tuple[Finding | list[GrowthMismatch], ...] = ()


def trade_view(library: Library, pair: Pair, year: int | None) -> TradeView:
    """The figures a trade briefing leads with, the series and the notes to show."""
    return library.cached(("trade-view", pair_key(pair), year),
                          lambda: _trade_view(library, pair, year))


def _trade_view(library: Library, pair: Pair, year: int | None) -> TradeView:
    figs = library.trade(pair)
    key = _latest_period(figs, year)
    years = sorted({s.fact.period.start.year for s in figs})
    if key is None:
        return TradeView(years)
    in_period = [s for s in figs if s.fact.period.key == key]
    lead = {f: next((s for s in in_period if s.fact.flow == f), None) for f in FLOWS}
    return TradeView(
        years, in_period[0].fact.period, tuple(s for s in lead.values() if s),
        tuple(_other_values(in_period, lead)), tuple(_series(figs, "turnover")),
        tuple(_ordered_notes(findings(library, pair), key)))


def trade(scope: Scope, year: int | None = None) -> Rendered:
    """Latest figures, the series across sources, investment and notes."""
    p = scope.phrases
    view = trade_view(scope.library, scope.pair, year)
    if view.period is None:
        return render("trade", scope.locale, **scope.base(missing=True, year=year,
                                                          years=view.years))
    notes = [describe_growth(i, p) if isinstance(i, list) else describe(i, p)
             for i in view.notes]
    return render("trade", scope.locale, **scope.base(
        missing=False, year=year, years=view.years, period=p.period(view.period),
        lead=view.lead, others=view.others, series=view.series,
        investments=_investments(scope), companies=_counts(scope, "economy"), notes=notes))


def _other_values(figs: list[Sourced[TradeFigure]],
                  lead: dict[str, Sourced[TradeFigure] | None]) -> list[Sourced[TradeFigure]]:
    """Other sources' values for the lead period, when they differ from the lead's (max 3)."""
    seen = {(s.fact.flow, s.fact.absolute, s.fact.currency) for s in lead.values() if s}
    out = []
    for s in figs:
        mark = (s.fact.flow, s.fact.absolute, s.fact.currency)
        if mark not in seen:
            seen.add(mark)
            out.append(s)
    return out[:SOURCES_SHOWN]


def _investments(scope: Scope) -> list[Sourced[Investment]]:
    """Investment figures between the pair, newest source first."""
    key = pair_key(scope.pair)
    return [Sourced(i, a) for a in scope.library.about(scope.pair) for i in a.investments
            if pair_key((i.investor, i.host)) == key][:3]


def _counts(scope: Scope, topic: str) -> list[Sourced[Count]]:
    """Counts on one topic, newest source first."""
    return [Sourced(c, a) for a in scope.library.about(scope.pair) for c in a.counts
            if c.topic == topic][:3]


NOTES_SHOWN = 5


def _ordered_notes(found: list[Finding],
                   lead_key: str) -> list[Finding | list[GrowthMismatch]]:
    """Brief notes: the lead period's first, one per period for growth, at most five."""
    growth: dict[tuple[str, str], list[GrowthMismatch]] = defaultdict(list)
    others: list[Finding] = []
    for f in found:
        if isinstance(f, GrowthMismatch):
            growth[(f.figure.period.key, f.figure.flow)].append(f)
        else:
            others.append(f)
    merged: list[Finding | list[GrowthMismatch]] = [*others, *growth.values()]

    def period_of(item: Finding | list[GrowthMismatch]) -> str:
        first = item[0] if isinstance(item, list) else item
        if isinstance(first, Disagreement):
            return first.period
        return (first.turnover if isinstance(first, SumMismatch) else first.figure).period.key

    merged.sort(key=lambda item: (period_of(item) != lead_key, isinstance(item, list)))
    return merged[:NOTES_SHOWN]


def describe_growth(group: list[GrowthMismatch], p: Phrases) -> str:
    """One sentence for every source that states a growth the figures do not give."""
    if len(group) == 1:
        return describe(group[0], p)
    first = group[0]
    stated = p.join([f"{p.percent(g.figure.growth.percent)} ({p.source(g.article)})"
                     for g in group if g.figure.growth])
    return p._("{period}: stated growth {stated}, but {base} to {value} gives {computed}.").format(
        period=p.period(first.figure.period), stated=stated, base=p.money(first.base.fact),
        value=p.money(first.figure), computed=p.percent(first.computed))


def describe(finding: Finding, p: Phrases) -> str:
    """One sentence on a consistency finding, in the phrases' language."""
    _ = p._
    if isinstance(finding, SumMismatch):
        t = finding.turnover
        total = t.model_copy(update={"value": finding.total, "qualifier": "exact"})
        return _("{period}: exports ({exports}) and imports ({imports}) add up to {total}, "
                 "not the stated {turnover} ({source}).").format(
            period=p.period(t.period), exports=p.money(finding.exports),
            imports=p.money(finding.imports), total=p.money(total), turnover=p.money(t),
            source=p.source(finding.article))
    if isinstance(finding, GrowthMismatch):
        f, b = finding.figure, finding.base.fact
        assert f.growth is not None
        return _("{period}: stated growth {stated}, but {base} to {value} gives {computed} "
                 "({source}).").format(
            period=p.period(f.period), stated=p.percent(f.growth.percent), base=p.money(b),
            value=p.money(f), computed=p.percent(finding.computed), source=p.source(
                finding.article))
    assert isinstance(finding, Disagreement)
    values = [f"{p.money(s.fact)} ({p.source(s.article)})" for s in finding.figures]
    fig = finding.figures[0].fact
    label = _("turnover") if fig.flow == "turnover" else p.direction(fig)
    return _("{period}, {flow}: sources differ: {values}.").format(
        period=p.period(finding.figures[0].fact.period), flow=label, values=p.join(values))


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


def events(scope: Scope, mode: str = "upcoming") -> Rendered:
    """Upcoming events (or past, or all) with dates at their precision."""
    upcoming, past = split_events(scope)
    if mode == "upcoming":
        past = past[:PAST_SHOWN] if not upcoming else []
    elif mode == "past":
        upcoming = []
    room = max(LIST_SHOWN - len(upcoming[:LIST_SHOWN]), PAST_SHOWN)
    hidden = max(0, len(upcoming) - LIST_SHOWN) + max(0, len(past) - room)
    return render("events", scope.locale, **scope.base(
        mode=mode, upcoming=upcoming[:LIST_SHOWN], past=past[:room], today=scope.today,
        hidden=hidden))


# Summary ----------------------------------------------------------------------------------

def summary(scope: Scope, ref: str | None = None) -> Rendered:
    """One article: headline, who met whom, key points, figures, sectors, next event."""
    lib = scope.library
    pool = lib.about_any(scope.covering)
    article = lib.find_in(ref, pool) if ref else (pool[0] if pool else None)
    if article is None:
        return render("summary", scope.locale, **scope.base(
            article=None, ref=echo(ref) if ref else ref, articles=pool[:10]))
    # The article's own pair decides its next event.
    scope = replace(scope, pair=(article.countries[0], article.countries[1]), pairs=())
    upcoming, _ = split_events(scope)
    own = [i for i in upcoming if article in i.sources]
    meetings = [e for e in article.events if e.kind in ("meeting", "talks") and
                len(e.participants) >= 2]
    sectors = [lib.sectors[c].label.get(scope.locale) for c in article.sectors
               if c in lib.sectors]
    return render("summary", scope.locale, **scope.base(
        article=article, ref=ref, meetings=meetings, sectors=sectors, today=scope.today,
        next_event=(own or upcoming)[0] if (own or upcoming) else None,
        turnover=[t for t in article.trade if t.flow == "turnover"]))


def article_list(scope: Scope) -> Rendered:
    """The articles on the scope's pairs, newest first, numbered for /summary."""
    return render("articles", scope.locale, **scope.base(articles=scope.library.about_any(
        scope.covering)))
