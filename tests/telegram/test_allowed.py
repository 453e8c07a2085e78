"""BILAT_ALLOWED: a deployment serving one business council answers its listed users and
chats only; anyone else gets one line, in their language, and nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings
from bot.core.clock import FixedClock
from bot.core.library import Library
from bot.core.session import Session
from bot.store.db import Database
from bot.telegram.app import TelegramBot
from bot.telegram.chats import TelegramChats
from tests.conftest import ZONE
from tests.fakes.botapi import FakeBotAPI
from tests.support.telegram import ADA, BOB, GROUP, ask, settings_for


@pytest.fixture
async def closed(api: FakeBotAPI, db: Database, clock: FixedClock,
                 library: Library) -> AsyncIterator[TelegramBot]:
    """The bot open to Bob and to one group only."""
    session = Session(lambda: library, clock, "en", ZONE,
                      allowed=frozenset({f"telegram:{BOB}", f"telegram:{GROUP}"}))
    bot = TelegramBot(settings_for(api), session, TelegramChats(db, clock))
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()


async def test_only_listed_users_and_chats_are_answered(api: FakeBotAPI,
                                                        closed: TelegramBot) -> None:
    [bob] = await ask(api, BOB, BOB, "/trade")
    assert (bob.plain_text or "").startswith("Kazakhstan–France trade")
    [ada] = await ask(api, ADA, ADA, "/commerce")
    assert ada.plain_text == ("Ce Bilat sert un groupe restreint\u202f: demandez à ses "
                              "opérateurs d’ajouter cette conversation.")
    [in_group] = await ask(api, GROUP, ADA, "/trade")  # a listed chat: anyone in it
    assert (in_group.plain_text or "").startswith("Commerce Kazakhstan–France")


def test_the_setting_names_what_is_wrong() -> None:
    found = Settings.load({"BILAT_ALLOWED": "telegram:12, telegram:-100123, "
                                            "matrix:@ann:example.org, matrix:!r:example.org"},
                          Path("/nonexistent.env"))
    assert found.allowed == {"telegram:12", "telegram:-100123", "matrix:@ann:example.org",
                             "matrix:!r:example.org"}
    with pytest.raises(ConfigError, match="BILAT_ALLOWED: 'telegram:ann' is not telegram"):
        Settings.load({"BILAT_ALLOWED": "telegram:ann"}, Path("/nonexistent.env"))
