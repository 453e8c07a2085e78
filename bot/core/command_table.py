"""Commands as values: their table, the context a handler gets, the reply it returns.

Each group of commands (briefings, subscriptions, operators) declares its own table;
``bot.core.commands`` composes them and ``bot.core.session`` runs them.
"""

from __future__ import annotations

import difflib
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
from bot.core.render import ARG_ECHO_LIMIT, Rendered, echo, typography
from bot.core.request import Request
from bot.core.words import fold

__all__ = ["ARG_ECHO_LIMIT", "echo"]  # quoted back by every command module

# Each command's French names, accepted in every language; the first is the one French menus
# and help show. Telegram allows only a-z, 0-9 and _ in names, so accents are folded away when
# a command is read (/résumé is /resume). Names of commands not registered are ignored.
FRENCH_NAMES: dict[str, tuple[str, ...]] = {
    "start": ("demarrer",),
    "brief": ("bref",),
    "summary": ("resume",),
    "trade": ("commerce", "echanges"),
    "events": ("evenements", "agenda"),
    "lang": ("langue",),
    "subscribe": ("abonner", "abonnement"),
    "unsubscribe": ("desabonner", "desabonnement"),
    "settings": ("reglages", "parametres"),
    "pairs": ("couples", "pays"),
    "follow": ("suivre",),
    "unfollow": ("ne_plus_suivre", "oublier"),
    "timezone": ("fuseau", "fuseau_horaire"),
    "help": ("aide",),
    "stats": ("statistiques",),
    "reload": ("recharger",),
    "pause": ("pause",),
    "unpause": ("reprendre",),
    "draft": ("brouillon",),
    "keep": ("garder",),
    "drop": ("ecarter",),
    "edit": ("rediger",),
    "publish": ("publier",),
    "discard": ("abandonner",),
}
NEAREST_CUTOFF = 0.6  # difflib ratio below which no command is suggested


@dataclass(frozen=True)
class Button:
    """A button under an answer: its label and the command line it runs (no prefix), in
    ``locale`` when it asks for the other language."""

    label: str
    command: str
    locale: str | None = None


Buttons = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Reply:
    """What a command answers: a message, files each with its caption, and buttons (rows of
    them) that networks able to show them send, the others ignore."""

    message: Rendered
    attachments: tuple[Attachment, ...] = ()
    buttons: Buttons = ()


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

    @property
    def is_editor(self) -> bool:
        """True when the sender is one of the configured editors (BILAT_EDITORS)."""
        newsroom = self.ops.newsroom if self.ops is not None else None
        return newsroom is not None and newsroom.is_editor(self.request.sender)

    def scope(self, pairs: tuple[Pair, ...] = ()) -> briefings.Scope:
        """The briefing scope for this request (on ``pairs`` when given)."""
        names = self.table.names(self.locale)  # detail lines name commands as menus do
        if pairs:
            return briefings.Scope.make(self.library, self.locale, self.now, self.zone,
                                        pairs=pairs, prefix=self.prefix, commands=names)
        return briefings.Scope.make(self.library, self.locale, self.now, self.zone, self.pair,
                                    prefix=self.prefix, commands=names)

    async def pairs(self) -> tuple[Pair, ...]:
        """The pairs a briefing without a pair argument covers: the request's pair, else the
        chat's covered pairs, else the deployment's default."""
        if self.pair is not None:
            return (self.pair,)
        followed = await self.chat.pairs()
        covered = tuple(c for p in followed if (c := self.library.covered(p)))
        return covered or self.library.default_pairs()

    def _(self, message: str) -> str:
        return i18n.gettext(self.locale, message)

    def command(self, name: str) -> str:
        """``/commerce`` in French, ``/trade`` in English: a command as this chat types it."""
        return self.prefix + self.table.shown(name, self.locale)


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
    editor: bool = False  # editors' (BILAT_EDITORS): left out of everyone else's help

    @property
    def french(self) -> tuple[str, ...]:
        """The command's French names (FRENCH_NAMES), the shown one first."""
        return FRENCH_NAMES.get(self.name, ())


@dataclass
class CommandTable:
    """Commands by name, in declaration order (the order menus and help show)."""

    commands: dict[str, Command] = field(default_factory=dict)

    def command(self, name: str, usage: str, summary: str, *, in_menu: bool = True,
                admin: bool = False, cacheable: bool = False,
                names_chat: bool = False, editor: bool = False) -> Callable[[Handler], Handler]:
        """Decorator that declares a command."""
        def register(handler: Handler) -> Handler:
            self.commands[name] = Command(name, usage, summary, handler, in_menu, admin,
                                          cacheable, names_chat, editor)
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
        """The command called ``name``, if any."""
        return self.commands.get(name)

    def resolve(self, typed: str) -> str | None:
        """The command a typed name means, in either language (``aide`` -> ``help``)."""
        word = fold(typed)
        if word in self.commands:
            return word
        return next((c.name for c in self.commands.values() if word in c.french), None)

    def shown(self, name: str, locale: str) -> str:
        """The name a ``locale`` speaker sees for command ``name``."""
        command = self.commands.get(name)
        # Operators' commands keep the names the README gives them; French ones still work.
        if locale == "fr" and command is not None and command.french and not command.admin:
            return command.french[0]
        return name

    def nearest(self, typed: str, locale: str, admin: bool = False) -> str | None:
        """The command name closest to a mistyped one, as ``locale`` shows it, if any is close."""
        names: dict[str, str] = {}
        for command in self:
            if command.admin and not admin:
                continue
            for name in (command.name, *command.french):
                names.setdefault(name, self.shown(command.name, locale)
                                 if name == command.name else name)
        found = difflib.get_close_matches(fold(typed), list(names), n=1, cutoff=NEAREST_CUTOFF)
        return names[found[0]] if found else None

    def names(self, locale: str) -> dict[str, str]:
        """Every command's name as ``locale`` shows it (``trade`` -> ``commerce``)."""
        return {name: self.shown(name, locale) for name in self.commands}

    def menu(self, locale: str) -> list[tuple[str, str]]:
        """(name, description) pairs for a network's command menu, in ``locale``."""
        return [(self.shown(c.name, locale), i18n.gettext(locale, c.summary))
                for c in self if c.in_menu]


@dataclass(frozen=True)
class Parsed:
    """A command line split into its name and arguments.

    ``name`` is what was typed, lower-cased (the table resolves it, in either language);
    ``typed`` keeps it as typed.
    """

    name: str
    args: list[str]
    typed: str = ""
    addressed: bool = False  # named this bot (``/trade@BilatBot``)


_COMMAND = re.compile(r"^.(\w{1,32})(?:@([A-Za-z0-9_]{3,64}))?(?=\s|$)")


def parse(text: str, prefix: str = "/", bot_username: str | None = None) -> Parsed | None:
    """Split ``/commerce@Bot 2024`` into ("commerce", ["2024"]); None when not for us."""
    text = text.strip()
    if not text or not text.startswith(prefix):
        return None
    match = _COMMAND.match(text)
    if match is None:
        first = text[1:].split()[:1]
        return Parsed("", first, first[0] if first else "")
    if match[2] and bot_username and match[2].lower() != bot_username.lower():
        return None  # addressed to another bot in the group
    return Parsed(match[1].lower(), text[match.end():].split(), match[1], bool(match[2]))


def notice(*lines: str) -> Reply:
    """A short reply made of plain lines (escaped), with the briefings' apostrophe (’)."""
    markup = "\n".join(html.escape(line, quote=False) for line in lines)
    return Reply(Rendered.from_html(typography(markup, "en")))


def as_command(line: str, prefix: str = "/") -> str:
    """A line typed where everything is for Bilat: ``trade`` and ``!trade`` become ``/trade``."""
    text = line.strip()
    if text[:1] in "/!":
        text = text[1:]
    return prefix + text


def usage(ctx: Context, name: str) -> str:
    """``Usage: /trade [year]`` in the context's language."""
    cmd = ctx.table.get(name)
    syntax = ctx.command(name)
    if cmd and cmd.usage:
        syntax += " " + ctx._(cmd.usage)
    return ctx._("Usage: {syntax}").format(syntax=syntax)
