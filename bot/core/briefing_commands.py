"""The briefing commands: /start, /summary, /trade (with its chart), /events (with its
calendar), /articles, /lang, /help.

The chart and the calendar are part of the answer wherever the network carries files.
"""

from __future__ import annotations

import asyncio
import html
import re
from dataclasses import dataclass, replace

from bot.core import briefings, event_calendar, i18n, trade_chart, words
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
from bot.core.network import Attachment
from bot.core.phrases import N_
from bot.core.render import Rendered, render
from bot.core.words import fold

BRIEFING_COMMANDS = CommandTable()
NOT_ALLOWED = N_("Only this chat’s administrators can change its settings.")
CHART_WORDS = frozenset({"chart", "graph", "graphique", "graphe"})
EVENT_MODES = {"upcoming": "upcoming", "past": "past", "all": "all", "avenir": "upcoming",
               "a_venir": "upcoming", "prochains": "upcoming", "passes": "past",
               "passe": "past", "tous": "all", "tout": "all"}
ALL_WORD = N_("all")  # as in "/events all"
MONTH_SHOWN = 5  # events listed for one month; /events all has the rest
YEAR = re.compile(r"(19|20)\d\d")


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
    nearest = ctx.table.nearest(typed, ctx.locale, ctx.is_admin) if typed else None
    if nearest is not None:
        return notice(ctx._("Unknown command {command}. Did you mean {nearest}?").format(
            command=shown, nearest=ctx.prefix + nearest))
    return notice(ctx._("Unknown command {command}. {help} lists the commands.").format(
        command=shown, help=ctx.command("help")))


def help_reply(ctx: Context, problem: str | None = None) -> Reply:
    """The list of commands, optionally after a problem line, and the network's own note."""
    lines = [(ctx.command(c.name), ctx._(c.usage) if c.usage else "", ctx._(c.summary))
             for c in ctx.table if not c.admin or ctx.is_admin]
    scope = ctx.scope()
    reply = render("help", ctx.locale, **scope.base(problem=problem, commands=lines))
    note = ctx.request.network.help_note
    if note is None:
        return Reply(reply)
    line = ctx._(note).format(bot=f"@{ctx.request.bot_username}")
    return Reply(Rendered.from_html(f"{reply.html}\n\n<i>{html.escape(line, quote=False)}</i>"))


@BRIEFING_COMMANDS.command("start", "", N_("Welcome and what Bilat can do"), in_menu=False,
                           cacheable=True)
async def cmd_start(ctx: Context, args: list[str]) -> Reply:
    """Greet and show the commands."""
    return help_reply(ctx)


@BRIEFING_COMMANDS.command("summary", N_("[article]"),
                           N_("Summary of the latest article, or of one"), cacheable=True)
async def cmd_summary(ctx: Context, args: list[str]) -> Reply:
    """An article's summary."""
    return Reply(briefings.summary(ctx.scope(), args[0] if args else None))


@BRIEFING_COMMANDS.command("trade", N_("[year]"), N_("Trade figures: latest, series, sources"),
                           cacheable=True)
async def cmd_trade(ctx: Context, args: list[str]) -> Reply:
    """Trade figures, for the latest period or a given year; ``chart`` adds the chart."""
    wanted = [a for a in args if a.lower() not in CHART_WORDS]
    year = None
    if wanted:
        if not YEAR.fullmatch(wanted[0]) or len(wanted) > 1:
            return notice(ctx._("“{arg}” is not a year.").format(arg=echo(" ".join(wanted))),
                          usage(ctx, "trade"))
        year = int(wanted[0])
    scope = ctx.scope()
    message = briefings.trade(scope, year)
    if len(wanted) == len(args) or not ctx.files:
        return Reply(message)
    # Drawing takes a few hundred milliseconds: off the event loop.
    png = await asyncio.to_thread(trade_chart.turnover_png, scope)
    if png is None:
        return Reply(message)
    chart = Attachment("bilat-trade.png", "image/png", png, trade_chart.caption(ctx.locale))
    return Reply(message, (chart,))


@BRIEFING_COMMANDS.command("events", N_("[past|all]"),
                           N_("Upcoming bilateral events, or past ones"), cacheable=True)
async def cmd_events(ctx: Context, args: list[str]) -> Reply:
    """Events: upcoming by default; upcoming ones come with an .ics calendar file."""
    mode = event_mode(args)
    if mode is None:
        if len(args) == 1 and (month := words.month_number(args[0])) is not None:
            return month_reply(ctx, month)
        return notice(ctx._("“{arg}” is not past or all.").format(arg=echo(" ".join(args))),
                      usage(ctx, "events"))
    scope = ctx.scope()
    message = briefings.events(scope, mode)
    calendar = event_calendar.upcoming_calendar(scope) \
        if ctx.files and mode in ("upcoming", "all") else None
    if calendar is None:
        return Reply(message)
    return Reply(message, (calendar.attachment(scope),))


def event_mode(args: list[str]) -> str | None:
    """``past``, ``passés``, ``à venir``...: the events mode the words ask for, if any."""
    if not args:
        return "upcoming"
    return EVENT_MODES.get("_".join(fold(arg) for arg in args))


def in_month(event: Event, month: int) -> bool:
    """True when an event known to the day or the month falls in ``month`` of some year."""
    if event.date.precision not in ("day", "days", "month"):
        return False
    low, high = event.date.bounds()
    return any((low.year, low.month) <= (year, month) <= (high.year, high.month)
               for year in range(low.year, high.year + 1))


def month_reply(ctx: Context, month: int) -> Reply:
    """``/events juin``: the events known to fall in June, coming ones first."""
    scope = ctx.scope()
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


@BRIEFING_COMMANDS.command("articles", "", N_("The articles Bilat knows, newest first"),
                           cacheable=True)
async def cmd_articles(ctx: Context, args: list[str]) -> Reply:
    """The numbered article list."""
    return Reply(briefings.article_list(ctx.scope()))


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
    return help_reply(ctx)
