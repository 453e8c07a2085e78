"""Replies under flood limits and group migration; refusals that name the right party.

Issue 10, items 12 and 13, through PTB's real HTTP stack against the fake Bot API.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core.library import Library
from bot.core.session import Session
from bot.telegram.app import TelegramBot
from tests.fakes.botapi import FakeBotAPI
from tests.support.telegram import ADA, CHANNEL, CHANNEL_HANDLE, GROUP, TIMEOUT, ask

NEW_GROUP = -1009898


async def test_a_429_on_the_second_part_does_not_resend_the_first(
        api: FakeBotAPI, session: Session, start_bot: Callable[..., TelegramBot],
        library: Library) -> None:
    many = Library(tuple(a.model_copy(update={"id": f"{a.id}-{i}"})
                         for i in range(4) for a in library.articles),
                   library.sectors, library.countries)  # /articles takes two messages
    bot = start_bot(with_session=Session(lambda: many, session.clock, "en", session.zone))
    await bot.start()
    try:
        await _two_parts_through_three_flood_waits(api)
    finally:
        await bot.stop()


async def _two_parts_through_three_flood_waits(api: FakeBotAPI) -> None:
    api.latency = 0.05  # the second part leaves after the flood plan below is in place
    api.send_message(ADA, ADA, "/articles")
    [first] = await api.wait_for_messages(ADA, 1, timeout=TIMEOUT)
    api.fail_next(3, 429, methods={"sendMessage"})  # three flood waits on the second part
    parts = await api.wait_for_messages(ADA, 2, timeout=TIMEOUT)
    assert api.count_429 == 3
    assert parts[0].text == first.text
    assert parts[1].text != first.text
    assert len(api.messages(ADA)) == 2  # nothing sent twice
    assert (parts[0].plain_text or "").startswith("Kazakhstan–France\u202f: articles")


async def test_a_group_migrated_before_the_answer_gets_it_at_its_new_id(
        api: FakeBotAPI, bot: TelegramBot) -> None:
    api.latency = 0.05
    api.send_message(GROUP, ADA, "/trade")
    api.migrate(GROUP, NEW_GROUP)  # before the bot could answer in the old group
    [answer] = await api.wait_for_messages(NEW_GROUP, 1, timeout=TIMEOUT)
    assert "Commerce Kazakhstan–France" in (answer.plain_text or "")


async def test_managing_a_channel_bilat_is_not_in_blames_bilat(api: FakeBotAPI,
                                                                bot: TelegramBot) -> None:
    api.set_member(CHANNEL, ADA, "creator")  # the channel's own creator asks
    api.set_member(CHANNEL, api.bot_id, "member")  # in the channel, not its administrator
    # Telegram does not let a bot that is no administrator read a channel's member list
    # (the fake does not model it): the next getChatMember is refused.
    api.fail_next(1, 400, methods={"getChatMember"})
    [answer] = await ask(api, ADA, ADA, f"/subscribe {CHANNEL_HANDLE}")
    assert (answer.plain_text or "").startswith(
        f"Bilat doit être administrateur de {CHANNEL_HANDLE} avec le droit de publier des "
        "messages.")
