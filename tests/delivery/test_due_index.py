"""The schedule indexed by next due instant: ticks read only what is due, across DST changes."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta

import pytest

from bot.core.clock import FixedClock
from bot.core.library import Library
from bot.core.pushes import PushSettings
from bot.delivery.scheduler import Scheduler
from bot.store import chats, outbox, subscriptions
from bot.store.db import Database, from_db
from tests.support.delivery import subscribe

NIGHT = PushSettings(at=time(2, 30), alerts=False, always=True)


async def next_due(db: Database, chat: int) -> datetime:
    """The stored next due instant of a chat's subscription."""
    sub = await subscriptions.get(db, chat)
    assert sub is not None and sub.next_due_at
    return from_db(sub.next_due_at)


async def follow(db: Database, scheduler: Scheduler, clock: FixedClock, chat: int,
                 until: datetime) -> list[tuple[str, datetime]]:
    """Tick exactly at each stored due instant up to ``until``: (digest key, tick instant)."""
    planned = []
    await scheduler.tick()
    while (due := await next_due(db, chat)) <= until:
        clock.set(due - timedelta(seconds=1))
        assert (await scheduler.tick()).planned == 0  # a second early: nothing yet
        clock.set(due)
        report = await scheduler.tick()
        assert report.digests == 1
        planned.append(((await outbox.rows(db))[-1].key, due))
    return planned


async def test_a_daily_digest_follows_paris_across_both_dst_changes(
        db: Database, seed_library: Library) -> None:
    clock = FixedClock(datetime(2026, 3, 27, 12, 0, tzinfo=UTC))
    chat = await subscribe(db, clock, "paris", zone="Europe/Paris", settings=NIGHT)
    scheduler = Scheduler(db, lambda: seed_library, clock)
    spring = await follow(db, scheduler, clock, chat.id, datetime(2026, 3, 31, tzinfo=UTC))
    assert [when for _, when in spring] == [
        datetime(2026, 3, 28, 1, 30, tzinfo=UTC),  # 02:30 CET
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC),  # 02:30 does not exist: 03:30 CEST
        datetime(2026, 3, 30, 0, 30, tzinfo=UTC),  # 02:30 CEST
    ]
    clock.set(datetime(2026, 10, 24, 12, 0, tzinfo=UTC))
    await subscriptions.subscribe(db, chat.id, NIGHT, clock.now())
    autumn = await follow(db, scheduler, clock, chat.id, datetime(2026, 10, 27, tzinfo=UTC))
    assert [when for _, when in autumn] == [
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 02:30 happens twice: the first, CEST
        datetime(2026, 10, 26, 1, 30, tzinfo=UTC),  # 02:30 CET
    ]
    assert [key.rsplit(":", 1)[1] for key, _ in spring + autumn] == [
        "2026-03-28", "2026-03-29", "2026-03-30", "2026-10-25", "2026-10-26"]


async def test_a_change_of_zone_is_due_at_the_next_tick(db: Database,
                                                        seed_library: Library) -> None:
    clock = FixedClock(datetime(2025, 3, 28, 12, 0, tzinfo=UTC))
    chat = await subscribe(db, clock, "mover", zone="Europe/Paris", settings=NIGHT)
    scheduler = Scheduler(db, lambda: seed_library, clock)
    await scheduler.tick()
    assert await next_due(db, chat.id) == datetime(2025, 3, 29, 1, 30, tzinfo=UTC)
    await chats.set_timezone(db, chat.id, "Asia/Tokyo", clock.now())
    await subscriptions.restart_planning(db, chat.id, clock.now())
    assert len(await subscriptions.due(db, clock.now())) == 1  # due now: recomputed next tick
    await scheduler.tick()
    assert await next_due(db, chat.id) == datetime(2025, 3, 28, 17, 30, tzinfo=UTC)


async def test_a_tick_reads_only_what_is_due(db: Database, seed_library: Library) -> None:
    clock = FixedClock(datetime(2025, 5, 20, 0, 0, tzinfo=UTC))
    for n in range(30):
        await subscribe(db, clock, f"c{n}", settings=PushSettings(at=time(8, n % 3)))
    scheduler = Scheduler(db, lambda: seed_library, clock)
    await scheduler.tick()
    assert await subscriptions.due(db, clock.now()) == []  # all computed: none due now
    clock.set(datetime(2025, 5, 20, 3, 1, tzinfo=UTC))  # 08:01 in Almaty
    assert len(await subscriptions.due(db, clock.now())) == 20  # 08:00 and 08:01 only
    report = await scheduler.tick()
    assert report.digests + report.unchanged == 20
    assert await subscriptions.due(db, clock.now()) == []


async def test_new_events_make_every_subscription_with_alerts_due(
        db: Database, seed_library: Library, caplog: pytest.LogCaptureFixture) -> None:
    clock = FixedClock(datetime(2025, 5, 6, 12, 0, tzinfo=UTC))  # before the seed is out
    follows = await subscribe(db, clock, "kz-fr")
    await subscribe(db, clock, "kz-de", settings=PushSettings(pairs=(("KZ", "DE"),)))
    await subscribe(db, clock, "no-alerts", settings=PushSettings(alerts=False))
    await subscribe(db, clock, "fr-kz", settings=PushSettings(pairs=(("FR", "KZ"),)))
    scheduler = Scheduler(db, lambda: seed_library, clock)
    await scheduler.tick()
    assert await subscriptions.due(db, clock.now()) == []
    before = await next_due(db, follows.id)
    assert before == datetime(2025, 5, 7, 3, 0, tzinfo=UTC)  # the next digest: no events yet
    clock.set(datetime(2025, 5, 7, 20, 0, tzinfo=UTC))  # the seed article is out, with events
    with caplog.at_level(logging.INFO, "bot.delivery.scheduler"):
        await scheduler.tick()
    assert "the events changed: 3 subscription(s) with alerts re-evaluated" \
        in caplog.text  # not the one without alerts
    assert await subscriptions.due(db, clock.now()) == []  # computed again at that tick
    assert await next_due(db, follows.id) > clock.now()
