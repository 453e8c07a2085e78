"""The pure side of pushes: what counts as news, when a digest is due, which alerts exist."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.core.briefings import EventItem, Scope, merged_events
from bot.core.facts import BeforeDate
from bot.core.library import Library
from bot.core.pushes import (
    PushSettings,
    alert_moments,
    digest_due,
    figure_news,
    local_moment,
    pair_digest,
    parse_pair,
    render_digest,
)

PAIR = ("KZ", "FR")


def with_older_report(seed: Library) -> Library:
    """The seed, plus an older copy that gave 2024 turnover as $5 billion."""
    article = seed.articles[0]
    trade = tuple(t.model_copy(update={"value": Decimal("5")}) if t.id == "turnover-2024" else t
                  for t in article.trade)
    older = article.model_copy(update={
        "id": "older-report", "trade": trade, "events": (),
        "source": article.source.model_copy(update={
            "published": datetime(2025, 3, 1, tzinfo=UTC)})})
    return Library((article, older), seed.sectors, seed.countries)


def test_figures_already_given_are_not_news_and_changed_ones_say_so(
        seed_library: Library) -> None:
    library = with_older_report(seed_library)
    news = figure_news(library, PAIR, datetime(2025, 4, 1, tzinfo=UTC))
    assert [n.figure.fact.id for n in news] == ["turnover-2024"]
    earlier = news[0].earlier
    assert earlier is not None and earlier.article.id == "older-report"
    assert earlier.fact.value == Decimal("5")
    assert len(figure_news(library, PAIR, datetime(2025, 1, 1, tzinfo=UTC))) > 1


def test_the_digest_shows_a_changed_figure_with_the_earlier_one(seed_library: Library) -> None:
    library = with_older_report(seed_library)
    now, since = datetime(2025, 5, 8, 3, 0, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC)
    part = pair_digest(library, PAIR, now.date(), since, frozenset())
    text = render_digest(Scope.make(library, "en", now, "Asia/Almaty", PAIR), [part], since,
                         "weekly").text
    assert text.startswith("Bilat weekly digest\nWhat changed since 1 April 2025, 05:00")
    assert ("New figures:\n• Bilateral trade, 2024: $5.5\u00a0billion "
            "(+31% on 2023)\n  Earlier reported: $5\u00a0billion "
            "(La Gazette, 1 March 2025)\n") in text


def test_a_digest_is_due_once_its_local_time_has_come() -> None:
    zone = ZoneInfo("Europe/Paris")
    daily = PushSettings()
    before = datetime(2025, 3, 30, 5, 59, tzinfo=UTC)
    at = datetime(2025, 3, 30, 6, 0, tzinfo=UTC)
    assert digest_due(daily, zone, before - timedelta(hours=1), before) is None
    due = digest_due(daily, zone, before, at)
    assert due is not None and (due.moment, due.day.isoformat()) == (at, "2025-03-30")
    assert digest_due(daily, zone, at, at + timedelta(hours=3)) is None  # already planned
    weekly = PushSettings(cadence="weekly", weekday=0)  # Sunday 30 March is not a Monday
    assert digest_due(weekly, zone, before, at) is None
    missed = digest_due(daily, zone, at - timedelta(days=3), at)
    assert missed is not None and missed.moment == at  # after downtime, only the latest


def test_local_moments_across_the_gap_and_the_overlap() -> None:
    paris = ZoneInfo("Europe/Paris")
    spring = local_moment(date(2025, 3, 30), time(2, 30), paris)
    assert spring == datetime(2025, 3, 30, 1, 30, tzinfo=UTC)
    autumn = local_moment(date(2025, 10, 26), time(2, 30), paris)
    assert autumn == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)


def before_x(item: EventItem) -> EventItem:
    """An event the source dates only as "before 28 May 2025"."""
    event = item.event.model_copy(update={"date": BeforeDate(
        precision="before", value=date(2025, 5, 28), after=date(2025, 5, 7))})
    return EventItem(event, item.article, item.sources)


def test_before_x_events_get_one_alert_only_with_the_week_lead(seed_library: Library) -> None:
    zone = ZoneInfo("Asia/Almaty")
    items = {i.event.id: i for i in merged_events(seed_library, PAIR)}
    journee = before_x(items["journee-francaise-2025"])
    week = alert_moments(PAIR, journee, PushSettings(), zone)
    assert [(a.lead, a.day.isoformat(), a.before) for a in week] == [(7, "2025-05-21", True)]
    assert alert_moments(PAIR, journee, PushSettings(leads=(1, 0)), zone) == []
    held = items["vassilenko-guiaugue-meeting"]  # "before" too, but held: nothing to remind
    assert alert_moments(PAIR, held, PushSettings(), zone) == []
    forum = items["astana-international-forum-2025"]
    late = alert_moments(PAIR, forum, PushSettings(at=time(20, 0)), zone)
    assert [a.moment.astimezone(zone).time() for a in late] == [
        time(20, 0), time(20, 0), time(8, 0)]  # the same-day alert stays in the morning


def test_pairs_read_in_any_case() -> None:
    assert parse_pair("kz-fr") == PAIR
