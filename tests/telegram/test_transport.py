"""The delivery transport over HTTP: splitting, topics, files, and every error mapped."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import TimedOut

from bot.core.network import Attachment, ChatRef, DeliveryError
from bot.core.render import Rendered
from bot.telegram.transport import TelegramTransport, delivery_error
from tests.fakes.botapi import FakeBotAPI, parse_html
from tests.telegram.conftest import BOB, CHANNEL, FORUM, GROUP, TOKEN


@pytest.fixture
async def transport(api: FakeBotAPI) -> AsyncIterator[TelegramTransport]:
    """A transport on an initialized PTB Bot talking to the fake server."""
    async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as bot:
        yield TelegramTransport(bot)


def to(chat_id: int, thread_id: int | None = None) -> ChatRef:
    """A Telegram ChatRef."""
    return ChatRef("telegram", str(chat_id), str(thread_id) if thread_id else None)


async def failure(transport: TelegramTransport, chat: ChatRef,
                  message: Rendered | None = None) -> DeliveryError:
    """The DeliveryError a send raises."""
    with pytest.raises(DeliveryError) as caught:
        await transport.send(chat, message or Rendered.from_html("<b>hi</b>"))
    return caught.value


async def test_long_message_is_split_at_4096_visible_characters(
        api: FakeBotAPI, transport: TelegramTransport) -> None:
    words = " ".join(f"<b>mot{i}</b> &amp; <i>word</i>" for i in range(900))
    message = Rendered.from_html(f"<blockquote>{words}</blockquote>")
    first = await transport.send(to(BOB), message)
    parts = api.messages(BOB)
    assert len(parts) >= 3 and first == str(parts[0].message_id)
    for part in parts:
        assert part.plain_text is not None and len(part.plain_text) <= 4096
        parse_html(part.text or "")  # each part is valid on its own
    assert "".join(p.plain_text or "" for p in parts).replace(" ", "") == \
        message.text.replace(" ", "")


async def test_topic_and_files(api: FakeBotAPI, transport: TelegramTransport) -> None:
    files = [Attachment("a.ics", "text/calendar", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")]
    await transport.send(to(FORUM, 7), Rendered.from_html("<i>topic</i>"), files)
    text, document = api.messages(FORUM)
    assert (text.message_thread_id, document.message_thread_id) == (7, 7)
    assert document.method == "sendDocument" and document.files[0].file_name == "a.ics"
    assert transport.is_group(to(FORUM)) and not transport.is_group(to(BOB))


async def test_markup_telegram_refuses_is_sent_as_plain_text(
        api: FakeBotAPI, transport: TelegramTransport) -> None:
    await transport.send(to(BOB), Rendered("Tom & Jerry <b>bold</b>", "Tom & Jerry bold"))
    [sent] = api.messages(BOB)
    assert sent.plain_text == "Tom & Jerry bold" and sent.parse_mode is None


async def test_flood_limit_is_rate_limited_for_that_chat(
        api: FakeBotAPI, transport: TelegramTransport) -> None:
    api.rate_limits(per_chat_per_second=1, private_burst=1)
    await transport.send(to(BOB), Rendered.from_html("one"))
    error = await failure(transport, to(BOB))
    assert (error.kind, error.retry_after) == ("rate_limited", 1.0)


async def test_parts_after_the_first_wait_out_a_flood_limit(
        api: FakeBotAPI, transport: TelegramTransport) -> None:
    api.rate_limits(per_chat_per_second=2, private_burst=1)
    message = Rendered.from_html(" ".join(["mot"] * 1500))  # two parts
    await transport.send(to(BOB), message)
    assert len(api.messages(BOB)) == 2 and api.count_429 == 1


async def test_terminal_errors(api: FakeBotAPI, transport: TelegramTransport) -> None:
    api.block(BOB)
    assert (await failure(transport, to(BOB))).kind == "terminal"
    assert (await failure(transport, to(424242))).kind == "terminal"  # chat not found
    api.close_topic(FORUM, 7)
    assert (await failure(transport, to(FORUM, 7))).kind == "terminal"
    api.set_member(CHANNEL, api.bot_id, "member")
    closed = await failure(transport, to(CHANNEL))
    assert closed.kind == "terminal" and "administrator" in closed.detail
    api.kick(GROUP)
    assert (await failure(transport, to(GROUP))).kind == "terminal"


async def test_migrated_group_gives_the_new_id(api: FakeBotAPI,
                                               transport: TelegramTransport) -> None:
    api.migrate(GROUP, -1008888)
    error = await failure(transport, to(GROUP))
    assert (error.kind, error.new_chat_id) == ("migrated", "-1008888")


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_server_errors_are_transient(api: FakeBotAPI, transport: TelegramTransport,
                                           status: int) -> None:
    api.fail_next(1, status, methods=["sendMessage"])
    assert (await failure(transport, to(BOB))).kind == "transient"
    await transport.send(to(BOB), Rendered.from_html("again"))


def test_timeouts_are_transient() -> None:
    assert delivery_error(TimedOut()).kind == "transient"
