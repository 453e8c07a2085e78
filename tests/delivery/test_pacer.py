"""The pacer: sliding windows per network, per chat and per group, on a fake clock."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.core.clock import FixedClock
from bot.core.network import Limits
from bot.core.render import Rendered
from bot.delivery.election import wall_clock
from bot.delivery.pacer import FORGET_EVERY, Pacer, SharedPacing, Window
from bot.delivery.sender import Policy, Sender
from bot.store import outbox, replicas
from bot.store.db import Database
from bot.store.outbox import Message
from tests.fakes.transport import RecordingTransport
from tests.support.delivery import subscribe

TELEGRAM = Limits(global_per_second=30, per_chat_per_second=1, per_group_per_minute=20)


class FakeTime:
    """A monotonic clock that moves only when slept on."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Jump ahead."""
        self.now += seconds


def pacer(limits: Limits = TELEGRAM) -> tuple[Pacer, FakeTime]:
    """A pacer on a fake clock, with no margin so figures are exact."""
    fake = FakeTime()
    return Pacer(limits, margin=0.0, clock=fake, sleep=fake.sleep), fake


def most_in_any_window(stamps: list[float], seconds: float) -> int:
    """The largest number of stamps inside any window of ``seconds``."""
    return max(sum(1 for t in stamps if s <= t < s + seconds - 1e-9) for s in stamps)


async def test_global_rate_is_never_exceeded() -> None:
    p, fake = pacer()
    stamps = []
    for chat in range(100):
        await p.take(chat, group=False)
        stamps.append(fake.now)
    assert most_in_any_window(stamps, 1.0) == 30
    assert stamps[29] == 0.0 and stamps[30] == pytest.approx(1.0)
    assert stamps[-1] == pytest.approx(3.0)


async def test_one_chat_gets_one_message_a_second() -> None:
    p, fake = pacer()
    await p.take(7, group=False)
    assert p.chat_delay(7, group=False) == pytest.approx(1.0)
    assert p.chat_delay(8, group=False) == 0.0
    await p.take(7, group=False)
    assert fake.now == pytest.approx(1.0)


async def test_a_group_gets_twenty_a_minute() -> None:
    p, fake = pacer(Limits(global_per_second=30, per_chat_per_second=100,
                           per_group_per_minute=20))
    stamps = []
    for _ in range(41):
        await p.take(-5, group=True)
        stamps.append(fake.now)
    assert most_in_any_window(stamps, 60.0) == 20
    assert stamps[20] == pytest.approx(60.0) and stamps[40] == pytest.approx(120.0)


def test_fractional_rates_widen_the_window() -> None:
    window = Window.per(0.5, 1.0, margin=0.0)
    assert (window.count, window.seconds) == (1, 2.0)
    assert Window.per(30, 1.0, margin=0.02).seconds == pytest.approx(1.02)


async def test_quiet_chats_are_forgotten() -> None:
    p, fake = pacer(Limits(global_per_second=1000, per_chat_per_second=1,
                           per_group_per_minute=20))
    for chat in range(FORGET_EVERY * 3):
        await p.take(chat, group=False)
        fake.now += 0.01
    assert len(p._chats) < FORGET_EVERY + 200


async def test_the_sender_follows_the_chat_and_group_limits(
        db: Database, clock: FixedClock) -> None:
    chat = await subscribe(db, clock, "chat")
    group = await subscribe(db, clock, "-group", type="group")
    for n in range(3):
        for target in (chat, group):
            await outbox.add(db, Message(f"{target.id}:{n}", target.id, "alert",
                                         Rendered.from_html(str(n))), clock.now())
    fake = FakeTime()
    limits = Limits(global_per_second=30, per_chat_per_second=1, per_group_per_minute=2)
    shared = SharedPacing(limits, margin=0.0, clock=fake, sleep=fake.sleep)
    transport = RecordingTransport(limits=limits, timer=fake)
    assert await Sender(db, transport, clock, pacer=shared).drain() == 6
    times = {c: [s.at for s in transport.sent if s.chat.chat_id == c] for c in ("chat", "-group")}
    # Overall, sends go one slot (1/30 s) apart, so the second chat starts one slot late.
    assert times["chat"] == pytest.approx([0.0, 1.0, 2.0], abs=0.07)
    assert times["-group"] == pytest.approx([0.0, 1.0, 60.0], abs=0.07)  # two a minute


async def test_replicas_share_the_overall_rate(db: Database, clock: FixedClock) -> None:
    """Two senders on one database, as two replicas: together within the network's rate."""
    for n in range(60):
        target = await subscribe(db, clock, f"c{n}")
        await outbox.add(db, Message(f"k{n}", target.id, "alert", Rendered.from_html("x")),
                         clock.now())
    limits = Limits(global_per_second=30, per_chat_per_second=1, per_group_per_minute=20)
    transport = RecordingTransport(limits=limits, timer=time.monotonic)  # real time: 2 s
    senders = [Sender(db, transport, clock, Policy(max_in_flight=8), replica=name)
               for name in ("a", "b")]
    for name in ("a", "b"):  # alive: neither takes the other's claims for a dead one's
        await replicas.beat(db, name, wall_clock())
    sent = await asyncio.gather(*(s.drain() for s in senders))
    assert sum(sent) == 60 and len({s.chat for s in transport.sent}) == 60  # each once
    assert min(sent) >= 10  # both took their share
    assert most_in_any_window([s.at for s in transport.sent], 1.0) <= 30
