"""Commands as values: their table, the context a handler gets, the reply it returns.

Each group of commands (briefings, subscriptions, operators) declares its own table;
``bot.core.commands`` composes them and ``bot.core.session`` runs them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from bot.core import briefings, i18n
from bot.core.chat_settings import ChatSettings
from bot.core.library import Library, Pair
from bot.core.network import Attachment
from bot.core.operator import OperatorPort
from bot.core.render import Rendered
from bot.core.request import Request

ARG_ECHO_LIMIT = 40


@dataclass(frozen=True)
class Reply:
    """What a command answers: a message, and files each with its caption.

    A later ``buttons`` field (rows of label and command text) fits here: adapters that can
    show buttons send them, the others ignore them.
    """

    message: Rendered
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class Context:
    """Everything a command needs; built by the session, once per request."""

    library: Library
    locale: str
    now: datetime
    zone: str
    chat: ChatSettings
    request: Request
    table: CommandTable
    pair: Pair | None = None
    ops: OperatorPort | None = None  # operator services; None where none run

    @property
    def prefix(self) -> str:
        """What commands start with on the request's network."""
        return self.request.network.prefix

    @property
    def files(self) -> bool:
        """True when the reply may carry files."""
        return self.request.network.files

    @property
    def is_admin(self) -> bool:
        """True when the sender is one of the configured operators."""
        return self.ops is not None and self.ops.is_admin(self.request.sender)

    def scope(self) -> briefings.Scope:
        """The briefing scope for this request."""
        return briefings.Scope.make(self.library, self.locale, self.now, self.zone, self.pair,
                                    prefix=self.prefix)

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
    admin: bool = False  # operators only: refused to others, left out of their help
    cacheable: bool = False  # only reads: the same request in the same minute, same answer
    names_chat: bool = False  # may name another chat first (``/subscribe @channel``)


@dataclass
class CommandTable:
    """Commands by name, in declaration order (the order menus and help show)."""

    commands: dict[str, Command] = field(default_factory=dict)

    def command(self, name: str, usage: str, summary: str, *, in_menu: bool = True,
                admin: bool = False, cacheable: bool = False,
                names_chat: bool = False) -> Callable[[Handler], Handler]:
        """Decorator that declares a command."""
        def register(handler: Handler) -> Handler:
            self.commands[name] = Command(name, usage, summary, handler, in_menu, admin,
                                          cacheable, names_chat)
            return handler
        return register

    @classmethod
    def compose(cls, *tables: CommandTable) -> CommandTable:
        """One table holding every group's commands, in the order given."""
        composed = cls()
        for table in tables:
            for name, command in table.commands.items():
                if name in composed.commands:
                    raise ValueError(f"command {name} is declared twice")
                composed.commands[name] = command
        return composed

    def __iter__(self) -> Iterator[Command]:
        # Declaration order, except that /help closes every list and menu.
        return iter(sorted(self.commands.values(), key=lambda c: c.name == "help"))

    def get(self, name: str) -> Command | None:
        """The command called ``name``, if any (aliases would be resolved here)."""
        return self.commands.get(name)

    def menu(self, locale: str) -> list[tuple[str, str]]:
        """(name, description) pairs for a network's command menu, in ``locale``."""
        return [(c.name, i18n.gettext(locale, c.summary)) for c in self if c.in_menu]


@dataclass(frozen=True)
class Parsed:
    """A command line split into its name and arguments."""

    name: str
    args: list[str]
    addressed: bool = False  # named this bot (``/trade@BilatBot``)


_COMMAND = re.compile(r"^.([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,64}))?(?=\s|$)")


def parse(text: str, prefix: str = "/", bot_username: str | None = None) -> Parsed | None:
    """Split ``/trade@Bot 2024`` into ("trade", ["2024"]); None when it is not for us."""
    text = text.strip()
    if not text or not text.startswith(prefix):
        return None
    match = _COMMAND.match(text)
    if match is None:
        return Parsed("", text[1:].split()[:1])
    if match[2] and bot_username and match[2].lower() != bot_username.lower():
        return None  # addressed to another bot in the group
    return Parsed(match[1].lower(), text[match.end():].split(), bool(match[2]))


def notice(*lines: str) -> Reply:
    """A short reply made of plain lines (escaped)."""
    return Reply(Rendered.from_html("\n".join(html.escape(line, quote=False) for line in lines)))


def echo(arg: str) -> str:
    """A user's argument, shortened for quoting back in an error."""
    return arg if len(arg) <= ARG_ECHO_LIMIT else arg[:ARG_ECHO_LIMIT] + "…"


def usage(ctx: Context, name: str) -> str:
    """``Usage: /trade [year]`` in the context's language."""
    cmd = ctx.table.get(name)
    syntax = f"{ctx.prefix}{name}"
    if cmd and cmd.usage:
        syntax += " " + ctx._(cmd.usage)
    return ctx._("Usage: {syntax}").format(syntax=syntax)
