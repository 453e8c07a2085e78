"""Stopping delivery: paced messages go back untouched, a hung send is cut off in time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bot.core.clock import FixedClock
from bot.core.library import Library
from bot.core.network import Attachment, ChatRef, Limits
from bot.core.render import Rendered
from bot.delivery.sender import Sender
from bot.delivery.service import Delivery
from bot.store import outbox
from bot.store.db import Database
from bot.store.outbox import Message
from tests.support.delivery import subscribe
from tests.support.wait import eventually

NOW = datetime(2025, 5, 7, 20, 0, tzinfo=UTC)


class SlowNetwork:
    """One message per second overall; sends to ``hang`` never come back."""

    network = "test"
    limits = Limits(global_per_second=1, per_chat_per_second=1, per_group_per_minute=60)

    def __init__(self, hang: str | None = None) -> None:
        self.hang = hang
        self.sent: list[str] = []

    async def send(self, chat: ChatRef, message: Rendered,
                   attachments: Sequence[Attachment] = ()) -> str:
        """Take the message (or hang on it)."""
        if chat.chat_id == self.hang:
            await asyncio.Event().wait()
        self.sent.append(chat.chat_id)
        return str(len(self.sent))

    def is_group(self, chat: ChatRef) -> bool:
        """Private chats."""
        return False


async def plan(db: Database, chats: int) -> None:
    """One pending message for each of ``chats`` chats."""
    clock = FixedClock(NOW)
    for n in range(chats):
        chat = await subscribe(db, clock, str(n))
        await outbox.add(db, Message(f"m{n}", chat.id, "digest", Rendered("hi", "hi")), NOW)


async def has_sending(db: Database) -> bool:
    """True once a message is being handed to the network."""
    return bool(await outbox.rows(db, "sending"))


async def test_messages_waiting_for_the_pacer_go_back_to_pending(tmp_path: Path) -> None:
    async with await Database.open(tmp_path / "b.sqlite3") as db:
        await plan(db, 5)
        network = SlowNetwork()
        sender = Sender(db, network, FixedClock(NOW))
        stop = asyncio.Event()
        running = asyncio.create_task(sender.run(stop))
        await eventually(lambda: bool(network.sent), what="a first send")
        stop.set()  # the others are waiting for their one-per-second slot
        started = time.monotonic()
        await running
        assert time.monotonic() - started < 0.5
        rows = await outbox.rows(db)
    assert [r.state for r in rows].count("sent") == len(network.sent) == 1
    assert {r.state for r in rows if r.key != "m0"} == {"pending"}
    assert all(r.attempts == 0 for r in rows if r.state == "pending")  # no attempt counted


async def test_a_hung_send_is_cut_off_after_the_grace(tmp_path: Path, library: Library
                                                      ) -> None:
    async with await Database.open(tmp_path / "b.sqlite3") as db:
        await plan(db, 1)
        network = SlowNetwork(hang="0")
        delivery = Delivery(db, lambda: library, FixedClock(NOW), [network])
        stop = asyncio.Event()
        running = asyncio.create_task(delivery.run(stop, grace=0.3))
        await eventually(lambda: has_sending(db))
        stop.set()
        started = time.monotonic()
        await running
        assert time.monotonic() - started < 1.5
        [row] = await outbox.rows(db)
        assert row.state == "sending"  # nobody knows whether it went: the next run resends
        assert await Sender(db, network, FixedClock(NOW)).recover() == 1
        [row] = await outbox.rows(db)
        assert row.state == "pending"
