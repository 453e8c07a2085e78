"""Articles editors send the Telegram bot directly, in their private chat: a forwarded post,
pasted text or a link, drafted and shown for review with its buttons (``/article`` does the
same as a command, on every network)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from telegram import Update
from telegram.ext import ContextTypes, MessageHandler, filters

from bot.core.commands import COMMANDS
from bot.telegram.transport import send_reply

if TYPE_CHECKING:
    from bot.telegram.handlers import Handlers

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
        request = await self.handlers.request(context.bot, message)
        command = COMMANDS.get("article")
        assert command is not None
        reply = await command.handler(request.ctx, [text])
        markup = self.handlers.buttons.markup(reply.buttons, request.ctx.library)
        await send_reply(context.bot, request.to, reply.message, markup=markup)
