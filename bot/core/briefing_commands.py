"""The briefing commands: /start, /summary, /trade (with its chart), /events (with its
calendar), /articles, /lang, /help.

The chart and the calendar are part of the answer wherever the network carries files.
"""

from __future__ import annotations

import asyncio
import html
import re
from dataclasses import dataclass, replace

from bot.core import briefings, event_calendar, i18n, pairs, trade_chart, words
from bot.core.command_table import (
    Button,
    Buttons,
    CommandTable,
    Context,
    Reply,
    echo,
    notice,
    usage,
)
from bot.core.facts import LOCALES, Event
from bot.core.library import Pair
from bot.core.network import Attachment
from bot.core.phrases import N_
from bot.core.pushes import pair_code
from bot.core.render import Rendered, render
from bot.core.words import fold

BRIEFING_COMMANDS = CommandTable()
NOT_ALLOWED = N_("Only this chat’s administrators can change its settings.")
CHART_WORDS = frozenset({"chart", "graph", "graphique", "graphe"})
YEAR = re.compile(r"(19|20)\d\d")


@dataclass(frozen=True)
class View:
    """One view of a briefing: the arguments that ask for it ("" is the short default)."""

    args: str
    label: str  # msgid


# The views a briefing's buttons switch between (Telegram shows them under the message;
# Matrix has no buttons, so the short answers name these commands instead).
VIEWS: dict[str, tuple[View, ...]] = {
    "trade": (View("", N_("Short")), View("all", N_("All figures")), View("notes", N_("Notes")),
              View("sources", N_("Sources"))),
    "summary": (View("", N_("Short")), View("full", N_("Full")),
                View("sources", N_("Sources"))),
    "events": (View("", N_("Coming")), View("past", N_("Past")), View("all", N_("All")),
               View("sources", N_("Sources"))),
}
# The detail views' words, in either language.
SUMMARY_VIEWS = {"full": "full", "sources": "sources", "complet": "full"}
TRADE_VIEWS = {"all": "all", "notes": "notes", "sources": "sources", "tout": "all",
               "tous": "all"}


async def introduced(ctx: Context, reply: Reply) -> Reply:
    """``reply``, followed by the covered pairs when it is the chat's first answer."""
    if not await ctx.chat.introduce():
        return reply
    ctx = replace(ctx, locale=ctx.chat.locale or ctx.locale)  # /lang may just have changed it
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


async def with_buttons(ctx: Context, name: str, args: list[str], reply: Reply) -> Reply:
    """``reply`` with the buttons of its view, when it is one of VIEWS (on the pair the
    command named, if it named one: the buttons then carry it)."""
    if reply.buttons or name not in VIEWS:
        return reply
    view, rest = view_words(ctx, name, args)
    pair = ""
    if rest:
        found = pairs.resolve(ctx.library, " ".join(rest), await ctx.pairs())
        if found.pair is None:
            return reply
        pair = pair_code(found.pair)
    buttons = view_buttons(ctx, name, view, pair)
    return replace(reply, buttons=buttons) if buttons else reply


def view_words(ctx: Context, name: str, args: list[str]) -> tuple[list[str], list[str]]:
    """A briefing's words split into those choosing its view and the rest (a pair)."""
    if name == "events":
        split = split_mode(ctx, args)
        if split is None:
            return args, []
        mode, rest = split
        return ([] if mode == "upcoming" else [mode]), rest
    known = TRADE_VIEWS if name == "trade" else SUMMARY_VIEWS
    chosen = [a for a in args if fold(a) in known]
    return chosen, [a for a in args if fold(a) not in known]


def view_of(name: str, args: list[str]) -> str | None:
    """Which of VIEWS a command line is (``events passés`` is ``past``); None if none."""
    if name == "events":
        mode = event_mode(args)
        current = "" if mode == "upcoming" else mode
    else:
        # Either language's view words ("tout" is "all").
        words_ = TRADE_VIEWS if name == "trade" else SUMMARY_VIEWS
        current = " ".join(words_.get(fold(a), fold(a)) for a in args)
    return current if any(v.args == current for v in VIEWS.get(name, ())) else None


def view_buttons(ctx: Context, name: str, args: list[str], pair: str = "") -> Buttons:
    """The other views of this answer, then the same view in the other language; each on
    ``pair`` (``KZ-DE``) when the answer was about a pair the command named."""
    current = view_of(name, args)
    if current is None:
        return ()

    def line(view: str) -> str:
        return " ".join(f"{name} {view} {pair}".split())

    views = tuple(Button(ctx._(v.label), line(v.args)) for v in VIEWS[name] if v.args != current)
    other = next(code for code in LOCALES if code != ctx.locale)
    language = i18n.language_name(other, other)
    switch = (Button(language[:1].upper() + language[1:], line(current), other),)
    return tuple(row for row in (views, switch) if row)


def unknown_reply(ctx: Context, typed: str) -> Reply:
    """One line: the command is unknown, and the nearest one (or where the list is)."""
    shown = f"{ctx.prefix}{echo(typed)}"
    nearest = ctx.table.nearest(typed, ctx.locale, ctx.is_admin) if typed else None
    if nearest is not None:
        return notice(ctx._("Unknown command {command}. Did you mean {nearest}?").format(
            command=shown, nearest=ctx.prefix + nearest))
    return notice(ctx._("Unknown command {command}. {help} lists the commands.").format(
        command=shown, help=ctx.command("help")))


def help_reply(ctx: Context, problem: str | None = None,
               pairs: tuple[Pair, ...] = ()) -> Reply:
    """The list of commands, optionally after a problem line, about ``pairs`` (the chat's),
    with the network's own note."""
    lines = [(ctx.command(c.name), ctx._(c.usage) if c.usage else "", ctx._(c.summary))
             for c in ctx.table if (not c.admin or ctx.is_admin)
             and (not c.editor or ctx.is_editor)]
    scope = ctx.scope(pairs)
    reply = render("help", ctx.locale, **scope.base(problem=problem, commands=lines))
    note = ctx.request.network.help_note
    if note is None:
        return Reply(reply)
    line = ctx._(note).format(bot=f"@{ctx.request.bot_username}")
    return Reply(Rendered.from_html(f"{reply.html}\n\n<i>{html.escape(line, quote=False)}</i>"))


# Not cacheable: the answer depends on whether the chat was seen before.
@BRIEFING_COMMANDS.command("start", "", N_("Welcome and what Bilat can do"), in_menu=False)
async def cmd_start(ctx: Context, args: list[str]) -> Reply:
    """The commands for a new chat; the one-screen overview once the chat has used Bilat."""
    if await has_used(ctx):
        return Reply(briefings.brief(ctx.scope((await ctx.pairs())[:1])))
    await remember(ctx)
    return help_reply(ctx, pairs=await ctx.pairs())


async def has_used(ctx: Context) -> bool:
    """True when the chat's row was stored before this request (it was welcomed or set up)."""
    # Stores set ``returning`` when they found the chat's row before this request; other
    # implementations count as new and get the welcome.
    return bool(getattr(ctx.chat, "returning", False))


async def remember(ctx: Context) -> None:
    """Store the chat on its welcome, so that its next /start gives the overview."""
    stored = getattr(ctx.chat, "stored", None)
    if callable(stored):
        await stored()


@BRIEFING_COMMANDS.command("brief", N_("[pair]"),
                           N_("One screen: trade, next event, latest meeting, newest article"),
                           cacheable=True)
async def cmd_brief(ctx: Context, args: list[str]) -> Reply:
    """The overview, of the chat's first pair or the pair named."""
    chosen = await briefing_pairs(ctx, args)
    if isinstance(chosen, Reply):
        return chosen
    return Reply(briefings.brief(ctx.scope(chosen[:1])))


@BRIEFING_COMMANDS.command("summary", N_("[full|sources] [article] [pair]"),
                           N_("Summary of the latest article, or of one"), cacheable=True)
async def cmd_summary(ctx: Context, args: list[str]) -> Reply:
    """An article's summary: short by default, ``full`` or ``sources`` on request."""
    view = "short"
    rest = list(args)
    if rest and fold(rest[0]) in SUMMARY_VIEWS:
        view = SUMMARY_VIEWS[fold(rest.pop(0))]
    ref, rest = _article_ref(ctx, rest)
    chosen = await briefing_pairs(ctx, rest)
    if isinstance(chosen, Reply):
        return chosen
    return Reply(briefings.summary(ctx.scope(chosen), ref, view))


def _article_ref(ctx: Context, args: list[str]) -> tuple[str | None, list[str]]:
    """The article reference among /summary's words (a number or a known id), and the rest."""
    for i, word in enumerate(args):
        if word.isdigit() or ctx.library.find(word) is not None or (
                len(args) == 1 and pairs.countries_in(ctx.library, word) is None):
            return word, args[:i] + args[i + 1:]
    return None, args


@BRIEFING_COMMANDS.command("trade", N_("[all|notes|sources|year] [pair]"),
                           N_("Trade: the latest full year; every figure, notes, sources"),
                           cacheable=True)
async def cmd_trade(ctx: Context, args: list[str]) -> Reply:
    """Trade figures: the latest full year, a view (``all``, ``notes``, ``sources``) or one
    year, for each pair; ``chart`` adds a chart of each pair's series where the network
    carries files."""
    wanted = [a for a in args if a.lower() not in CHART_WORDS]
    chart, args = len(wanted) < len(args), wanted
    years = [a for a in args if YEAR.fullmatch(a)]
    views = [a for a in args if fold(a) in TRADE_VIEWS]
    rest = [a for a in args if a not in years and a not in views]
    if len(years) + len(views) > 1 or (
            rest and pairs.countries_in(ctx.library, " ".join(rest)) is None):
        return notice(ctx._("“{arg}” is not a year, all, notes or sources.").format(
            arg=echo(" ".join(args))), usage(ctx, "trade"))
    chosen = await briefing_pairs(ctx, rest)
    if isinstance(chosen, Reply):
        return chosen
    year = int(years[0]) if years else None
    view = TRADE_VIEWS[fold(views[0])] if views else "short"
    message = joined([briefings.trade(ctx.scope((pair,)), year, view) for pair in chosen])
    if not chart or not ctx.files:
        return Reply(message)
    charts = []
    for pair in chosen:
        # Drawing takes a few hundred milliseconds: off the event loop.
        png = await asyncio.to_thread(trade_chart.turnover_png, ctx.scope((pair,)))
        if png is not None:
            charts.append(Attachment("bilat-trade.png", "image/png", png,
                                     trade_chart.caption(ctx.locale)))
    return Reply(message, tuple(charts))


EVENT_MODES = {"upcoming": "upcoming", "past": "past", "all": "all", "avenir": "upcoming",
               "a_venir": "upcoming", "prochains": "upcoming", "passes": "past",
               "passe": "past", "tous": "all", "tout": "all", "sources": "sources"}

ALL_WORD = N_("all")  # as in "/events all"


def event_mode(args: list[str]) -> str | None:
    """``past``, ``passés``, ``à venir``...: the events mode the words ask for, if any."""
    if not args:
        return "upcoming"
    return EVENT_MODES.get("_".join(fold(arg) for arg in args))


@BRIEFING_COMMANDS.command("events", N_("[past|all|sources] [pair]"),
                           N_("Upcoming bilateral events, or past ones"), cacheable=True)
async def cmd_events(ctx: Context, args: list[str]) -> Reply:
    """Events: upcoming by default; the chat's pairs (or the pair named) in one list; the
    upcoming ones come with an .ics calendar where the network carries files."""
    if len(args) == 1 and event_mode(args) is None and (
            month := words.month_number(args[0])) is not None:
        return month_reply(ctx, month, await ctx.pairs())
    split = split_mode(ctx, args)
    if split is None:
        return notice(ctx._("“{arg}” is not past, all or sources.").format(
            arg=echo(" ".join(args))), usage(ctx, "events"))
    mode, rest = split
    chosen = await briefing_pairs(ctx, rest)
    if isinstance(chosen, Reply):
        return chosen
    scope = ctx.scope(chosen)
    message = briefings.events(scope, mode)
    calendar = event_calendar.upcoming_calendar(scope) \
        if ctx.files and mode in ("upcoming", "all") else None
    if calendar is None:
        return Reply(message)
    return Reply(message, (calendar.attachment(scope),))


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


@BRIEFING_COMMANDS.command("articles", N_("[pair]"), N_("The articles Bilat knows, newest first"),
                           cacheable=True)
async def cmd_articles(ctx: Context, args: list[str]) -> Reply:
    """The numbered article list of the chat's pairs (or of the pair named)."""
    chosen = await briefing_pairs(ctx, args)
    if isinstance(chosen, Reply):
        return chosen
    return Reply(briefings.article_list(ctx.scope(chosen)))


@BRIEFING_COMMANDS.command("lang", N_("fr|en"), N_("Choose the language: français or English"),
                           names_chat=True)
async def cmd_lang(ctx: Context, args: list[str]) -> Reply:
    """Set the chat's language (``fr``, ``français``, ``anglais``, ``English``...)."""
    if not args:
        return notice(ctx._("Language: English."), usage(ctx, "lang"))
    wanted = words.language_code(" ".join(args))
    if wanted is None:
        return notice(ctx._("“{arg}” is not a language Bilat speaks: choose fr or en.")
                      .format(arg=echo(" ".join(args))), usage(ctx, "lang"))
    if not await ctx.chat.can_manage():
        return notice(ctx._(NOT_ALLOWED))
    await ctx.chat.set_locale(wanted)
    return notice(i18n.gettext(wanted, "Language: English."))


@BRIEFING_COMMANDS.command("help", "", N_("This list of commands"), cacheable=True)
async def cmd_help(ctx: Context, args: list[str]) -> Reply:
    """The commands."""
    return help_reply(ctx, pairs=await ctx.pairs())
