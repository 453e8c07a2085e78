"""The briefing commands: /start, /summary, /trade (with its chart), /events (with its
calendar), /articles, /lang, /help.

The chart and the calendar are part of the answer wherever the network carries files.
"""

from __future__ import annotations

import asyncio
import html
import re

from bot.core import briefings, event_calendar, i18n, trade_chart
from bot.core.command_table import CommandTable, Context, Reply, echo, notice, usage
from bot.core.network import Attachment
from bot.core.phrases import N_
from bot.core.render import Rendered, render

BRIEFING_COMMANDS = CommandTable()
NOT_ALLOWED = N_("Only this chat’s administrators can change its settings.")
CHART_WORDS = frozenset({"chart", "graph", "graphique", "graphe"})
EVENT_MODES = {"upcoming": "upcoming", "past": "past", "all": "all", "avenir": "upcoming",
               "passes": "past", "passés": "past", "passe": "past", "tous": "all", "tout": "all"}
YEAR = re.compile(r"(19|20)\d\d")


def help_reply(ctx: Context, problem: str | None = None) -> Reply:
    """The list of commands, optionally after a problem line, and the network's own note."""
    lines = [(f"{ctx.prefix}{c.name}", ctx._(c.usage) if c.usage else "", ctx._(c.summary))
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
    mode = "upcoming"
    if args:
        found = EVENT_MODES.get(args[0].lower())
        if found is None or len(args) > 1:
            return notice(ctx._("“{arg}” is not past or all.").format(arg=echo(" ".join(args))),
                          usage(ctx, "events"))
        mode = found
    scope = ctx.scope()
    message = briefings.events(scope, mode)
    calendar = event_calendar.upcoming_calendar(scope) \
        if ctx.files and mode in ("upcoming", "all") else None
    if calendar is None:
        return Reply(message)
    return Reply(message, (calendar.attachment(scope),))


@BRIEFING_COMMANDS.command("articles", "", N_("The articles Bilat knows, newest first"),
                           cacheable=True)
async def cmd_articles(ctx: Context, args: list[str]) -> Reply:
    """The numbered article list."""
    return Reply(briefings.article_list(ctx.scope()))


@BRIEFING_COMMANDS.command("lang", N_("fr|en"), N_("Choose the language: français or English"),
                           names_chat=True)
async def cmd_lang(ctx: Context, args: list[str]) -> Reply:
    """Set the chat's language."""
    if not args:
        return notice(ctx._("Language: English."), usage(ctx, "lang"))
    wanted = args[0].lower()
    if not i18n.is_supported(wanted) or len(args) > 1:
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
