"""What an operator needs to hear at start: why the console opened, a variable that Bilat
does not read (a typo of one it does), and data older than the clock with the way to the demo.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.config import VARIABLES
from bot.core.clock import demo_day
from bot.core.library import Library

COMPOSE_ONLY = ("SYNAPSE_SERVER_NAME",)  # read by docker-compose.yml, not by Bilat
STALE_AFTER = timedelta(days=30)


def mistyped(unread: Iterable[str]) -> list[str]:
    """A line for each variable Bilat does not read (``Settings.unread``), with the one meant."""
    lines = []
    for name in sorted(unread):
        nearest = difflib.get_close_matches(name.upper(), VARIABLES, n=1, cutoff=0.6)
        if nearest:
            lines.append(f"{name} is set, but Bilat reads {nearest[0]}: rename it.")
        else:
            lines.append(f"{name} is set, but Bilat does not read it.")
    return lines


def console_reason(unread: Iterable[str]) -> list[str]:
    """Why ``bilat run`` opens the console: no network configured, and maybe a typo."""
    return ["No chat network is configured: neither TELEGRAM_BOT_TOKEN nor MATRIX_HOMESERVER "
            "is set, in the environment or in .env here. Starting the console instead "
            "(README, Telegram and Matrix, says how to connect one).", *mistyped(unread)]


def no_terminal(unread: Iterable[str]) -> list[str]:
    """Why ``bilat run`` stops at once without a network and without a terminal."""
    return ["bilat: no chat network is configured (set TELEGRAM_BOT_TOKEN or "
            "MATRIX_HOMESERVER, in the environment or in .env) and there is no terminal for "
            "the console: stopping. `bilat console` chats from a script.", *mistyped(unread)]


def stale_data(library: Library, now: datetime, zone: str) -> str | None:
    """On the real clock, a note when the newest article is old, with the way to the demo."""
    if not library.articles:
        return None
    newest = library.articles[0].source.published
    if now - newest < STALE_AFTER:
        return None
    day = demo_day(newest, zone).isoformat()
    return (f"The newest article came out on {newest.date().isoformat()}, "
            f"{(now - newest).days} days ago: answers are as of today. To see the bundled "
            f"data as of its day: BILAT_NOW={day} make run, or bilat console --as-of {day}.")
