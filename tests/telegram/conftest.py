"""Fixtures: the fake Bot API with a small world, and Bilat's Telegram bot running against it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path

import pytest

# Before telegram is imported by any test module (PTB 22 warns on int retry_after otherwise).
os.environ.setdefault("PTB_TIMEDELTA", "1")

from bot.config import Secret
from bot.core.clock import FixedClock
from bot.core.library import Library
from bot.core.session import Session
from bot.store.db import Database
from bot.telegram.app import TelegramBot
from bot.telegram.chats import TelegramChats
from bot.telegram.settings import TelegramSettings, Webhook
from tests.conftest import ZONE
from tests.fakes.botapi import FakeBotAPI

TOKEN = "123456:TEST-token"
BOT_NAME = "BilatTestBot"
ADA = 111  # French-speaking user
BOB = 222  # English-speaking user
CAROL = 333  # speaks neither: gets the default language
GROUP = -4242
FORUM = -1001234
CHANNEL = -1005555
CHANNEL_HANDLE = "@bilat_news"


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


@pytest.fixture
def clock(may7: datetime) -> FixedClock:
    """Time stands at the end of 7 May 2025 in Almaty."""
    return FixedClock(may7)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh database file."""
    async with await Database.open(tmp_path / "bilat.sqlite3") as database:
        yield database


@pytest.fixture
def chats(db: Database, clock: FixedClock) -> TelegramChats:
    """The store as the adapter sees it."""
    return TelegramChats(db, clock)


@pytest.fixture
def session(library: Library, clock: FixedClock) -> Session:
    """The core over the bundled data."""
    return Session(lambda: library, clock, "en", ZONE)


def settings_for(api: FakeBotAPI, webhook: Webhook | None = None) -> TelegramSettings:
    """Telegram settings pointing at the fake server."""
    return TelegramSettings(Secret(api.token), api.base_url, webhook)


@pytest.fixture
def start_bot(api: FakeBotAPI, session: Session,
              chats: TelegramChats) -> Callable[..., TelegramBot]:
    """Build a bot for the fake server (started by the test, stopped by ``running_bot``)."""
    def make(webhook: Webhook | None = None, with_session: Session | None = None
             ) -> TelegramBot:
        return TelegramBot(settings_for(api, webhook), with_session or session, chats)
    return make


@pytest.fixture
async def bot(start_bot: Callable[..., TelegramBot]) -> AsyncIterator[TelegramBot]:
    """Bilat's Telegram bot, polling the fake server."""
    running = start_bot()
    await running.start()
    try:
        yield running
    finally:
        await running.stop()
