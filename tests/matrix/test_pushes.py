"""Digests and alerts reach Matrix rooms at the injected time, through the delivery core."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import pytest

from bot.core.clock import FixedClock
from bot.core.network import ChatRef, DeliveryError
from bot.core.render import Rendered
from bot.delivery.service import Delivery
from bot.matrix.transport import MatrixTransport
from tests.fakes.synapse import Synapse
from tests.matrix.conftest import MakeHuman
from tests.matrix.helpers import BotRun, Human
from tests.support.wait import eventually


def _pushes(human: Human, room: str, bot_id: str) -> list[dict[str, Any]]:
    """The bot's notices that answer no command."""
    return [e for e in human.events.get(room, []) if e["sender"] == bot_id
            and e["type"] == "m.room.message"
            and "m.relates_to" not in e["content"]]


async def test_a_digest_and_an_alert_arrive_at_their_time(
        bot: BotRun, people: MakeHuman, clock: FixedClock) -> None:
    """Subscribed at 23:50, the room gets the 08:00 digest and the morning-of alert."""
    clock.set(datetime.fromisoformat("2025-05-07T23:50:00+05:00"))
    alice = await people("alice")
    running = await bot.start()
    room = await alice.create_room(bot.account.user_id, encrypted=True)
    await alice.wait_member(room, bot.account.user_id)
    sent = await alice.send(room, "!subscribe 08:00 always")
    [reply] = await alice.reply(room, sent)
    assert reply["content"]["body"].startswith("Subscribed.")

    assert bot.db is not None
    delivery = Delivery(bot.db, lambda: bot.library, clock, [running.transport])
    clock.set(datetime.fromisoformat("2025-05-08T07:59:00+05:00"))
    assert (await delivery.scheduler.tick()).planned == 0
    clock.set(datetime.fromisoformat("2025-05-08T08:00:30+05:00"))
    report = await delivery.scheduler.tick()
    assert (report.digests, report.alerts) == (1, 1)
    assert await delivery.senders[0].drain() == 2

    async def arrived() -> bool:
        return len(_pushes(alice, room, bot.account.user_id)) == 2
    await alice.until(arrived)
    bodies = [e["content"]["body"] for e in _pushes(alice, room, bot.account.user_id)]
    assert any("Ceremony at the Charles de Gaulle monument" in b for b in bodies)
    # The closing line names the detail views as Matrix users type them.
    assert all("More: !" in b and "More: /" not in b for b in bodies)
    assert all(e["content"]["format"] == "org.matrix.custom.html"
               for e in _pushes(alice, room, bot.account.user_id))
    assert await delivery.senders[0].drain() == 0  # each once


async def test_rate_limits_and_lost_rooms_are_classified(
        bot: BotRun, people: MakeHuman, synapse: Synapse) -> None:
    """M_LIMIT_EXCEEDED gives retry_after; a room the bot is not in is terminal."""
    alice = await people("alice")
    running = await bot.start()
    room = await alice.create_room(bot.account.user_id)
    await alice.wait_member(room, bot.account.user_id)
    transport: MatrixTransport = running.transport

    async def bot_knows_the_room() -> bool:
        return room in running.client.rooms
    await eventually(bot_knows_the_room)
    await synapse.override_message_rate(bot.account.user_id, per_second=1, burst_count=1)
    try:
        content = {"msgtype": "m.notice", "body": "x"}
        results = await asyncio.gather(
            *(transport.send_content(room, content) for _ in range(4)), return_exceptions=True)
    finally:
        await synapse.override_message_rate(bot.account.user_id, per_second=0, burst_count=0)
    limited = [r for r in results if isinstance(r, DeliveryError)]
    assert limited and all(r.kind == "rate_limited" for r in limited)
    assert all(r.retry_after and 0 < r.retry_after < 10 for r in limited)

    await alice.client.room_kick(room, bot.account.user_id)

    async def refused() -> bool:
        try:
            await transport.send_content(room, content)
        except DeliveryError as exc:
            return exc.kind == "terminal"
        return False
    await eventually(refused)
    with pytest.raises(DeliveryError) as lost:
        await transport.send(ChatRef("matrix", "!nowhere"), Rendered.from_html("<b>Hi</b>"))
    assert lost.value.kind == "terminal"
