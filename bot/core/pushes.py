"""Pushed briefings: when a digest or an alert is due, and what it says.

Everything here is pure: the scheduler (bot.delivery.scheduler) reads the database, asks these
functions what is due in a window of time, and writes the rendered messages to the outbox.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from babel.dates import get_day_names

from bot.core import i18n
from bot.core.briefings import BUDGETS, EventItem, Scope, fit, merged_events
from bot.core.facts import (
    Article,
    BeforeDate,
    DayDate,
    DaysDate,
    Event,
    Investment,
    MonthDate,
    TradeFigure,
)
from bot.core.library import Library, Pair, Sourced, pair_key
from bot.core.render import Rendered

Cadence = Literal["daily", "weekly"]
DEFAULT_LEADS = (7, 1, 0)
DEFAULT_TIME = time(8, 0)
# The same-day alert is "the morning of the event": never later than this, whatever the
# digest time, or a 20:00 subscriber would hear of a morning ceremony after it.
MORNING = time(8, 0)
BEFORE_LEAD = 7  # "before X" events get one alert, this many days before X
DIGEST_WINDOW = 30  # days ahead a digest lists events
FIGURES_SHOWN = 8
DIGEST_SHOWN = 2  # articles, figures and events a digest names before "N more"


def pair_code(pair: Pair) -> str:
    """``KZ-FR``."""
    return f"{pair[0]}-{pair[1]}"


def parse_pair(code: str) -> Pair:
    """``KZ-FR`` (any case) -> ("KZ", "FR"); ValueError otherwise."""
    parts = code.strip().upper().split("-")
    if len(parts) != 2 or not all(len(p) == 2 and p.isalpha() for p in parts):
        raise ValueError(f"{code!r} is not a country pair such as KZ-FR")
    return parts[0], parts[1]


@dataclass(frozen=True)
class PushSettings:
    """What a chat subscribed to: digest cadence and time, alerts, lead times, pairs."""

    cadence: Cadence = "daily"
    weekday: int = 0  # Monday; used by weekly digests only
    at: time = DEFAULT_TIME
    alerts: bool = True
    leads: tuple[int, ...] = DEFAULT_LEADS
    pairs: tuple[Pair, ...] = (("KZ", "FR"),)
    always: bool = False  # send the digest even when nothing changed
    sectors: tuple[str, ...] = ()  # the digest's articles only in these sectors; () = all
    silent: bool = False  # delivered without a notification sound (where the network can)


@dataclass(frozen=True)
class SubscriptionState:
    """A subscription as /settings shows it."""

    settings: PushSettings
    active: bool
    failures: int = 0
    last_error: str | None = None
    last_digest_at: datetime | None = None


# When things are due -------------------------------------------------------------------------

def local_moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    """``day`` at ``at`` in ``zone``, as a UTC instant.

    A time skipped by a daylight-saving change (02:30 on the last Sunday of March in Paris)
    falls an hour later; a repeated one (02:30 in late October) is its first occurrence.
    """
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class DigestDue:
    """A digest moment and the chat-local day it belongs to."""

    moment: datetime
    day: date

    def key(self, chat: int) -> str:
        """The outbox key: one digest per chat and local day."""
        return f"digest:{chat}:{self.day.isoformat()}"


def digest_due(settings: PushSettings, zone: ZoneInfo, after: datetime,
               now: datetime) -> DigestDue | None:
    """The latest digest moment in ``(after, now]``, if there is one."""
    today = now.astimezone(zone).date()
    for back in range(8):
        day = today - timedelta(days=back)
        if settings.cadence == "weekly" and day.weekday() != settings.weekday:
            continue
        moment = local_moment(day, settings.at, zone)
        if moment <= now:
            return DigestDue(moment, day) if moment > after else None
    return None


@dataclass(frozen=True)
class AlertDue:
    """One alert: an event, a lead time, the day it counts from, and when it goes out."""

    pair: Pair
    item: EventItem
    lead: int  # days before ``target``
    target: date  # the event's first day, or X for an event known only to come before X
    day: date  # the chat-local day of the alert
    moment: datetime
    before: bool = False
    # Every followed pair the event is on (a regional summit on two): the alert names each.
    pairs: tuple[Pair, ...] = ()

    def key(self, chat: int) -> str:
        """The outbox key; the target day is in it, so a postponed event is alerted again."""
        return f"alert:{self.item.key}:{chat}:{self.lead}d:{self.target.isoformat()}"


def alert_moments(pair: Pair, item: EventItem, settings: PushSettings,
                  zone: ZoneInfo) -> list[AlertDue]:
    """Every alert an event gets, respecting its date's precision.

    Day and day-range events get one alert per lead time; an event known only to come before
    X gets one alert ``BEFORE_LEAD`` days before X (if that lead is subscribed); events known
    to the month, the year or not at all get none: "tomorrow" would be a guess.
    """
    event, d = item.event, item.event.date
    if not settings.alerts or event.status != "planned":
        return []
    if isinstance(d, DayDate | DaysDate):
        target, leads, before = d.bounds()[0], settings.leads, False
    elif isinstance(d, BeforeDate) and BEFORE_LEAD in settings.leads:
        target, leads, before = d.value, (BEFORE_LEAD,), True
    else:
        return []
    out = []
    for lead in leads:
        day = target - timedelta(days=lead)
        at = min(settings.at, MORNING) if lead == 0 else settings.at
        out.append(AlertDue(pair, item, lead, target, day, local_moment(day, at, zone), before))
    return out


def alerts_due(events: dict[Pair, list[EventItem]], settings: PushSettings, zone: ZoneInfo,
               after: datetime, now: datetime) -> list[AlertDue]:
    """The alerts whose moment falls in ``(after, now]``, oldest first."""
    due: dict[tuple[str, int], AlertDue] = {}
    for pair in settings.pairs:
        for item in events.get(pair, []):
            for a in alert_moments(pair, item, settings, zone):
                # An event on two of the chat's pairs (a regional summit) is alerted once,
                # under both pairs.
                if after < a.moment <= now:
                    first = due.setdefault((item.key, a.lead), a)
                    if first is not a:
                        due[(item.key, a.lead)] = replace(
                            first, pairs=(*(first.pairs or (first.pair,)), pair))
    # Alerts due at the same moment go in the order of the events they announce.
    return sorted(due.values(), key=lambda a: (a.moment, a.target, a.item.key))


def next_digest(settings: PushSettings, zone: ZoneInfo, after: datetime) -> datetime:
    """The first digest moment after ``after`` (daylight-saving changes included)."""
    start = after.astimezone(zone).date()
    for ahead in range(9):
        day = start + timedelta(days=ahead)
        if settings.cadence == "weekly" and day.weekday() != settings.weekday:
            continue
        moment = local_moment(day, settings.at, zone)
        if moment > after:
            return moment
    raise AssertionError("a weekly digest falls within nine days")


def alert_schedule(events: dict[Pair, list[EventItem]], settings: PushSettings,
                   zone: ZoneInfo) -> list[datetime]:
    """Every alert moment of these events for a chat with these settings, in order."""
    return sorted(a.moment for pair in settings.pairs for item in events.get(pair, [])
                  for a in alert_moments(pair, item, settings, zone))


def next_moment(moments: list[datetime], after: datetime) -> datetime | None:
    """The first of the ordered ``moments`` after ``after``, if any."""
    found = bisect_right(moments, after)
    return moments[found] if found < len(moments) else None


def planned_events(library: Library, pair: Pair) -> list[EventItem]:
    """The events on a pair that may still get alerts (planned ones)."""
    return [i for i in merged_events(library, pair) if i.event.status == "planned"]


# The digest -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class FigureNews:
    """A trade figure from a new article, with what older articles gave for that period."""

    figure: Sourced[TradeFigure]
    earlier: Sourced[TradeFigure] | None = None  # set when the new value differs


@dataclass(frozen=True)
class PairDigest:
    """What changed on one pair since the previous digest."""

    pair: Pair
    articles: tuple[Article, ...]
    trade: tuple[FigureNews, ...]
    investments: tuple[Sourced[Investment], ...]
    events: tuple[EventItem, ...]
    new_events: frozenset[str] = field(default_factory=frozenset)
    revised: bool = False  # a known article's figure changed

    @property
    def changed(self) -> bool:
        """New articles, changed figures, or events that came within the window."""
        return bool(self.articles or self.new_events or self.revised)


def _in_window(event: Event, today: date) -> bool:
    """Planned, dated well enough, and possibly falling within the next 30 days."""
    if event.status != "planned" or not isinstance(
            event.date, DayDate | DaysDate | MonthDate | BeforeDate):
        return False
    low, high = event.date.bounds()
    return high >= today and low <= today + timedelta(days=DIGEST_WINDOW)


def _event_order(item: EventItem) -> tuple[date, str]:
    """Soonest first; an event known only to come before X sorts at X."""
    low, high = item.event.date.bounds()
    return (high if isinstance(item.event.date, BeforeDate) else low), item.key


Arrivals = Mapping[str, datetime]  # article id -> when this instance first loaded it
# article id -> when its figures last changed, and what they were (id -> value, unit, currency)
Revisions = Mapping[str, tuple[datetime, Mapping[str, Sequence[str]]]]


def arrived(article: Article, arrivals: Arrivals) -> datetime:
    """When an article became news to Bilat: its first loading, never before its publication
    (a clock set in the past, as in demos and tests, sees it appear on publication)."""
    first = arrivals.get(article.id)
    published = article.source.published
    return published if first is None or first < published else first


def figure_news(library: Library, pair: Pair, since: datetime,
                arrivals: Arrivals | None = None) -> list[FigureNews]:
    """Trade figures first given, or given differently, by articles new to Bilat after
    ``since``.

    A figure an older article already gave (same period, flow and value) is not news.
    """
    key = pair_key(pair)
    new: list[Sourced[TradeFigure]] = []
    old: list[Sourced[TradeFigure]] = []
    for s in library.trade(pair):
        if pair_key((s.fact.reporter, s.fact.partner)) == key:
            (new if arrived(s.article, arrivals or {}) > since else old).append(s)
    news: list[FigureNews] = []
    for s in new:
        f = s.fact
        same = [o for o in old if (o.fact.period.key, o.fact.flow, o.fact.direction) ==
                (f.period.key, f.flow, f.direction)]
        if not any((o.fact.absolute, o.fact.currency) == (f.absolute, f.currency) for o in same):
            news.append(FigureNews(s, same[0] if same else None))
    return news


def revised_figures(library: Library, pair: Pair, since: datetime, revisions: Revisions,
                    new: tuple[Article, ...]) -> list[FigureNews]:
    """Figures of known articles (not in ``new``) that changed after ``since``, each with the
    value it had before; a figure added to a known article comes without one."""
    key = pair_key(pair)
    out = []
    for s in library.trade(pair):
        revision = revisions.get(s.article.id)
        if s.article in new or revision is None or revision[0] <= since or pair_key(
                (s.fact.reporter, s.fact.partner)) != key:
            continue
        old = revision[1].get(s.fact.id)
        if old is None:
            out.append(FigureNews(s))
        elif list(old) != [str(s.fact.value), s.fact.unit, s.fact.currency]:
            before = s.fact.model_copy(update={"value": Decimal(old[0]), "unit": old[1],
                                               "currency": old[2]})
            out.append(FigureNews(s, Sourced(before, s.article)))
    return out


def pair_digest(library: Library, pair: Pair, today: date, since: datetime,
                seen: frozenset[str], arrivals: Arrivals | None = None,
                sectors: tuple[str, ...] = (),
                revisions: Revisions | None = None) -> PairDigest:
    """Articles on ``pair`` new to Bilat after ``since`` (in ``sectors`` when given), their
    news, the events ahead."""
    articles = tuple(a for a in library.about(pair) if arrived(a, arrivals or {}) > since
                     and (not sectors or set(a.sectors) & set(sectors)))
    key = pair_key(pair)
    investments = [Sourced(i, a) for a in articles for i in a.investments
                   if pair_key((i.investor, i.host)) == key]
    events = sorted((i for i in merged_events(library, pair) if _in_window(i.event, today)),
                    key=_event_order)
    fresh = frozenset(i.key for i in events) - seen
    news = [n for n in figure_news(library, pair, since, arrivals)
            if not sectors or n.figure.article in articles]
    revised = [n for n in revised_figures(library, pair, since, revisions or {}, articles)
               if not sectors or set(n.figure.article.sectors) & set(sectors)]
    return PairDigest(pair, articles, tuple((news + revised)[:FIGURES_SHOWN]),
                      tuple(investments[:FIGURES_SHOWN]), tuple(events), fresh,
                      bool(revised))


def without_repeats(parts: list[PairDigest]) -> list[PairDigest]:
    """The digest's sections, an event listed under two pairs kept in the first only."""
    seen: set[str] = set()
    out = []
    for part in parts:
        events = tuple(i for i in part.events if i.key not in seen)
        seen.update(i.key for i in events)
        out.append(replace(part, events=events, new_events=part.new_events & {
            i.key for i in events}))
    return out


def render_digest(scope: Scope, parts: list[PairDigest], since: datetime,
                  cadence: Cadence) -> Rendered:
    """The digest message for ``parts`` in the scope's language."""
    p = scope.phrases
    local_since = since.astimezone(scope.zone)
    return fit("digest", scope.locale, BUDGETS["digest"], scope.base(
        sections=[(p.pair(part.pair), part) for part in parts], cadence=cadence,
        since=p.day(local_since.date()), since_time=clock_time(local_since.time(),
                                                                scope.locale),
        changed=any(part.changed for part in parts), today=scope.today,
        shown_articles=DIGEST_SHOWN, shown_figures=DIGEST_SHOWN, shown_events=DIGEST_SHOWN,
        # A digest on several pairs names its views without a pair (the chat's own pairs).
        **({"pair_arg": ""} if len(parts) > 1 else {})),
        ["earlier", "second", "figures", "events"])


def render_alert(library: Library, due: AlertDue, locale: str, now: datetime,
                 zone: str, prefix: str = "/",
                 commands: Mapping[str, str] | None = None, *, folded: bool = False) -> Rendered:
    """The alert message: the event, its date at its precision, relative time, place, note.

    "Tomorrow" and "today" count from the chat's own day when the alert goes out; the
    commands it names are ``commands`` (the chat's language's names, as its menu shows). A
    ``folded`` alert goes inside a digest, which names the views itself.
    """
    scope = Scope.make(library, locale, now, zone, due.pair, due.pairs, prefix=prefix,
                       commands=commands)
    today = now.astimezone(scope.zone).date()
    return fit("alert", locale, BUDGETS["alert"], scope.base(
        item=due.item, before=due.before, target=scope.phrases.day(due.target),
        today=lambda event: today, folded=folded), ["note", "people"])


# Words for settings ---------------------------------------------------------------------------

def clock_time(at: time, locale: str) -> str:
    """A time of day the locale's way: ``08:00`` (British English), ``8 h`` / ``18 h 30``."""
    return i18n.clock(f"{at.hour:02d}:{at.minute:02d}", locale)


def weekday_name(weekday: int, locale: str) -> str:
    """``Monday``, ``lundi``."""
    return str(get_day_names("wide", locale=locale)[weekday])
