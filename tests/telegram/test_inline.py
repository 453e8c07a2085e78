"""Inline mode: briefings and article search answered fast, personal, at most 50 results."""

from __future__ import annotations

from collections.abc import Callable
from time import monotonic
from typing import Any

from bot.core.commands import COMMAND_TABLE
from bot.core.library import Library
from bot.core.session import Session
from bot.telegram.app import TelegramBot
from tests.fakes.botapi import FakeBotAPI, SentRecord
from tests.support.asking import command_mentions
from tests.support.telegram import ADA, BOB, TIMEOUT, failed_calls

# "A fraction of a second" with room for a busy machine; the fake's own HTML checks of 50
# article texts take a good part of it.
FAST_SECONDS = 1.0


async def inline(api: FakeBotAPI, user: int, query: str) -> tuple[list[dict[str, Any]], float]:
    """Ask an inline query; return the answer's results and how long it took."""
    start = monotonic()
    query_id = api.inline_query(user, query)
    record: SentRecord = await api.wait_for(
        lambda r: r.extra.get("inline_query_id") == query_id, timeout=TIMEOUT)
    assert record.params["is_personal"] in (True, "true", "True")
    return api.inline_answers[query_id], record.time - start


async def test_empty_query_suggests_briefings_and_articles(api: FakeBotAPI,
                                                           bot: TelegramBot) -> None:
    results, took = await inline(api, BOB, "")
    assert took < FAST_SECONDS
    assert [r["id"].split(":")[0] for r in results[:2]] == ["trade", "events"]
    assert results[0]["title"] == "Trade figures · Kazakhstan–France"
    assert len(results) == 2 + 8 and len({r["id"] for r in results}) == len(results)
    assert failed_calls(api) == []


async def test_search_in_the_users_language(api: FakeBotAPI, bot: TelegramBot) -> None:
    french, took = await inline(api, ADA, "nucléaire")
    english, _ = await inline(api, BOB, "nuclear")
    assert took < FAST_SECONDS
    assert [r["id"] for r in french] == [r["id"] for r in english]
    assert french[0]["title"].startswith("Astana et Paris")
    assert english[0]["title"].startswith("Astana and Paris")
    content = french[0]["input_message_content"]
    assert content["parse_mode"] == "HTML" and "Roman Vassilenko" in content["message_text"]


async def test_keywords_give_the_briefings(api: FakeBotAPI, bot: TelegramBot) -> None:
    [trade], _ = await inline(api, BOB, "trade 2023")
    assert "2023" in trade["input_message_content"]["message_text"]
    [events], _ = await inline(api, ADA, "événements")
    assert "Journée Française" in events["input_message_content"]["message_text"]
    summaries, _ = await inline(api, BOB, "summary")
    assert len(summaries) == 8


async def test_nothing_found_and_hostile_queries(api: FakeBotAPI, bot: TelegramBot) -> None:
    [none], _ = await inline(api, BOB, "zzzzqqq")
    assert none["id"] == "none" and "zzzzqqq" in none["title"]
    for query in ['"; DROP TABLE docs; --', "NEAR(a b) OR *", "<b>x</b> & y", "\u202e" * 200]:
        results, _ = await inline(api, BOB, query)
        assert 1 <= len(results) <= 50
    assert failed_calls(api) == []


async def test_never_more_than_50_results(api: FakeBotAPI, session: Session,
                                          start_bot: Callable[..., TelegramBot],
                                          library: Library) -> None:
    seed = library.articles[0]
    many = Library(tuple(seed.model_copy(update={"id": f"copy-{i:03d}"}) for i in range(80)),
                   library.sectors, library.countries)
    bot = start_bot(with_session=Session(lambda: many, session.clock, "en", session.zone))
    await bot.start()
    try:
        results, took = await inline(api, BOB, "Astana")
        suggestions, _ = await inline(api, BOB, "")
    finally:
        await bot.stop()
    assert len(results) == 50 and len(suggestions) == 50
    assert took < 2 * FAST_SECONDS


async def test_french_results_name_french_commands(api: FakeBotAPI, bot: TelegramBot) -> None:
    results, _ = await inline(api, ADA, "")
    shown = {"/" + COMMAND_TABLE.shown(c.name, "fr") for c in COMMAND_TABLE}
    named = [name for r in results[:2]
             for name in command_mentions(r["input_message_content"]["message_text"])]
    assert named and set(named) <= shown, named
    assert "/commerce" in named or "/evenements" in named
