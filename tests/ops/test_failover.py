"""Two real ``bilat run`` replicas on one PostgreSQL: SIGKILL the one running the scheduler in
the middle of a digest fan-out; the other takes over scheduling and sending within 15 s, loses
nothing and sends nothing twice beyond the messages the killed one had in flight."""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path

from bot.core.clock import FixedClock
from bot.core.pushes import PushSettings
from bot.delivery.election import SCHEDULER
from bot.store import replicas
from bot.store.db import Database
from tests.fakes.botapi import FakeBotAPI
from tests.pgserver import PostgresServer
from tests.support.delivery import subscribe
from tests.support.net import free_port
from tests.support.process import bilat_run, environment
from tests.support.wait import eventually

CHATS = 120
LATE = 20  # of them, with a digest at 08:01: the survivor must plan those
FIRST = 60_000
SUBSCRIBED = datetime(2025, 5, 20, 0, 0, tzinfo=UTC)
START = "2025-05-21T03:00:50+00:00"  # 08:00:50 in Almaty: the 08:00 wave is due
KILL_AFTER = 40  # messages received before the SIGKILL
TAKEOVER = 15.0


async def subscribe_chats(api: FakeBotAPI, url: str) -> None:
    """Private chats subscribed the day before; the last ``LATE`` at 08:01."""
    clock = FixedClock(SUBSCRIBED)
    async with await Database.open(url) as db:
        for n, user in enumerate(range(FIRST, FIRST + CHATS)):
            api.add_user(user, f"User {user}", "en")
            at = clock_time(8, 1 if n >= CHATS - LATE else 0)
            await subscribe(db, clock, str(user), network="telegram",
                            settings=PushSettings(at=at))


def received(api: FakeBotAPI) -> Counter[int]:
    """Messages the subscribed chats received, by chat."""
    return Counter(r.chat_id for r in api.sent
                   if r.method == "sendMessage" and r.chat_id is not None
                   and FIRST <= r.chat_id < FIRST + CHATS)


async def fetch(url: str, sql: str, *params: object) -> list[tuple[object, ...]]:
    """Rows of a query on the replicas' database."""
    async with await Database.open(url) as db:
        return [tuple(r) for r in await db.fetchall(sql, params)]


async def leader(url: str) -> str | None:
    """The replica holding the scheduler's lease now."""
    async with await Database.open(url) as db:
        return await replicas.holder(db, SCHEDULER, datetime.now(UTC))


async def test_sigkill_of_the_leader_mid_fanout(api: FakeBotAPI, postgres: PostgresServer,
                                                tmp_path: Path) -> None:
    url = postgres.create("failover")
    await subscribe_chats(api, url)
    api.latency = 0.02
    env = {"BILAT_DB": url, "BILAT_NOW": START}
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    async with bilat_run(environment(api, tmp_path / "x", free_port(), **env), logs[0]) as a, \
            bilat_run(environment(api, tmp_path / "x", free_port(), **env), logs[1]) as b:
        await a.ready()
        await b.ready()
        await eventually(lambda: sum(received(api).values()) >= KILL_AFTER, within=60,
                         what="first sends")
        first = await leader(url)
        assert first is not None
        name_a, name_b = [(await fetch(url, "SELECT id FROM replicas WHERE id LIKE ?",
                                       f"%-{bot.process.pid}-%"))[0][0] for bot in (a, b)]
        victim, survivor, other = (a, b, name_b) if name_a == first else (b, a, name_a)
        killed = time.monotonic()
        victim.process.send_signal(signal.SIGKILL)
        await victim.process.wait()
        flying = (await fetch(url, "SELECT COUNT(*) FROM outbox WHERE state = 'sending'"
                                   " AND claimed_by = ?", first))[0][0]
        assert isinstance(flying, int)

        deadline = killed + TAKEOVER
        while await leader(url) != other or (await fetch(
                url, "SELECT COUNT(*) FROM outbox WHERE state = 'sending' AND claimed_by = ?",
                first))[0][0]:
            assert time.monotonic() < deadline, "no takeover within 15 s:\n" + \
                survivor.output()
            await asyncio.sleep(0.2)
        took = time.monotonic() - killed
        assert took < TAKEOVER
        assert f"replica {other} now runs the scheduler" in survivor.output()

        async def everything_sent() -> bool:
            rows = await fetch(url, "SELECT state, COUNT(*) FROM outbox GROUP BY state")
            late = await fetch(url, "SELECT COUNT(*) FROM outbox WHERE kind = 'digest'")
            return {state for state, _ in rows} == {"sent"} and late[0][0] == CHATS

        deadline = time.monotonic() + 90
        while not await everything_sent():
            assert time.monotonic() < deadline, survivor.output()
            await asyncio.sleep(0.5)
        await survivor.stop()

    # Each chat's one message: its digest, carrying that morning's alerts (recorded under
    # their own keys, as sent with it: no message id of their own).
    planned = Counter(int(str(c)) for (c,) in await fetch(
        url, "SELECT c.chat_id FROM outbox o JOIN chats c ON c.id = o.chat"
             " WHERE o.message_id IS NOT NULL"))
    folded = await fetch(url, "SELECT COUNT(*) FROM outbox WHERE kind = 'alert'"
                              " AND message_id IS NULL AND last_error LIKE 'with digest:%'")
    got = received(api)
    assert set(got) == set(planned) and all(got[c] >= planned[c] for c in planned)  # all came
    repeats = got - planned
    assert sum(repeats.values()) <= flying  # only what the killed replica had in flight
    assert all(n == 1 for n in repeats.values())  # at most one per chat
    assert planned == Counter(range(FIRST, FIRST + CHATS))  # one digest per chat
    assert isinstance(folded[0][0], int) and folded[0][0] >= CHATS  # alerts in the digests
