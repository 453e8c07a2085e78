"""Fixtures: Bilat's Telegram bot running against the fake Bot API and its small world."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path

import pytest

from bot.core.clock import FixedClock
from bot.core.library import Library
from bot.core.session import Session
from bot.store.db import Database
from bot.telegram.app import TelegramBot
from bot.telegram.chats import TelegramChats
from bot.telegram.settings import Webhook
from tests.conftest import ZONE
from tests.fakes.botapi import FakeBotAPI
from tests.support.telegram import settings_for


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
