"""The one request path: a request and its text in, the command's name and reply out.

Every network goes through ``Session.answer``: the text is parsed once here, the locale rule
applied here, read-only answers cached here (one cache for all networks), operators' commands
guarded here, and the command counted here. Adapters only build the ``Request`` and send the
``Reply``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.core import i18n
from bot.core.admin_commands import refusal
from bot.core.briefing_commands import help_reply, introduced, unknown_reply, with_buttons
from bot.core.clock import Clock
from bot.core.command_table import (
    Command,
    CommandTable,
    Context,
    Reply,
    notice,
    parse,
)
from bot.core.commands import COMMAND_TABLE
from bot.core.library import Library
from bot.core.operator import OperatorPort
from bot.core.phrases import N_
from bot.core.reply_cache import ReplyCache
from bot.core.request import Refused, Request
from bot.metrics import COMMANDS_ANSWERED

UNKNOWN = "unknown"  # the metric label of a command not in the table
CLOSED = N_("This Bilat serves a closed group: ask its operators to add this chat.")


@dataclass(frozen=True)
class Answer:
    """A command's name (``unknown`` when not in the table) and its reply."""

    name: str
    reply: Reply


class Session:
    """Answers requests from every network with one command table and one reply cache."""

    def __init__(self, library: Callable[[], Library], clock: Clock, default_locale: str = "en",
                 zone: str = "Asia/Almaty", ops: OperatorPort | None = None,
                 table: CommandTable = COMMAND_TABLE,
                 allowed: frozenset[str] = frozenset()) -> None:
        self.library = library
        self.clock = clock
        self.default_locale = default_locale
        self.zone = zone
        self.ops = ops
        self.table = table
        self.allowed = allowed  # BILAT_ALLOWED: users and chats; empty: everyone
        self.cache = ReplyCache()

    def locale(self, chosen: str | None, language_code: str | None = None) -> str:
        """The locale rule: the chat's choice, else the sender's language, else the default."""
        return chosen or i18n.negotiate(language_code, self.default_locale)

    def context(self, request: Request) -> Context:
        """The command context of a request (its chat's locale and zone settled)."""
        chat = request.settings
        locale = self.locale(chat.locale, request.language_code)
        zone = chat.zone or self.zone
        chat.settle(locale, zone)
        return Context(self.library(), request.locale or locale,
                       request.now or self.clock.now(), zone, chat, request, self.table,
                       ops=self.ops)

    async def answer(self, request: Request, text: str) -> Answer | None:
        """Answer a chat message and count it; None when it is not a command for us."""
        answered = await self.reply(request, text, introduce=True)
        if answered is not None:
            COMMANDS_ANSWERED.labels(answered.name, request.network.name).inc()
        return answered

    async def reply(self, request: Request, text: str, introduce: bool = False) -> Answer | None:
        """Answer a chat message (uncounted: warm-ups use it too); ``introduce`` adds the
        covered pairs to a new chat's first answer."""
        parsed = self.parse(request, text)
        if parsed is None:
            return None
        command, typed, args = parsed
        ctx = self.context(request)
        if not self.admits(request, ctx):
            return Answer(command.name if command else UNKNOWN, notice(ctx._(CLOSED)))
        if command is None:
            name, reply = UNKNOWN, unknown_reply(ctx, typed)
        else:
            name = command.name
            reply = await with_buttons(ctx, name, args, await self.run(ctx, command, args))
        # After the cache: only this chat's first answer says it.
        return Answer(name, await introduced(ctx, reply) if introduce else reply)

    def admits(self, request: Request, ctx: Context) -> bool:
        """True when the bot is open, or the sender or the chat is listed, or an operator
        asks (BILAT_ALLOWED: a deployment that serves one business council)."""
        chat = f"{request.chat.network}:{request.chat.chat_id}"
        return (not self.allowed or request.sender in self.allowed or chat in self.allowed
                or ctx.is_admin)

    def parse(self, request: Request, text: str) -> tuple[Command | None, str, list[str]] | None:
        """The command (None if unknown), the name as typed and the arguments; None when the
        text is not for this bot. Names are read in either language (``/aide`` is /help)."""
        parsed = parse(text, request.network.prefix, request.bot_username)
        if parsed is None:
            return None
        command = self.table.get(self.table.resolve(parsed.typed) or parsed.name)
        if (command is None and not request.private
                and not request.network.unknown_in_groups and not parsed.addressed):
            return None  # another bot's command in a shared chat: not ours to answer
        return command, parsed.typed, parsed.args

    def is_command(self, request: Request, text: str) -> bool:
        """True when ``text`` names a known command (``/résumé`` typed as plain text)."""
        parsed = self.parse(request, text)
        return parsed is not None and parsed[0] is not None

    async def run(self, ctx: Context, command: Command, args: list[str]) -> Reply:
        """Run one command: operators only where it says so, another chat if it names one,
        from the cache when it only reads."""
        if command.admin and not ctx.is_admin:
            return refusal(ctx)
        finder = ctx.request.find_chat
        if command.names_chat and finder is not None and args:
            found = await finder(args[0])
            if isinstance(found, Refused):
                return notice(ctx._(found.reason).format(chat=args[0]))
            if found is not None:
                # A chat without settings of its own starts in the requester's language.
                locale, zone = found.locale or ctx.locale, found.zone or self.zone
                found.settle(locale, zone)
                ctx = replace(ctx, chat=found, locale=locale, zone=zone)
                args = args[1:]
        if not command.cacheable:
            return await command.handler(ctx, args)
        key = self.cache.key(ctx, command.name, args, await ctx.pairs())
        hit = self.cache.get(key, ctx.library)
        if hit is not None:
            return hit
        made = await command.handler(ctx, args)
        self.cache.put(key, ctx.library, made)
        return made

    def help(self, request: Request) -> Reply:
        """The list of commands (for plain text sent to the bot in a private chat)."""
        return help_reply(self.context(request))
