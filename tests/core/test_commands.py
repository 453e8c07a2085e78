"""The command table as a user meets it: arguments, errors, hostile input, languages."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.core.chat_settings import MemoryChat
from bot.core.command_table import parse
from bot.core.commands import COMMAND_TABLE
from bot.core.library import Library
from tests.support.asking import ask


async def _text(library: Library, now: datetime, line: str, locale: str = "en") -> str:
    reply = await ask(library, now, line, locale)
    assert reply is not None
    return reply.message.text


def test_parse_handles_bot_names_and_prefixes() -> None:
    addressed = parse("/trade@BilatBot 2024", "/", "bilatbot")
    assert addressed is not None and addressed.addressed
    assert (addressed.name, addressed.args) == ("trade", ["2024"])
    assert parse("/trade@OtherBot", "/", "BilatBot") is None
    assert parse("hello") is None
    assert parse("!trade 2024", "!") is not None
    assert parse("/trade 2024", "!") is None
    parsed = parse("/TRADE   2024 ")
    assert parsed is not None and parsed.name == "trade" and parsed.args == ["2024"]


async def test_unknown_command_gets_one_line_with_the_nearest(seed_library: Library,
                                                              may7: datetime) -> None:
    assert await _text(seed_library, may7, "/trde") == (
        "Unknown command /trde. Did you mean /trade?")
    assert await _text(seed_library, may7, "/xyz") == (  # (/foo is near /follow)
        "Unknown command /xyz. /help lists the commands.")


async def test_unknown_command_in_french_suggests_french_names(seed_library: Library,
                                                               may7: datetime) -> None:
    assert await _text(seed_library, may7, "/comerce", "fr") == (
        "Commande inconnue\u202f: /comerce. Vouliez-vous dire /commerce\u202f?")
    assert await _text(seed_library, may7, "/evenement", "fr") == (
        "Commande inconnue\u202f: /evenement. Vouliez-vous dire /evenements\u202f?")
    assert await _text(seed_library, may7, "/xyz", "fr") == (
        "Commande inconnue\u202f: /xyz. /aide donne la liste des commandes.")


async def test_help_lists_the_views(seed_library: Library, may7: datetime) -> None:
    assert "/trade [all|notes|sources|year]" in await _text(seed_library, may7, "/help")
    assert "/brief [pair] · One screen" in await _text(seed_library, may7, "/help")
    assert "/commerce [tout|notes|sources|année]" in await _text(seed_library, may7, "/aide",
                                                                  "fr")


@pytest.mark.parametrize(("line", "expected"), [
    ("/trade abc", "“abc” is not a year, all, notes or sources.\n"
                   "Usage: /trade [all|notes|sources|year] [pair]"),
    ("/events tomorrow", "“tomorrow” is not past, all or sources.\n"
                         "Usage: /events [past|all|sources] [pair]"),
    ("/lang de", "“de” is not a language Bilat speaks: choose fr or en.\nUsage: /lang fr|en"),
])
async def test_bad_arguments_get_a_specific_answer(
        seed_library: Library, may7: datetime, line: str, expected: str) -> None:
    assert await _text(seed_library, may7, line) == expected


async def test_hostile_input_is_escaped_and_shortened(seed_library: Library,
                                                       may7: datetime) -> None:
    evil = "<script>alert(1)</script>&amp;" + "x" * 4000
    reply = await ask(seed_library, may7, f"/trade {evil}")
    assert reply is not None
    assert "<script>" not in reply.message.html
    assert "&lt;script&gt;" in reply.message.html
    assert len(reply.message.html) < 300
    odd = await _text(seed_library, may7, "/summary \u202e\u0000\U0001f600")
    assert "No article matches" in odd


async def test_lang_switches_and_answers_in_the_new_language(seed_library: Library,
                                                             may7: datetime) -> None:
    chat = MemoryChat()
    reply = await ask(seed_library, may7, "/lang fr", chat=chat)
    assert reply is not None
    assert reply.message.text == "Langue\u202f: français."
    assert chat.locale == "fr"
    after = await ask(seed_library, may7, "/help", chat=chat)
    assert after is not None and "/commerce [tout|notes|sources|année]" in after.message.text


async def test_trade_for_a_year_without_figures_lists_the_years(seed_library: Library,
                                                                 may7: datetime) -> None:
    text = await _text(seed_library, may7, "/trade 1999")
    assert "No trade figures for 1999." in text
    assert "Years with figures: 2022, 2023, and 2024. Try /trade 2024." in text


async def test_summary_by_number_and_id(library: Library, may7: datetime) -> None:
    first = await _text(library, may7, "/summary 1")
    by_id = await _text(library, may7, "/summary lagazette-2025-05-07-kazakhstan-france")
    # The same article; only the closing line's commands name it as it was asked for.
    assert first.split("More:")[0] == by_id.split("More:")[0]
    assert "/summary full lagazette-2025-05-07-kazakhstan-france" in by_id
    assert first.startswith("Astana and Paris aim to widen cooperation")


async def test_articles_published_later_are_not_seen(library: Library) -> None:
    early = datetime.fromisoformat("2023-01-01T00:00:00+00:00")
    text = await _text(library, early, "/articles")
    assert "La Gazette" not in text
    assert "Kazinform" in text


def test_menu_lists_commands_in_both_languages() -> None:
    en = dict(COMMAND_TABLE.menu("en"))
    fr = dict(COMMAND_TABLE.menu("fr"))
    assert {"summary", "trade", "events", "help", "lang"} <= set(en)
    assert {"resume", "commerce", "evenements", "aide", "langue", "abonner", "desabonner",
            "reglages", "fuseau", "articles"} <= set(fr)
    assert len(en) == len(fr)
    assert fr["commerce"] != en["trade"]
