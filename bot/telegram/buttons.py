"""Buttons under Telegram answers: the core's ``Reply.buttons`` as an inline keyboard, and
button presses (callback queries) answered by editing the message in place.

A button's ``callback_data`` (at most 64 bytes) is ``<generation>|<language>|<command>``.
The generation names this process (a random start token) and the data in service (a counter
moved on by each reload), so a button from before a restart or a data reload no longer runs:
its press gets a short "send the command again" instead of an answer from other data. Every
press is answered (answerCallbackQuery), so the client's spinner always stops.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import replace

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot.core import i18n
from bot.core.command_table import Buttons
from bot.core.facts import LOCALES
from bot.core.library import Library
from bot.core.phrases import N_
from bot.core.request import Request
from bot.core.session import Session
from bot.telegram.chats import TelegramChats, info_of
from bot.telegram.transport import NO_PREVIEW, chunks

log = logging.getLogger(__name__)

DATA_LIMIT = 64  # bytes of callback_data Telegram accepts
SEPARATOR = "|"
NO_LOCALE = "-"
EXPIRED = N_("This button has expired: send the command again.")
NOT_MODIFIED = "message is not modified"
# The adapter's request for a message, asked by a user (bot.telegram.handlers.Handlers.request).
RequestOf = Callable[[Bot, Message, User | None], Awaitable[Request]]


class ButtonPresses:
    """Mints button data for the library in service, and answers presses on it."""

    def __init__(self, session: Session, chats: TelegramChats, request: RequestOf) -> None:
        self.session = session
        self.chats = chats
        self.request = request
        self.start_token = secrets.token_hex(3)  # new at every start: old buttons expire
        self._library: Library | None = None
        self._serial = 0

    def generation(self, library: Library) -> str:
        """This start's token and the serial of ``library`` (moved on when the data changes)."""
        if library is not self._library:
            self._library = library
            self._serial += 1
        return f"{self.start_token}{self._serial:x}"

    def markup(self, buttons: Buttons, library: Library) -> InlineKeyboardMarkup | None:
        """The inline keyboard of a reply's buttons; a button whose data would not fit is left
        out (Telegram would refuse the whole message)."""
        generation = self.generation(library)
        rows = []
        for row in buttons:
            keys = []
            for button in row:
                data = SEPARATOR.join((generation, button.locale or NO_LOCALE, button.command))
                if len(data.encode()) <= DATA_LIMIT:
                    keys.append(InlineKeyboardButton(button.label, callback_data=data))
                else:
                    log.warning("button %r left out: its data is over %d bytes",
                                button.command, DATA_LIMIT)
            if keys:
                rows.append(keys)
        return InlineKeyboardMarkup(rows) if rows else None

    def handler(self) -> CallbackQueryHandler:  # type: ignore[type-arg]
        """The PTB handler for button presses."""
        return CallbackQueryHandler(self.on_press)

    async def on_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Run the button's command and show its answer in the message, in place."""
        query = update.callback_query
        if query is None:
            return
        notice: str | None = None
        try:
            notice = await self._switch(query, context)
        finally:  # always answered, even after an error: the client's spinner stops
            await query.answer(notice)

    async def _switch(self, query: CallbackQuery,
                      context: ContextTypes.DEFAULT_TYPE) -> str | None:
        """Edit the message to the button's answer; a short notice when the button expired."""
        message = query.message
        if not isinstance(message, Message):  # too old for the bot to see its content
            return await self._expired(query, None)
        fields = (query.data or "").split(SEPARATOR, 2)
        library = self.session.library()
        if len(fields) != 3 or fields[0] != self.generation(library) or (
                fields[1] != NO_LOCALE and fields[1] not in LOCALES):
            return await self._expired(query, message)
        _, locale, command = fields
        request = replace(await self.request(context.bot, message, query.from_user),
                          locale=None if locale == NO_LOCALE else locale)
        answer = await self.session.answer(request, request.network.prefix + command)
        if answer is None:
            return await self._expired(query, message)
        reply = answer.reply
        try:
            await query.edit_message_text(
                chunks(reply.message)[0], parse_mode=ParseMode.HTML,
                reply_markup=self.markup(reply.buttons, library),
                link_preview_options=NO_PREVIEW)
        except BadRequest as exc:
            if NOT_MODIFIED not in str(exc).lower():  # pressed twice: it already shows that
                raise
        return None

    async def _expired(self, query: CallbackQuery, message: Message | None) -> str:
        """The short answer to a press on a button from before a restart or a reload, in
        the chat's language (else the presser's)."""
        found = None
        if message is not None:
            found = await self.chats.find(info_of(message).ref)
        kind = info_of(message).kind if message is not None else "private"
        user = query.from_user if kind != "channel" else None
        locale = self.session.locale(found.locale if found is not None else None,
                                              user.language_code if user else None)
        return i18n.gettext(locale, EXPIRED)
