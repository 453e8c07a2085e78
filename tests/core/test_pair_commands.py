"""Pair commands on a stored chat: what a chat following two pairs reads, and what a restart
keeps."""

from __future__ import annotations

from pathlib import Path

from bot.core.clock import FixedClock
from bot.core.library import Library
from bot.store.db import Database
from tests.core.test_subscription_commands import say, stored

N = "\u00a0"


async def test_a_chat_following_two_pairs_reads_both(db: Database, clock: FixedClock,
                                                     library: Library) -> None:
    chat = await stored(db, clock)
    await say(chat, library, "/follow DE")
    assert await say(chat, library, "/follow UZ-FR") == \
        "This chat now follows Kazakhstan–Germany and Uzbekistan–France."
    trade = await say(chat, library, "/trade")
    assert trade.startswith("Kazakhstan–Germany trade, 2023\n")
    assert "\n\nUzbekistan–France trade, 2024\n" in trade and "Kazakhstan–France" not in trade
    events = await say(chat, library, "/events all")
    assert events.startswith("Kazakhstan–Germany, Uzbekistan–France: all events\n")
    assert events.count("Samarkand") == 2  # one event, merged from two reports: title, place
    articles = await say(chat, library, "/articles")
    assert articles.startswith("Kazakhstan–Germany, Uzbekistan–France: articles\n"
                               "1. At the Élysée, Mirziyoyev and Macron hail trade")
    assert "\n8. " in articles and "\n9. " not in articles
    assert (await say(chat, library, "/summary 2")).startswith(
        "Astana business forum: 36 documents worth 6.3 billion dollars\n")
    assert (await say(chat, library, "/trade 2022 Kazakhstan")).startswith(
        "Kazakhstan–Germany trade in 2022\n")  # the chat's own pair with Kazakhstan


async def test_followed_pairs_survive_a_restart(db_path: Path, clock: FixedClock,
                                                library: Library) -> None:
    async with await Database.open(db_path) as db:
        chat = await stored(db, clock, "fr")
        assert await say(chat, library, "/follow germano-kazakh") == \
            "Cette conversation suit désormais Kazakhstan–Allemagne."
    async with await Database.open(db_path) as db:
        chat = await stored(db, clock, "fr")
        assert "Pays suivis\u202f: Kazakhstan–Allemagne\n" in await say(chat, library,
                                                                         "/settings")
        pairs = await say(chat, library, "/pairs")
        assert "• Kazakhstan–Allemagne · KZ-DE · suivi ici\n" in pairs
        assert "• Kazakhstan–France · KZ-FR\n" in pairs
