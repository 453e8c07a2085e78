"""The command table: declared once, used by Telegram, Matrix and the console alike."""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot.core import briefings, i18n
from bot.core.library import Library, Pair
from bot.core.operations import Operations
from bot.core.phrases import N_
from bot.core.pushes import PushSettings, SubscriptionState
from bot.core.render import ARG_ECHO_LIMIT, Rendered, echo, render

__all__ = ["ARG_ECHO_LIMIT", "echo"]  # quoted back by every command module
NOT_ALLOWED = N_("Only this chat’s administrators can change its settings.")


class ChatPrefs(Protocol):
    """What the core may ask of the chat a command comes from (adapters provide it)."""

    async def set_locale(self, locale: str) -> None:
        """Remember the chat's language."""


class ChatSettings(ChatPrefs, Protocol):
    """A chat's stored settings and subscription (bot.store.chat_settings.StoredChat).

    ``can_manage`` is the network's answer: may the user behind this request change them?
    """

    async def can_manage(self) -> bool:
        """True when the requester may change the chat's settings (admins of a group)."""
        ...

    async def set_timezone(self, zone: str) -> None:
        """Remember the chat's time zone (an IANA name)."""

    async def subscription(self) -> SubscriptionState | None:
        """The chat's subscription, active or not; None if it never subscribed."""
        ...

    async def subscribe(self, settings: PushSettings) -> None:
        """Create, change or resume the chat's subscription."""

    async def unsubscribe(self) -> bool:
        """Stop the chat's pushes; False if it had no active subscription."""
        ...


@dataclass(frozen=True)
class Attachment:
    """A file sent with a reply (calendar, chart)."""

    filename: str
    mime: str
    data: bytes


@dataclass(frozen=True)
class Reply:
    """What a command answers: a message, maybe files."""

    message: Rendered
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class Context:
    """Everything a command needs; built by the adapter for each request."""

    library: Library
    locale: str
    now: datetime
    zone: str
    prefs: ChatPrefs
    pair: Pair | None = None
    prefix: str = "/"
    chat: ChatSettings | None = None  # stored settings; None where nothing is stored
    sender: str | None = None  # who asks, as "telegram:12345" or "matrix:@ops:example.org"
    ops: Operations | None = None  # operator services; None where none run

    @property
    def is_admin(self) -> bool:
        """True when the sender is one of the configured operators."""
        return self.ops is not None and self.ops.is_admin(self.sender)

    def scope(self) -> briefings.Scope:
        """The briefing scope for this request."""
        return briefings.Scope.make(self.library, self.locale, self.now, self.zone, self.pair)

    def _(self, message: str) -> str:
        return i18n.gettext(self.locale, message)


Handler = Callable[[Context, list[str]], Awaitable[Reply]]


@dataclass(frozen=True)
class Command:
    """One command: its name, argument syntax and one-line help (msgids), and its handler."""

    name: str
    usage: str
    summary: str
    handler: Handler
    in_menu: bool = True
    admin: bool = False  # for operators only: left out of everyone else's help


@dataclass
class CommandTable:
    """Commands by name, in declaration order (the order menus and help show)."""

    commands: dict[str, Command] = field(default_factory=dict)

    def command(self, name: str, usage: str, summary: str, in_menu: bool = True,
                admin: bool = False) -> Callable[[Handler], Handler]:
        """Decorator that declares a command."""
        def register(handler: Handler) -> Handler:
            self.commands[name] = Command(name, usage, summary, handler, in_menu, admin)
            return handler
        return register

    def __iter__(self) -> Iterator[Command]:
        # Declaration order, except that /help closes every list and menu.
        return iter(sorted(self.commands.values(), key=lambda c: c.name == "help"))

    def get(self, name: str) -> Command | None:
        """The command called ``name``, if any."""
        return self.commands.get(name)

    def menu(self, locale: str) -> list[tuple[str, str]]:
        """(name, description) pairs for a network's command menu, in ``locale``."""
        return [(c.name, i18n.gettext(locale, c.summary)) for c in self if c.in_menu]


COMMANDS = CommandTable()


@dataclass(frozen=True)
class Parsed:
    """A command line split into its name and arguments."""

    name: str
    args: list[str]


_COMMAND = re.compile(r"^[/!]([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,64}))?(?=\s|$)")


def parse(text: str, bot_username: str | None = None, prefixes: str = "/") -> Parsed | None:
    """Split ``/trade@Bot 2024`` into ("trade", ["2024"]); None when it is not for us."""
    text = text.strip()
    if not text or text[0] not in prefixes:
        return None
    match = _COMMAND.match(text)
    if match is None:
        return Parsed("", text[1:].split()[:1])
    if match[2] and bot_username and match[2].lower() != bot_username.lower():
        return None  # addressed to another bot in the group
    return Parsed(match[1].lower(), text[match.end():].split())


def notice(*lines: str) -> Reply:
    """A short reply made of plain lines (escaped)."""
    return Reply(Rendered.from_html("\n".join(html.escape(line, quote=False) for line in lines)))


def usage(ctx: Context, name: str) -> str:
    """``Usage: /trade [year]`` in the context's language."""
    cmd = COMMANDS.get(name)
    syntax = f"{ctx.prefix}{name}"
    if cmd and cmd.usage:
        syntax += " " + ctx._(cmd.usage)
    return ctx._("Usage: {syntax}").format(syntax=syntax)


def as_command(line: str, prefix: str = "/") -> str:
    """A line typed where everything is for Bilat: ``trade`` and ``!trade`` become ``/trade``."""
    text = line.strip()
    if text[:1] in "/!":
        text = text[1:]
    return prefix + text


async def dispatch(ctx: Context, text: str, bot_username: str | None = None) -> Reply | None:
    """Answer a chat message: a command's reply, help for an unknown one, None if not ours."""
    parsed = parse(text, bot_username, prefixes=ctx.prefix)
    if parsed is None:
        return None
    cmd = COMMANDS.get(parsed.name)
    if cmd is None:
        shown = f"{ctx.prefix}{echo(parsed.name or (parsed.args[:1] or [''])[0])}"
        return help_reply(ctx, ctx._("Unknown command {command}.").format(command=shown))
    return await cmd.handler(ctx, parsed.args)


def help_reply(ctx: Context, problem: str | None = None) -> Reply:
    """The list of commands, optionally after a problem line."""
    lines = [(f"{ctx.prefix}{c.name}", ctx._(c.usage) if c.usage else "", ctx._(c.summary))
             for c in COMMANDS if not c.admin or ctx.is_admin]
    scope = ctx.scope()
    return Reply(render("help", ctx.locale, **scope.base(problem=problem, commands=lines)))


# The briefing commands ---------------------------------------------------------------------

@COMMANDS.command("start", "", N_("Welcome and what Bilat can do"), in_menu=False)
async def cmd_start(ctx: Context, args: list[str]) -> Reply:
    """Greet and show the commands."""
    return help_reply(ctx)


@COMMANDS.command("summary", N_("[article]"), N_("Summary of the latest article, or of one"))
async def cmd_summary(ctx: Context, args: list[str]) -> Reply:
    """An article's summary."""
    return Reply(briefings.summary(ctx.scope(), args[0] if args else None))


@COMMANDS.command("trade", N_("[year]"), N_("Trade figures: latest, series, sources"))
async def cmd_trade(ctx: Context, args: list[str]) -> Reply:
    """Trade figures, for the latest period or a given year."""
    year = None
    if args:
        if not re.fullmatch(r"(19|20)\d\d", args[0]) or len(args) > 1:
            return notice(ctx._("“{arg}” is not a year.").format(arg=echo(" ".join(args))),
                          usage(ctx, "trade"))
        year = int(args[0])
    return Reply(briefings.trade(ctx.scope(), year))


EVENT_MODES = {"upcoming": "upcoming", "past": "past", "all": "all", "avenir": "upcoming",
               "passes": "past", "passés": "past", "passe": "past", "tous": "all", "tout": "all"}


@COMMANDS.command("events", N_("[past|all]"), N_("Upcoming bilateral events, or past ones"))
async def cmd_events(ctx: Context, args: list[str]) -> Reply:
    """Events: upcoming by default."""
    mode = "upcoming"
    if args:
        found = EVENT_MODES.get(args[0].lower())
        if found is None or len(args) > 1:
            return notice(ctx._("“{arg}” is not past or all.").format(arg=echo(" ".join(args))),
                          usage(ctx, "events"))
        mode = found
    return Reply(briefings.events(ctx.scope(), mode))


@COMMANDS.command("articles", "", N_("The articles Bilat knows, newest first"))
async def cmd_articles(ctx: Context, args: list[str]) -> Reply:
    """The numbered article list."""
    return Reply(briefings.article_list(ctx.scope()))


@COMMANDS.command("lang", N_("fr|en"), N_("Choose the language: français or English"))
async def cmd_lang(ctx: Context, args: list[str]) -> Reply:
    """Set the chat's language."""
    if not args:
        return notice(ctx._("Language: English."), usage(ctx, "lang"))
    wanted = args[0].lower()
    if not i18n.is_supported(wanted) or len(args) > 1:
        return notice(ctx._("“{arg}” is not a language Bilat speaks: choose fr or en.")
                      .format(arg=echo(" ".join(args))), usage(ctx, "lang"))
    if ctx.chat is not None and not await ctx.chat.can_manage():
        return notice(ctx._(NOT_ALLOWED))
    await ctx.prefs.set_locale(wanted)
    return notice(i18n.gettext(wanted, "Language: English."))


@COMMANDS.command("help", "", N_("This list of commands"))
async def cmd_help(ctx: Context, args: list[str]) -> Reply:
    """The commands."""
    return help_reply(ctx)


# Subscriptions and operators register their commands in the same table, in this order.
from bot.core import subscription_commands  # noqa: E402, F401, I001
from bot.core import admin_commands  # noqa: E402, F401
