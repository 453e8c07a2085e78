"""The ``bilat`` command line: run, console, render, check, draft, new."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from bot.config import ConfigError, Settings
from bot.core import checks
from bot.core.briefings import describe
from bot.core.chat_settings import MemoryChat
from bot.core.clock import Clock, ShiftedClock, SystemClock, start_instant
from bot.core.command_table import as_command
from bot.core.library import Library
from bot.core.load import DataInvalid, Dataset, field_name, file_label, load_dataset
from bot.core.network import Transport
from bot.core.phrases import Phrases
from bot.core.request import Request
from bot.core.session import Session
from bot.delivery.stoppable import unless_stopped
from bot.ops import logs
from bot.store.db import Database, DatabaseError

if TYPE_CHECKING:
    from bot.newsroom.notify import EditorNotifier
    from bot.newsroom.poller import Poller
    from bot.ops.health import Health
    from bot.ops.reload import DataReloader

log = logging.getLogger("bot")


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
                       help="as of this date (noon there) or ISO 8601 instant (default: now, "
                       "or BILAT_NOW)")
    check = sub.add_parser("check", help="validate data files and report inconsistencies")
    check.add_argument("path", nargs="?", help="a data directory or one article file")
    draft = sub.add_parser("draft", help="draft an article file from a published article")
    draft.add_argument("path", help="the article as HTML or plain text; - for standard input")
    draft.add_argument("--url", help="where it was published")
    draft.add_argument("--published", metavar="DATE",
                       help="publication day when the page does not say (2025-05-28)")
    draft.add_argument("--publisher", help="who published it, when the page does not say")
    draft.add_argument("--lang", choices=("en", "fr", "ru"),
                       help="the article's language (default: recognised from the text)")
    draft.add_argument("-o", "--output", metavar="FILE",
                       help="write here (default: data/articles/<id>.yaml; - for stdout)")
    new = sub.add_parser("new", help="write a commented skeleton of an article file")
    new.add_argument("path", nargs="?", default="-", help="file to write (default: stdout)")
    copy = sub.add_parser("migrate-db", help="copy an SQLite database into an empty "
                          "PostgreSQL database")
    copy.add_argument("source", nargs="?", help="the SQLite file (default: BILAT_DB, or the "
                      "default file when BILAT_DB is a URL)")
    copy.add_argument("target", help="the PostgreSQL URL, e.g. postgresql://user@host/bilat")
    return parser


def cmd_migrate_db(settings: Settings, source: str | None, target: str) -> int:
    """Copy the SQLite database into an empty PostgreSQL database; print what was copied."""
    from bot.store.copy import copy_database
    from bot.store.db import is_url, redacted

    origin = Path(source) if source else settings.db_path
    if is_url(str(origin)) or not is_url(target):
        raise ValueError("migrate-db copies an SQLite file into a postgresql:// URL")
    if not origin.is_file():
        raise ValueError(f"{origin}: no such SQLite database")
    counts = asyncio.run(copy_database(origin, target))
    print(f"copied {origin} into {redacted(target)}: "
          + ", ".join(f"{n} {table}" for table, n in counts.items()))
    print(f"now set BILAT_DB={redacted(target)} (with its password) and restart Bilat")
    return 0


def _clock(settings: Settings, as_of: str | None) -> Clock:
    """Start at --as-of or BILAT_NOW (a date alone: noon there) and run on; else real time."""
    start = as_of or settings.now
    return ShiftedClock(start_instant(start, settings.timezone)) if start else SystemClock()


def _tell(lines: Sequence[str]) -> None:
    """Operator notes on standard error (standard output is the conversation)."""
    for line in lines:
        print(line, file=sys.stderr, flush=True)


def _stale_note(settings: Settings, clock: Clock, library: Library) -> list[str]:
    """On the real clock, the note that the data is old and how to see the demo."""
    from bot.ops.first_run import stale_data

    if not isinstance(clock, SystemClock):
        return []
    note = stale_data(library, clock.now(), settings.timezone)
    return [note] if note else []


def _library(settings: Settings) -> Library:
    return Library.load(settings.data_dir, settings.default_pairs)


def cmd_check(settings: Settings, path: str | None) -> int:
    """Validate data; print errors (exit 1), or what is left to review and the consistency
    warnings. Given one article file, check it with all the data but print only its own."""
    target = Path(path) if path else None
    one = target is not None and target.is_file()
    root = settings.data_dir if one or target is None else target
    extra = [target] if one and target is not None else []
    mine = file_label(target, root) if one and target is not None else None
    try:
        data = load_dataset(root, extra)
    except DataInvalid as exc:
        return _print_errors(exc, mine)
    if not data.articles and not one:
        print(f"{root}: no article files (*.yaml) found; nothing to serve.", file=sys.stderr)
        return 1
    ids = {aid for aid, (label, _) in data.located.items() if mine is None or label == mine}
    todo = _print_pending(data, ids)
    library = Library.from_dataset(data)
    phrases = Phrases("en", library.countries, library.names)
    found = [f for f in checks.all_findings(library) if mine is None or _about(f, ids)]
    for finding in found:
        print(f"warning: {describe(finding, phrases)}")
    drafts = sum(1 for a in data.articles if a.draft and a.id in ids)
    print(f"{len(ids)} article(s) valid ({drafts} draft(s), {todo} item(s) to review), "
          f"{len(found)} warning(s).")
    return 0


def _print_errors(exc: DataInvalid, mine: str | None) -> int:
    """Print the errors (of file ``mine`` only, when given); exit status 1."""
    errors = [e for e in exc.errors if mine is None or e.file == mine]
    for error in errors:
        print(error)
    others = len(exc.errors) - len(errors)
    if others:
        print(f"{others} error(s) in other files: run 'bilat check' for them.", file=sys.stderr)
    print(f"{len(errors)} error(s); nothing loaded.", file=sys.stderr)
    return 1


def _print_pending(data: Dataset, ids: set[str]) -> int:
    """Print what is left to review in the articles ``ids``, with file and line; the count."""
    from bot.core.review import pending

    todo = 0
    for article in data.articles:
        if article.id not in ids:
            continue
        label, lines = data.located[article.id]
        for item in pending(article):
            todo += 1
            print(f"{label}:{lines.get(item.path, 1)}: {field_name(item.path)}: to review: "
                  f"{item.message}")
    return todo


def _about(finding: checks.Finding, ids: set[str]) -> bool:
    """True when a consistency finding involves one of the articles ``ids``."""
    if isinstance(finding, checks.Disagreement):
        return any(f.article.id in ids for f in finding.figures)
    if isinstance(finding, checks.Mislabel):
        return finding.figure.article.id in ids
    return finding.article.id in ids


def cmd_draft(settings: Settings, path: str, url: str | None, published: str | None,
              publisher: str | None, output: str | None, lang: str | None = None) -> int:
    """Draft an article file from a published article; print where it went."""
    try:
        from bot.draft import source
        from bot.draft.article import draft, known
    except ImportError as exc:
        print(f"bilat draft needs the drafting libraries ({exc.name}): "
              "pip install -e '.[draft]'", file=sys.stderr)
        return 2
    raw = sys.stdin.read() if path == "-" else _read(Path(path))
    try:
        page = source.read(raw, url)
        if lang:
            page = replace(page, language=lang)
        day = source.published_day(published) if published else None
        made = draft(page, known(_library(settings)), published=day, publisher=publisher,
                     url=url, origin="standard input" if path == "-" else Path(path).name)
    except source.SourceError as exc:
        print(f"bilat draft: {exc}", file=sys.stderr)
        return 2
    if output == "-":
        print(made.text, end="")
        return 0
    target = Path(output) if output else settings.data_dir / "articles" / f"{made.id}.yaml"
    if target.exists():
        print(f"bilat draft: {target} exists; choose another with -o", file=sys.stderr)
        return 2
    target.write_text(made.text, encoding="utf-8")
    facts = made.facts
    print(f"{target}: {len(facts.trade)} trade figure(s), {len(facts.investments)} "
          f"investment(s), {len(facts.counts)} count(s), {len(facts.events)} event(s), "
          f"{len(facts.people)} person(s), all unreviewed. Next: bilat check {target}")
    return 0


def _read(path: Path) -> str:
    """An input file as text (UTF-8, or Latin-1 for old pages)."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def cmd_new(path: str) -> int:
    """Write the commented skeleton of an article file."""
    from bot.core.skeleton import SKELETON

    if path == "-":
        print(SKELETON, end="")
        return 0
    target = Path(path)
    if target.exists():
        print(f"bilat new: {target} exists", file=sys.stderr)
        return 2
    target.write_text(SKELETON, encoding="utf-8")
    print(f"{target}: skeleton written. Fill it in, then: bilat check {target}")
    return 0


def cmd_render(settings: Settings, text: str, lang: str | None, as_of: str | None,
               as_html: bool) -> int:
    """Print one briefing."""
    from bot.console import CONSOLE, CONSOLE_NETWORK

    library = _library(settings)
    session = Session(lambda: library, _clock(settings, as_of), settings.default_locale,
                      settings.timezone)
    request = Request(CONSOLE_NETWORK, CONSOLE, MemoryChat(lang))
    answer = asyncio.run(session.reply(request, as_command(text)))
    if answer is None:
        print(f"bilat: {text!r} is not a command; try 'bilat render help'", file=sys.stderr)
        return 2
    message = answer.reply.message
    print(message.html if as_html else message.text)
    return 0


def cmd_console(settings: Settings, lang: str | None, as_of: str | None) -> int:
    """Chat in the terminal; subscriptions are stored and pushes printed as they go out."""
    asyncio.run(_console(settings, lang, as_of))
    return 0


async def _console(settings: Settings, lang: str | None, as_of: str | None) -> None:
    """The console, with the data reloaded every BILAT_RELOAD_INTERVAL as in ``bilat run``."""
    from bot.ops.reload import DataReloader

    data = DataReloader.load(settings.data_dir, settings.reload_interval,
                             settings.default_pairs)
    clock = _clock(settings, as_of)
    _tell(_stale_note(settings, clock, data()))
    stop = asyncio.Event()
    watcher = asyncio.create_task(data.watch(stop), name="data-reload")
    try:
        await _converse(settings, lang, data, clock)
    finally:
        stop.set()
        await watcher


async def _converse(settings: Settings, lang: str | None, data: DataReloader,
                    clock: Clock) -> None:
    from bot.console import CONSOLE, CONSOLE_OPERATOR, Console, ConsoleTransport
    from bot.delivery.service import from_settings
    from bot.newsroom.service import Newsroom
    from bot.ops.admin import Operator
    from bot.store.chat_settings import open_chat

    async with await Database.open(settings.database) as db:
        chat = await open_chat(db, CONSOLE, clock, type="private",
                               locale=lang or settings.default_locale,
                               timezone=settings.timezone)
        if lang and lang != chat.locale:
            await chat.set_locale(lang)
        newsroom = Newsroom(db, settings.sources_file, {*settings.editors, CONSOLE_OPERATOR})
        ops = Operator(db, data, {*settings.admins, CONSOLE_OPERATOR}, settings.max_failures,
                       newsroom)
        console = Console(Session(data, clock, settings.default_locale, settings.timezone, ops),
                          chat)
        delivery = from_settings(db, data, clock, [ConsoleTransport()], settings)
        await console.run(delivery=delivery)


# `bilat run`: the configured networks, the operations endpoint, delivery ---------------------

STOP_SECONDS = 10.0  # from SIGTERM to exit, whatever is in flight
STOP_MARGIN = 1.0  # of those, kept for closing the endpoint and the database


class Network(Protocol):
    """What the run loop needs of a chat network (TelegramBot, MatrixNetwork)."""

    @property
    def transport(self) -> Transport:
        """The network's way in for pushed messages."""
        ...

    async def start(self) -> None:
        """Connect and start receiving."""

    async def stop(self) -> None:
        """Finish what is in hand and disconnect."""

    def connected(self) -> bool:
        """True while the network is usable."""
        ...


def cmd_run(settings: Settings) -> int:
    """Every configured network with delivery, until SIGTERM or ^C; the console when none is
    and a person is at a terminal. Without either, exit 2 at once: a container that restarts
    the bot forever on a successful exit would hide the missing setting."""
    from bot.ops.first_run import console_reason, mistyped, no_terminal

    if settings.telegram_token is None and not _matrix_configured(settings):
        if not sys.stdin.isatty():
            _tell(no_terminal(settings.unread))
            return 2
        _tell(console_reason(settings.unread))
        return cmd_console(settings, None, None)
    logs.setup(settings.log_level, settings.log_json)
    for line in mistyped(settings.unread):
        log.warning("%s", line)
    return asyncio.run(_run(settings))


def _matrix_configured(settings: Settings) -> bool:
    """True when MATRIX_HOMESERVER is set (the other MATRIX_* are checked now, by name)."""
    from bot.matrix.settings import MatrixSettings

    return MatrixSettings.from_settings(settings) is not None


def _networks(settings: Settings, session: Session, db: Database) -> dict[str, Network]:
    """The configured networks, by name (each library imported only when configured)."""
    found: dict[str, Network] = {}
    if settings.telegram_token is not None:
        from bot.telegram.app import telegram_bot

        telegram = telegram_bot(settings, session, db)
        if telegram is not None:
            found["telegram"] = telegram
    if _matrix_configured(settings):
        from bot.matrix.client import matrix_bot

        matrix = matrix_bot(settings, session, db)
        if matrix is not None:
            found["matrix"] = matrix
    return found


async def _run(settings: Settings) -> int:
    """Open the store and the operations endpoint, start the networks, then delivery; on
    SIGTERM, stop them in reverse order within ``STOP_SECONDS``. SIGHUP reloads the data."""
    from bot.delivery.service import from_settings
    from bot.newsroom.desk import Desk
    from bot.newsroom.notify import EditorNotifier
    from bot.newsroom.poller import Poller, PollSettings
    from bot.newsroom.service import Newsroom, ReviewDesk
    from bot.ops.admin import Operator
    from bot.ops.health import Health
    from bot.ops.http import serving
    from bot.ops.reload import DataReloader

    data = DataReloader.load(settings.data_dir, settings.reload_interval,
                             settings.default_pairs)
    clock = _clock(settings, None)
    for note in _stale_note(settings, clock, data()):
        log.warning("%s", note)
    loop = asyncio.get_running_loop()
    stop = _Stop(loop)
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)
    loop.add_signal_handler(signal.SIGHUP, data.request)
    async with await Database.open(settings.database, stop=stop.event) as db:
        started: list[Network] = []
        notifier = EditorNotifier(db, settings.editors,
                                  lambda: {n.transport.network: n.transport for n in started},
                                  settings.default_locale)
        drafting = Desk(data)
        poller = Poller(db, settings.sources_file, drafting, clock.now,
                        PollSettings(settings.sources_interval, settings.sources_host_gap),
                        notify=notifier)
        newsroom = Newsroom(db, settings.sources_file, settings.editors, poller.wake,
                            ReviewDesk(settings.data_dir, data, data.reload, drafting, clock.now))
        ops = Operator(db, data, settings.admins, settings.max_failures, newsroom)
        # One session for every network: one command path, one reply cache.
        session = Session(data, clock, settings.default_locale, settings.timezone, ops,
                          allowed=settings.allowed)
        networks = _networks(settings, session, db)
        health = Health(db, clock)
        for name in networks:
            health.expect(name)
        async with serving(settings.http_host, settings.http_port, health, db):
            watcher = asyncio.create_task(data.watch(stop.event), name="data-reload")
            checks = asyncio.create_task(health.watch(stop.event), name="health")
            polling: asyncio.Task[None] | None = None
            try:
                if await _start(networks, health, started, stop.event,
                                settings.start_attempts):
                    # Sources are polled only for editors: without one, no draft is read.
                    if settings.editors:
                        polling = asyncio.create_task(
                            _newsroom(db, poller, notifier, stop.event), name="newsroom")
                    delivery = from_settings(db, data, clock, [n.transport for n in started],
                                             settings)
                    ended = asyncio.create_task(_when_all_ended(started, stop), name="ended")
                    try:
                        await delivery.run(stop.event)
                    finally:
                        ended.cancel()
            finally:
                health.stopping = True
                stop()
                await _stop(started, stop.deadline)
                await watcher
                await checks
                if polling is not None:
                    await polling
    log.info("stopped")
    return 1 if stop.failed else 0


async def _newsroom(db: Database, poller: Poller, notifier: EditorNotifier,
                    stop: asyncio.Event) -> None:
    """The newsroom once the networks run: drafts left from before a restart are told to the
    editors and back under review, then the sources are polled until stop."""
    from bot.store import newsroom as store

    await store.recover(db)
    await notifier.catch_up()
    await poller.run(stop)


class _Stop:
    """The stop signal (SIGTERM, SIGINT, or a failure), and when it first came."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.event = asyncio.Event()
        self.at: float | None = None
        self.failed = False  # stopped because nothing could be served: exit non-zero

    def __call__(self) -> None:
        if self.at is None:
            self.at = self.loop.time()
            log.info("stopping: finishing the messages in flight; the outbox keeps the rest")
        self.event.set()

    @property
    def deadline(self) -> float:
        """When the networks must be stopped, to exit within ``STOP_SECONDS`` of the signal."""
        return (self.at or self.loop.time()) + STOP_SECONDS - STOP_MARGIN


async def _when_all_ended(started: list[Network], stop: _Stop) -> None:
    """Stop with a failure once every network has ended by itself (a revoked token).

    A process serving nothing would otherwise run on, and ``restart: unless-stopped`` would
    never restart it. Networks without an ``ended`` event never end alone.
    """
    events: list[asyncio.Event] = [getattr(n, "ended", None) or asyncio.Event() for n in started]
    if not events:
        return
    await asyncio.gather(*(event.wait() for event in events))
    log.error("every network has stopped by itself; exiting so that Bilat is restarted")
    stop.failed = True
    stop()


# Start-up tries each network BILAT_START_ATTEMPTS times, waiting 1, 2, 4... s in between.
START_BACKOFF = 1.0
START_SETTINGS = {"telegram": "TELEGRAM_API_BASE_URL", "matrix": "MATRIX_HOMESERVER"}


async def _start(networks: dict[str, Network], health: Health, started: list[Network],
                 stop: asyncio.Event, attempts: int) -> bool:
    """Start each network in turn (into ``started``); False when stopped before the end."""
    for name, network in networks.items():
        if not await _start_one(name, network, stop, attempts):
            return False
        started.append(network)
        health.started(name, network.connected)
    return True


async def _start_one(name: str, network: Network, stop: asyncio.Event, attempts: int) -> bool:
    """Start one network, retrying what may pass (unreachable, 5xx) with back-off.

    A refused credential (ConfigError) is not retried; after the last try the error names
    the setting to check. False when ``stop`` came first.
    """
    for attempt in range(1, attempts + 1):
        try:
            return await unless_stopped(network.start(), stop)
        except ConfigError:
            raise
        except Exception as exc:
            if attempt == attempts:
                raise ConfigError(
                    f"{START_SETTINGS.get(name, name)}: {name} could not be started after "
                    f"{attempt} attempts: {type(exc).__name__}: {exc}") from None
            pause = START_BACKOFF * 2 ** (attempt - 1)
            log.warning("%s: start failed (%s: %s); trying again in %.0f s", name,
                        type(exc).__name__, exc, pause)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), pause)
            if stop.is_set():
                return False
    return False


async def _stop(started: list[Network], deadline: float) -> None:
    """Stop the networks in reverse order, each within what is left before ``deadline``."""
    loop = asyncio.get_running_loop()
    for network in reversed(started):
        left = max(0.5, deadline - loop.time())
        try:
            await asyncio.wait_for(network.stop(), left)
        except TimeoutError:
            log.warning("%s did not stop within %.1f s; leaving it", type(network).__name__,
                        left)
        except Exception:  # the others must still be stopped
            log.exception("%s failed to stop cleanly", type(network).__name__)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``bilat`` script."""
    logs.install_excepthooks()
    args = _parser().parse_args(argv)
    try:
        settings = Settings.load()
        if args.command == "check":
            return cmd_check(settings, args.path)
        if args.command == "draft":
            return cmd_draft(settings, args.path, args.url, args.published, args.publisher,
                             args.output, args.lang)
        if args.command == "new":
            return cmd_new(args.path)
        if args.command == "render":
            return cmd_render(settings, args.text, args.lang, args.as_of, args.html)
        if args.command == "console":
            return cmd_console(settings, args.lang, args.as_of)
        if args.command == "migrate-db":
            return cmd_migrate_db(settings, args.source, args.target)
        return cmd_run(settings)
    except (ConfigError, DatabaseError, ValueError) as exc:
        print(f"bilat: {logs.RedactSecrets().redact(str(exc))}", file=sys.stderr)
        return 2
    except DataInvalid as exc:
        print(f"bilat: the data is invalid; run 'bilat check' for details:\n{exc}",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `bilat render ... | head`: the reader has what it wanted
        # Point stdout at /dev/null so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug: its traceback, but never a secret in it
        logs.report_uncaught(exc)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
