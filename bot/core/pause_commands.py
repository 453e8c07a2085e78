"""``/pause`` and ``/unpause`` (French ``/reprendre``): stop a chat's digests and alerts for a
while and start them again, the settings kept.

``/resume`` is the French name of ``/summary`` (résumé), so the English name of the second
command is ``/unpause``. After a pause the next digest reports everything new since the
chat's last digest: nothing published during the pause is missed.
"""

from __future__ import annotations

from bot.core.briefing_commands import NOT_ALLOWED
from bot.core.command_table import CommandTable, Context, Reply, notice
from bot.core.phrases import N_
from bot.core.subscription_commands import settings_reply

NO_SUBSCRIPTION = N_("This chat has no subscription. {command} starts one.")
PAUSE_COMMANDS = CommandTable()


async def _allowed(ctx: Context) -> Reply | None:
    """Why this request may not pause or resume, if it may not."""
    if not ctx.chat.persistent:
        return notice(ctx._("Subscriptions are not available here."))
    if not await ctx.chat.can_manage():
        return notice(ctx._(NOT_ALLOWED))
    return None


@PAUSE_COMMANDS.command("pause", "", N_("Pause the digest and alerts, keeping the settings"))
async def cmd_pause(ctx: Context, args: list[str]) -> Reply:
    """Pause the chat's pushes; its settings stay."""
    if refusal := await _allowed(ctx):
        return refusal
    state = await ctx.chat.subscription()
    if state is None:
        return notice(ctx._(NO_SUBSCRIPTION).format(command=ctx.command("subscribe")))
    if not state.active:
        return notice(ctx._("Already paused. {command} starts the digest and alerts again.")
                      .format(command=ctx.command("unpause")))
    await ctx.chat.unsubscribe()
    return notice(ctx._("Paused: no digests or alerts until {command}; the settings are "
                        "kept.").format(command=ctx.command("unpause")))


@PAUSE_COMMANDS.command("unpause", "", N_("Start the digest and alerts again after a pause"))
async def cmd_unpause(ctx: Context, args: list[str]) -> Reply:
    """Resume the chat's pushes with the settings it had."""
    if refusal := await _allowed(ctx):
        return refusal
    state = await ctx.chat.subscription()
    if state is None:
        return notice(ctx._(NO_SUBSCRIPTION).format(command=ctx.command("subscribe")))
    if state.active:
        return notice(ctx._("Not paused: the digest and alerts are on."))
    await ctx.chat.subscribe(state.settings)
    return settings_reply(ctx, await ctx.chat.subscription(), ctx.zone, ctx._("Resumed."))
