"""Commands over the real PTB stack and HTTP: private chats, groups, topics, channels."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

import pytest
from icalendar import Calendar
from telegram import Update

from bot.core.clock import FixedClock
from bot.core.commands import COMMAND_TABLE
from bot.core.library import Library
from bot.core.session import Session
from bot.telegram.app import TelegramBot
from tests.fakes.botapi import FakeBotAPI
from tests.support.asking import wrong_prefix
from tests.support.telegram import (
    ADA,
    BOB,
    BOT_NAME,
    CAROL,
    CHANNEL,
    FORUM,
    GROUP,
    INTRODUCTION,
    INTRODUCTION_FR,
    TIMEOUT,
    ask,
    failed_calls,
    post,
)


async def test_private_chat_answers_in_the_users_language(api: FakeBotAPI,
                                                          bot: TelegramBot) -> None:
    [fr] = await ask(api, ADA, ADA, "/trade")
    [en] = await ask(api, BOB, BOB, "/trade")
    [default] = await ask(api, CAROL, CAROL, "/trade")
    assert fr.plain_text is not None and fr.plain_text.startswith("Commerce Kazakhstan–France")
    assert "5,5\u00a0milliards de dollars" in fr.plain_text
    assert en.plain_text is not None and en.plain_text.startswith("Kazakhstan–France trade")
    assert "$5.5\u00a0billion" in en.plain_text
    assert default.plain_text is not None and default.plain_text.startswith("Kazakhstan–France")
    assert fr.parse_mode == "HTML" and fr.message_thread_id is None
    assert "reply_parameters" not in fr.params  # no quoting in a private chat
    assert failed_calls(api) == []


async def test_every_command_of_the_table_is_answered(api: FakeBotAPI, bot: TelegramBot) -> None:
    for command in COMMAND_TABLE:
        replies = await ask(api, BOB, BOB, f"/{command.name}")
        assert replies[0].plain_text, command.name
    assert failed_calls(api) == []


async def test_lang_is_remembered_for_the_chat(api: FakeBotAPI, bot: TelegramBot) -> None:
    [done] = await ask(api, BOB, BOB, "/lang fr")
    assert done.plain_text == "Langue\u202f: français." + INTRODUCTION_FR  # first answer here
    [trade] = await ask(api, BOB, BOB, "/events")
    assert trade.plain_text is not None and "événements à venir" in trade.plain_text


async def test_group_command_addressed_to_the_bot(api: FakeBotAPI, bot: TelegramBot) -> None:
    [reply] = await ask(api, GROUP, BOB, f"/trade@{BOT_NAME} 2023")
    assert reply.plain_text is not None and "2023" in reply.plain_text
    assert reply.params["reply_parameters"]  # quotes the command in a busy group
    api.send_message(GROUP, BOB, "/trade@SomeOtherBot")
    api.send_message(GROUP, BOB, "/nosuchcommand")  # unaddressed: maybe another bot's
    [unknown] = await ask(api, GROUP, BOB, f"/nosuchcommand@{BOT_NAME}")
    assert unknown.plain_text is not None and "/nosuchcommand" in unknown.plain_text
    assert len(api.messages(GROUP)) == 2  # the other two got no answer


async def test_forum_topic_reply_goes_to_the_topic(api: FakeBotAPI, bot: TelegramBot) -> None:
    [reply] = await ask(api, FORUM, BOB, "/summary", thread_id=7)
    assert reply.message_thread_id == 7
    assert reply.plain_text is not None and "Astana" in reply.plain_text
    [general] = await ask(api, FORUM, BOB, "/help")
    assert general.message_thread_id is None


async def test_channel_post_is_answered_in_the_channel(api: FakeBotAPI, bot: TelegramBot) -> None:
    text, calendar = await post(api, CHANNEL, "/events", count=2)
    assert text.plain_text is not None and text.plain_text.startswith("Kazakhstan–France")
    assert calendar.method == "sendDocument"


async def test_edited_command_is_not_answered_again(api: FakeBotAPI, bot: TelegramBot) -> None:
    [first] = await ask(api, BOB, BOB, "/trade")
    message_id = max(api.chat(BOB).messages)
    api.edit_message(BOB, message_id - 1, "/events")  # the command Bob sent
    [help_] = await ask(api, BOB, BOB, "/help")  # the chat's updates are handled in order
    assert [r.message_id for r in api.messages(BOB)] == [first.message_id, help_.message_id]
    # Even if Telegram delivered the edit (it is not requested), the handlers skip it.
    edited = api.edit_message(BOB, message_id - 1, "/summary")
    await bot.app.process_update(Update.de_json(edited, bot.app.bot))
    assert len(api.messages(BOB)) == 2


async def test_events_come_with_a_calendar(api: FakeBotAPI, bot: TelegramBot) -> None:
    text, document = await ask(api, ADA, ADA, "/events", count=2)
    assert text.method == "sendMessage" and document.method == "sendDocument"
    [stored] = document.files
    assert stored.file_name == "bilat-events-kz-fr.ics"
    assert document.params["caption"] == (  # every upcoming seed event is known to the day
        "Événements à venir dont le jour est connu, à ajouter à un agenda.")
    calendar = Calendar.from_ical(stored.data)
    events = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == [
        "Cérémonie au monument Charles de Gaulle en l'honneur des partisans kazakhs de la "
        "libération de la France", "Forum kazakho-français « Journée Française »",
        "Forum international d'Astana"]
    assert [e.decoded("DTSTART").isoformat() for e in events] == [
        "2025-05-08", "2025-05-28", "2025-05-29"]
    [past] = await ask(api, ADA, ADA, "/events past")  # past events: no calendar
    assert past.method == "sendMessage"


async def test_trade_chart_is_a_photo_with_a_caption(api: FakeBotAPI, bot: TelegramBot) -> None:
    text, photo = await ask(api, BOB, BOB, "/trade chart", count=2)
    assert text.method == "sendMessage" and photo.method == "sendPhoto"
    [stored] = photo.files
    assert stored.data.startswith(b"\x89PNG")
    assert photo.params["caption"] == "Turnover by period, as the sources printed it."
    [bad] = await ask(api, BOB, BOB, "/trade chart soon")  # a bad argument: no chart
    assert bad.plain_text is not None and "is not a year" in bad.plain_text


async def test_start_welcomes_then_briefs_a_returning_chat(api: FakeBotAPI,
                                                          bot: TelegramBot) -> None:
    [first] = await ask(api, CAROL, CAROL, "/start")
    assert first.plain_text is not None and "/trade chart" in first.plain_text  # the commands
    [again] = await ask(api, CAROL, CAROL, "/start")
    assert again.plain_text is not None
    assert again.plain_text.startswith("Kazakhstan–France at a glance\n")
    assert "$5.5\u00a0billion" in again.plain_text and "La Gazette" in again.plain_text


async def test_help_tells_what_telegram_adds(api: FakeBotAPI, bot: TelegramBot) -> None:
    [reply] = await ask(api, BOB, BOB, "/help")
    assert reply.plain_text is not None
    assert f"@{BOT_NAME}" in reply.plain_text and "/trade chart" in reply.plain_text
    [text] = await ask(api, BOB, BOB, "hello")  # plain text in a private chat
    assert reply.plain_text == f"{text.plain_text}{INTRODUCTION}"  # the chat's first answer


HOSTILE = [
    "/trade <b>2024</b>",
    "/summary <script>alert(1)</script> & &amp; &#0;",
    "/events " + "x" * 4000,
    "/" + "a" * 4000,
    "/lang \u202eneila\u202c",  # right-to-left override
    "/summary \u200b\u200d\ufeff🇫🇷👩‍👩‍👧 ｔｒａｄｅ",
    "/trade\u00a02024",
    "/TRADE 2024",
]


@pytest.mark.parametrize("text", HOSTILE)
async def test_hostile_input_is_answered_safely(api: FakeBotAPI, bot: TelegramBot,
                                                text: str) -> None:
    [reply] = await ask(api, BOB, BOB, text)
    assert reply.plain_text
    assert "<script>" not in (reply.text or "")
    assert failed_calls(api) == []


async def test_a_failing_handler_apologises_and_the_bot_goes_on(
        api: FakeBotAPI, session: Session, start_bot: Callable[..., TelegramBot],
        caplog: pytest.LogCaptureFixture) -> None:
    broken = [False]

    def flaky() -> Library:
        if broken[0]:
            broken[0] = False  # fails once
            raise RuntimeError("the data vanished")
        return session.library()

    bot = start_bot(with_session=Session(flaky, session.clock, "en", session.zone))
    await bot.start()
    broken[0] = True
    try:
        [sorry] = await ask(api, ADA, ADA, "/trade")
        [works] = await ask(api, ADA, ADA, "/trade")
    finally:
        await bot.stop()
    assert sorry.plain_text is not None and sorry.plain_text.startswith("Désolé")
    assert "the data vanished" in caplog.text and '"text": "/trade"' in caplog.text
    assert works.plain_text is not None and works.plain_text.startswith("Commerce")


async def test_menus_and_descriptions_in_both_languages(api: FakeBotAPI,
                                                        bot: TelegramBot) -> None:
    fr = {c["command"]: c["description"] for c in api.commands_for("fr")}
    en = {c["command"]: c["description"] for c in api.commands_for("en")}
    default = api.commands_for("")
    assert set(en) == {c.name for c in COMMAND_TABLE if c.in_menu}
    assert set(fr) == {COMMAND_TABLE.shown(c.name, "fr") for c in COMMAND_TABLE if c.in_menu}
    assert {"aide", "resume", "commerce", "evenements", "abonner", "desabonner", "reglages",
            "fuseau", "langue", "articles"} <= set(fr)
    assert fr["commerce"] == ("Commerce\u202f: dernière année complète\u202f; tous les "
                              "chiffres, remarques, sources")
    assert en["trade"] == "Trade: the latest full year; every figure, notes, sources"
    assert default == api.commands_for("en")  # the configured default language
    assert api.descriptions["fr"] == \
        "Notes sur les relations Kazakhstan–France, en français et en anglais."
    assert api.short_descriptions["en"] == \
        "Briefings on Kazakhstan–France relations, in French and English."


async def test_commands_from_many_chats_at_once(api: FakeBotAPI, bot: TelegramBot) -> None:
    users = range(1000, 1030)
    for user in users:
        api.add_user(user, f"U{user}", "en")
    await asyncio.gather(*(ask(api, u, u, "/summary") for u in users))
    assert failed_calls(api) == []


async def test_kept_answers_follow_the_clock(api: FakeBotAPI, bot: TelegramBot,
                                             clock: FixedClock, june15: datetime) -> None:
    first, calendar = await ask(api, BOB, BOB, "/events", count=2)
    same, again = await ask(api, BOB, BOB, "/events", count=2)
    assert first.text == f"{same.text}\n\n<i>{INTRODUCTION.strip()}</i>"  # the first answer
    assert again.files[0].data == calendar.files[0].data
    clock.set(june15)
    [later] = await ask(api, BOB, BOB, "/events")
    assert later.plain_text is not None and "No upcoming event is known." in later.plain_text


async def test_a_reply_waits_out_a_flood_limit(api: FakeBotAPI, bot: TelegramBot) -> None:
    api.rate_limits(per_chat_per_second=1, private_burst=1)
    api.send_message(BOB, BOB, "/help")
    api.send_message(BOB, BOB, "/articles")
    help_, articles = await api.wait_for_messages(BOB, 2, timeout=TIMEOUT)
    assert "/trade" in (help_.plain_text or "") and articles.plain_text != help_.plain_text
    assert failed_calls(api) == ["sendMessage: 429 Too Many Requests: retry after 1"]
    assert articles.time - help_.time >= 0.9  # waited, then sent: no apology


async def test_briefings_name_commands_with_a_slash(api: FakeBotAPI, bot: TelegramBot) -> None:
    """Pointers to other commands are written the way Telegram reads them."""
    text = ""
    for line in ("/articles", "/events", "/trade 1999", "/summary"):
        replies = await ask(api, BOB, BOB, line, count=2 if line == "/events" else 1)
        text += "\n".join(r.plain_text or r.text or "" for r in replies)
    assert "/summary 1" in text and "/events past" in text and "Try /trade 2024" in text
    assert "/articles" in text and wrong_prefix(text, "/") == []


async def test_french_commands_and_the_nearest_one(api: FakeBotAPI, bot: TelegramBot) -> None:
    [aide] = await ask(api, BOB, BOB, "/aide")
    assert aide.plain_text is not None and "/trade [all|notes|sources|year]" in aide.plain_text
    [commerce] = await ask(api, ADA, ADA, "/commerce 2023")
    assert commerce.plain_text is not None and "2023" in commerce.plain_text
    [group] = await ask(api, GROUP, ADA, f"/resume@{BOT_NAME}")
    assert group.plain_text is not None and group.plain_text.startswith("Astana et Paris")
    text, photo = await ask(api, ADA, ADA, "/commerce graphique", count=2)
    assert text.plain_text is not None and text.plain_text.startswith("Commerce")
    assert photo.method == "sendPhoto"
    [aide_fr] = await ask(api, ADA, ADA, "/aide")
    assert aide_fr.plain_text is not None and "/commerce graphique\u202f»" in aide_fr.plain_text
    [accented] = await ask(api, ADA, ADA, "/évènements passés")  # no command entity
    assert accented.plain_text is not None
    assert accented.plain_text.startswith("Kazakhstan–France\u202f: événements passés")
    [typo] = await ask(api, ADA, ADA, "/comerce")
    assert typo.plain_text == (
        "Commande inconnue\u202f: /comerce. Vouliez-vous dire /commerce\u202f?")
    assert failed_calls(api) == []
