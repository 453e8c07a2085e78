"""Editors' commands: ``/sources``, ``/sources add URL [sitemap]``, ``/sources remove N``.

For the senders listed in BILAT_EDITORS; everyone else gets a polite refusal. Kept out of the
network menus and of everyone else's help, like the operators' commands. ``ctx.ops.newsroom``
does the work (bot.newsroom.service).
"""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core import i18n
from bot.core.commands import COMMANDS, Context, Reply, echo, notice, usage
from bot.core.newsroom import Newsroom, NewsroomError, SourceLine
from bot.core.phrases import N_
from bot.core.render import Rendered

NOT_EDITOR = N_("Sorry, this command is for Bilat’s editors only.")
NO_NEWSROOM = N_("No newsroom runs here: sources are watched only by the running bot.")
ADD_WORDS = frozenset({"add", "ajouter", "ajout"})
REMOVE_WORDS = frozenset({"remove", "retirer", "supprimer", "rm"})
KIND_WORDS = {"sitemap": "sitemap", "feed": "feed", "flux": "feed", "rss": "feed"}


def _newsroom(ctx: Context) -> Newsroom | Reply:
    """The newsroom, or the reply that explains why this sender cannot use it."""
    newsroom = ctx.ops.newsroom if ctx.ops is not None else None
    if newsroom is None:
        return notice(ctx._(NO_NEWSROOM))
    if not newsroom.is_editor(ctx.sender):
        return notice(ctx._(NOT_EDITOR))
    return newsroom


def _when(ctx: Context, instant: datetime) -> str:
    """An instant in the chat's time zone, to the minute."""
    local = instant.astimezone(ZoneInfo(ctx.zone))
    return f"{i18n.day(local.date(), ctx.locale)} {local:%H:%M}"


def health_line(ctx: Context, line: SourceLine) -> str:
    """``last success …; last error …`` for one source."""
    parts = [ctx._("last success {when}").format(when=_when(ctx, line.last_success))
             if line.last_success else ctx._("never polled successfully")]
    if line.last_error and line.last_error_at:
        parts.append(ctx._("last error {when}: {error}").format(
            when=_when(ctx, line.last_error_at), error=line.last_error))
    if line.failures:
        parts.append(i18n.translations(ctx.locale).ngettext(
            "%(num)d failure in a row", "%(num)d failures in a row",
            line.failures) % {"num": line.failures})
    return "; ".join(parts)


def sources_reply(ctx: Context, lines: list[SourceLine]) -> Reply:
    """The numbered list of sources, each with its health line."""
    if not lines:
        return notice(ctx._("No sources are watched. Add one with {command}.").format(
            command=f"{ctx.command('sources')} add URL"))
    body = [f"<b>{html.escape(ctx._('Watched sources'), quote=False)}</b>"]
    for line in lines:
        kind = ctx._("sitemap") if line.kind == "sitemap" else ctx._("feed")
        body.append(html.escape(f"{line.number}. {line.label} ({kind}) {line.url}", quote=False))
        body.append(html.escape(f"   {health_line(ctx, line)}", quote=False))
    return Reply(Rendered.from_html("\n".join(body)))


@COMMANDS.command("sources", N_("[add URL [sitemap] | remove N]"),
                  N_("Watched feeds and their health (editors)"), in_menu=False, admin=True)
async def cmd_sources(ctx: Context, args: list[str]) -> Reply:
    """List, add or remove watched sources (editors only)."""
    newsroom = _newsroom(ctx)
    if isinstance(newsroom, Reply):
        return newsroom
    verb = args[0].lower() if args else ""
    try:
        if not args:
            return sources_reply(ctx, await newsroom.sources())
        if verb in ADD_WORDS and len(args) in (2, 3):
            kind = KIND_WORDS.get(args[2].lower()) if len(args) == 3 else "feed"
            if kind is None:
                return notice(ctx._("{word} is not feed or sitemap.").format(
                    word=echo(args[2])), usage(ctx, "sources"))
            added = await newsroom.add_source(args[1], kind)
            return notice(ctx._("Now watching {number}. {label}.").format(
                number=added.number, label=added.label))
        if verb in REMOVE_WORDS and len(args) == 2 and args[1].isdigit():
            gone = await newsroom.remove_source(int(args[1]))
            return notice(ctx._("No longer watching {label}.").format(label=gone.label))
    except NewsroomError as exc:
        return notice(ctx._(exc.msgid).format(**exc.params))
    return notice(ctx._("I did not understand {words}.").format(words=echo(" ".join(args))),
                  usage(ctx, "sources"))
