"""Helpers for delivery tests: subscribed chats, ticks over a span of time."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.clock import FixedClock
from bot.core.network import ChatRef
from bot.core.pushes import PushSettings
from bot.delivery.scheduler import Scheduler
from bot.store import chats, outbox, subscriptions
from bot.store.chats import Chat, ChatType
from bot.store.db import Database


async def subscribe(db: Database, clock: FixedClock, chat_id: str, *,
                    zone: str = "Asia/Almaty", locale: str = "en",
                    settings: PushSettings | None = None, network: str = "test",
                    type: ChatType = "private") -> Chat:
    """A chat subscribed from the clock's instant on."""
    chat = await chats.ensure(db, ChatRef(network, chat_id), type=type, locale=locale,
                              timezone=zone, now=clock.now())
    await subscriptions.subscribe(db, chat.id, settings or PushSettings(), clock.now())
    return chat


async def tick_through(scheduler: Scheduler, clock: FixedClock, until: datetime,
                       step: timedelta = timedelta(minutes=1)) -> dict[str, datetime]:
    """Tick every ``step`` up to ``until``; return each planned key with its tick's instant."""
    planned: dict[str, datetime] = {}
    known = {r.key for r in await outbox.rows(scheduler.db)}
    while clock.now() <= until:
        report = await scheduler.tick()
        if report.planned or report.dropped:
            for row in await outbox.rows(scheduler.db):
                if row.key not in known:
                    known.add(row.key)
                    planned[row.key] = clock.now()
        clock.advance(step)
    return planned
