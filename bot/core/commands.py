"""The command table: declared once, used by Telegram, Matrix and the console alike."""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from bot.core import briefings, i18n, pairs, words
from bot.core.facts import LOCALES, Event
from bot.core.library import Library, Pair
from bot.core.operations import Operations
from bot.core.phrases import N_
from bot.core.pushes import PushSettings, SubscriptionState, pair_code
from bot.core.render import ARG_ECHO_LIMIT, Rendered, echo, render
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
}
NEAREST_CUTOFF = 0.6  # difflib ratio below which no command is suggested
NOT_ALLOWED = N_("Only this chat’s administrators can change its settings.")


class ChatPrefs(Protocol):
    """What the core may ask of the chat a command comes from (adapters provide it)."""

    async def set_locale(self, locale: str) -> None:
        """Remember the chat's language."""


class ChatSettings(ChatPrefs, Protocol):
    """A chat's stored settings and subscription (bot.store.chat_settings.StoredChat).

    ``can_manage`` is the network's answer: may the user behind this request change them?
    """

    @property
    def locale(self) -> str:
        """The chat's language as it stands (after a /lang in this request, the new one)."""
        ...

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

    async def pairs(self) -> tuple[Pair, ...]:
        """The country pairs the chat follows, in its order; () if it never chose."""
        ...

    async def set_pairs(self, pairs: tuple[Pair, ...]) -> None:
        """Follow exactly ``pairs``; () brings back the deployment's default."""

    async def introduce(self) -> bool:
        """True the first time it is asked: the chat's first answer lists the pairs."""
        ...


@dataclass(frozen=True)
class Attachment:
    """A file sent with a reply (calendar, chart)."""

    filename: str
    mime: str
    data: bytes


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
    """What a command answers: a message, maybe files, maybe buttons (rows of them)."""

    message: Rendered
    attachments: tuple[Attachment, ...] = ()
    buttons: Buttons = ()


@dataclass(frozen=True)
class View:
    """One view of a briefing: the arguments that ask for it ("" is the short default)."""

    args: str
    label: str  # msgid


# The views a briefing's buttons switch between (Telegram shows them under the message;
# Matrix has no buttons, so the short answers name these commands instead).
VIEWS: dict[str, tuple[View, ...]] = {
    "trade": (View("", N_("Short")),),
    "summary": (View("", N_("Short")),),
    "events": (View("", N_("Coming")), View("past", N_("Past")), View("all", N_("All"))),
}


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

    def scope(self, pairs: tuple[Pair, ...] = ()) -> briefings.Scope:
        """The briefing scope for this request (on ``pairs`` when given)."""
        if pairs:
            return briefings.Scope.make(self.library, self.locale, self.now, self.zone,
                                        pairs=pairs)
        return briefings.Scope.make(self.library, self.locale, self.now, self.zone, self.pair)

    async def pairs(self) -> tuple[Pair, ...]:
        """The pairs a briefing without a pair argument covers: the request's pair, else the
        chat's covered pairs, else the deployment's default."""
        if self.pair is not None:
            return (self.pair,)
        followed = await self.chat.pairs() if self.chat is not None else ()
        covered = tuple(c for p in followed if (c := self.library.covered(p)))
        return covered or self.library.default_pairs()

    def _(self, message: str) -> str:
        return i18n.gettext(self.locale, message)

    def command(self, name: str) -> str:
        """``/commerce`` in French, ``/trade`` in English: a command as this chat types it."""
        return self.prefix + COMMANDS.shown(name, self.locale)


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

    @property
    def french(self) -> tuple[str, ...]:
        """The command's French names (FRENCH_NAMES), the shown one first."""
        return FRENCH_NAMES.get(self.name, ())


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

    def menu(self, locale: str) -> list[tuple[str, str]]:
        """(name, description) pairs for a network's command menu, in ``locale``."""
        return [(self.shown(c.name, locale), i18n.gettext(locale, c.summary))
                for c in self if c.in_menu]


COMMANDS = CommandTable()


@dataclass(frozen=True)
class Parsed:
    """A command line split into its name and arguments.

    ``name`` is the command's own (English) name when the typed one, in either language, is
    known; otherwise what was typed, lower-cased (``typed`` keeps it as typed).
    """

    name: str
    args: list[str]
    typed: str = ""


_COMMAND = re.compile(r"^[/!](\w{1,32})(?:@([A-Za-z0-9_]{3,64}))?(?=\s|$)")


def parse(text: str, bot_username: str | None = None, prefixes: str = "/") -> Parsed | None:
    """Split ``/commerce@Bot 2024`` into ("trade", ["2024"]); None when it is not for us."""
    text = text.strip()
    if not text or text[0] not in prefixes:
        return None
    match = _COMMAND.match(text)
    if match is None:
        return Parsed("", text[1:].split()[:1], text[1:].split()[0] if text[1:].split() else "")
    if match[2] and bot_username and match[2].lower() != bot_username.lower():
        return None  # addressed to another bot in the group
    typed = match[1]
    return Parsed(COMMANDS.resolve(typed) or typed.lower(), text[match.end():].split(), typed)


def notice(*lines: str) -> Reply:
    """A short reply made of plain lines (escaped)."""
    return Reply(Rendered.from_html("\n".join(html.escape(line, quote=False) for line in lines)))


def usage(ctx: Context, name: str) -> str:
    """``Usage: /trade [year]`` in the context's language."""
    cmd = COMMANDS.get(name)
    syntax = ctx.command(name)
    if cmd and cmd.usage:
        syntax += " " + ctx._(cmd.usage)
    return ctx._("Usage: {syntax}").format(syntax=syntax)


def as_command(line: str, prefix: str = "/") -> str:
    """A line typed where everything is for Bilat: ``trade`` and ``!trade`` become ``/trade``."""
    text = line.strip()
    if text[:1] in "/!":
        text = text[1:]
    return prefix + text


async def dispatch(ctx: Context, text: str, bot_username: str | None = None,
                   introduce: bool = True) -> Reply | None:
    """Answer a chat message: a command's reply, one line for an unknown one, None if not ours.

    A new chat's first answer also says which pairs exist (``introduce=False`` leaves that
    to a caller that caches replies).
    """
    parsed = parse(text, bot_username, prefixes=ctx.prefix)
    if parsed is None:
        return None
    cmd = COMMANDS.get(parsed.name)
    if cmd is None:
        reply = unknown_reply(ctx, parsed.typed)
    else:
        reply = with_buttons(ctx, parsed.name, parsed.args, await cmd.handler(ctx, parsed.args))
    return await introduced(ctx, reply) if introduce else reply


async def introduced(ctx: Context, reply: Reply) -> Reply:
    """``reply``, followed by the covered pairs when it is the chat's first answer."""
    if ctx.chat is None or not await ctx.chat.introduce():
        return reply
    ctx = replace(ctx, locale=ctx.chat.locale)  # /lang may just have changed it
    p = ctx.scope().phrases
    line = ctx._("Bilat covers {pairs}. This chat sees {chosen}: {pairs_command} lists them, "
                 "{follow_command} chooses.").format(
        pairs=p.join([p.pair(x) for x in ctx.library.pairs]),
        chosen=p.join([p.pair(x) for x in await ctx.pairs()]),
        pairs_command=ctx.command("pairs"), follow_command=ctx.command("follow"))
    markup = f"{reply.message.html}\n\n<i>{html.escape(line, quote=False)}</i>"
    return replace(reply, message=Rendered.from_html(markup))


def joined(parts: list[Rendered]) -> Rendered:
    """Several briefings as one message, a blank line apart."""
    return parts[0] if len(parts) == 1 else Rendered.from_html(
        "\n\n".join(part.html for part in parts))


async def briefing_pairs(ctx: Context, words: list[str]) -> tuple[Pair, ...] | Reply:
    """The pairs a briefing covers: those ``words`` name, else the chat's; a Reply saying
    what is wrong when the words name no covered pair."""
    if not words:
        return await ctx.pairs()
    found = pairs.resolve(ctx.library, " ".join(words), await ctx.pairs())
    if found.pair is not None:
        return (found.pair,)
    return notice(pair_problem(ctx, found))


def pair_problem(ctx: Context, found: pairs.Resolution) -> str:
    """Why ``found`` names no single covered pair, in the context's language."""
    p = ctx.scope().phrases
    covered = p.join([f"{p.pair(x)} ({pair_code(x)})" for x in ctx.library.pairs])
    if found.problem == "ambiguous":
        return ctx._("“{arg}” is in several pairs Bilat covers: {pairs}. Say which, "
                     "e.g. {example}.").format(
            arg=echo(found.text), pairs=p.join([p.pair(x) for x in found.pairs]),
            example=pair_code(found.pairs[0]))
    if found.problem == "not_covered":
        name = "\u2013".join(p.country(c) for c in found.countries)
        return ctx._("Bilat does not cover {name}. Pairs covered: {pairs}.").format(
            name=name, pairs=covered)
    return ctx._("“{arg}” is not a country or a pair Bilat knows. Pairs covered: "
                 "{pairs}.").format(arg=echo(found.text), pairs=covered)


def with_buttons(ctx: Context, name: str, args: list[str], reply: Reply) -> Reply:
    """``reply`` with the buttons of its view, when it is one of VIEWS."""
    buttons = view_buttons(ctx, name, args)
    return replace(reply, buttons=buttons) if buttons and not reply.buttons else reply


def view_of(name: str, args: list[str]) -> str | None:
    """Which of VIEWS a command line is (``events passés`` is ``past``); None if none."""
    if name == "events":
        mode = event_mode(args)
        current = "" if mode == "upcoming" else mode
    else:
        current = " ".join(fold(a) for a in args)
    views = VIEWS.get(name, ())
    return current if any(v.args == current for v in views) else None


def view_buttons(ctx: Context, name: str, args: list[str]) -> Buttons:
    """The other views of this answer, then the same view in the other language."""
    current = view_of(name, args)
    if current is None:
        return ()
    views = tuple(Button(ctx._(v.label), f"{name} {v.args}".strip())
                  for v in VIEWS[name] if v.args != current)
    other = next(code for code in LOCALES if code != ctx.locale)
    language = i18n.language_name(other, other)
    switch = (Button(language[:1].upper() + language[1:], f"{name} {current}".strip(), other),)
    return tuple(row for row in (views, switch) if row)


def unknown_reply(ctx: Context, typed: str) -> Reply:
    """One line: the command is unknown, and the nearest one (or where the list is)."""
    shown = f"{ctx.prefix}{echo(typed)}"
    nearest = COMMANDS.nearest(typed, ctx.locale, ctx.is_admin) if typed else None
    if nearest is not None:
        return notice(ctx._("Unknown command {command}. Did you mean {nearest}?").format(
            command=shown, nearest=ctx.prefix + nearest))
    return notice(ctx._("Unknown command {command}. {help} lists the commands.").format(
        command=shown, help=ctx.command("help")))


def help_reply(ctx: Context, problem: str | None = None,
               pairs: tuple[Pair, ...] = ()) -> Reply:
    """The list of commands, optionally after a problem line; about ``pairs`` (the chat's)."""
    lines = [(ctx.command(c.name), ctx._(c.usage) if c.usage else "", ctx._(c.summary))
             for c in COMMANDS if not c.admin or ctx.is_admin]
    scope = ctx.scope(pairs)
    return Reply(render("help", ctx.locale, **scope.base(problem=problem, commands=lines)))


# The briefing commands ---------------------------------------------------------------------

@COMMANDS.command("start", "", N_("Welcome and what Bilat can do"), in_menu=False)
async def cmd_start(ctx: Context, args: list[str]) -> Reply:
    """Greet and show the commands."""
    return help_reply(ctx, pairs=await ctx.pairs())


@COMMANDS.command("summary", N_("[article] [pair]"),
                  N_("Summary of the latest article, or of one"))
async def cmd_summary(ctx: Context, args: list[str]) -> Reply:
    """An article's summary."""
    ref, rest = _article_ref(ctx, args)
    chosen = await briefing_pairs(ctx, rest)
    if isinstance(chosen, Reply):
        return chosen
    return Reply(briefings.summary(ctx.scope(chosen), ref))


def _article_ref(ctx: Context, args: list[str]) -> tuple[str | None, list[str]]:
    """The article reference among /summary's words (a number or a known id), and the rest."""
    for i, word in enumerate(args):
        if word.isdigit() or ctx.library.find(word) is not None or (
                len(args) == 1 and pairs.countries_in(ctx.library, word) is None):
            return word, args[:i] + args[i + 1:]
    return None, args


@COMMANDS.command("trade", N_("[year] [pair]"), N_("Trade figures: latest, series, sources"))
async def cmd_trade(ctx: Context, args: list[str]) -> Reply:
    """Trade figures, for the latest period or a given year, for each pair."""
    years = [a for a in args if re.fullmatch(r"(19|20)\d\d", a)]
    rest = [a for a in args if a not in years]
    if len(years) > 1 or (rest and pairs.countries_in(ctx.library, " ".join(rest)) is None):
        return notice(ctx._("“{arg}” is not a year.").format(arg=echo(" ".join(args))),
                      usage(ctx, "trade"))
    chosen = await briefing_pairs(ctx, rest)
    if isinstance(chosen, Reply):
        return chosen
    year = int(years[0]) if years else None
    return Reply(joined([briefings.trade(ctx.scope((pair,)), year) for pair in chosen]))


EVENT_MODES = {"upcoming": "upcoming", "past": "past", "all": "all", "avenir": "upcoming",
               "a_venir": "upcoming", "prochains": "upcoming", "passes": "past",
               "passe": "past", "tous": "all", "tout": "all"}

ALL_WORD = N_("all")  # as in "/events all"


def event_mode(args: list[str]) -> str | None:
    """``past``, ``passés``, ``à venir``...: the events mode the words ask for, if any."""
    if not args:
        return "upcoming"
    return EVENT_MODES.get("_".join(fold(arg) for arg in args))


@COMMANDS.command("events", N_("[past|all] [pair]"),
                  N_("Upcoming bilateral events, or past ones"))
async def cmd_events(ctx: Context, args: list[str]) -> Reply:
    """Events: upcoming by default; the chat's pairs (or the pair named) in one list."""
    if len(args) == 1 and event_mode(args) is None and (
            month := words.month_number(args[0])) is not None:
        return month_reply(ctx, month, await ctx.pairs())
    split = split_mode(ctx, args)
    if split is None:
        return notice(ctx._("“{arg}” is not past or all.").format(arg=echo(" ".join(args))),
                      usage(ctx, "events"))
    mode, rest = split
    chosen = await briefing_pairs(ctx, rest)
    if isinstance(chosen, Reply):
        return chosen
    return Reply(briefings.events(ctx.scope(chosen), mode))


def split_mode(ctx: Context, args: list[str]) -> tuple[str, list[str]] | None:
    """The events mode among ``args`` (``passés``, ``à venir``) and the words left, which
    must name a pair (``/events past DE``); None when the words are neither."""
    if not args:
        return "upcoming", []
    for start in range(len(args)):
        for end in range(len(args), start, -1):
            mode, rest = event_mode(args[start:end]), args[:start] + args[end:]
            if mode is not None and (not rest or pairs.countries_in(ctx.library,
                                                                    " ".join(rest))):
                return mode, rest
    if pairs.countries_in(ctx.library, " ".join(args)) is not None:
        return "upcoming", args
    return None


MONTH_SHOWN = 5  # events listed for one month; /events all has the rest


def in_month(event: Event, month: int) -> bool:
    """True when an event known to the day or the month falls in ``month`` of some year."""
    if event.date.precision not in ("day", "days", "month"):
        return False
    low, high = event.date.bounds()
    return any((low.year, low.month) <= (year, month) <= (high.year, high.month)
               for year in range(low.year, high.year + 1))


def month_reply(ctx: Context, month: int, chosen: tuple[Pair, ...] = ()) -> Reply:
    """``/events juin``: the events known to fall in June, coming ones first."""
    scope = ctx.scope(chosen)
    upcoming, past = briefings.split_events(scope)
    found = [item for item in (*upcoming, *past) if in_month(item.event, month)]
    name = words.month_name(month, ctx.locale)
    everything = ctx._("{command} shows every event by date.").format(
        command=f"{ctx.command('events')} {ctx._(ALL_WORD)}")
    if not found:
        return notice(ctx._("No event is known in {month}.").format(month=name), everything)
    lines = [f"• {item.event.title.get(ctx.locale)} · "
             f"{scope.phrases.schedule(item.event, scope.today(item.event))}"
             for item in found[:MONTH_SHOWN]]
    return notice(ctx._("Events in {month}:").format(month=name), *lines, "", everything)


@COMMANDS.command("articles", N_("[pair]"), N_("The articles Bilat knows, newest first"))
async def cmd_articles(ctx: Context, args: list[str]) -> Reply:
    """The numbered article list of the chat's pairs (or of the pair named)."""
    chosen = await briefing_pairs(ctx, args)
    if isinstance(chosen, Reply):
        return chosen
    return Reply(briefings.article_list(ctx.scope(chosen)))


@COMMANDS.command("lang", N_("fr|en"), N_("Choose the language: français or English"))
async def cmd_lang(ctx: Context, args: list[str]) -> Reply:
    """Set the chat's language (``fr``, ``français``, ``anglais``, ``English``...)."""
    if not args:
        return notice(ctx._("Language: English."), usage(ctx, "lang"))
    wanted = words.language_code(" ".join(args))
    if wanted is None:
        return notice(ctx._("“{arg}” is not a language Bilat speaks: choose fr or en.")
                      .format(arg=echo(" ".join(args))), usage(ctx, "lang"))
    if ctx.chat is not None and not await ctx.chat.can_manage():
        return notice(ctx._(NOT_ALLOWED))
    await ctx.prefs.set_locale(wanted)
    return notice(i18n.gettext(wanted, "Language: English."))


@COMMANDS.command("help", "", N_("This list of commands"))
async def cmd_help(ctx: Context, args: list[str]) -> Reply:
    """The commands."""
    return help_reply(ctx, pairs=await ctx.pairs())


# Subscriptions and operators register their commands in the same table, in this order.
from bot.core import pair_commands  # noqa: E402, F401, I001
from bot.core import subscription_commands  # noqa: E402, F401
from bot.core import admin_commands  # noqa: E402, F401
