"""Prove FakeBotAPI against the real python-telegram-bot client stack."""

from __future__ import annotations

import asyncio
import datetime as dtm
import struct
import zlib
from collections.abc import AsyncIterator
from time import monotonic

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    EndPointNotFound,
    Forbidden,
    NetworkError,
    RetryAfter,
)
from telegram.ext import Application, CommandHandler, ContextTypes

from tests.fakes.botapi import FakeBotAPI, parse_html

TOKEN = "123456:TEST-token"
USER = 111
FORUM = -1001234
GROUP = -4242
CHANNEL = -1005555


def tiny_png(width: int = 2, height: int = 1) -> bytes:
    """Return a valid PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    """A running fake server with one user, a forum, a group and a channel."""
    async with FakeBotAPI(token=TOKEN) as server:
        server.add_user(USER, "Ada", "fr", username="ada")
        server.add_chat(FORUM, "supergroup", title="Forum", is_forum=True)
        server.add_chat(GROUP, "group", title="Group")
        server.add_chat(CHANNEL, "channel", title="News", username="bilat_news")
        server.set_member(GROUP, USER, "creator")
        yield server


@pytest.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    """An initialized PTB Bot talking to the fake server."""
    async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as client:
        yield client


async def test_get_me(bot: Bot, api: FakeBotAPI) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "BilatTestBot", True)
    assert api.calls[0].method == "getMe"


async def test_send_html_message_is_parsed_and_recorded(bot: Bot, api: FakeBotAPI) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go")]])
    message = await bot.send_message(
        FORUM,
        "<b>Brief</b> &amp; <i>news</i>",
        parse_mode=ParseMode.HTML,
        message_thread_id=7,
        reply_markup=markup,
    )
    assert message.text == "Brief & news"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("bold", 0, 5),
        ("italic", 8, 4),
    ]
    assert message.message_thread_id == 7
    [record] = api.messages(FORUM, thread_id=7)
    assert record.text == "<b>Brief</b> &amp; <i>news</i>"
    assert record.plain_text == "Brief & news"
    assert record.parse_mode == "HTML"
    assert record.reply_markup == {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("a < b", 'Can\'t parse entities: unsupported start tag "" at byte offset 2'),
        ("x<br>y", 'Can\'t parse entities: unsupported start tag "br" at byte offset 1'),
        ("<b>open", "Can't parse entities: can't find end tag corresponding to start tag \"b\""),
        (
            "<b>x</i>",
            "Can't parse entities: unmatched end tag at byte offset 4, "
            'expected "</b>", found "</i>"',
        ),
        ("AT&T", 'Can\'t parse entities: unescaped "&" at byte offset 2'),
        (
            '<span class="x">s</span>',
            'Can\'t parse entities: tag "span" must have class "tg-spoiler" at byte offset 0',
        ),
    ],
)
async def test_invalid_html_is_rejected(bot: Bot, api: FakeBotAPI, text: str, error: str) -> None:
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(USER, text, parse_mode=ParseMode.HTML)
    assert caught.value.message == error
    assert api.messages(USER) == []
    assert api.calls[-1].description is not None
    assert api.calls[-1].description.startswith("Bad Request: can't parse entities: ")


def test_html_parser_supports_telegram_tags() -> None:
    html = (
        '<pre><code class="language-python">x</code></pre><a href="https://e.x/?a=1&amp;b">l</a>'
        "<blockquote expandable>q</blockquote><tg-spoiler>s</tg-spoiler>&#128512;"
    )
    plain, entities = parse_html(html)
    assert plain == "xlqs\U0001f600"
    assert entities == [
        {"type": "pre", "offset": 0, "length": 1, "language": "python"},
        {"type": "text_link", "offset": 1, "length": 1, "url": "https://e.x/?a=1&b"},
        {"type": "expandable_blockquote", "offset": 2, "length": 1},
        {"type": "spoiler", "offset": 3, "length": 1},
    ]


async def test_length_and_empty_limits(bot: Bot, api: FakeBotAPI) -> None:
    with pytest.raises(BadRequest, match=r"^Message is too long$"):
        await bot.send_message(USER, "a" * 4097)
    await bot.send_message(USER, "<b>" + "a" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"^Message text is empty$"):
        await bot.send_message(USER, "<b></b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"^Message caption is too long$"):
        await bot.send_photo(USER, tiny_png(), caption="c" * 1025)
    assert len(api.messages(USER)) == 1


async def test_flood_limit_surfaces_as_retry_after(
    bot: Bot, api: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # PTB 22 warns on int retry_after otherwise
    api.rate_limits(enabled=True, per_chat_per_second=1, private_burst=1)
    await bot.send_message(USER, "one")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "two")
    assert caught.value.retry_after == dtm.timedelta(seconds=1)
    assert api.count_429 == 1
    assert api.calls[-1].description == "Too Many Requests: retry after 1"
    api.rate_limits(enabled=False)
    await bot.send_message(USER, "three")


async def test_group_flood_limit(
    bot: Bot, api: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    api.rate_limits(per_group_per_minute=3)
    for index in range(3):
        await bot.send_message(GROUP, f"m{index}")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(GROUP, "too many")
    assert caught.value.retry_after == dtm.timedelta(seconds=20)


async def test_forbidden_and_missing_chats(bot: Bot, api: FakeBotAPI) -> None:
    api.block(USER)
    with pytest.raises(Forbidden, match=r"^Forbidden: bot was blocked by the user$"):
        await bot.send_message(USER, "hi")
    assert (await bot.get_chat(USER)).first_name == "Ada"
    api.kick(FORUM)
    with pytest.raises(Forbidden, match=r"^Forbidden: bot was kicked from the supergroup chat$"):
        await bot.send_message(FORUM, "hi")
    api.kick(GROUP)
    with pytest.raises(Forbidden, match=r"^Forbidden: bot was kicked from the group chat$"):
        await bot.send_message(GROUP, "hi")
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.send_message(999, "hi")


async def test_channel_needs_admin_rights(bot: Bot, api: FakeBotAPI) -> None:
    message = await bot.send_message("@bilat_news", "post")
    assert message.sender_chat is not None and message.sender_chat.id == CHANNEL
    api.set_member(CHANNEL, api.bot_id, "member")
    with pytest.raises(BadRequest, match=r"^Need administrator rights in the channel chat$"):
        await bot.send_message(CHANNEL, "post")


async def test_closed_topic(bot: Bot, api: FakeBotAPI) -> None:
    api.close_topic(FORUM, 7)
    with pytest.raises(BadRequest, match=r"^Topic_closed$"):
        await bot.send_message(FORUM, "hi", message_thread_id=7)
    await bot.send_message(FORUM, "hi", message_thread_id=8)


async def test_migration_raises_chat_migrated(bot: Bot, api: FakeBotAPI) -> None:
    to_update, from_update = api.migrate(GROUP, -1009999)
    assert to_update["message"]["migrate_to_chat_id"] == -1009999
    assert from_update["message"]["migrate_from_chat_id"] == GROUP
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(GROUP, "hi")
    assert caught.value.new_chat_id == -1009999
    updates = await bot.get_updates(timeout=0)
    assert [u.message.migrate_to_chat_id for u in updates if u.message] == [-1009999, None]
    assert (await bot.send_message(-1009999, "hi")).chat.type == "supergroup"


async def test_send_document_and_photo_with_bytes(bot: Bot, api: FakeBotAPI) -> None:
    doc = await bot.send_document(
        USER, b"%PDF-1.4 brief", filename="brief.pdf", caption="<i>x</i>", parse_mode="HTML"
    )
    assert doc.document is not None and doc.document.file_name == "brief.pdf"
    assert doc.document.mime_type == "application/pdf"
    photo = await bot.send_photo(USER, tiny_png(3, 2), filename="chart.png")
    assert (photo.photo[-1].width, photo.photo[-1].height) == (3, 2)
    first, second = api.messages(USER)
    assert first.files[0].data == b"%PDF-1.4 brief" and first.plain_text == "x"
    assert second.files[0].file_name == "chart.png"
    assert api.files[doc.document.file_id].data == b"%PDF-1.4 brief"
    with pytest.raises(BadRequest, match=r"^Image_process_failed$"):
        await bot.send_photo(USER, b"not an image")


async def test_commands_per_language_and_scope(bot: Bot, api: FakeBotAPI) -> None:
    await bot.set_my_commands([BotCommand("brief", "Le point du jour")], language_code="fr")
    await bot.set_my_commands([BotCommand("brief", "Daily brief")])
    await bot.set_my_commands(
        [BotCommand("admin", "Admin")], scope=BotCommandScopeChat(GROUP), language_code="en"
    )
    assert [c["description"] for c in api.commands_for("fr")] == ["Le point du jour"]
    assert [c["description"] for c in api.commands_for()] == ["Daily brief"]
    assert api.commands_for("de") == []
    scoped = api.commands_for("en", {"type": "chat", "chat_id": GROUP})
    assert [c["command"] for c in scoped] == ["admin"]
    await bot.set_my_commands([], language_code="fr")
    assert api.commands_for("fr") == []
    with pytest.raises(BadRequest, match=r"^Bot_command_invalid$"):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])
    assert await bot.set_my_description("Bilat", language_code="fr")
    assert api.descriptions == {"fr": "Bilat"}
    assert await bot.set_my_short_description("court")
    assert api.short_descriptions == {"": "court"}


async def test_inline_query_answers(bot: Bot, api: FakeBotAPI) -> None:
    def article(index: int, text: str = "<b>ok</b>") -> InlineQueryResultArticle:
        content = InputTextMessageContent(text, parse_mode=ParseMode.HTML)
        return InlineQueryResultArticle(str(index), f"t{index}", content)

    query_id = api.inline_query(USER, "brief")
    with pytest.raises(BadRequest, match=r"^Results_too_much$"):
        await bot.answer_inline_query(query_id, [article(i) for i in range(51)])
    with pytest.raises(BadRequest, match=r"^Can't parse entities"):
        await bot.answer_inline_query(query_id, [article(1, "<b>broken")])
    assert await bot.answer_inline_query(query_id, [article(i) for i in range(50)])
    assert len(api.inline_answers[query_id]) == 50
    with pytest.raises(BadRequest, match=r"^Query is too old"):
        await bot.answer_inline_query(query_id, [article(1)])


async def test_edit_message_text(bot: Bot, api: FakeBotAPI) -> None:
    sent = await bot.send_message(USER, "draft")
    edited = await bot.edit_message_text("<b>final</b>", USER, sent.message_id, parse_mode="HTML")
    assert not isinstance(edited, bool) and edited.text == "final"
    assert api.get_message(USER, sent.message_id)["text"] == "final"
    with pytest.raises(BadRequest, match=r"^Message is not modified"):
        await bot.edit_message_text("<b>final</b>", USER, sent.message_id, parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await bot.edit_message_text("x", USER, 999)


async def test_edit_message_reply_markup(bot: Bot, api: FakeBotAPI) -> None:
    one = InlineKeyboardMarkup([[InlineKeyboardButton("Fr", callback_data="fr")]])
    two = InlineKeyboardMarkup([[InlineKeyboardButton("En", callback_data="en")]])
    sent = await bot.send_message(USER, "pick", reply_markup=one)
    edited = await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=two)
    assert not isinstance(edited, bool) and edited.reply_markup == two
    assert edited.text == "pick"
    with pytest.raises(BadRequest, match=r"^Message is not modified"):
        await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=two)
    await bot.edit_message_reply_markup(USER, sent.message_id)
    assert "reply_markup" not in api.get_message(USER, sent.message_id)
    assert [r.method for r in api.sent[-2:]] == ["editMessageReplyMarkup"] * 2
    users = api.send_message(USER, USER, "hi")["message"]["message_id"]
    with pytest.raises(BadRequest, match=r"^Message can't be edited$"):
        await bot.edit_message_reply_markup(USER, users, reply_markup=one)


async def test_chat_and_members(bot: Bot, api: FakeBotAPI) -> None:
    chat = await bot.get_chat(FORUM)
    assert (chat.type, chat.title, chat.is_forum) == ("supergroup", "Forum", True)
    member = await bot.get_chat_member(GROUP, USER)
    assert member.status == "creator"
    api.set_member(GROUP, api.bot_id, "left")
    with pytest.raises(Forbidden, match=r"^Forbidden: bot is not a member of the group chat$"):
        await bot.send_message(GROUP, "hi")


async def test_server_errors(bot: Bot, api: FakeBotAPI) -> None:
    api.fail_next(1, status=500)
    with pytest.raises(NetworkError, match=r"^Internal Server Error$"):
        await bot.send_message(USER, "x")
    api.fail_next(1, status=502)
    with pytest.raises(NetworkError, match=r"^Bad Gateway \(502\)"):
        await bot.send_message(USER, "x")
    api.fail_for(0.2)
    with pytest.raises(NetworkError):
        await bot.get_me()
    await asyncio.sleep(0.25)
    await bot.send_message(USER, "back")
    assert [r.plain_text for r in api.messages(USER)] == ["back"]


async def test_raw_http_shapes(api: FakeBotAPI, bot: Bot) -> None:
    base = f"{api.base_url}{TOKEN}"
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/GETME") as response:
            assert (await response.json())["result"]["id"] == 123456
        async with session.post(f"{base}/leaveChat") as response:  # Bilat never calls it
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }
        json_body = {"chat_id": USER, "text": "json"}
        async with session.post(f"{base}/sendMessage", json=json_body) as response:
            assert (await response.json())["result"]["text"] == "json"
        async with session.post(f"{base}/sendmessage", data={"chat_id": "42", "text": "x"}) as r:
            assert await r.json() == {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: chat not found",
            }
        async with session.get(f"{api.base_url}999:wrong/getMe") as response:
            assert response.status == 401
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("fooBar")


async def test_long_polling_waits_and_confirms(bot: Bot, api: FakeBotAPI) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=3))
    await asyncio.sleep(0.1)
    assert not poll.done()
    started = monotonic()
    injected = api.send_message(USER, USER, "/start@BilatTestBot now")
    [update] = await poll
    assert monotonic() - started < 1
    assert update.update_id == injected["update_id"]
    assert update.message is not None and update.message.text == "/start@BilatTestBot now"
    assert update.message.entities[0].type == "bot_command"
    assert update.message.entities[0].length == len("/start@BilatTestBot")
    assert update.update_id in api.delivered_at
    second = api.send_message(FORUM, USER, "hello", message_thread_id=3)
    updates = await bot.get_updates(offset=update.update_id + 1, timeout=0)
    assert [u.update_id for u in updates] == [second["update_id"]]
    assert updates[0].message is not None and updates[0].message.is_topic_message
    assert await bot.get_updates(offset=second["update_id"] + 1, timeout=0) == ()
    assert api.pending_updates == []


async def test_update_kinds_decode(bot: Bot, api: FakeBotAPI) -> None:
    api.send_message(GROUP, None, "anon", anonymous=True)
    api.send_channel_post(CHANNEL, "post")
    api.my_chat_member(FORUM, USER, "member", "administrator")
    sent = await bot.send_message(
        USER,
        "pick",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]]),
    )
    query_id = api.callback_query(USER, USER, sent.message_id, "a")
    api.edit_message(GROUP, 1, "anon edited")
    updates = await bot.get_updates(timeout=0)
    anon, post, member, callback, edited = updates
    assert anon.message and anon.message.from_user and anon.message.sender_chat
    assert anon.message.from_user.id == 1087968824 and anon.message.sender_chat.id == GROUP
    assert post.channel_post is not None and post.channel_post.text == "post"
    assert member.my_chat_member is not None
    assert member.my_chat_member.new_chat_member.status == "administrator"
    assert callback.callback_query is not None and callback.callback_query.data == "a"
    assert edited.edited_message is not None and edited.edited_message.text == "anon edited"
    assert await bot.answer_callback_query(query_id, text="ok")
    assert api.sent[-1].extra["text"] == "ok"


async def test_restart_keeps_state(bot: Bot, api: FakeBotAPI) -> None:
    port = api.port
    await bot.send_message(USER, "before")
    await api.restart()
    assert api.port == port
    await bot.send_message(USER, "after")
    assert [r.plain_text for r in api.messages(USER)] == ["before", "after"]


async def test_application_polling_echo(api: FakeBotAPI) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None and update.effective_user is not None
        await update.effective_message.reply_html(f"<b>Bonjour</b> {update.effective_user.id}")

    app = (
        Application.builder()
        .token(TOKEN)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        api.send_message(USER, USER, "/start")
        [reply] = await api.wait_for_messages(USER, timeout=5)
        record = await api.wait_for(lambda r: r.method == "sendMessage", timeout=1)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert reply is record
    assert reply.plain_text == f"Bonjour {USER}"
    assert (reply.chat_id, reply.parse_mode) == (USER, "HTML")
    assert api.pending_updates == []
