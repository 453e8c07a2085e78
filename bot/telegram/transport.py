"""Sending to Telegram: split at 4096 visible characters, topics, files, errors mapped.

Replies and scheduled pushes take the same path (``send_rendered``); ``TelegramTransport`` is
the delivery core's view of it, raising ``DeliveryError`` with the kind the sender acts on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import lru_cache, partial
from typing import TypeVar

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.core.network import Attachment, ChatRef, DeliveryError, Limits
from bot.core.render import Rendered, split, to_text

log = logging.getLogger(__name__)

NETWORK = "telegram"
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
PATIENCE_SECONDS = 30.0  # longer flood waits are raised, not slept through
TRIES, REPLY_TRIES = 3, 5  # sends of one part through flood waits: a push, a reply
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
T = TypeVar("T")
TELEGRAM_LIMITS = Limits(global_per_second=30.0, per_chat_per_second=1.0,
                         per_group_per_minute=20.0, message_length=MESSAGE_LIMIT,
                         count_visible=True)
# BadRequest descriptions that mean the bot can no longer post in that chat or topic.
TERMINAL_BAD_REQUESTS = ("chat not found", "topic_closed", "topic_deleted",
                         "message thread not found", "need administrator rights",
                         "not enough rights", "have no rights to send", "chat_write_forbidden",
                         "user is deactivated", "peer_id_invalid", "group chat was deactivated")


@dataclass(frozen=True)
class Outgoing:
    """Where a message goes: chat, forum topic, and the message it answers (if any)."""

    chat_id: int | str
    thread_id: int | None = None
    reply_to: int | None = None
    quiet: bool = False  # no notification sound (a subscriber's silent delivery)

    @classmethod
    def of(cls, chat: ChatRef) -> Outgoing:
        """The destination of a delivery ChatRef."""
        thread = int(chat.thread_id) if chat.thread_id else None
        target: int | str = int(chat.chat_id) if _is_int(chat.chat_id) else chat.chat_id
        return cls(target, thread)

    def reply(self) -> ReplyParameters | None:
        """Reply parameters that never fail when the original message is gone."""
        if self.reply_to is None:
            return None
        return ReplyParameters(self.reply_to, allow_sending_without_reply=True)


def _is_int(text: str) -> bool:
    return text.lstrip("-").isdigit()


def chunks(message: Rendered, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The message's HTML cut into sendable parts (Telegram counts the visible text)."""
    return list(_split(message.html, limit))


@lru_cache(maxsize=256)
def _split(markup: str, limit: int) -> tuple[str, ...]:
    # Measuring means parsing the HTML: a briefing sent to many chats is parsed once.
    return tuple(split(markup, limit, visible=True))


async def send_rendered(bot: Bot, to: Outgoing, message: Rendered,
                        attachments: Sequence[Attachment] = (),
                        markup: InlineKeyboardMarkup | None = None,
                        patient: bool = False) -> list[Message]:
    """Send a message (in parts if long) then its files; return what Telegram accepted.

    A part whose markup Telegram refuses ("can't parse entities") is sent again as plain
    text, so a bad entity in article data never loses a briefing. Buttons (``markup``) go
    only under a message sent whole: they switch that one message in place.
    """
    parts = chunks(message)
    buttons = markup if len(parts) == 1 else None
    tries = REPLY_TRIES if patient else TRIES
    first = partial(_send_part, bot, to, parts[0], to.reply(), buttons) if parts else None
    # A reply (``patient``) sits out a flood wait on its first part too; a push raises it,
    # and the sender's queue waits instead.
    sent = [await (_patiently(first, tries) if patient else first())] if first else []
    # Once the first part is out, a flood wait is sat out here rather than raised: raising
    # would make the caller retry the whole message and repeat the parts already sent.
    for part in parts[1:]:
        sent.append(await _patiently(partial(_send_part, bot, to, part, None), tries))
    for attachment in attachments:
        sent.append(await _patiently(partial(send_attachment, bot, to, attachment), tries))
    return sent


async def send_reply(bot: Bot, to: Outgoing, message: Rendered,
                     attachments: Sequence[Attachment] = (),
                     markup: InlineKeyboardMarkup | None = None) -> list[Message]:
    """Answer a command: like ``send_rendered``, but a short flood wait is sat out here.

    A pushed message goes back to the sender's queue on RetryAfter; a reply has no queue,
    and the person who asked is waiting for it. Each part waits on its own, so a flood
    wait on a later part never sends the earlier ones again. A group that became a
    supergroup since the command gets the answer at its new id.
    """
    try:
        return await send_rendered(bot, to, message, attachments, markup, patient=True)
    except ChatMigrated as exc:
        moved = Outgoing(exc.new_chat_id, to.thread_id)  # the asking message stayed behind
        log.info("telegram chat %s migrated to %s; answering there", to.chat_id, moved.chat_id)
        return await send_rendered(bot, moved, message, attachments, markup, patient=True)


async def _patiently(call: Callable[[], Awaitable[T]], tries: int = TRIES) -> T:
    """Run a send, waiting out short flood limits (RetryAfter) a few times."""
    for _ in range(tries - 1):
        try:
            return await call()
        except RetryAfter as exc:
            wait = _seconds(exc.retry_after)
            if wait > PATIENCE_SECONDS:
                raise
            await asyncio.sleep(wait)
    return await call()


async def _send_part(bot: Bot, to: Outgoing, part: str, reply: ReplyParameters | None,
                     markup: InlineKeyboardMarkup | None = None) -> Message:
    try:
        return await bot.send_message(to.chat_id, part, parse_mode=ParseMode.HTML,
                                      message_thread_id=to.thread_id, reply_parameters=reply,
                                      link_preview_options=NO_PREVIEW, reply_markup=markup,
                                      disable_notification=to.quiet)
    except BadRequest as exc:
        if "can't parse entities" not in str(exc).lower():
            raise
        log.warning("HTML refused by Telegram (%s); sending plain text", exc)
        return await bot.send_message(to.chat_id, to_text(part)[:MESSAGE_LIMIT],
                                      message_thread_id=to.thread_id, reply_parameters=reply,
                                      link_preview_options=NO_PREVIEW, reply_markup=markup,
                                      disable_notification=to.quiet)


async def send_attachment(bot: Bot, to: Outgoing, attachment: Attachment) -> Message:
    """A PNG as a photo, anything else as a document, with its plain caption if any."""
    text = attachment.caption[:CAPTION_LIMIT] if attachment.caption else None
    if attachment.mime == "image/png":
        return await bot.send_photo(to.chat_id, attachment.data, caption=text,
                                    filename=attachment.filename,
                                    message_thread_id=to.thread_id,
                                    disable_notification=to.quiet)
    return await bot.send_document(to.chat_id, attachment.data, caption=text,
                                   filename=attachment.filename,
                                   message_thread_id=to.thread_id,
                                   disable_notification=to.quiet)


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def delivery_error(exc: TelegramError) -> DeliveryError:
    """What a Telegram error means for delivery (see DeliveryError's kinds)."""
    detail = str(exc)
    if isinstance(exc, RetryAfter):
        return DeliveryError("rate_limited", detail, retry_after=_seconds(exc.retry_after))
    if isinstance(exc, ChatMigrated):
        return DeliveryError("migrated", detail, new_chat_id=str(exc.new_chat_id))
    if isinstance(exc, Forbidden):
        return DeliveryError("terminal", detail)
    if isinstance(exc, BadRequest):  # before NetworkError: BadRequest is a subclass of it
        lowered = detail.lower()
        if any(marker in lowered for marker in TERMINAL_BAD_REQUESTS):
            return DeliveryError("terminal", detail)
        return DeliveryError("unknown", detail)
    if isinstance(exc, NetworkError):  # TimedOut included
        return DeliveryError("transient", detail)
    return DeliveryError("unknown", detail)


class TelegramTransport:
    """The delivery core's Telegram: send with Telegram's limits, errors as DeliveryError."""

    network = NETWORK
    limits = TELEGRAM_LIMITS

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat: ChatRef, message: Rendered,
                   attachments: Sequence[Attachment] = ()) -> str:
        """Send one message (split if needed) and its files; the first message's id."""
        return await self._send(Outgoing.of(chat), message, attachments)

    async def send_quietly(self, chat: ChatRef, message: Rendered,
                           attachments: Sequence[Attachment] = ()) -> str:
        """The same without a notification sound (``disable_notification``)."""
        return await self._send(replace(Outgoing.of(chat), quiet=True), message, attachments)

    async def _send(self, to: Outgoing, message: Rendered,
                    attachments: Sequence[Attachment]) -> str:
        try:
            sent = await send_rendered(self.bot, to, message, attachments)
        except TelegramError as exc:
            raise delivery_error(exc) from exc
        return str(sent[0].message_id) if sent else ""

    def is_group(self, chat: ChatRef) -> bool:
        """Groups, supergroups and channels have negative ids on Telegram."""
        return chat.chat_id.startswith("-") or chat.chat_id.startswith("@")
