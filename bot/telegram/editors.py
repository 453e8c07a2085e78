"""Articles editors send the Telegram bot directly, in their private chat: a forwarded post,
pasted text, a link, or an ``.html``/``.txt`` document (fetched with getFile, up to
``MAX_DOCUMENT_BYTES``), drafted and shown for review with its buttons. It is ``/article``
through the core, so every network's editors have the same (Matrix: ``!article``)."""

from __future__ import annotations

import html
import re
from pathlib import PurePosixPath
from typing import Protocol

from telegram import Bot, Document, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes, MessageHandler, filters

from bot.core import i18n
from bot.core.command_table import Buttons
from bot.core.library import Library
from bot.core.network import ChatRef
from bot.core.phrases import N_
from bot.core.render import Rendered
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

MAX_DOCUMENT_BYTES = 1_000_000  # an article page is far smaller; more is not an article
DOCUMENT_SUFFIXES = frozenset({".html", ".htm", ".txt"})
DOCUMENT_TYPES = frozenset({"text/html", "text/plain"})
NOT_ARTICLE = N_("I draft only .html and .txt documents. Send the article as one of those, "
                 "as a link, or paste its text.")
TOO_BIG = N_("That document is too big to be an article ({size} KB; at most {limit} KB).")
UNREADABLE = N_("I could not download that document ({problem}). Send it again, or send a "
                "link.")
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
            & filters.User(user_id=self.editors)
            & (filters.FORWARDED | filters.TEXT | filters.Document.ALL)
            & ~filters.COMMAND, self.on_message)

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Draft the article, or answer as to anyone's text."""
        message = update.effective_message
        if message is None:
            return
        handlers = self.handlers
        if message.document is not None:
            request = await handlers.request(context.bot, message)
            text, refusal = await read_document(context.bot, message.document)
            if refusal is not None:
                locale = handlers.session.locale(request.settings.locale, request.language_code)
                await send_reply(context.bot, handlers.outgoing(message, request.chat),
                                 Rendered.from_html(html.escape(refusal.translated(locale),
                                                                quote=False)))
                return
        else:
            text = message.text or message.caption or ""
            if not is_article(text, message.forward_origin is not None):
                await handlers.on_text(update, context)
                return
            request = await handlers.request(context.bot, message)
        answer = await handlers.session.answer(request, f"/article {text}")
        if answer is None:
            return
        reply = answer.reply
        markup = handlers.buttons.markup(reply.buttons, handlers.session.library())
        await send_reply(context.bot, handlers.outgoing(message, request.chat), reply.message,
                         reply.attachments, markup)


class Refusal:
    """Why a document is not drafted, in the editor's language when said."""

    def __init__(self, msgid: str, **params: object) -> None:
        self.msgid = msgid
        self.params = params

    def translated(self, locale: str) -> str:
        """The refusal in ``locale``."""
        return i18n.gettext(locale, self.msgid).format(**self.params)


def is_document_article(document: Document) -> bool:
    """An HTML or plain-text file, by its name or, without one, its type."""
    if document.file_name:
        return PurePosixPath(document.file_name.lower()).suffix in DOCUMENT_SUFFIXES
    return (document.mime_type or "").split(";")[0].strip() in DOCUMENT_TYPES


async def read_document(bot: Bot, document: Document) -> tuple[str, Refusal | None]:
    """The document's text (getFile, then the download), or why it is refused."""
    if not is_document_article(document):
        return "", Refusal(NOT_ARTICLE)
    limit = MAX_DOCUMENT_BYTES // 1000
    if document.file_size is not None and document.file_size > MAX_DOCUMENT_BYTES:
        return "", Refusal(TOO_BIG, size=document.file_size // 1000, limit=limit)
    try:
        found = await bot.get_file(document.file_id)
        data = bytes(await found.download_as_bytearray())
    except TelegramError as exc:
        return "", Refusal(UNREADABLE, problem=str(exc))
    if len(data) > MAX_DOCUMENT_BYTES:  # the size announced was wrong
        return "", Refusal(TOO_BIG, size=len(data) // 1000, limit=limit)
    return data.decode("utf-8", errors="replace"), None
