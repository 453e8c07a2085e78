"""Telegram updates in, core replies out; membership changes, migrations and errors.

Every command goes through the core (``bot.core.session``): this module only turns a
message into a ``Request`` and the ``Reply`` into Bot API calls. What is Telegram's own stays
here: administrators' rights, ``@channel`` management from a private chat, the bot's
membership and group migrations. Only new messages and channel posts reach ``on_command``:
edits are neither requested nor matched, so an edited ``/trade`` is not answered twice.
"""

from __future__ import annotations

import html
import json
import logging
import re

from telegram import Bot, Message, Update, User
from telegram.constants import ChatType
from telegram.ext import (
    Application,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.core import i18n
from bot.core.chat_settings import ChatSettings
from bot.core.network import ChatRef
from bot.core.phrases import N_
from bot.core.render import Rendered
from bot.core.request import Network, Refused, Request
from bot.core.session import Session
from bot.metrics import FAILURES, SENT
from bot.store.chat_settings import anyone
from bot.telegram.buttons import ButtonPresses
from bot.telegram.chats import ChatInfo, ChatKind, TelegramChats, bot_status, info_of, whole_chat
from bot.telegram.editors import EditorSubmissions, editor_ids
from bot.telegram.rights import Refusal, check_remote, sender_is_admin
from bot.telegram.transport import MESSAGE_LIMIT, NETWORK, Outgoing, send_reply

log = logging.getLogger(__name__)

HELP_EXTRA = N_("On Telegram: “/trade chart” adds a chart of the series, /events comes with a "
                "calendar file, and {bot} followed by words searches the articles from any chat.")
SORRY = N_("Sorry, something went wrong while answering. Please try again in a moment.")
NOT_FOUND = N_("Bilat cannot find {chat}: check the name, and that Bilat is a member there.")
NOT_ADMIN = N_("Only an administrator of {chat} can manage its subscription.")
BOT_CANNOT_POST = N_("Bilat must be an administrator of {chat} allowed to post messages.")
REFUSALS = {Refusal.NOT_FOUND: NOT_FOUND, Refusal.USER_NOT_ADMIN: NOT_ADMIN,
            Refusal.BOT_CANNOT_POST: BOT_CANNOT_POST}
# Other bots share "/" in groups: an unknown command there is ours only when it names us.
TELEGRAM = Network(NETWORK, "/", files=True, message_length=MESSAGE_LIMIT,
                   unknown_in_groups=False, help_note=HELP_EXTRA)
_HANDLE = re.compile(r"^@[A-Za-z][A-Za-z0-9_]{3,31}$")
LOG_UPDATE_CHARS = 2000


class Handlers:
    """The Telegram handlers; register them on an Application with ``register``."""

    def __init__(self, session: Session, chats: TelegramChats) -> None:
        self.session = session
        self.chats = chats
        self.buttons = ButtonPresses(session, chats, self.request)

    def register(self, app: Application) -> None:  # type: ignore[type-arg]
        """Add every handler and the error handler to ``app``."""
        new_posts = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST
        app.add_handler(MessageHandler(new_posts & filters.COMMAND, self.on_command))
        app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.StatusUpdate.MIGRATE,
                                       self.on_migrate))
        newsroom = self.session.ops.newsroom if self.session.ops else None
        if newsroom is not None and (editors := editor_ids(newsroom.editors)):
            app.add_handler(EditorSubmissions(self, editors).handler())  # before on_text
        app.add_handler(MessageHandler(
            filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & filters.TEXT
            & ~filters.COMMAND, self.on_text))
        app.add_handler(ChatMemberHandler(self.on_member, ChatMemberHandler.MY_CHAT_MEMBER))
        app.add_handler(self.buttons.handler())
        app.add_error_handler(self.on_error)

    async def request(self, bot: Bot, message: Message, user: User | None = None) -> Request:
        """The core's request for a message: its chat, sender and what Telegram carries.

        ``user`` is who asks when it is not the message's author (a button's presser).
        """
        info = info_of(message)
        user = user or message.from_user
        chat = await self.chats.open(info, lambda: sender_is_admin(bot, message))
        private = info.kind == "private"

        async def find_chat(word: str) -> ChatSettings | Refused | None:
            return await self.remote(bot, user, word)

        return Request(
            TELEGRAM, info.ref, chat, sender=f"{NETWORK}:{user.id}" if user else None,
            # A channel post has no sender whose language could count.
            language_code=user.language_code if user and info.kind != "channel" else None,
            bot_username=bot.username, private=private,
            find_chat=find_chat if private else None)

    @staticmethod
    def outgoing(message: Message, ref: ChatRef) -> Outgoing:
        """Where the answer to ``message`` goes (as a reply to it in groups)."""
        in_group = message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
        return Outgoing(message.chat.id, int(ref.thread_id) if ref.thread_id else None,
                        message.message_id if in_group else None)

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer a command through the core."""
        message = update.effective_message
        if message is None or not message.text:
            return
        request = await self.request(context.bot, message)
        answer = await self.session.answer(request, message.text)
        if answer is None:
            return
        reply = answer.reply
        markup = self.buttons.markup(reply.buttons, self.session.library())
        await send_reply(context.bot, self.outgoing(message, request.chat), reply.message,
                         reply.attachments, markup)
        SENT.labels(NETWORK, "reply").inc()

    async def remote(self, bot: Bot, user: User | None,
                     handle: str) -> ChatSettings | Refused | None:
        """``@channel`` named in a private chat: its settings once both rights are checked."""
        if not _HANDLE.match(handle) or user is None:
            return None
        checked = await check_remote(bot, handle, user.id)
        if isinstance(checked, Refusal):
            return Refused(REFUSALS[checked])
        kind: ChatKind = "channel" if checked.type == ChatType.CHANNEL else "group"
        info = ChatInfo(ChatRef(NETWORK, str(checked.id)), kind, checked.title or handle)
        return await self.chats.open(info, anyone)  # both rights were just checked

    # Other updates -----------------------------------------------------------------------

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Plain text in a private chat: show what Bilat understands.

        ``/résumé`` or ``/évènements`` are commands to their writer, not to Telegram (whose
        command entities stop at the first accent): they are answered as commands.
        """
        message = update.effective_message
        if message is None:
            return
        request = await self.request(context.bot, message)
        if self.session.is_command(request, message.text or ""):
            await self.on_command(update, context)
            return
        await send_reply(context.bot, self.outgoing(message, request.chat),
                         self.session.help(request).message)

    async def on_member(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The bot was added, promoted, restricted, removed or blocked: record it."""
        change = update.my_chat_member
        if change is None:
            return
        status = bot_status(change.new_chat_member)
        log.info("telegram chat %s (%s): bot is now %s", change.chat.id, change.chat.type,
                 status)
        info = whole_chat(change.chat)
        user = change.from_user if info.kind != "channel" else None
        locale = self.session.locale(None, user.language_code if user else None)
        await self.chats.set_status(info, status, locale, self.session.zone)

    async def on_migrate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A group became a supergroup: move its settings and subscription to the new id.

        Telegram sends two service messages, one in each chat; the old chat's is enough, and
        handling only it keeps the two (processed concurrently) from racing.
        """
        message = update.effective_message
        if message is None or not message.migrate_to_chat_id:
            return
        old, new = message.chat.id, message.migrate_to_chat_id
        log.info("telegram chat %s migrated to %s", old, new)
        await self.chats.migrate(str(old), str(new))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the failure with its update, apologise in the chat, carry on."""
        FAILURES.labels(NETWORK, "handler").inc()
        log.error("error handling update %s", describe(update), exc_info=context.error)
        if not isinstance(update, Update) or update.effective_message is None:
            return
        message = update.effective_message
        info = info_of(message)
        try:
            found = await self.chats.find(info.ref)
            user = message.from_user if info.kind != "channel" else None
            locale = self.session.locale(found.locale if found else None,
                                         user.language_code if user else None)
            thread = int(info.ref.thread_id) if info.ref.thread_id else None
            await send_reply(context.bot, Outgoing(message.chat.id, thread),  # follows a move
                             Rendered.from_html(html.escape(i18n.gettext(locale, SORRY))))
        except Exception as exc:  # the apology is best effort; the bot carries on regardless
            log.warning("could not apologise in chat %s: %s", message.chat.id, exc)


def describe(update: object) -> str:
    """An update as JSON for the log, cut short."""
    if isinstance(update, Update):
        text = json.dumps(update.to_dict(), ensure_ascii=False, default=str)
    else:
        text = repr(update)
    return text if len(text) <= LOG_UPDATE_CHARS else text[:LOG_UPDATE_CHARS] + "…"
