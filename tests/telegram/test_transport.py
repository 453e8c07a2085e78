"""The delivery transport: splitting, topics, files, and every Bot API error mapped.

Unit-level: PTB's real Bot parses canned Bot API answers from a request recorder (no server);
the end-to-end tests (commands, membership, ``bilat run``) send through the same code over HTTP.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram.error import TimedOut

from bot.core.network import Attachment, ChatRef, DeliveryError
from bot.core.render import Rendered
from bot.telegram.transport import TelegramTransport, delivery_error
from tests.fakes.botapi import parse_html
from tests.fakes.recorder import RecordingRequest, recording_bot
from tests.support.telegram import BOB, CHANNEL, FORUM, GROUP

RequestAndTransport = tuple[RecordingRequest, TelegramTransport]


@pytest.fixture
async def wire() -> AsyncIterator[RequestAndTransport]:
    """A transport on an initialized PTB Bot whose requests a recorder answers."""
    bot, request = recording_bot()
    async with bot:
        yield request, TelegramTransport(bot)


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
        wire: RequestAndTransport) -> None:
    request, transport = wire
    words = " ".join(f"<b>mot{i}</b> &amp; <i>word</i>" for i in range(900))
    message = Rendered.from_html(f"<blockquote>{words}</blockquote>")
    first = await transport.send(to(BOB), message)
    parts = request.sent("sendMessage")
    assert len(parts) >= 3 and first == "1"  # the first part's message id
    visible = []
    for part in parts:
        assert part.params["parse_mode"] == "HTML"
        plain, _ = parse_html(part.text or "")  # each part is valid on its own
        assert len(plain) <= 4096
        visible.append(plain)
    assert "".join(visible).replace(" ", "") == message.text.replace(" ", "")


async def test_topic_and_files(wire: RequestAndTransport) -> None:
    request, transport = wire
    files = [Attachment("a.ics", "text/calendar", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),
             Attachment("chart.png", "image/png", b"\x89PNG\r\n\x1a\n")]
    await transport.send(to(FORUM, 7), Rendered.from_html("<i>topic</i>"), files)
    text, document, photo = request.sent()
    assert [c.method for c in (text, document, photo)] == [
        "sendMessage", "sendDocument", "sendPhoto"]
    assert {c.params["message_thread_id"] for c in (text, document, photo)} == {7}
    assert document.files == {"a.ics": files[0].data}
    assert photo.files == {"chart.png": files[1].data}
    assert transport.is_group(to(FORUM)) and not transport.is_group(to(BOB))


async def test_markup_telegram_refuses_is_sent_as_plain_text(
        wire: RequestAndTransport) -> None:
    request, transport = wire
    request.fail("sendMessage", 400, "Bad Request: can't parse entities: unsupported start "
                 'tag "foo" at byte offset 0')
    await transport.send(to(BOB), Rendered("<foo>Tom &amp; Jerry</foo> <b>bold</b>",
                                           "Tom & Jerry bold"))
    refused, sent = request.sent("sendMessage")
    assert refused.params["parse_mode"] == "HTML"
    assert sent.text == "Tom & Jerry bold" and "parse_mode" not in sent.params


async def test_flood_limit_is_rate_limited_for_that_chat(wire: RequestAndTransport) -> None:
    request, transport = wire
    request.fail("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    error = await failure(transport, to(BOB))
    assert (error.kind, error.retry_after) == ("rate_limited", 7.0)


async def test_parts_after_the_first_wait_out_a_flood_limit(wire: RequestAndTransport) -> None:
    request, transport = wire
    message = Rendered.from_html(" ".join(["mot"] * 1500))  # two parts
    request.answer("sendMessage", {"message_id": 1, "date": 0, "chat": {"id": BOB,
                                                                         "type": "private"}})
    request.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    await transport.send(to(BOB), message)  # no error: the second part was sent after 1 s
    first, limited, second = request.sent("sendMessage")
    assert limited.text == second.text != first.text


@pytest.mark.parametrize(("chat", "status", "description"), [
    (BOB, 403, "Forbidden: bot was blocked by the user"),
    (424242, 400, "Bad Request: chat not found"),
    (FORUM, 400, "Bad Request: TOPIC_CLOSED"),
    (FORUM, 400, "Bad Request: message thread not found"),
    (CHANNEL, 400, "Bad Request: need administrator rights in the channel chat"),
    (GROUP, 403, "Forbidden: bot was kicked from the group chat"),
    (GROUP, 400, "Bad Request: not enough rights to send text messages to the chat"),
])
async def test_terminal_errors(wire: RequestAndTransport, chat: int, status: int,
                               description: str) -> None:
    request, transport = wire
    request.fail("sendMessage", status, description)
    error = await failure(transport, to(chat, 7 if chat == FORUM else None))
    assert error.kind == "terminal"
    assert description.partition(": ")[2].lower() in error.detail.lower()


async def test_migrated_group_gives_the_new_id(wire: RequestAndTransport) -> None:
    request, transport = wire
    request.fail("sendMessage", 400, "Bad Request: group chat was upgraded to a supergroup chat",
                 migrate_to_chat_id=-1008888)
    error = await failure(transport, to(GROUP))
    assert (error.kind, error.new_chat_id) == ("migrated", "-1008888")


@pytest.mark.parametrize(("status", "description"), [
    (500, "Internal Server Error"), (502, "Bad Gateway"), (504, "Gateway Timeout")])
async def test_server_errors_are_transient(wire: RequestAndTransport, status: int,
                                           description: str) -> None:
    request, transport = wire
    request.fail("sendMessage", status, description)
    assert (await failure(transport, to(BOB))).kind == "transient"
    assert await transport.send(to(BOB), Rendered.from_html("again"))


async def test_an_unexpected_refusal_is_unknown(wire: RequestAndTransport) -> None:
    request, transport = wire
    request.fail("sendMessage", 400, "Bad Request: MESSAGE_EMPTY")
    assert (await failure(transport, to(BOB))).kind == "unknown"


def test_timeouts_are_transient() -> None:
    assert delivery_error(TimedOut()).kind == "transient"
