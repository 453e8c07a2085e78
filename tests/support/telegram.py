"""The Telegram tests' world on the fake Bot API, and talking to the bot as its users do."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import Secret
from bot.telegram.settings import TelegramSettings, Webhook
from tests.fakes.botapi import FakeBotAPI, SentRecord

TIMEOUT = 10.0
TOKEN = "123456:TEST-token"
BOT_NAME = "BilatTestBot"
ADA = 111  # French-speaking user
BOB = 222  # English-speaking user
CAROL = 333  # speaks neither: gets the default language
GROUP = -4242
FORUM = -1001234
CHANNEL = -1005555
CHANNEL_HANDLE = "@bilat_news"


# What a new chat's first answer ends with (bot/core/commands.py, ``introduced``).
INTRODUCTION = ("\n\nBilat covers Kazakhstan–France, Uzbekistan–France, and Kazakhstan–Germany. "
                "This chat sees Kazakhstan–France: /pairs lists them, /follow chooses.")
INTRODUCTION_FR = ("\n\nBilat couvre Kazakhstan–France, Ouzbékistan–France et "
                   "Kazakhstan–Allemagne. Cette conversation voit Kazakhstan–France\u202f: "
                   "/couples les liste, /suivre les choisit.")


def world(api: FakeBotAPI) -> None:
    """Users, a group, a forum and a channel; Ada administers the group and the channel."""
    api.add_user(ADA, "Ada", "fr", username="ada")
    api.add_user(BOB, "Bob", "en-GB", username="bob")
    api.add_user(CAROL, "Carol", "de", username="carol")
    api.add_chat(GROUP, "group", title="Amitié")
    api.add_chat(FORUM, "supergroup", title="Forum", is_forum=True)
    api.add_chat(CHANNEL, "channel", title="News", username=CHANNEL_HANDLE[1:])
    api.add_topic(FORUM, 7, "Commerce")
    api.set_member(GROUP, ADA, "creator")
    api.set_member(GROUP, BOB, "member")
    api.set_member(FORUM, BOB, "administrator")
    api.set_member(CHANNEL, ADA, "administrator")
    api.set_member(CHANNEL, BOB, "member")


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    """A running fake Bot API with the test world."""
    async with FakeBotAPI(token=TOKEN, bot_username=BOT_NAME) as server:
        world(server)
        yield server


def settings_for(api: FakeBotAPI, webhook: Webhook | None = None) -> TelegramSettings:
    """Telegram settings pointing at the fake server."""
    return TelegramSettings(Secret(api.token), api.base_url, webhook)


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
