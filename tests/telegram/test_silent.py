"""/subscribe silent: digests and alerts reach the chat without a notification sound
(Telegram's disable_notification); other chats still ring; /subscribe loud undoes it."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.clock import FixedClock
from bot.core.library import Library
from bot.delivery.scheduler import Scheduler
from bot.delivery.sender import Sender
from bot.store.db import Database
from bot.telegram.app import TelegramBot
from tests.fakes.botapi import FakeBotAPI
from tests.support.telegram import ADA, BOB, ask


def pushed(api: FakeBotAPI, chat: int) -> list[bool]:
    """For each message pushed to ``chat`` (not replies): was it silent?"""
    return [str(r.params.get("disable_notification")).lower() == "true"
            for r in api.sent if r.chat_id == chat and r.method == "sendMessage"
            and (r.plain_text or "").startswith("Bilat daily digest")]


async def test_silent_delivery_is_per_chat(api: FakeBotAPI, bot: TelegramBot, db: Database,
                                           clock: FixedClock, library: Library) -> None:
    clock.set(datetime(2025, 5, 6, 12, tzinfo=UTC))
    [quiet] = await ask(api, BOB, BOB, "/subscribe silent always")
    assert "Delivery: silent, without a notification sound" in (quiet.plain_text or "")
    await ask(api, ADA, ADA, "/subscribe always")
    clock.set(datetime(2025, 5, 7, 3, tzinfo=UTC))  # 08:00 in Almaty
    await Scheduler(db, lambda: library, clock).tick()
    await Sender(db, bot.transport, clock).drain()
    assert pushed(api, BOB) == [True]
    ringing = [str(r.params.get("disable_notification")).lower() for r in api.sent
               if r.chat_id == ADA and (r.plain_text or "").startswith("Le point quotidien")]
    assert ringing in (["none"], ["false"])  # Ada's one digest (in French) rings
    [loud] = await ask(api, BOB, BOB, "/subscribe loud")
    assert "Delivery" not in (loud.plain_text or "")
