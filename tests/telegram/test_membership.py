"""Who may manage subscriptions, the bot's membership, and group migration."""

from __future__ import annotations

from bot.core.network import ChatRef
from bot.store import chat_pairs, chats, subscriptions
from bot.store.db import Database
from bot.telegram.app import TelegramBot
from tests.fakes.botapi import FakeBotAPI
from tests.support.telegram import (
    ADA,
    BOB,
    BOT_NAME,
    CHANNEL,
    CHANNEL_HANDLE,
    FORUM,
    GROUP,
    INTRODUCTION,
    INTRODUCTION_FR,
    ask,
    failed_calls,
    post,
)
from tests.support.wait import eventually

REFUSED = "Only this chat’s administrators can change its settings."
REFUSED_FR = "Seuls les administrateurs de cette conversation peuvent en changer les réglages."


def ref(chat_id: int, thread_id: int | None = None) -> ChatRef:
    """The store's key of a Telegram chat."""
    return ChatRef("telegram", str(chat_id), str(thread_id) if thread_id else None)


async def active(db: Database, chat_id: int, thread_id: int | None = None) -> bool | None:
    """The stored subscription's active flag (None: no subscription)."""
    chat = await chats.get(db, ref(chat_id, thread_id))
    found = await subscriptions.get(db, chat.id) if chat else None
    return found.active if found else None


async def followed(db: Database, chat_id: int) -> tuple[tuple[str, str], ...]:
    """The pairs a stored chat follows (none when it is not stored)."""
    chat = await chats.get(db, ref(chat_id))
    return await chat_pairs.get(db, chat.id) if chat else ()


async def test_only_group_admins_subscribe(api: FakeBotAPI, bot: TelegramBot,
                                           db: Database) -> None:
    [refused] = await ask(api, GROUP, BOB, "/subscribe")
    assert refused.plain_text == REFUSED + INTRODUCTION  # the group's first answer
    assert await active(db, GROUP) is None
    [done] = await ask(api, GROUP, ADA, f"/subscribe@{BOT_NAME} daily 09:30")
    assert done.plain_text is not None and "9\u00a0h\u00a030" in done.plain_text
    assert await active(db, GROUP) is True
    [no] = await ask(api, GROUP, BOB, "/unsubscribe")  # the group now speaks Ada's French
    assert no.plain_text == REFUSED_FR and await active(db, GROUP) is True


async def test_anonymous_admin_and_channel_posts_may_manage(api: FakeBotAPI, bot: TelegramBot,
                                                            db: Database) -> None:
    await ask(api, GROUP, None, "/subscribe weekly", anonymous=True)
    assert await active(db, GROUP) is True
    await post(api, CHANNEL, "/subscribe")
    assert await active(db, CHANNEL) is True


async def test_topic_subscription_is_the_topics(api: FakeBotAPI, bot: TelegramBot,
                                                db: Database) -> None:
    [reply] = await ask(api, FORUM, BOB, "/subscribe", thread_id=7)
    assert reply.message_thread_id == 7
    assert await active(db, FORUM, 7) is True and await active(db, FORUM) is None


async def test_channel_managed_from_a_private_chat(api: FakeBotAPI, bot: TelegramBot,
                                                   db: Database) -> None:
    [bob] = await ask(api, BOB, BOB, f"/subscribe {CHANNEL_HANDLE} weekly")
    assert bob.plain_text == f"Only an administrator of {CHANNEL_HANDLE} can manage its " \
        "subscription." + INTRODUCTION  # Bob's first answer
    [missing] = await ask(api, BOB, BOB, "/subscribe @no_such_channel")
    assert missing.plain_text is not None and "@no_such_channel" in missing.plain_text
    assert await active(db, CHANNEL) is None
    [ada] = await ask(api, ADA, ADA, f"/subscribe {CHANNEL_HANDLE} weekly 07:00")
    assert ada.chat_id == ADA and await active(db, CHANNEL) is True
    [settings] = await ask(api, ADA, ADA, f"/settings {CHANNEL_HANDLE}")
    assert settings.plain_text is not None and "7\u00a0h" in settings.plain_text
    api.set_member(CHANNEL, api.bot_id, "member")  # demoted: can no longer post
    [cannot] = await ask(api, ADA, ADA, f"/unsubscribe {CHANNEL_HANDLE}")
    assert cannot.plain_text is not None and CHANNEL_HANDLE in cannot.plain_text
    assert await active(db, CHANNEL) is True
    assert [c.method for c in api.calls if not c.ok] == ["getChat"]  # @no_such_channel


async def test_group_language_is_for_admins(api: FakeBotAPI, bot: TelegramBot) -> None:
    [refused] = await ask(api, GROUP, BOB, "/lang fr")
    assert refused.plain_text == REFUSED + INTRODUCTION
    [done] = await ask(api, GROUP, ADA, "/lang fr")
    assert done.plain_text == "Langue\u202f: français."
    [french] = await ask(api, GROUP, BOB, "/help")  # Bob speaks English; the group is French
    assert french.plain_text is not None and "Notes sur les relations" in french.plain_text


async def test_removal_and_blocking_end_subscriptions(api: FakeBotAPI, bot: TelegramBot,
                                                      db: Database) -> None:
    await ask(api, GROUP, ADA, "/subscribe")
    await ask(api, BOB, BOB, "/subscribe")
    await ask(api, FORUM, BOB, "/subscribe", thread_id=7)
    api.kick(GROUP, by_user_id=ADA, notify=True)
    api.block(BOB, notify=True)
    api.my_chat_member(FORUM, BOB, "member", "left")

    async def all_ended() -> bool:
        return {await active(db, GROUP), await active(db, BOB),
                await active(db, FORUM, 7)} == {False}

    await eventually(all_ended)
    assert (await chats.get(db, ref(GROUP))).status == "kicked"  # type: ignore[union-attr]
    assert (await chats.get(db, ref(BOB))).status == "kicked"  # type: ignore[union-attr]
    assert (await chats.get(db, ref(FORUM, 7))).status == "left"  # type: ignore[union-attr]


async def test_added_and_promoted_are_recorded(api: FakeBotAPI, bot: TelegramBot,
                                               db: Database) -> None:
    api.add_chat(-777, "supergroup", title="Nouveau", bot_status="left")
    api.set_member(-777, ADA, "creator")
    api.my_chat_member(-777, ADA, "left", "member")

    async def status_is(wanted: str) -> bool:
        found = await chats.get(db, ref(-777))
        return found is not None and found.status == wanted

    await eventually(lambda: status_is("member"))
    found = await chats.get(db, ref(-777))
    assert found is not None and found.locale == "fr"  # the adder's language
    api.my_chat_member(-777, ADA, "member", "administrator")
    await eventually(lambda: status_is("admin"))


async def test_migration_keeps_settings_and_subscription(api: FakeBotAPI, bot: TelegramBot,
                                                         db: Database) -> None:
    await ask(api, GROUP, ADA, "/lang fr")
    await ask(api, GROUP, ADA, "/subscribe weekly")
    api.migrate(GROUP, -1009999)

    async def moved() -> bool:
        return await active(db, -1009999) is True and await chats.get(db, ref(GROUP)) is None

    await eventually(moved)
    [reply] = await ask(api, -1009999, BOB, "/trade")
    assert reply.plain_text is not None and reply.plain_text.startswith("Commerce")
    assert failed_calls(api) == []


async def test_channel_follows_a_pair_from_a_private_chat(api: FakeBotAPI, bot: TelegramBot,
                                                          db: Database) -> None:
    [bob] = await ask(api, BOB, BOB, f"/follow {CHANNEL_HANDLE} DE")
    assert bob.plain_text == f"Only an administrator of {CHANNEL_HANDLE} can manage its " \
        "subscription." + INTRODUCTION  # the same rights as /subscribe @channel
    [ada] = await ask(api, ADA, ADA, f"/follow {CHANNEL_HANDLE} DE")
    assert ada.chat_id == ADA
    assert ada.plain_text == "Cette conversation suit désormais Kazakhstan–Allemagne." + \
        INTRODUCTION_FR  # Ada speaks French; her own chat's first answer
    assert await followed(db, CHANNEL) == (("KZ", "DE"),)
    assert await followed(db, ADA) == ()  # Ada's own chat still sees the default
    [again] = await ask(api, ADA, ADA, f"/suivre {CHANNEL_HANDLE} Ouzbékistan")
    assert again.plain_text == \
        "Cette conversation suit désormais Kazakhstan–Allemagne et Ouzbékistan–France."
    api.set_member(CHANNEL, api.bot_id, "member")  # demoted: can no longer post
    [cannot] = await ask(api, ADA, ADA, f"/unfollow {CHANNEL_HANDLE} DE")
    assert cannot.plain_text is not None and CHANNEL_HANDLE in cannot.plain_text
    assert await followed(db, CHANNEL) == (("KZ", "DE"), ("UZ", "FR"))
