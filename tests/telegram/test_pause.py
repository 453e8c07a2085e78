"""/pause and /unpause (/reprendre in French): the digest and alerts stop and start again,
the chat's settings kept."""

from __future__ import annotations

from bot.store import subscriptions
from bot.store.db import Database
from bot.telegram.app import TelegramBot
from tests.fakes.botapi import FakeBotAPI
from tests.support.telegram import ADA, BOB, ask


async def _active(db: Database) -> list[bool]:
    rows = await db.fetchall("SELECT active FROM subscriptions ORDER BY chat")
    return [bool(r[0]) for r in rows]


async def test_pause_and_unpause_keep_the_settings(api: FakeBotAPI, bot: TelegramBot,
                                                   db: Database) -> None:
    [none] = await ask(api, BOB, BOB, "/pause")  # the chat's first answer: + the pairs
    assert (none.plain_text or "").startswith(
        "This chat has no subscription. /subscribe starts one.\n")
    await ask(api, BOB, BOB, "/subscribe weekly friday 18:30")
    [paused] = await ask(api, BOB, BOB, "/pause")
    assert paused.plain_text == ("Paused: no digests or alerts until /unpause; the settings "
                                 "are kept.")
    assert await _active(db) == [False]
    [again] = await ask(api, BOB, BOB, "/pause")
    assert again.plain_text == "Already paused. /unpause starts the digest and alerts again."
    [resumed] = await ask(api, BOB, BOB, "/unpause")
    text = resumed.plain_text or ""
    assert text.startswith("Resumed.\n")
    assert "Digest: weekly, on Friday at 18:30" in text  # kept through the pause
    assert await _active(db) == [True]
    [on] = await ask(api, BOB, BOB, "/unpause")
    assert on.plain_text == "Not paused: the digest and alerts are on."
    [summary] = await ask(api, BOB, BOB, "/resume")  # still the French /summary
    assert "Resumed" not in (summary.plain_text or "")
    sub = await subscriptions.get(db, 1)
    assert sub is not None and sub.settings.cadence == "weekly"


async def test_french_names(api: FakeBotAPI, bot: TelegramBot, db: Database) -> None:
    await ask(api, ADA, ADA, "/abonner")
    [paused] = await ask(api, ADA, ADA, "/pause")
    assert paused.plain_text == ("En pause\u202f: plus de point ni d’alerte jusqu’à "
                                 "/reprendre\u202f; les réglages sont gardés.")
    [resumed] = await ask(api, ADA, ADA, "/reprendre")
    assert (resumed.plain_text or "").startswith("Reprise.\n")
