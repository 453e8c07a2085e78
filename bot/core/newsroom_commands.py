"""Editors' commands: ``/sources``, ``/sources add URL [sitemap]``, ``/sources remove N``.

For the senders listed in BILAT_EDITORS; everyone else gets a polite refusal. Kept out of the
network menus and of everyone else's help, like the operators' commands. ``ctx.ops.newsroom``
does the work (bot.newsroom.service).
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core import i18n
from bot.core.command_table import Button, CommandTable, Context, Reply, echo, notice, usage
from bot.core.newsroom import DraftView, Newsroom, NewsroomError, SourceLine
from bot.core.phrases import N_
from bot.core.render import Rendered

NOT_EDITOR = N_("Sorry, this command is for Bilat’s editors only.")
NEWSROOM_COMMANDS = CommandTable()
NO_NEWSROOM = N_("No newsroom runs here: sources are watched only by the running bot.")
ADD_WORDS = frozenset({"add", "ajouter", "ajout"})
REMOVE_WORDS = frozenset({"remove", "retirer", "supprimer", "rm"})
KIND_WORDS = {"sitemap": "sitemap", "feed": "feed", "flux": "feed", "rss": "feed"}


def _newsroom(ctx: Context) -> Newsroom | Reply:
    """The newsroom, or the reply that explains why this sender cannot use it."""
    newsroom = ctx.ops.newsroom if ctx.ops is not None else None
    if newsroom is None:
        return notice(ctx._(NO_NEWSROOM))
    if not newsroom.is_editor(ctx.request.sender):
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


@NEWSROOM_COMMANDS.command("sources", N_("[add URL [sitemap] | remove N]"),
                           N_("Watched feeds and their health (editors)"), in_menu=False,
                           editor=True)
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
        if verb in REMOVE_WORDS and len(args) == 2 and (number := _number(args[1])):
            gone = await newsroom.remove_source(number)
            return notice(ctx._("No longer watching {label}.").format(label=gone.label))
    except NewsroomError as exc:
        return notice(ctx._(exc.msgid).format(**exc.params))
    return notice(ctx._("I did not understand {words}.").format(words=echo(" ".join(args))),
                  usage(ctx, "sources"))


# Draft review ---------------------------------------------------------------------------------

MAX_FACT_BUTTONS = 20  # rows of keep/drop buttons under a draft (Telegram allows 100 buttons)
STATES = {"drafted": N_("under review"), "publishing": N_("being published"),
          "published": N_("published"), "dropped": N_("discarded")}


def _e(text: str) -> str:
    return html.escape(text, quote=False)


def draft_html(locale: str, view: DraftView, prefix: str = "/") -> str:
    """A draft as editors see it: publisher, title, language, facts one a line with their
    evidence, what the editor wrote, and the commands that act on it."""
    def _(message: str) -> str:
        return i18n.gettext(locale, message)

    n = view.number
    heading = _("Draft {number}").format(number=n)
    link = _("source")
    language = _e(_("Language: {language}").format(language=view.language or "?"))
    if view.url:
        language += f' · <a href="{html.escape(view.url)}">{_e(link)}</a>'
    facts = _("Facts (✓ kept, ✗ dropped):")
    lines = [f"<b>{_e(heading)}</b> · {_e(view.publisher)}", f"<i>{_e(view.title)}</i>",
             language,
             _e(_("State: {state}").format(state=_(STATES.get(view.state, view.state)))), "",
             f"<b>{_e(facts)}</b>"]
    for fact in view.facts:
        mark = "✓" if fact.kept else "✗"
        lines.append(_e(f"{mark} {fact.number}. {fact.summary}"))
        if fact.evidence:
            lines.append(f"   <i>{_e(fact.evidence)}</i>")
    if not view.facts:
        lines.append(_e(_("No facts found: the key points will carry the article.")))
    lines.append("")
    if view.our_title:
        lines.append(_e(_("Title: {fr} / {en}").format(fr=view.our_title[0],
                                                       en=view.our_title[1])))
        lines.extend(_e(f"• {fr} / {en}") for fr, en in view.key_points)
    else:
        lines.append(_e(_("Title and key points: not written yet.")))
    if view.published_as:
        lines.append(_e(_("Published as {file}.").format(file=view.published_as)))
    if view.error:
        lines.append(_e(_("Last refusal: {problems}").format(problems=view.error)))
    if view.state == "drafted":
        lines.append(_e(_("Next: {drop}, {edit}, then {publish}.").format(
            drop=f"{prefix}drop {n} 2", publish=f"{prefix}publish {n}",
            edit=f"{prefix}edit {n} fr: … | en: … | fr: … | en: …")))
    return "\n".join(lines)


def draft_buttons(ctx: Context, view: DraftView) -> tuple[tuple[Button, ...], ...]:
    """Keep/drop under each fact, then Publish (Telegram shows them; Matrix has commands)."""
    if view.state != "drafted":
        return ()
    n = view.number
    rows = [(Button(ctx._("Keep {fact}").format(fact=f.number), f"keep {n} {f.number}"),
             Button(ctx._("Drop {fact}").format(fact=f.number), f"drop {n} {f.number}"))
            for f in view.facts[:MAX_FACT_BUTTONS]]
    rows.append((Button(ctx._("Publish"), f"publish {n}"),
                 Button(ctx._("Drop the draft"), f"discard {n}")))
    return tuple(rows)


def draft_reply(ctx: Context, view: DraftView) -> Reply:
    """The draft with its buttons."""
    return Reply(Rendered.from_html(draft_html(ctx.locale, view, ctx.prefix)),
                 buttons=draft_buttons(ctx, view))


def _number(word: str) -> int | None:
    """A draft or source number: ASCII digits only (``str.isdigit`` accepts "²")."""
    return int(word) if word.isascii() and word.isdigit() and len(word) < 10 else None


async def _review(ctx: Context, act: Callable[[Newsroom], Awaitable[DraftView]]) -> Reply:
    """Run one review action for an editor; the draft as it now stands, or why not."""
    newsroom = _newsroom(ctx)
    if isinstance(newsroom, Reply):
        return newsroom
    try:
        return draft_reply(ctx, await act(newsroom))
    except NewsroomError as exc:
        return notice(ctx._(exc.msgid).format(**exc.params))


@NEWSROOM_COMMANDS.command("draft", N_("[number]"),
                           N_("The next draft to review, or one (editors)"), in_menu=False,
                           editor=True)
async def cmd_draft(ctx: Context, args: list[str]) -> Reply:
    """Show a draft (editors only)."""
    number = _number(args[0]) if args else None
    if args and (number is None or len(args) > 1):
        return notice(usage(ctx, "draft"))

    async def show(newsroom: Newsroom) -> DraftView:
        found = await newsroom.draft(number)
        if found is None:
            raise NewsroomError(N_("No draft is waiting for review."))
        return found
    return await _review(ctx, show)


def _fact_args(args: list[str]) -> tuple[int | None, int] | None:
    """``[draft] fact``: the draft number (None: the oldest waiting) and the fact's."""
    numbers = [_number(a) for a in args]
    if len(numbers) == 1 and numbers[0] is not None:
        return None, numbers[0]
    if len(numbers) == 2 and numbers[0] is not None and numbers[1] is not None:
        return numbers[0], numbers[1]
    return None


async def _decide(ctx: Context, name: str, args: list[str], keep: bool) -> Reply:
    """Keep or drop the fact ``[draft] fact`` names."""
    found = _fact_args(args)
    if found is None:
        return notice(usage(ctx, name))
    return await _review(ctx, lambda n: n.keep(found[0], found[1], keep))


@NEWSROOM_COMMANDS.command("keep", N_("[draft] fact"), N_("Keep a fact of a draft (editors)"),
                           in_menu=False, editor=True)
async def cmd_keep(ctx: Context, args: list[str]) -> Reply:
    """Keep one fact (editors only)."""
    return await _decide(ctx, "keep", args, True)


@NEWSROOM_COMMANDS.command("drop", N_("[draft] fact"), N_("Drop a fact of a draft (editors)"),
                           in_menu=False, editor=True)
async def cmd_drop(ctx: Context, args: list[str]) -> Reply:
    """Drop one fact (editors only)."""
    return await _decide(ctx, "drop", args, False)


def parse_edit(words: list[str]) -> tuple[tuple[str, str], tuple[tuple[str, str], ...]] | None:
    """``fr: Titre | en: Title | fr: point | en: point…``: the title, then key points, each
    French then English; None when the pairs do not line up."""
    parts = [p.strip() for p in " ".join(words).split("|")]
    texts: list[str] = []
    for i, part in enumerate(parts):
        lang, colon, text = part.partition(":")
        if not colon or lang.strip().lower() != ("fr" if i % 2 == 0 else "en") \
                or not text.strip():
            return None
        texts.append(text.strip())
    if len(texts) < 4 or len(texts) % 2:
        return None
    pairs = [(texts[i], texts[i + 1]) for i in range(0, len(texts), 2)]
    return pairs[0], tuple(pairs[1:])


@NEWSROOM_COMMANDS.command("edit", N_("[draft] fr: title | en: title | fr: point | en: point…"),
                           N_("Write a draft's title and key points (editors)"), in_menu=False,
                  editor=True)
async def cmd_edit(ctx: Context, args: list[str]) -> Reply:
    """Set the title and key points, in French and English (editors only)."""
    number = _number(args[0]) if args else None
    found = parse_edit(args[1:] if number is not None else args)
    if found is None:
        return notice(ctx._("Write the title, then at least one key point, each as "
                            "“fr: …” then “en: …”, separated by |."), usage(ctx, "edit"))
    return await _review(ctx, lambda n: n.edit(number, found[0], found[1]))


@NEWSROOM_COMMANDS.command("publish", N_("[draft]"), N_("Publish a reviewed draft (editors)"),
                           in_menu=False, editor=True)
async def cmd_publish(ctx: Context, args: list[str]) -> Reply:
    """Check and publish a draft into the data (editors only)."""
    number = _number(args[0]) if args else None
    if args and (number is None or len(args) > 1):
        return notice(usage(ctx, "publish"))
    return await _review(ctx, lambda n: n.publish(number, ctx.request.sender or ""))


@NEWSROOM_COMMANDS.command("discard", N_("[draft]"), N_("Drop a whole draft (editors)"),
                           in_menu=False, editor=True)
async def cmd_discard(ctx: Context, args: list[str]) -> Reply:
    """Drop a whole draft (editors only)."""
    number = _number(args[0]) if args else None
    if args and (number is None or len(args) > 1):
        return notice(usage(ctx, "discard"))
    return await _review(ctx, lambda n: n.discard(number, ctx.request.sender or ""))


@NEWSROOM_COMMANDS.command("article", N_("link or text"),
                           N_("Draft an article you send (editors)"), in_menu=False,
                           editor=True)
async def cmd_article(ctx: Context, args: list[str]) -> Reply:
    """Draft an article from a link or pasted text (editors only)."""
    if not args:
        return notice(usage(ctx, "article"))
    return await _review(ctx, lambda n: n.submit(" ".join(args), ctx.request.sender or ""))
