"""/subscribe sectors: a digest limited to sectors named by code or label, in either language;
an unknown sector is named in the answer and changes nothing."""

from __future__ import annotations

from bot.store import subscriptions
from bot.store.db import Database
from bot.telegram.app import TelegramBot
from tests.fakes.botapi import FakeBotAPI
from tests.support.telegram import ADA, BOB, ask


async def test_sectors_by_label_in_either_language(api: FakeBotAPI, bot: TelegramBot,
                                                   db: Database) -> None:
    [done] = await ask(api, BOB, BOB, "/subscribe sectors energy, critical raw materials")
    assert "Sectors: energy, critical raw materials" in (done.plain_text or "")
    sub = await subscriptions.get(db, 1)
    assert sub is not None and sub.settings.sectors == ("energy", "critical_raw_materials")
    [bad] = await ask(api, BOB, BOB, "/subscribe sectors energy, knitting")
    assert (bad.plain_text or "").startswith("“knitting” is not a sector. Sectors: political, ")
    [cleared] = await ask(api, BOB, BOB, "/subscribe sectors all")
    assert "Sectors" not in (cleared.plain_text or "")
    await ask(api, ADA, ADA, "/abonner secteurs éducation, matières premières critiques")
    sub = await subscriptions.get(db, 2)
    assert sub is not None and sub.settings.sectors == ("education", "critical_raw_materials")
    [shown] = await ask(api, ADA, ADA, "/reglages")
    assert "Secteurs\u202f: éducation, matières premières critiques" in (shown.plain_text or "")
