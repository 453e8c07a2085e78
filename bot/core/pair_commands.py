"""Pair commands: /pairs lists the covered relationships, /follow and /unfollow choose the
chat's.

A chat that never chose sees the deployment's default pairs; its first /follow replaces that
default with its own choice, and unfollowing its last pair brings the default back. Digests
and alerts follow the same pairs (bot.delivery.scheduler reads them with the subscriptions).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core import pairs
from bot.core.briefing_commands import NOT_ALLOWED, pair_problem
from bot.core.command_table import CommandTable, Context, Reply, notice, usage
from bot.core.facts import Article
from bot.core.library import Pair, pair_key
from bot.core.phrases import N_
from bot.core.pushes import pair_code
from bot.core.render import render

PAIR_COMMANDS = CommandTable()


@dataclass(frozen=True)
class PairRow:
    """One covered relationship as /pairs shows it."""

    name: str
    code: str
    count: int
    newest: Article | None
    followed: bool


@PAIR_COMMANDS.command("pairs", "",
                       N_("The country pairs Bilat covers, with their newest article"))
async def cmd_pairs(ctx: Context, args: list[str]) -> Reply:
    """The covered pairs, newest article of each, the chat's own marked."""
    scope = ctx.scope()
    p = scope.phrases
    own = {pair_key(x) for x in await ctx.pairs()}
    chose = bool(await ctx.chat.pairs())
    rows = []
    for pair in ctx.library.pairs:
        about = scope.library.about(pair)
        rows.append(PairRow(p.pair(pair), pair_code(pair), len(about),
                            about[0] if about else None, pair_key(pair) in own))
    example = next((r.code for r in rows if not r.followed), rows[0].code if rows else "")
    return Reply(render("pairs", ctx.locale, **scope.base(
        rows=rows, chose=chose, prefix=ctx.prefix, example=example)))


async def _chosen(ctx: Context, args: list[str], command: str) -> Pair | Reply:
    """The one covered pair ``args`` name, or the reply that says why not."""
    if not args:
        names = pair_names(ctx, await ctx.pairs())
        return notice(ctx._("This chat follows {pairs}.").format(pairs=names),
                      usage(ctx, command))
    # A lone country in several pairs: /unfollow means one the chat follows; /follow asks.
    own = await ctx.chat.pairs() if command == "unfollow" else ()
    found = pairs.resolve(ctx.library, " ".join(args), own)
    if found.pair is None:
        return notice(pair_problem(ctx, found), usage(ctx, command))
    return found.pair


def pair_names(ctx: Context, chosen: tuple[Pair, ...]) -> str:
    """``Kazakhstan–Germany and Uzbekistan–France`` in the context's language."""
    p = ctx.scope().phrases
    return p.join([p.pair(x) for x in chosen])


# Like /subscribe, both may name a channel first from a private chat (``/follow @channel DE``):
# the adapter checks that the sender administers it and that Bilat can post there.
@PAIR_COMMANDS.command("follow", N_("pair"), N_("Follow a country pair in this chat"),
                       names_chat=True)
async def cmd_follow(ctx: Context, args: list[str]) -> Reply:
    """Add a pair to the chat's own."""
    chat = ctx.chat
    if not chat.persistent:
        return notice(ctx._("Choosing pairs is not available here."))
    pair = await _chosen(ctx, args, "follow")
    if isinstance(pair, Reply):
        return pair
    current = await chat.pairs()
    if pair_key(pair) in {pair_key(x) for x in current}:
        return notice(ctx._("This chat already follows {pair}.").format(
            pair=pair_names(ctx, (pair,))))
    if not await chat.can_manage():
        return notice(ctx._(NOT_ALLOWED))
    await chat.set_pairs((*current, pair))
    return notice(ctx._("This chat now follows {pairs}.").format(
        pairs=pair_names(ctx, await ctx.pairs())))


@PAIR_COMMANDS.command("unfollow", N_("pair"),
                       N_("Stop following a country pair in this chat"), names_chat=True)
async def cmd_unfollow(ctx: Context, args: list[str]) -> Reply:
    """Remove a pair from the chat's own."""
    chat = ctx.chat
    if not chat.persistent:
        return notice(ctx._("Choosing pairs is not available here."))
    pair = await _chosen(ctx, args, "unfollow")
    if isinstance(pair, Reply):
        return pair
    current = await chat.pairs()
    left = tuple(x for x in current if pair_key(x) != pair_key(pair))
    if len(left) == len(current):
        return notice(ctx._("This chat does not follow {pair}.").format(
            pair=pair_names(ctx, (pair,))))
    if not await chat.can_manage():
        return notice(ctx._(NOT_ALLOWED))
    await chat.set_pairs(left)
    if not left:
        return notice(ctx._("This chat no longer follows {pair}; it sees the default again: "
                            "{pairs}.").format(pair=pair_names(ctx, (pair,)),
                                               pairs=pair_names(ctx, await ctx.pairs())))
    return notice(ctx._("This chat no longer follows {pair}; it follows {pairs}.").format(
        pair=pair_names(ctx, (pair,)), pairs=pair_names(ctx, left)))
