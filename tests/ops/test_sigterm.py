"""SIGTERM in the middle of a digest to many chats: the message in flight finishes, the
outbox keeps the rest, the process exits within 10 s, and a restart sends the rest once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from bot.core.clock import FixedClock
from bot.store.db import Database
from tests.fakes.botapi import FakeBotAPI
from tests.support.delivery import subscribe
from tests.support.net import free_port
from tests.support.process import bilat_run, environment, query
from tests.support.telegram import failed_calls
from tests.support.wait import eventually

CHATS = 120  # one message each: the digest, carrying that morning's alerts
FIRST = 50_000
SUBSCRIBED = datetime(2025, 5, 20, 0, 0, tzinfo=UTC)
DUE = "2025-05-21T03:00:05+00:00"  # 5 s after 08:00 in Almaty: a digest with alerts each
RESTART = "2025-05-21T03:00:30+00:00"
STOP_AFTER = 40  # messages received before SIGTERM


async def subscribe_chats(api: FakeBotAPI, db_path: Path) -> None:
    """``CHATS`` private chats, subscribed the day before."""
    clock = FixedClock(SUBSCRIBED)
    async with await Database.open(db_path) as db:
        for user in range(FIRST, FIRST + CHATS):
            api.add_user(user, f"User {user}", "en")
            await subscribe(db, clock, str(user), network="telegram")


def received(api: FakeBotAPI) -> Counter[int]:
    """Messages the subscribed chats received, by chat."""
    return Counter(r.chat_id for r in api.sent
                   if r.method == "sendMessage" and r.chat_id is not None
                   and FIRST <= r.chat_id < FIRST + CHATS)


def states(db: Path) -> dict[str, int]:
    """Outbox rows by state."""
    return dict(query(db, "SELECT state, COUNT(*) FROM outbox GROUP BY state"))


def delivered(db: Path) -> int:
    """Messages recorded as sent on their own (alerts folded into a digest have no id)."""
    [(count,)] = query(db, "SELECT COUNT(*) FROM outbox WHERE message_id IS NOT NULL")
    return int(count)


async def test_sigterm_mid_digest_loses_nothing_and_sends_nothing_twice(
        api: FakeBotAPI, tmp_path: Path) -> None:
    db = tmp_path / "bilat.sqlite3"
    await subscribe_chats(api, db)
    api.latency = 0.02  # each call takes a moment: SIGTERM finds messages in flight
    log = tmp_path / "bilat.log"

    env = environment(api, db, free_port(), BILAT_NOW=DUE)
    async with bilat_run(env, log) as bot:
        await eventually(lambda: sum(received(api).values()) >= STOP_AFTER, what="first sends")
        seconds = await bot.stop()
    assert seconds < 10, seconds
    first = states(db)
    assert "sending" not in first  # in flight at SIGTERM: finished and recorded, or put back
    assert first["pending"] > 0  # the rest waits in the outbox
    assert delivered(db) == sum(received(api).values())  # nothing sent went unrecorded
    total = sum(first.values())
    assert total >= 2 * CHATS  # a digest and at least one alert (folded into it) per chat

    env = environment(api, db, free_port(), BILAT_NOW=RESTART)
    async with bilat_run(env, log):
        await eventually(lambda: states(db) == {"sent": total}, within=60, what="the rest sent")
    await asyncio.sleep(0)
    counts = received(api)
    rows = Counter(int(c) for (c,) in query(
        db, "SELECT c.chat_id FROM outbox o JOIN chats c ON c.id = o.chat"
            " WHERE o.message_id IS NOT NULL"))
    assert counts == rows == Counter(range(FIRST, FIRST + CHATS))  # each once, one per chat
    for chat_id, message_id in query(db, "SELECT c.chat_id, o.message_id FROM outbox o"
                                         " JOIN chats c ON c.id = o.chat"
                                         " WHERE o.message_id IS NOT NULL"):
        assert api.get_message(int(chat_id), int(message_id))
    # The first run's last long poll outlives it in the fake, which then answers it 409.
    assert [c for c in failed_calls(api) if not c.startswith("getUpdates: 409")] == []
    assert "did not stop" not in log.read_text(encoding="utf-8")
