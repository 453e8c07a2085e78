"""Operator commands: /stats and /reload, for the senders listed in BILAT_ADMINS.

They are in the shared table like every command, kept out of the network menus
(``in_menu=False``) and out of everyone else's help (``admin=True``). Anyone else who types
them gets a polite refusal, never the figures. ``ctx.ops`` does the work (bot.ops.admin).
"""

from __future__ import annotations

import html

from bot.core import i18n
from bot.core.command_table import CommandTable, Context, Reply
from bot.core.operator import ReloadOutcome, Stats
from bot.core.phrases import N_
from bot.core.render import Rendered

NOT_OPERATOR = N_("Sorry, this command is for Bilat’s operators only.")
SHOWN_ERRORS = 10  # a reply lists this many data errors; the log has them all
OPERATOR_COMMANDS = CommandTable()
OUTBOX_STATES = {"pending": N_("pending"), "sending": N_("sending"), "sent": N_("sent"),
                 "failed": N_("failed"), "dropped": N_("dropped")}


def _reply(title: str | None, lines: list[str]) -> Reply:
    """A bold title (if any) over plain lines, escaped."""
    body = [html.escape(line, quote=False) for line in lines]
    if title:
        body.insert(0, f"<b>{html.escape(title, quote=False)}</b>")
    return Reply(Rendered.from_html("\n".join(body)))


def refusal(ctx: Context) -> Reply:
    """The polite no for anyone who is not an operator (the session sends it)."""
    return _reply(None, [ctx._(NOT_OPERATOR)])


def _n(ctx: Context, value: int) -> str:
    return i18n.number(value, ctx.locale)


def _by(ctx: Context, counts: dict[str, int], names: dict[str, str] | None = None) -> str:
    """``telegram 10, matrix 2``: each count after its (translated) name."""
    return ", ".join(f"{ctx._(names[k]) if names and k in names else k} {_n(ctx, v)}"
                     for k, v in counts.items())


def stats_lines(ctx: Context, stats: Stats) -> list[str]:
    """The /stats figures, one per line."""
    outbox = {state: stats.outbox.get(state, 0) for state in OUTBOX_STATES}
    chats = ctx._("Chats: {count}").format(count=_n(ctx, sum(stats.chats.values())))
    if stats.chats:
        chats += f" ({_by(ctx, stats.chats)})"
    return [
        chats,
        ctx._("Chats that removed or blocked Bilat: {count}").format(
            count=_n(ctx, stats.chats_gone)),
        ctx._("Active subscriptions: {count}").format(count=_n(ctx, stats.subscriptions_active)),
        ctx._("Stopped subscriptions: {count}").format(
            count=_n(ctx, stats.subscriptions_stopped)),
        ctx._("Outbox: {detail}").format(detail=_by(ctx, outbox, OUTBOX_STATES)),
        ctx._("Subscriptions failing now: {count}").format(count=_n(ctx, stats.failing)),
        ctx._("Stopped after repeated failures: {count}").format(
            count=_n(ctx, stats.stopped_by_failures)),
        ctx._("Errors since start: {detail}").format(detail=_by(ctx, stats.errors))
        if stats.errors else ctx._("Errors since start: none"),
        ctx._("Articles in service: {count}").format(count=_n(ctx, stats.articles)),
    ]


def reload_lines(ctx: Context, outcome: ReloadOutcome) -> list[str]:
    """What /reload did: the count loaded, or the errors and what stays in service."""
    catalog = i18n.translations(ctx.locale)
    if outcome.loaded:
        return [catalog.ngettext("Data reloaded: %(num)d article in service.",
                                 "Data reloaded: %(num)d articles in service.",
                                 outcome.articles) % {"num": outcome.articles}]
    count = len(outcome.errors)
    lines = [catalog.ngettext(
        "Reload refused: %(num)d error; the previous data stays in service.",
        "Reload refused: %(num)d errors; the previous data stays in service.",
        count) % {"num": count}, *outcome.errors[:SHOWN_ERRORS]]
    if count > SHOWN_ERRORS:
        lines.append(ctx._("… and {count} more.").format(count=_n(ctx, count - SHOWN_ERRORS)))
    return lines


@OPERATOR_COMMANDS.command("stats", "", N_("Figures for operators: chats, subscriptions, outbox"),
                           in_menu=False, admin=True)
async def cmd_stats(ctx: Context, args: list[str]) -> Reply:
    """Chats, subscriptions, outbox by state and failures (operators only)."""
    assert ctx.ops is not None  # the session lets only operators through
    return _reply(ctx._("Bilat statistics"), stats_lines(ctx, await ctx.ops.stats()))


@OPERATOR_COMMANDS.command("reload", "", N_("Load the article data again (operators)"),
                           in_menu=False, admin=True)
async def cmd_reload(ctx: Context, args: list[str]) -> Reply:
    """Reload the data directory; report the count loaded or the errors (operators only)."""
    assert ctx.ops is not None  # the session lets only operators through
    return _reply(None, reload_lines(ctx, await ctx.ops.reload()))
