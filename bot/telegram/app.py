"""Building and running the Telegram bot: PTB Application, menus, polling or webhook.

``TelegramBot`` starts and stops inside an asyncio loop that the caller owns (the run loop
also drives the scheduler and other networks); ``run_telegram`` is the stand-alone form.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from telegram import Bot, BotCommand
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application

from bot.config import ConfigError, Settings
from bot.core import i18n
from bot.core.chat_settings import MemoryChat
from bot.core.clock import Clock
from bot.core.facts import LOCALES
from bot.core.library import Library
from bot.core.network import ChatRef
from bot.core.phrases import Phrases
from bot.core.request import Request
from bot.core.session import Session
from bot.store.db import Database
from bot.telegram.chats import TelegramChats
from bot.telegram.handlers import TELEGRAM, Handlers
from bot.telegram.inline import InlineAnswers
from bot.telegram.per_chat_order import PerChatProcessor
from bot.telegram.settings import TelegramSettings
from bot.telegram.transport import TelegramTransport

log = logging.getLogger(__name__)

# Edits are not requested at all: an edited command must not be answered again.
ALLOWED_UPDATES = ["message", "channel_post", "inline_query", "my_chat_member",
                   "callback_query"]
POLL_TIMEOUT_SECONDS = 10
MAX_CONCURRENT_UPDATES = 64
# Reuses the help page's line, so both languages are already in the catalog.
DESCRIPTION = "Briefings on %(pair)s relations, in French and English."


def build_application(tg: TelegramSettings, session: Session,
                      chats: TelegramChats) -> Application:  # type: ignore[type-arg]
    """A PTB Application pointed at the configured Bot API, with Bilat's handlers."""
    app = (Application.builder()
           .token(tg.token.reveal())
           .base_url(tg.base_url)
           .base_file_url(tg.base_file_url)
           .concurrent_updates(PerChatProcessor(MAX_CONCURRENT_UPDATES))
           .build())
    Handlers(session, chats).register(app)
    app.add_handler(InlineAnswers(session, chats).handler())
    return app


async def publish_menus(bot: Bot, session: Session) -> None:
    """The command menu and the bot's descriptions, in French, English and by default."""
    library, default_locale, table = session.library(), session.default_locale, session.table
    pair = library.default_pair() or ("KZ", "FR")
    for locale in (*LOCALES, None):
        shown = locale or default_locale
        commands = [BotCommand(name, text) for name, text in table.menu(shown)]
        about = i18n.gettext(shown, DESCRIPTION) % {
            "pair": Phrases(shown, library.countries).pair(pair)}
        await bot.set_my_commands(commands, language_code=locale)
        await bot.set_my_description(about, language_code=locale)
        await bot.set_my_short_description(about, language_code=locale)


WARM_UP = ("/help", "/trade", "/events", "/events past", "/summary", "/articles")


async def warm_up(session: Session) -> None:
    """Answer each briefing once per language, so templates and CLDR data are loaded before
    the first user asks (the first render of a template costs tens of milliseconds)."""
    for locale in LOCALES:
        request = Request(TELEGRAM, ChatRef(TELEGRAM.name, "warm-up"), MemoryChat(locale))
        for text in WARM_UP:
            await session.reply(request, text)


class TelegramBot:
    """The running Telegram side: start, stop, and a transport for pushed messages."""

    def __init__(self, tg: TelegramSettings, session: Session, chats: TelegramChats) -> None:
        # httpx logs each request's URL at INFO, and Bot API URLs carry the token: quiet it
        # unless DEBUG was asked for (bot.ops.logs then redacts the token).
        httpx_log = logging.getLogger("httpx")
        if httpx_log.level == logging.NOTSET and not logging.getLogger().isEnabledFor(
                logging.DEBUG):
            httpx_log.setLevel(logging.WARNING)
        self.settings = tg
        self.session = session
        self.app = build_application(tg, session, chats)
        self.transport = TelegramTransport(self.app.bot)

    async def start(self) -> None:
        """Connect (getMe), publish the menus, and start receiving updates."""
        try:
            await self._start()
        except BaseException:
            await self.stop()  # close what was opened before the failure
            raise

    async def _start(self) -> None:
        try:
            await self.app.initialize()
        except InvalidToken:
            # PTB's message quotes the token: name the settings instead, and drop the cause.
            raise ConfigError(
                f"TELEGRAM_BOT_TOKEN: the Bot API at {self.settings.base_url} rejected the "
                "token (check it with @BotFather, and TELEGRAM_API_BASE_URL if set)") from None
        await warm_up(self.session)
        try:
            await publish_menus(self.app.bot, self.session)
        except TelegramError as exc:  # a menu is a nicety: never a reason not to start
            log.warning("could not publish the command menu: %s", exc)
        await self.app.start()
        updater = self.app.updater
        assert updater is not None
        hook = self.settings.webhook
        if hook is None:
            await updater.start_polling(poll_interval=0.0, timeout=POLL_TIMEOUT_SECONDS,
                                        allowed_updates=ALLOWED_UPDATES)
            log.info("telegram: @%s polling %s", self.app.bot.username, self.settings.base_url)
        else:
            await updater.start_webhook(listen=hook.listen, port=hook.port, url_path=hook.path,
                                        webhook_url=hook.url, secret_token=hook.secret.reveal(),
                                        allowed_updates=ALLOWED_UPDATES)
            log.info("telegram: @%s webhook on %s:%s/%s", self.app.bot.username, hook.listen,
                     hook.port, hook.path)

    def connected(self) -> bool:
        """True while updates are being received (for /healthz)."""
        updater = self.app.updater
        return self.app.running and updater is not None and updater.running

    async def stop(self) -> None:
        """Stop receiving, finish the updates in hand, close connections."""
        updater = self.app.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()  # a no-op when initialize() never ran


def telegram_bot(settings: Settings, session: Session, db: Database) -> TelegramBot | None:
    """The Telegram bot when TELEGRAM_BOT_TOKEN is set, else None (not started yet)."""
    tg = TelegramSettings.from_settings(settings)
    if tg is None:
        return None
    return TelegramBot(tg, session, TelegramChats(db, session.clock))


async def run_telegram(settings: Settings, library: Callable[[], Library], db: Database,
                       clock: Clock, stop: asyncio.Event) -> None:
    """Run the Telegram bot until ``stop`` is set (needs TELEGRAM_BOT_TOKEN)."""
    session = Session(library, clock, settings.default_locale, settings.timezone)
    bot = telegram_bot(settings, session, db)
    if bot is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    await bot.start()
    try:
        await stop.wait()
    finally:
        await bot.stop()
