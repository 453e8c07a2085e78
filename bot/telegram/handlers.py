"""Telegram updates in, core replies out: commands, membership changes, migrations, errors.

Every command of the shared table goes through ``on_command``: a ``cmd_<name>`` method here
when Telegram adds something (a chart, a calendar file, managing a channel from a private
chat), else the table's own handler. Only new messages and channel posts reach it: edits are
neither requested nor matched, so an edited ``/trade`` is not answered twice.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from telegram import Bot, Message, Update, User
from telegram.constants import ChatType
from telegram.ext import (
    Application,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import calendar, chart
from bot.core import i18n
from bot.core.clock import Clock
from bot.core.commands import (
    COMMANDS,
    Attachment,
    Context,
    Parsed,
    Reply,
    briefing_pairs,
    dispatch,
    help_reply,
    introduced,
    notice,
    parse,
    split_mode,
    with_buttons,
)
from bot.core.library import Library
from bot.core.operations import Operations
from bot.core.phrases import N_
from bot.core.render import Rendered
from bot.delivery.transport import ChatRef
from bot.ops.instruments import COMMANDS as SERVED
from bot.ops.instruments import FAILURES, SENT
from bot.store.chat_settings import anyone
from bot.telegram.buttons import ButtonPresses
from bot.telegram.cache import Files, ReplyCache
from bot.telegram.chats import (
    ChatInfo,
    ChatKind,
    LazyChat,
    TelegramChats,
    bot_status,
    info_of,
    whole_chat,
)
from bot.telegram.rights import Refusal, check_remote, sender_is_admin
from bot.telegram.transport import NETWORK, Outgoing, send_reply

log = logging.getLogger(__name__)

HELP_EXTRA = N_("On Telegram: “/trade chart” adds a chart of the series, /events comes with a "
                "calendar file, and {bot} followed by words searches the articles from any chat.")
SORRY = N_("Sorry, something went wrong while answering. Please try again in a moment.")
NOT_FOUND = N_("Bilat cannot find {chat}: check the name, and that Bilat is a member there.")
NOT_ADMIN = N_("Only an administrator of {chat} can manage its subscription.")
BOT_CANNOT_POST = N_("Bilat must be an administrator of {chat} allowed to post messages.")
REFUSALS = {Refusal.NOT_FOUND: NOT_FOUND, Refusal.USER_NOT_ADMIN: NOT_ADMIN,
            Refusal.BOT_CANNOT_POST: BOT_CANNOT_POST}
CHART_WORDS = frozenset({"chart", "graph", "graphique", "graphe"})
_HANDLE = re.compile(r"^@[A-Za-z][A-Za-z0-9_]{3,31}$")
LOG_UPDATE_CHARS = 2000


@dataclass(frozen=True)
class Services:
    """What the handlers need, injected: data, time, stored chats, defaults."""

    library: Callable[[], Library]
    clock: Clock
    chats: TelegramChats
    default_locale: str = "en"
    zone: str = "Asia/Almaty"
    ops: Operations | None = None  # operator commands' services (bot.ops.admin.Operator)

    def fallback_locale(self, user: User | None, kind: str) -> str:
        """The language when the chat chose none: the sender's, else the default.

        A channel post has no sender, so a channel without a setting gets the default.
        """
        code = user.language_code if user is not None and kind != "channel" else None
        return i18n.negotiate(code, self.default_locale)


@dataclass
class Request:
    """One command being answered: its context, where the answer goes, files to add."""

    ctx: Context
    to: Outgoing
    message: Message
    chat: LazyChat
    username: str
    files: Files = field(default_factory=list)


class Handlers:
    """The Telegram handlers; register them on an Application with ``register``."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.cache = ReplyCache()
        self.buttons = ButtonPresses(self)

    def register(self, app: Application) -> None:  # type: ignore[type-arg]
        """Add every handler and the error handler to ``app``."""
        new_posts = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST
        app.add_handler(MessageHandler(new_posts & filters.COMMAND, self.on_command))
        app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.StatusUpdate.MIGRATE,
                                       self.on_migrate))
        app.add_handler(MessageHandler(
            filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & filters.TEXT
            & ~filters.COMMAND, self.on_text))
        app.add_handler(ChatMemberHandler(self.on_member, ChatMemberHandler.MY_CHAT_MEMBER))
        app.add_handler(self.buttons.handler())
        app.add_error_handler(self.on_error)

    # Requests ----------------------------------------------------------------------------

    async def request(self, bot: Bot, message: Message) -> Request:
        """The context of a command posted in ``message``."""
        info = info_of(message)
        services = self.services
        chat = await services.chats.open(
            info, services.fallback_locale(message.from_user, info.kind), services.zone,
            lambda: sender_is_admin(bot, message))
        ctx = Context(services.library(), chat.locale, services.clock.now(), chat.zone, chat,
                      chat=chat, sender=sender_of(message), ops=services.ops)
        in_group = message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
        to = Outgoing(message.chat.id, int(info.ref.thread_id) if info.ref.thread_id else None,
                      message.message_id if in_group else None)
        return Request(ctx, to, message, chat, bot.username)

    # Commands ----------------------------------------------------------------------------

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer a command from the shared table."""
        message = update.effective_message
        if message is None or not message.text:
            return
        username = context.bot.username
        parsed = parse(message.text, username)
        if parsed is None:
            return
        known = COMMANDS.get(parsed.name) is not None
        if not known and message.chat.type != ChatType.PRIVATE and not _addressed(
                message.text, username):
            return  # another bot's command in a shared chat: not ours to answer
        request = await self.request(context.bot, message)
        reply = await self.reply(request, parsed, message.text)
        if reply is not None:  # after the cache: only this chat's first answer says it
            reply = await introduced(request.ctx, reply)
        SERVED.inc(command=parsed.name if known else "unknown", network=NETWORK)
        if reply is not None:
            attachments = [*reply.attachments, *(a for a, _ in request.files)]
            captions = [*(None for _ in reply.attachments), *(c for _, c in request.files)]
            markup = self.buttons.markup(reply.buttons, request.ctx.library)
            await send_reply(context.bot, request.to, reply.message, attachments, captions,
                             markup)
            SENT.inc(network=NETWORK, kind="reply")

    async def reply(self, request: Request, parsed: Parsed, text: str) -> Reply | None:
        """The answer to a command, from the cache when an equal one was just made."""
        key = self.cache.key(request.ctx, parsed.name, parsed.args, request.username,
                             await request.ctx.pairs())
        hit = self.cache.get(key, request.ctx.library) if key else None
        if hit is not None:
            reply, request.files = hit
            return reply
        made = await self.answer(request, parsed.name, parsed.args, text)
        if key is not None and made is not None:
            self.cache.put(key, request.ctx.library, made, request.files)
        return made

    async def answer(self, request: Request, name: str, args: list[str],
                     text: str) -> Reply | None:
        """The reply to one command: a Telegram ``cmd_<name>`` or the table's handler."""
        override = getattr(self, f"cmd_{name}", None) if COMMANDS.get(name) else None
        if override is not None:
            result: Reply | None = await override(request, args)
            return with_buttons(request.ctx, name, args, result) if result else None
        return await dispatch(request.ctx, text, request.username, introduce=False)

    async def run(self, request: Request, name: str, args: list[str]) -> Reply:
        """Run the shared table's handler for ``name``."""
        command = COMMANDS.get(name)
        assert command is not None
        return await command.handler(request.ctx, args)

    async def cmd_start(self, request: Request, args: list[str]) -> Reply:
        """The welcome, with what Telegram adds."""
        line = request.ctx._(HELP_EXTRA).format(bot="@" + request.username)
        return _with_line(help_reply(request.ctx, pairs=await request.ctx.pairs()), line)

    async def cmd_help(self, request: Request, args: list[str]) -> Reply:
        """The commands, with what Telegram adds."""
        return await self.cmd_start(request, args)

    async def cmd_trade(self, request: Request, args: list[str]) -> Reply:
        """Trade figures; with ``chart`` among the arguments, a chart as a photo too."""
        wanted = [a for a in args if a.lower() not in CHART_WORDS]
        reply = await self.run(request, "trade", wanted)
        years = [a for a in wanted if _is_year([a])]
        chosen = await briefing_pairs(request.ctx, [a for a in wanted if a not in years])
        if len(wanted) < len(args) and len(years) <= 1 and not isinstance(chosen, Reply):
            for pair in chosen:  # a chart for each pair the briefing covered
                png = await asyncio.to_thread(chart.turnover_png, request.ctx.scope((pair,)))
                if png is not None:
                    request.files.append((Attachment("bilat-trade.png", "image/png", png),
                                          chart.caption(request.ctx.locale)))
        return reply

    async def cmd_events(self, request: Request, args: list[str]) -> Reply:
        """Events; upcoming ones come with an .ics calendar file."""
        reply = await self.run(request, "events", args)
        split = split_mode(request.ctx, args)
        chosen = await briefing_pairs(request.ctx, split[1]) if split else ()
        if split and split[0] in ("upcoming", "all") and not isinstance(chosen, Reply):
            scope = request.ctx.scope(chosen)
            found = calendar.upcoming_calendar(scope)
            if found is not None:
                request.files.append((found.attachment(scope), found.caption(scope.locale)))
        return reply

    async def cmd_lang(self, request: Request, args: list[str]) -> Reply:
        """This chat's language, or ``@channel``'s from a private chat."""
        return await self._maybe_remote(request, "lang", args)

    async def cmd_subscribe(self, request: Request, args: list[str]) -> Reply:
        """Subscribe this chat, or ``@channel`` from a private chat."""
        return await self._maybe_remote(request, "subscribe", args)

    async def cmd_unsubscribe(self, request: Request, args: list[str]) -> Reply:
        """Unsubscribe this chat, or ``@channel`` from a private chat."""
        return await self._maybe_remote(request, "unsubscribe", args)

    async def cmd_settings(self, request: Request, args: list[str]) -> Reply:
        """This chat's settings, or ``@channel``'s from a private chat."""
        return await self._maybe_remote(request, "settings", args)

    async def cmd_timezone(self, request: Request, args: list[str]) -> Reply:
        """This chat's time zone, or ``@channel``'s from a private chat."""
        return await self._maybe_remote(request, "timezone", args)

    async def _maybe_remote(self, request: Request, name: str, args: list[str]) -> Reply:
        if _names_chat(request, args):
            return await self.remote(request, name, args)
        return await self.run(request, name, args)

    async def remote(self, request: Request, name: str, args: list[str]) -> Reply:
        """Run ``name`` for the channel named first, after checking the user's and our rights."""
        handle, user = args[0], request.message.from_user
        assert user is not None
        checked = await check_remote(request.message.get_bot(), handle, user.id)
        if isinstance(checked, Refusal):
            return notice(request.ctx._(REFUSALS[checked]).format(chat=handle))
        kind: ChatKind = "channel" if checked.type == ChatType.CHANNEL else "group"
        info = ChatInfo(ChatRef(NETWORK, str(checked.id)), kind, checked.title)
        # Both rights were just checked; a new channel starts in the admin's language.
        chat = await self.services.chats.open(info, request.ctx.locale, self.services.zone,
                                              anyone)
        ctx = replace(request.ctx, prefs=chat, chat=chat, locale=chat.locale, zone=chat.zone)
        command = COMMANDS.get(name)
        assert command is not None
        return await command.handler(ctx, args[1:])

    # Other updates -----------------------------------------------------------------------

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Plain text in a private chat: show what Bilat understands.

        ``/résumé`` or ``/évènements`` are commands to their writer, not to Telegram (whose
        command entities stop at the first accent): they are answered as commands.
        """
        message = update.effective_message
        if message is None:
            return
        parsed = parse(message.text or "")
        if parsed is not None and COMMANDS.get(parsed.name) is not None:
            await self.on_command(update, context)
            return
        request = await self.request(context.bot, message)
        reply = await self.cmd_help(request, [])
        await send_reply(context.bot, request.to, reply.message)

    async def on_member(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The bot was added, promoted, restricted, removed or blocked: record it."""
        change = update.my_chat_member
        if change is None:
            return
        status = bot_status(change.new_chat_member)
        log.info("telegram chat %s (%s): bot is now %s", change.chat.id, change.chat.type,
                 status)
        info = whole_chat(change.chat)
        locale = self.services.fallback_locale(change.from_user, info.kind)
        await self.services.chats.set_status(info, status, locale, self.services.zone)

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
        await self.services.chats.migrate(str(old), str(new))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the failure with its update, apologise in the chat, carry on."""
        FAILURES.inc(network=NETWORK, kind="handler")
        log.error("error handling update %s", describe(update), exc_info=context.error)
        if not isinstance(update, Update) or update.effective_message is None:
            return
        message = update.effective_message
        info = info_of(message)
        try:
            found = await self.services.chats.find(info.ref)
            locale = found.locale if found else self.services.fallback_locale(
                message.from_user, info.kind)
            thread = int(info.ref.thread_id) if info.ref.thread_id else None
            await send_reply(context.bot, Outgoing(message.chat.id, thread),  # follows a move
                             Rendered.from_html(html.escape(i18n.gettext(locale, SORRY))))
        except Exception as exc:  # the apology is best effort; the bot carries on regardless
            log.warning("could not apologise in chat %s: %s", message.chat.id, exc)


def sender_of(message: Message) -> str | None:
    """``telegram:<user id>`` of a message's author (None for a channel post)."""
    user = message.from_user
    return f"telegram:{user.id}" if user is not None else None


def describe(update: object) -> str:
    """An update as JSON for the log, cut short."""
    if isinstance(update, Update):
        text = json.dumps(update.to_dict(), ensure_ascii=False, default=str)
    else:
        text = repr(update)
    return text if len(text) <= LOG_UPDATE_CHARS else text[:LOG_UPDATE_CHARS] + "…"


def _addressed(text: str, username: str) -> bool:
    """True when the command names this bot (``/x@BilatBot``)."""
    head = text.split(maxsplit=1)[0] if text.split() else ""
    return head.lower().endswith("@" + username.lower())


def _names_chat(request: Request, args: list[str]) -> bool:
    """``/subscribe @channel ...`` sent from a private chat."""
    return (request.chat.info.kind == "private" and bool(args)
            and bool(_HANDLE.match(args[0])))


def _is_year(args: list[str]) -> bool:
    return len(args) == 1 and re.fullmatch(r"(19|20)\d\d", args[0]) is not None


def _with_line(reply: Reply, line: str) -> Reply:
    """A reply with one more italic line at the end."""
    markup = f"{reply.message.html}\n\n<i>{html.escape(line, quote=False)}</i>"
    return Reply(Rendered.from_html(markup), reply.attachments)
