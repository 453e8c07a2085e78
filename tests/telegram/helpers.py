"""Helpers for talking to the bot through the fake server, as users would."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from time import monotonic

from tests.fakes.botapi import FakeBotAPI, SentRecord

TIMEOUT = 10.0


# What a new chat's first answer ends with (bot/core/commands.py, ``introduced``).
INTRODUCTION = ("\n\nBilat covers Kazakhstan–France, Uzbekistan–France, and Kazakhstan–Germany. "
                "This chat sees Kazakhstan–France: /pairs lists them, /follow chooses.")
INTRODUCTION_FR = ("\n\nBilat couvre Kazakhstan–France, Ouzbékistan–France et "
                   "Kazakhstan–Allemagne. Cette conversation voit Kazakhstan–France\u00a0: "
                   "/couples les liste, /suivre les choisit.")


async def ask(api: FakeBotAPI, chat_id: int, user_id: int | None, text: str, *,
              count: int = 1, thread_id: int | None = None,
              anonymous: bool = False) -> list[SentRecord]:
    """Send ``text`` as a user and return the ``count`` messages the bot sends back."""
    before = len(api.messages(chat_id))
    api.send_message(chat_id, user_id, text, message_thread_id=thread_id, anonymous=anonymous)
    found = await api.wait_for_messages(chat_id, before + count, timeout=TIMEOUT)
    return found[before:]


async def post(api: FakeBotAPI, channel_id: int, text: str, *, count: int = 1
               ) -> list[SentRecord]:
    """Post ``text`` in a channel and return the bot's ``count`` answers there."""
    before = len(api.messages(channel_id))
    api.send_channel_post(channel_id, text)
    found = await api.wait_for_messages(channel_id, before + count, timeout=TIMEOUT)
    return found[before:]


def failed_calls(api: FakeBotAPI) -> list[str]:
    """Every Bot API call the server refused (a correct bot makes none)."""
    return [f"{c.method}: {c.status} {c.description}" for c in api.calls if not c.ok]


async def eventually(check: Callable[[], Awaitable[bool]]) -> None:
    """Wait until ``check()`` holds (for effects that send nothing, like a status change)."""
    deadline = monotonic() + TIMEOUT
    while not await check():
        if monotonic() > deadline:
            raise TimeoutError("the condition never held")
        await asyncio.sleep(0.01)
