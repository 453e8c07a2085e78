"""Delivery as a running service: the scheduler wakes the sender; stopping ends both."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.core.clock import FixedClock
from bot.core.library import Library
from bot.core.network import Attachment, ChatRef
from bot.core.render import Rendered
from bot.delivery.service import Delivery
from bot.store import outbox
from bot.store.db import Database
from tests.fakes.transport import RecordingTransport
from tests.support.delivery import subscribe


@dataclass
class CountingTransport(RecordingTransport):
    """Sets ``done`` once ``expected`` messages went through."""

    expected: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)

    async def send(self, chat: ChatRef, message: Rendered,
                   attachments: Sequence[Attachment] = ()) -> str:
        """Record, then tell whether all expected messages are in."""
        sent = await super().send(chat, message, attachments)
        if len(self.sent) >= self.expected:
            self.done.set()
        return sent


async def test_delivery_plans_sends_and_stops(db: Database, seed_library: Library) -> None:
    clock = FixedClock(datetime(2025, 5, 20, 0, 0, tzinfo=UTC))
    for name in ("a", "b"):
        await subscribe(db, clock, name)
    clock.set(datetime(2025, 5, 21, 3, 0, tzinfo=UTC))  # a digest and an alert each
    transport = CountingTransport(expected=4)
    stop = asyncio.Event()
    running = asyncio.create_task(Delivery(db, lambda: seed_library, clock,
                                           [transport]).run(stop))
    await asyncio.wait_for(transport.done.wait(), timeout=10)
    stop.set()
    await asyncio.wait_for(running, timeout=5)
    assert sorted(s.chat.chat_id for s in transport.sent) == ["a", "a", "b", "b"]
    assert await outbox.counts(db) == {"sent": 4}
