"""What an operator needs to hear at start: why the console opened, a variable that Bilat
does not read (a typo of one it does), and data older than the clock with the way to the demo.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.core.clock import demo_day
from bot.core.library import Library

# Every variable Bilat reads (the README's configuration table; .env.example documents each).
VARIABLES = (
    "BILAT_DATA_DIR", "BILAT_DB", "BILAT_RELOAD_INTERVAL", "BILAT_DEFAULT_LOCALE",
    "BILAT_TIMEZONE", "BILAT_NOW", "BILAT_GRACE", "BILAT_MAX_FAILURES", "BILAT_MAX_ATTEMPTS",
    "BILAT_ADMINS", "BILAT_HTTP_HOST", "BILAT_HTTP_PORT", "BILAT_LOG_LEVEL", "BILAT_LOG_JSON",
    "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "TELEGRAM_WEBHOOK_URL",
    "TELEGRAM_WEBHOOK_SECRET", "TELEGRAM_WEBHOOK_LISTEN", "TELEGRAM_WEBHOOK_PORT",
    "MATRIX_HOMESERVER", "MATRIX_USER_ID", "MATRIX_ACCESS_TOKEN", "MATRIX_PASSWORD",
    "MATRIX_DEVICE_ID", "MATRIX_ALLOWED_SERVERS", "MATRIX_MANAGE_LEVEL",
    "MATRIX_MESSAGES_PER_SECOND", "MATRIX_STORE_DIR")
COMPOSE_ONLY = ("SYNAPSE_SERVER_NAME",)  # read by docker-compose.yml, not by Bilat
OURS = ("BILAT_", "TELEGRAM_", "MATRIX_", "TG_", "BOT_")
STALE_AFTER = timedelta(days=30)


def mistyped(env: Mapping[str, str]) -> list[str]:
    """A line for each set variable that looks like Bilat's but is not one it reads."""
    lines = []
    for name in sorted(env):
        upper = name.upper()
        looks_ours = upper.startswith(OURS) or ("TOKEN" in upper and "TELEGRAM" in upper)
        if not looks_ours or name in VARIABLES or name in COMPOSE_ONLY or not env[name].strip():
            continue
        nearest = difflib.get_close_matches(upper, VARIABLES, n=1, cutoff=0.6)
        if nearest:
            lines.append(f"{name} is set, but Bilat reads {nearest[0]}: rename it.")
        else:
            lines.append(f"{name} is set, but Bilat does not read it.")
    return lines


def console_reason(env: Mapping[str, str]) -> list[str]:
    """Why ``bilat run`` opens the console: no network configured, and maybe a typo."""
    return ["No chat network is configured: neither TELEGRAM_BOT_TOKEN nor MATRIX_HOMESERVER "
            "is set, in the environment or in .env here. Starting the console instead "
            "(README, Telegram and Matrix, says how to connect one).", *mistyped(env)]


def no_terminal(env: Mapping[str, str]) -> list[str]:
    """Why ``bilat run`` stops at once without a network and without a terminal."""
    return ["bilat: no chat network is configured (set TELEGRAM_BOT_TOKEN or "
            "MATRIX_HOMESERVER, in the environment or in .env) and there is no terminal for "
            "the console: stopping. `bilat console` chats from a script.", *mistyped(env)]


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
