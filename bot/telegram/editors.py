"""Articles editors send the Telegram bot directly, in their private chat: a forwarded post,
pasted text or a link, drafted and shown for review with its buttons. It is ``/article``
through the core, so every network's editors have the same (Matrix: ``!article``)."""

from __future__ import annotations

import re
from typing import Protocol

from telegram import Bot, InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes, MessageHandler, filters

from bot.core.command_table import Buttons
from bot.core.library import Library
from bot.core.network import ChatRef
from bot.core.request import Request
from bot.core.session import Session
from bot.telegram.transport import Outgoing, send_reply


class _Buttons(Protocol):
    """What this needs of bot.telegram.buttons.ButtonPresses."""

    def markup(self, buttons: Buttons, library: Library) -> InlineKeyboardMarkup | None: ...


class Handlers(Protocol):
    """What this needs of bot.telegram.handlers.Handlers."""

    @property
    def session(self) -> Session: ...

    @property
    def buttons(self) -> _Buttons: ...

    async def request(self, bot: Bot, message: Message) -> Request: ...

    def outgoing(self, message: Message, ref: ChatRef) -> Outgoing: ...

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None: ...

ARTICLE_LENGTH = 400  # characters: shorter pasted text is a chat message, not an article
_LINK = re.compile(r"^\s*https?://\S+\s*$")


def editor_ids(editors: frozenset[str]) -> frozenset[int]:
    """The Telegram user ids among BILAT_EDITORS (``telegram:<id>``)."""
    return frozenset(int(e.split(":", 1)[1]) for e in editors if e.startswith("telegram:"))


def is_article(text: str, forwarded: bool) -> bool:
    """A forwarded post, a lone link or a long text: something to draft."""
    return bool(text.strip()) and (forwarded or bool(_LINK.match(text))
                                   or len(text) >= ARTICLE_LENGTH)


class EditorSubmissions:
    """Drafts what editors send; anything else goes on to the usual private-chat answer."""

    def __init__(self, handlers: Handlers, editors: frozenset[int]) -> None:
        self.handlers = handlers
        self.editors = editors

    def handler(self) -> MessageHandler:  # type: ignore[type-arg]
        """Editors' non-command messages in their private chat."""
        return MessageHandler(
            filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE
            & filters.User(user_id=self.editors) & (filters.FORWARDED | filters.TEXT)
            & ~filters.COMMAND, self.on_message)

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Draft the article, or answer as to anyone's text."""
        message = update.effective_message
        if message is None:
            return
        text = message.text or message.caption or ""
        if not is_article(text, message.forward_origin is not None):
            await self.handlers.on_text(update, context)
            return
        handlers = self.handlers
        request = await handlers.request(context.bot, message)
        answer = await handlers.session.answer(request, f"/article {text}")
        if answer is None:
            return
        reply = answer.reply
        markup = handlers.buttons.markup(reply.buttons, handlers.session.library())
        await send_reply(context.bot, handlers.outgoing(message, request.chat), reply.message,
                         reply.attachments, markup)
