"""Subscription commands: /subscribe, /unsubscribe, /settings, /timezone.

They read and change the chat's stored settings through ``Context.chat`` (bot.core.
chat_settings.ChatSettings); who may change them is the adapter's answer to ``can_manage``.

``/subscribe`` words, in any order (English or French):
``daily`` | ``weekly [weekday]`` | a weekday alone (weekly on that day) | ``HH:MM`` (also
``8h30``, ``18 h 30``, ``6:30pm``) | ``alerts on|off`` | ``always`` (send the digest even
when nothing changed) | ``changes`` (only when something changed, the default) | a pair
such as ``KZ-FR``.
Words left out keep their current value (or the defaults: daily, 08:00, alerts on, changes).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field, replace
from datetime import time
from functools import cache
from zoneinfo import ZoneInfo

from babel.dates import get_day_names

from bot.core import i18n, pairs, words
from bot.core.briefing_commands import NOT_ALLOWED, pair_problem
from bot.core.chat_settings import ChatSettings
from bot.core.command_table import CommandTable, Context, Reply, echo, notice, usage
from bot.core.library import Pair
from bot.core.phrases import N_, Phrases
from bot.core.pushes import (
    Cadence,
    PushSettings,
    SubscriptionState,
    clock_time,
    weekday_name,
)
from bot.core.render import render
from bot.core.words import fold
from bot.core.zones import Found, find_zone, label

SUBSCRIPTION_COMMANDS = CommandTable()

CADENCES: dict[str, Cadence] = {
    "daily": "daily", "day": "daily", "quotidien": "daily", "quotidienne": "daily",
    "jour": "daily", "weekly": "weekly", "week": "weekly", "hebdo": "weekly",
    "hebdomadaire": "weekly", "semaine": "weekly"}
SWITCHES = {"on": True, "off": False, "oui": True, "non": False, "yes": True, "no": False}
ALERT_WORDS = frozenset({"alerts", "alert", "alertes", "alerte"})
ALWAYS_WORDS = {"always": True, "toujours": True, "changes": False, "changements": False}
# ``sectors energy, education`` (to the end of the line); ``sectors all`` lifts the filter.
# Silent delivery (Telegram's disable_notification): "silent" or "loud", in either language.
SOUND_WORDS = {"silent": True, "silencieux": True, "silencieuse": True, "muet": True,
               "loud": False, "sonore": False, "notify": False}
SECTOR_WORDS = frozenset({"sectors", "sector", "secteurs", "secteur", "topics", "sujets"})
ALL_SECTORS = frozenset({"all", "any", "tous", "toutes", "tout"})
FILLERS = frozenset({"at", "à", "a", "on", "le", "every", "chaque"})


@cache
def _weekdays() -> dict[str, int]:
    """Weekday names and abbreviations in English and French, lower-case, to 0 (Monday)..6."""
    names: dict[str, int] = {}
    for locale in ("en", "fr"):
        for width in ("wide", "abbreviated"):
            for index, name in get_day_names(width, locale=locale).items():
                names[str(name).lower().rstrip(".")] = index
    return names


@dataclass
class _Draft:
    """What a /subscribe line asked to change."""

    cadence: Cadence | None = None
    weekday: int | None = None
    at: time | None = None
    alerts: bool | None = None
    always: bool | None = None
    pairs: list[Pair] = field(default_factory=list)
    sectors: tuple[str, ...] | None = None
    silent: bool | None = None

    def apply(self, base: PushSettings) -> PushSettings:
        """``base`` with the asked changes."""
        weekly = self.cadence == "weekly" or (self.cadence is None and self.weekday is not None)
        cadence: Cadence = "weekly" if weekly else (self.cadence or base.cadence)
        return replace(
            base, cadence=cadence,
            weekday=self.weekday if self.weekday is not None else base.weekday,
            at=self.at or base.at,
            alerts=base.alerts if self.alerts is None else self.alerts,
            always=base.always if self.always is None else self.always,
            pairs=tuple(self.pairs) or base.pairs,
            sectors=base.sectors if self.sectors is None else self.sectors,
            silent=base.silent if self.silent is None else self.silent)


class _BadArgument(Exception):
    """A /subscribe word that cannot be used; the message is for the user."""


def _parse_time(word: str, ctx: Context) -> time | None:
    """``08:00``, ``8h``, ``20h15``, ``6:30pm``; None if it does not look like a time at all."""
    found = words.clock(word)
    if found is False:
        raise _BadArgument(ctx._("“{arg}” is not a time of day: use HH:MM, from 00:00 to 23:59.")
                           .format(arg=echo(word)))
    return found if isinstance(found, time) else None


def _parse_pair(word: str, ctx: Context) -> Pair | None:
    """A covered country pair (``KZ-FR``, ``DE``, ``franco-kazakh``); None if the word names
    no country at all."""
    found = pairs.resolve(ctx.library, word)
    if found.problem == "unknown" and not re.fullmatch(r"[A-Za-z]{2}-[A-Za-z]{2}", word):
        return None
    if found.pair is None:
        raise _BadArgument(pair_problem(ctx, found))
    return found.pair


def _sectors(ctx: Context, text: str) -> tuple[str, ...]:
    """``energy, éducation, critical raw materials``: sector codes, by code or by label in
    either language; () for ``all``."""
    wanted = [fold(w).replace("_", " ").strip() for w in text.split(",") if w.strip()]
    if not wanted:
        raise _BadArgument(ctx._("Name the sectors after “{arg}”, separated by commas.")
                           .format(arg=echo(text or "sectors")))
    if len(wanted) == 1 and wanted[0] in ALL_SECTORS:
        return ()
    names = {fold(n): code for code, sector in ctx.library.sectors.items()
             for n in (code.replace("_", " "), sector.label.en, sector.label.fr)}
    found: list[str] = []
    for word in wanted:
        if word not in names:
            raise _BadArgument(ctx._("“{arg}” is not a sector. Sectors: {sectors}.").format(
                arg=echo(word), sectors=", ".join(
                    s.label.get(ctx.locale) for s in ctx.library.sectors.values())))
        if names[word] not in found:
            found.append(names[word])
    return tuple(found)


def parse_subscribe(ctx: Context, args: list[str]) -> _Draft:
    """Read the /subscribe words (raises _BadArgument with a message for the user)."""
    draft = _Draft()
    given = iter(words.join_clock_words(args))
    for raw in given:
        word = raw.lower()
        if word in FILLERS:
            continue
        if word in SOUND_WORDS:
            draft.silent = SOUND_WORDS[word]
        elif word in SECTOR_WORDS:
            draft.sectors = _sectors(ctx, " ".join(given))
        elif word in CADENCES:
            draft.cadence = CADENCES[word]
        elif word.rstrip(".") in _weekdays():
            draft.weekday = _weekdays()[word.rstrip(".")]
        elif word in ALERT_WORDS:
            switch = SWITCHES.get(next(given, "").lower())
            if switch is None:
                raise _BadArgument(ctx._("After “{arg}”, say on or off.").format(arg=echo(raw)))
            draft.alerts = switch
        elif word in ALWAYS_WORDS:
            draft.always = ALWAYS_WORDS[word]
        elif (at := _parse_time(word, ctx)) is not None:
            draft.at = at
        elif (pair := _parse_pair(raw, ctx)) is not None:
            draft.pairs.append(pair)
        else:
            raise _BadArgument(ctx._("“{arg}” is not understood here.").format(arg=echo(raw)))
    if draft.cadence == "daily" and draft.weekday is not None:
        raise _BadArgument(ctx._("A daily digest has no weekday: say weekly and the day."))
    return draft


# Replies ------------------------------------------------------------------------------------

def lead_phrase(days: int, locale: str) -> str:
    """``7 days before``, ``1 day before``, ``the morning of the event``."""
    catalog = i18n.translations(locale)
    if days == 0:
        return catalog.gettext("the morning of the event")
    return catalog.ngettext("%(num)d day before", "%(num)d days before", days) % {"num": days}


def settings_reply(ctx: Context, state: SubscriptionState | None, zone: str,
                   headline: str | None = None, shown: tuple[Pair, ...] = ()) -> Reply:
    """The chat's settings, as /settings shows them, after an optional headline; ``shown``
    are the pairs the chat sees."""
    p = Phrases(ctx.locale, ctx.library.countries)
    s = state.settings if state else None
    local_now = ctx.now.astimezone(ZoneInfo(zone))
    return Reply(render(
        "settings", ctx.locale, headline=headline, p=p, state=state, s=s, zone=label(zone),
        local_now=clock_time(local_now.time().replace(second=0, microsecond=0), ctx.locale),
        language=i18n.language_name(ctx.locale, ctx.locale),
        at=clock_time(s.at, ctx.locale) if s else "",
        weekday=weekday_name(s.weekday, ctx.locale) if s else "",
        leads=p.join([lead_phrase(d, ctx.locale) for d in s.leads]) if s else "",
        pairs=p.join([p.pair(x) for x in shown or (s.pairs if s else ())]),
        sectors=", ".join(ctx.library.sectors[c].label.get(ctx.locale) for c in s.sectors
                          if c in ctx.library.sectors) if s else "",
        last_digest=p.day(state.last_digest_at.astimezone(ZoneInfo(zone)).date())
        if state and state.last_digest_at else "",
        prefix=ctx.prefix, cmd=ctx.command))


def _unavailable(ctx: Context) -> Reply:
    return notice(ctx._("Subscriptions are not available here."))


async def _refused(ctx: Context, chat: ChatSettings) -> Reply | None:
    """A refusal when the requester may not change the chat's settings."""
    return None if await chat.can_manage() else notice(ctx._(NOT_ALLOWED))


def _default_settings(ctx: Context) -> PushSettings:
    pair = ctx.pair or ctx.library.default_pair()
    return PushSettings(pairs=(pair,)) if pair else PushSettings()


# Commands -----------------------------------------------------------------------------------

@SUBSCRIPTION_COMMANDS.command(
    "subscribe", N_("[daily|weekly [weekday]] [HH:MM] [alerts on|off] [always|changes] "
                    "[silent|loud] [sectors a, b]"),
    N_("Get a digest on a schedule and alerts before events"), names_chat=True)
async def cmd_subscribe(ctx: Context, args: list[str]) -> Reply:
    """Create or change the chat's subscription."""
    chat = ctx.chat
    if not chat.persistent:
        return _unavailable(ctx)
    try:
        draft = parse_subscribe(ctx, args)
    except _BadArgument as exc:
        return notice(str(exc), usage(ctx, "subscribe"))
    if refusal := await _refused(ctx, chat):
        return refusal
    before = await chat.subscription()
    settings = draft.apply(before.settings if before else _default_settings(ctx))
    await chat.subscribe(settings)
    if draft.pairs:  # pairs named here become the chat's own, as with /follow
        await chat.set_pairs(tuple(dict.fromkeys(draft.pairs)))
    if before is None:
        headline = ctx._("Subscribed.")
    elif not before.active:
        headline = ctx._("Subscribed again.")
    else:
        headline = ctx._("Subscription updated.")
    return settings_reply(ctx, await chat.subscription(), ctx.zone, headline,
                          await ctx.pairs())


@SUBSCRIPTION_COMMANDS.command("unsubscribe", "", N_("Stop the digest and alerts in this chat"),
                               names_chat=True)
async def cmd_unsubscribe(ctx: Context, args: list[str]) -> Reply:
    """Stop the chat's pushes."""
    chat = ctx.chat
    if not chat.persistent:
        return _unavailable(ctx)
    if refusal := await _refused(ctx, chat):
        return refusal
    if await chat.unsubscribe():
        return notice(ctx._("Unsubscribed: no more digests or alerts in this chat. "
                            "{command} starts them again.").format(
                                command=ctx.command("subscribe")))
    return notice(ctx._("This chat has no subscription. {command} starts one.").format(
        command=ctx.command("subscribe")))


@SUBSCRIPTION_COMMANDS.command("settings", "",
                               N_("This chat’s language, time zone and subscription"),
                               names_chat=True)
async def cmd_settings(ctx: Context, args: list[str]) -> Reply:
    """Show the chat's settings."""
    chat = ctx.chat
    if not chat.persistent:
        return _unavailable(ctx)
    return settings_reply(ctx, await chat.subscription(), ctx.zone, shown=await ctx.pairs())


@SUBSCRIPTION_COMMANDS.command("timezone", N_("[city, country, UTC+5 or IANA zone]"),
                               N_("Show or set the chat’s time zone"), names_chat=True)
async def cmd_timezone(ctx: Context, args: list[str]) -> Reply:
    """Show or set the chat's time zone, named as a zone, offset, country or city."""
    chat = ctx.chat
    if not chat.persistent:
        return _unavailable(ctx)
    if not args:
        return notice(_zone_line(ctx, ctx.zone),
                      ctx._("Change it with {command} followed by a city, a country or an "
                            "offset, e.g. {command} Paris, or an IANA name.").format(
                                command=ctx.command("timezone")))
    wanted = " ".join(args)
    # The first city asked loads GeoNames' table (a few tenths of a second): off the loop.
    found = await asyncio.to_thread(find_zone, wanted, ctx.now)
    if found.zone is None:
        return _no_zone(ctx, wanted, found)
    if refusal := await _refused(ctx, chat):
        return refusal
    await chat.set_timezone(found.zone)
    return notice(_zone_line(ctx, found.zone))


SHOWN_ZONES = 8


def _no_zone(ctx: Context, wanted: str, found: Found) -> Reply:
    """The refusal: the zones to choose from, or what Bilat understands."""
    if found.choices:
        lines = [f"{ctx.command('timezone')} {c.zone} · {c.where}"
                 for c in found.choices[:SHOWN_ZONES]]
        return notice(ctx._("“{arg}” has several time zones; choose one:").format(
            arg=echo(wanted)), *lines)
    return notice(ctx._("“{arg}” is not a time zone Bilat knows: name a city (Paris), a "
                        "country (France), an offset (UTC+5) or an IANA zone "
                        "(Europe/Paris).").format(arg=echo(wanted)), usage(ctx, "timezone"))


def _zone_line(ctx: Context, zone: str) -> str:
    """``Time zone: Europe/Paris (it is 4:05 PM there).``"""
    local = ctx.now.astimezone(ZoneInfo(zone)).time().replace(second=0, microsecond=0)
    return ctx._("Time zone: {zone} (it is {time} there).").format(
        zone=label(zone), time=clock_time(local, ctx.locale))
