"""The ``bilat`` command line: run, console, render, check."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import ConfigError, Settings
from bot.core import checks
from bot.core.briefings import describe
from bot.core.clock import Clock, ShiftedClock, SystemClock, parse_instant
from bot.core.commands import Context, dispatch
from bot.core.library import Library
from bot.core.load import DataInvalid
from bot.core.phrases import Phrases
from bot.store.db import Database, DatabaseError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bilat", description="Bilingual bilateral briefings.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start the bot on every configured network (console if none)")
    console = sub.add_parser("console", help="chat with the bot in this terminal")
    render = sub.add_parser("render", help="print one briefing, e.g. bilat render '/trade 2024'")
    render.add_argument("text", help="a command line, e.g. '/events all'")
    render.add_argument("--html", action="store_true", help="print the HTML form")
    for p in (console, render):
        p.add_argument("--lang", choices=("fr", "en"), help="language (default from config)")
        p.add_argument("--as-of", dest="as_of", metavar="INSTANT",
                       help="as of this date or ISO 8601 instant (default: now, or BILAT_NOW)")
    check = sub.add_parser("check", help="validate data files and report inconsistencies")
    check.add_argument("path", nargs="?", help="a data directory or one article file")
    return parser


def _clock(settings: Settings, as_of: str | None) -> Clock:
    """Start at --as-of or BILAT_NOW and run on; else the real time."""
    start = as_of or settings.now
    return ShiftedClock(parse_instant(start, settings.timezone)) if start else SystemClock()


def _library(settings: Settings) -> Library:
    return Library.load(settings.data_dir)


def cmd_check(settings: Settings, path: str | None) -> int:
    """Validate data; print errors (exit 1) or the count and consistency warnings."""
    root = Path(path) if path else settings.data_dir
    try:
        library = Library.load(root)
    except DataInvalid as exc:
        for error in exc.errors:
            print(error)
        print(f"{len(exc.errors)} error(s); nothing loaded.", file=sys.stderr)
        return 1
    phrases = Phrases("en", library.countries)
    found = checks.all_findings(library)
    for finding in found:
        print(f"warning: {describe(finding, phrases)}")
    print(f"{len(library.articles)} article(s) valid, {len(found)} warning(s).")
    return 0


class _Prefs:
    async def set_locale(self, locale: str) -> None:
        """One-shot renders keep no state."""


def cmd_render(settings: Settings, text: str, lang: str | None, as_of: str | None,
               as_html: bool) -> int:
    """Print one briefing."""
    library = _library(settings)
    ctx = Context(library, lang or settings.default_locale, _clock(settings, as_of).now(),
                  settings.timezone, _Prefs())
    command = text if text.lstrip()[:1] in "/!" else "/" + text.lstrip()
    reply = asyncio.run(dispatch(ctx, command))
    assert reply is not None
    print(reply.message.html if as_html else reply.message.text)
    return 0


def cmd_console(settings: Settings, lang: str | None, as_of: str | None) -> int:
    """Chat in the terminal; subscriptions are stored and pushes printed as they go out."""
    asyncio.run(_console(settings, lang, as_of))
    return 0


async def _console(settings: Settings, lang: str | None, as_of: str | None) -> None:
    from bot.console import CONSOLE, Console, ConsolePrefs, ConsoleTransport
    from bot.delivery.service import from_settings
    from bot.store.chat_settings import open_chat

    library = _library(settings)
    clock = _clock(settings, as_of)
    async with await Database.open(settings.db_path) as db:
        chat = await open_chat(db, CONSOLE, clock, type="private",
                               locale=lang or settings.default_locale,
                               timezone=settings.timezone)
        if lang and lang != chat.locale:
            await chat.set_locale(lang)
        console = Console(lambda: library, clock, chat.timezone, ConsolePrefs(chat.locale),
                          chat=chat)
        delivery = from_settings(db, lambda: library, clock, [ConsoleTransport()], settings)
        await console.run(delivery=delivery)


# Chat networks: each configured network joins the list in _run ---------------------------

def cmd_run(settings: Settings) -> int:
    """Every configured network with delivery, until SIGTERM or ^C; the console when none is."""
    if settings.telegram_token is None and not _matrix_configured(settings):
        return cmd_console(settings, None, None)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: "
                        "%(message)s")
    asyncio.run(_run(settings))
    return 0


def _matrix_configured(settings: Settings) -> bool:
    """True when MATRIX_HOMESERVER is set (the other MATRIX_* are checked now, by name)."""
    from bot.matrix.settings import MatrixSettings

    return MatrixSettings.from_env(settings.env, settings.db_path) is not None


async def _run(settings: Settings) -> None:
    """Start the store, the networks, then delivery; stop them in reverse order."""
    from bot.delivery.service import from_settings
    from bot.matrix.client import matrix_bot
    from bot.telegram.app import telegram_bot

    library = _library(settings)
    clock = _clock(settings, None)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with await Database.open(settings.db_path) as db:
        networks = [n for n in (telegram_bot(settings, lambda: library, db, clock),
                                matrix_bot(settings, lambda: library, db, clock)) if n]
        started = []
        try:
            for network in networks:
                await network.start()
                started.append(network)
            delivery = from_settings(db, lambda: library, clock,
                                     [n.transport for n in started], settings)
            await delivery.run(stop)
        finally:
            for network in reversed(started):
                await network.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``bilat`` script."""
    args = _parser().parse_args(argv)
    try:
        settings = Settings.load()
        if args.command == "check":
            return cmd_check(settings, args.path)
        if args.command == "render":
            return cmd_render(settings, args.text, args.lang, args.as_of, args.html)
        if args.command == "console":
            return cmd_console(settings, args.lang, args.as_of)
        return cmd_run(settings)
    except (ConfigError, DatabaseError, ValueError) as exc:
        print(f"bilat: {exc}", file=sys.stderr)
        return 2
    except DataInvalid as exc:
        print(f"bilat: the data is invalid; run 'bilat check' for details:\n{exc}",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
