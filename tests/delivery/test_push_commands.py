"""Pushed digests and alerts name commands as the chat types them: its language's names, its
network's prefix (a French reader never has to type an English word)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.clock import FixedClock
from bot.core.commands import COMMAND_TABLE
from bot.core.library import Library
from bot.core.pushes import PushSettings
from bot.delivery.scheduler import Scheduler
from bot.store import outbox
from bot.store.db import Database
from tests.support.asking import command_mentions
from tests.support.delivery import subscribe, tick_through

CEREMONY = "lagazette-2025-05-07-kazakhstan-france/victory-day-ceremony-2025"
# What each language's closing lines say, as the chat would type it.
DIGEST_MORE = {"en": "More: {p}brief · {p}trade · {p}events · {p}settings",
               "fr": "Plus\u202f: {p}bref · {p}commerce · {p}evenements · {p}reglages"}
ALERT_MORE = {"en": "More: {p}events", "fr": "Plus\u202f: {p}evenements"}


@pytest.mark.parametrize(("network", "prefix"), [("telegram", "/"), ("matrix", "!")])
@pytest.mark.parametrize("locale", ["en", "fr"])
async def test_pushes_name_commands_in_the_chats_language_and_prefix(
        db: Database, seed_library: Library, network: str, prefix: str, locale: str) -> None:
    clock = FixedClock(datetime(2025, 5, 6, 0, 0, tzinfo=UTC))
    chat = await subscribe(db, clock, "reader", locale=locale, network=network)
    # A weekly reader whose digest day is Monday gets 8 May's alert on its own.
    weekly = await subscribe(db, clock, "weekly", locale=locale, network=network,
                             settings=PushSettings(cadence="weekly", weekday=0))
    await tick_through(Scheduler(db, lambda: seed_library, clock), clock,
                       datetime(2025, 5, 8, 3, 0, tzinfo=UTC), timedelta(hours=1))
    digest = await outbox.get(db, f"digest:{chat.id}:2025-05-08")
    folded = await outbox.get(db, f"alert:{CEREMONY}:{chat.id}:0d:2025-05-08")
    alert = await outbox.get(db, f"alert:{CEREMONY}:{weekly.id}:0d:2025-05-08")
    assert digest is not None and folded is not None and alert is not None
    # The daily reader's alert rides in the digest (issue 12), whose closing line stays last.
    assert digest.text.endswith(DIGEST_MORE[locale].format(p=prefix))
    assert folded.text in digest.text
    assert alert.text.endswith(ALERT_MORE[locale].format(p=prefix))
    shown = {prefix + COMMAND_TABLE.shown(c.name, locale) for c in COMMAND_TABLE}
    for text in (digest.text, alert.text):
        named = command_mentions(text)
        assert named and set(named) <= shown, text
