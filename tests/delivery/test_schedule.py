"""The schedule: digests at local time across DST, alerts by lead time, no doubles, lateness."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.clock import FixedClock
from bot.core.facts import BeforeDate, DayDate, MonthDate
from bot.core.library import Library
from bot.core.pushes import PushSettings
from bot.delivery.scheduler import Scheduler
from bot.store import outbox, subscriptions
from bot.store.db import Database
from tests.support.delivery import subscribe, tick_through

SEED_ID = "lagazette-2025-05-07-kazakhstan-france"
CEREMONY = f"{SEED_ID}/victory-day-ceremony-2025"
FORUM = f"{SEED_ID}/astana-international-forum-2025"
JOURNEE = f"{SEED_ID}/journee-francaise-2025"
VISIT = f"{SEED_ID}/tokayev-state-visit-2024"
ALWAYS = PushSettings(always=True, alerts=False)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# Each date precision the scheduler treats apart, on the seed's events: a month, a day, and
# "before X" (the reading of the seed's "28 mai" that the data no longer holds).
CHANGES: dict[str, dict[str, object]] = {
    "tokayev-state-visit-2024": {"status": "planned",
                                 "date": MonthDate(precision="month", value="2025-06")},
    "journee-francaise-2025": {"place": None, "date": BeforeDate(
        precision="before", value=date(2025, 5, 28), after=date(2025, 5, 7))},
    "astana-international-forum-2025": {"date": DayDate(precision="day",
                                                        value=date(2025, 5, 28))},
}


@pytest.fixture
def events_library(seed_library: Library) -> Library:
    """The seed with a planned visit known to the month, a day event and a "before X" one."""
    article = seed_library.articles[0]
    events = tuple(e.model_copy(update=CHANGES[e.id]) if e.id in CHANGES else e
                   for e in article.events)
    return Library((article.model_copy(update={"events": events}),), seed_library.sectors,
                   seed_library.countries)


def digests(planned: dict[str, datetime], chat: int) -> dict[str, datetime]:
    """Planned digest keys of one chat, by local date."""
    prefix = f"digest:{chat}:"
    return {k.removeprefix(prefix): v for k, v in planned.items() if k.startswith(prefix)}


# Digests ------------------------------------------------------------------------------------

async def test_daily_digests_follow_local_time_across_spring_dst(
        db: Database, library: Library) -> None:
    clock = FixedClock(utc(2025, 3, 28, 12, 0))
    paris = await subscribe(db, clock, "paris", zone="Europe/Paris", settings=ALWAYS)
    night = await subscribe(db, clock, "night", zone="Europe/Paris",
                            settings=PushSettings(at=time(2, 30), always=True, alerts=False))
    almaty = await subscribe(db, clock, "almaty", zone="Asia/Almaty", settings=ALWAYS)
    planned = await tick_through(Scheduler(db, lambda: library, clock), clock,
                                 utc(2025, 3, 31, 12, 0), timedelta(minutes=5))
    assert digests(planned, paris.id) == {
        "2025-03-29": utc(2025, 3, 29, 7, 0),  # 08:00 CET
        "2025-03-30": utc(2025, 3, 30, 6, 0),  # 08:00 CEST, the day clocks go forward
        "2025-03-31": utc(2025, 3, 31, 6, 0)}
    assert digests(planned, night.id) == {
        "2025-03-29": utc(2025, 3, 29, 1, 30),
        "2025-03-30": utc(2025, 3, 30, 1, 30),  # 02:30 does not exist: sent at 03:30 CEST
        "2025-03-31": utc(2025, 3, 31, 0, 30)}
    almaty_times = digests(planned, almaty.id)
    assert sorted(almaty_times) == ["2025-03-29", "2025-03-30", "2025-03-31"]
    zone = ZoneInfo("Asia/Almaty")
    assert {t.astimezone(zone).time() for t in almaty_times.values()} == {time(8, 0)}


async def test_daily_digests_follow_local_time_across_autumn_dst(
        db: Database, library: Library) -> None:
    clock = FixedClock(utc(2025, 10, 24, 12, 0))
    paris = await subscribe(db, clock, "paris", zone="Europe/Paris", settings=ALWAYS)
    night = await subscribe(db, clock, "night", zone="Europe/Paris",
                            settings=PushSettings(at=time(2, 30), always=True, alerts=False))
    planned = await tick_through(Scheduler(db, lambda: library, clock), clock,
                                 utc(2025, 10, 27, 12, 0), timedelta(minutes=5))
    assert digests(planned, paris.id) == {
        "2025-10-25": utc(2025, 10, 25, 6, 0),  # 08:00 CEST
        "2025-10-26": utc(2025, 10, 26, 7, 0),  # 08:00 CET, the day clocks go back
        "2025-10-27": utc(2025, 10, 27, 7, 0)}
    # 02:30 happens twice on 26 October: one digest, at the first.
    assert digests(planned, night.id) == {
        "2025-10-25": utc(2025, 10, 25, 0, 30),
        "2025-10-26": utc(2025, 10, 26, 0, 30),
        "2025-10-27": utc(2025, 10, 27, 1, 30)}


async def test_weekly_digests_in_two_zones_across_dst(db: Database, library: Library) -> None:
    clock = FixedClock(utc(2025, 3, 20, 0, 0))
    paris = await subscribe(db, clock, "paris", zone="Europe/Paris", settings=PushSettings(
        cadence="weekly", weekday=6, always=True, alerts=False))
    almaty = await subscribe(db, clock, "almaty", zone="Asia/Almaty", settings=PushSettings(
        cadence="weekly", weekday=0, at=time(9, 0), always=True, alerts=False))
    planned = await tick_through(Scheduler(db, lambda: library, clock), clock,
                                 utc(2025, 4, 8, 0, 0), timedelta(minutes=30))
    assert digests(planned, paris.id) == {
        "2025-03-23": utc(2025, 3, 23, 7, 0), "2025-03-30": utc(2025, 3, 30, 6, 0),
        "2025-04-06": utc(2025, 4, 6, 6, 0)}
    zone = ZoneInfo("Asia/Almaty")
    almaty_times = digests(planned, almaty.id)
    assert sorted(almaty_times) == ["2025-03-24", "2025-03-31", "2025-04-07"]
    assert {t.astimezone(zone).time() for t in almaty_times.values()} == {time(9, 0)}
    first = await outbox.get(db, f"digest:{paris.id}:2025-03-23")
    assert first is not None and first.text.startswith("Bilat weekly digest")


async def test_digest_reports_what_changed_and_is_skipped_when_nothing_did(
        db: Database, seed_library: Library) -> None:
    clock = FixedClock(utc(2025, 5, 6, 0, 0))
    en = await subscribe(db, clock, "en")
    fr = await subscribe(db, clock, "fr", locale="fr")
    always = await subscribe(db, clock, "always", settings=PushSettings(always=True))
    scheduler = Scheduler(db, lambda: seed_library, clock)
    clock.set(utc(2025, 5, 8, 3, 0))  # 08:00 in Almaty, the morning after the article
    report = await scheduler.tick()
    assert report.digests == 3
    row = await outbox.get(db, f"digest:{en.id}:2025-05-08")
    assert row is not None
    text = row.text
    assert text.startswith("Bilat daily digest\nWhat changed since 6 May 2025, 05:00")
    assert "Kazakhstan–France\n• Astana and Paris aim to widen cooperation" in text
    assert "New figures:\n• Bilateral trade, 2024: $5.5\u00a0billion (+31% on 2023)" in text
    # The ceremony's same-day alert rides in the digest: told once, as the reminder.
    assert "In the next 30 days:\n• Kazakh-French forum “Journée Française”" in text
    assert "Kazakhstan–France: reminder\n• Ceremony at the Charles de Gaulle monument" in text
    assert text.count("Ceremony at the Charles de Gaulle monument") == 1
    assert "8 May 2025 (today) · Astana" in text
    assert "<b>Kazakhstan–France</b>" in row.html
    fr_row = await outbox.get(db, f"digest:{fr.id}:2025-05-08")
    assert fr_row is not None
    assert fr_row.text.startswith(
        "Le point quotidien de Bilat\nCe qui a changé depuis le 6 mai 2025 à 5\u00a0h")
    assert "Nouveaux chiffres\u202f:\n• Échanges bilatéraux, 2024" in fr_row.text
    assert "8 mai 2025 (aujourd’hui) · Astana" in fr_row.text

    clock.set(utc(2025, 5, 9, 3, 0))  # nothing new since
    report = await scheduler.tick()
    assert (report.digests, report.unchanged) == (1, 2)
    assert await outbox.get(db, f"digest:{en.id}:2025-05-09") is None
    second = await outbox.get(db, f"digest:{always.id}:2025-05-09")
    assert second is not None and "No new article." in second.text
    assert "What changed since 8 May 2025, 08:00" in second.text
    sub = await subscriptions.get(db, en.id)
    assert sub is not None and sub.last_digest_at == utc(2025, 5, 8, 3, 0)


# Alerts -------------------------------------------------------------------------------------

async def test_alerts_at_each_lead_time_and_none_for_month_precision(
        db: Database, events_library: Library) -> None:
    clock = FixedClock(utc(2025, 5, 7, 20, 0))
    chat = await subscribe(db, clock, "alerts")
    planned = await tick_through(Scheduler(db, lambda: events_library, clock), clock,
                                 utc(2025, 5, 29, 0, 0), timedelta(hours=1))
    alerts = {k: v for k, v in planned.items() if k.startswith("alert:")}
    c = chat.id
    assert alerts == {
        # The ceremony's 7-day and 1-day alerts fell before the chat subscribed.
        f"alert:{CEREMONY}:{c}:0d:2025-05-08": utc(2025, 5, 8, 3, 0),
        f"alert:{FORUM}:{c}:7d:2025-05-28": utc(2025, 5, 21, 3, 0),
        f"alert:{JOURNEE}:{c}:7d:2025-05-28": utc(2025, 5, 21, 3, 0),
        f"alert:{FORUM}:{c}:1d:2025-05-28": utc(2025, 5, 27, 3, 0),
        f"alert:{FORUM}:{c}:0d:2025-05-28": utc(2025, 5, 28, 3, 0)}
    assert not any(VISIT in key for key in planned)  # known only to the month: no alert

    async def text(key: str) -> str:
        row = await outbox.get(db, key)
        assert row is not None
        return row.text

    assert "8 May 2025 (today) · Astana" in await text(f"alert:{CEREMONY}:{c}:0d:2025-05-08")
    assert "28 May 2025 (tomorrow) · Astana" in await text(f"alert:{FORUM}:{c}:1d:2025-05-28")
    week = await text(f"alert:{FORUM}:{c}:7d:2025-05-28")
    assert week.startswith("Kazakhstan–France: reminder\n• Astana International Forum\n")
    assert "28 May 2025 (in 1 week) · Astana" in week
    before = await text(f"alert:{JOURNEE}:{c}:7d:2025-05-28")
    assert before.startswith("Kazakhstan–France: coming up before 28 May 2025\n")
    assert "before 28 May 2025 (within 1 week)" in before
    assert "The source gives no exact day, only that it comes before 28 May 2025." in before


async def test_alerts_in_french_and_switched_off(db: Database, events_library: Library) -> None:
    clock = FixedClock(utc(2025, 5, 7, 20, 0))
    fr = await subscribe(db, clock, "fr", locale="fr")
    off = await subscribe(db, clock, "off", settings=PushSettings(alerts=False))
    planned = await tick_through(Scheduler(db, lambda: events_library, clock), clock,
                                 utc(2025, 5, 8, 4, 0), timedelta(hours=1))
    row = await outbox.get(db, f"alert:{CEREMONY}:{fr.id}:0d:2025-05-08")
    assert row is not None
    assert row.text.startswith("Kazakhstan–France\u202f: rappel\n")
    assert "8 mai 2025 (aujourd’hui) · Astana" in row.text
    assert not any(k.startswith("alert:") and f":{off.id}:" in k for k in planned)


# Doubles, restarts, lateness ------------------------------------------------------------------

async def test_doubled_and_overlapping_ticks_plan_once(
        db: Database, db_path: Path, events_library: Library) -> None:
    clock = FixedClock(utc(2025, 5, 20, 0, 0))
    for n in range(5):
        await subscribe(db, clock, f"c{n}")
    clock.set(utc(2025, 5, 21, 3, 0))  # digests and two alerts due for each chat
    scheduler = Scheduler(db, lambda: events_library, clock)
    first, second = await asyncio.gather(scheduler.tick(), scheduler.tick())
    assert first.planned + second.planned == 5  # each digest carries its chat's two alerts
    assert first.folded + second.folded == 10
    assert (await scheduler.tick()).planned == 0
    # Another connection to the same file, as a second process would have.
    other = await Database.open(db_path)
    try:
        reports = await asyncio.gather(Scheduler(other, lambda: events_library, clock).tick(),
                                       scheduler.tick())
    finally:
        await other.close()
    assert sum(r.planned for r in reports) == 0
    assert (await outbox.counts(db)) == {"pending": 5, "sent": 10}  # alerts: with the digest


async def test_a_restart_plans_nothing_twice(db_path: Path, events_library: Library) -> None:
    clock = FixedClock(utc(2025, 5, 20, 0, 0))
    async with await Database.open(db_path) as db:
        await subscribe(db, clock, "chat")
        clock.set(utc(2025, 5, 21, 3, 0))
        report = await Scheduler(db, lambda: events_library, clock).tick()
        assert (report.planned, report.folded) == (1, 2)  # the digest, with the two alerts
    clock.advance(timedelta(seconds=30))
    async with await Database.open(db_path) as db:
        report = await Scheduler(db, lambda: events_library, clock).tick()
        assert (report.planned, report.folded) == (0, 0)
        assert len(await outbox.rows(db)) == 3
        assert len(await outbox.rows(db, "pending")) == 1


async def test_late_alerts_within_grace_are_sent_older_ones_dropped(
        db: Database, events_library: Library, caplog: pytest.LogCaptureFixture) -> None:
    clock = FixedClock(utc(2025, 5, 20, 0, 0))
    early = await subscribe(db, clock, "early")
    scheduler = Scheduler(db, lambda: events_library, clock)
    clock.set(utc(2025, 5, 21, 7, 0))  # back after downtime, 4 h after the 08:00 alerts
    report = await scheduler.tick()
    # The 08:00 digest is still within grace: the two alerts ride in it.
    assert (report.alerts, report.digests, report.folded, report.dropped) == (0, 1, 2, 0)

    late = await subscribe(db, clock, "late")
    clock.set(utc(2025, 5, 27, 10, 0))  # 7 h after the day-before alert: too late
    with caplog.at_level(logging.WARNING, "bot.delivery.scheduler"):
        report = await scheduler.tick()
    assert report.alerts == 0
    dropped = await outbox.rows(db, "dropped")
    assert {r.key for r in dropped} >= {f"alert:{FORUM}:{late.id}:1d:2025-05-28",
                                        f"alert:{FORUM}:{early.id}:1d:2025-05-28"}
    assert all(r.last_error and r.last_error.startswith("late by") for r in dropped)
    assert "dropped, 7:00:00 late" in caplog.text
    assert await outbox.get(db, f"digest:{late.id}:2025-05-27") is None  # 7 h late: skipped
