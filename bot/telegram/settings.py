"""Telegram settings, as ``bot.config.Settings`` read and checked them (TELEGRAM_*).

- TELEGRAM_BOT_TOKEN: the bot's token from @BotFather; Telegram is off without it.
- TELEGRAM_API_BASE_URL: the Bot API root (default https://api.telegram.org/bot), e.g. a
  local Bot API server or a test fake; ``http://host:port`` gets ``/bot`` appended.
- TELEGRAM_WEBHOOK_URL: a public https URL Telegram posts updates to; unset means polling.
- TELEGRAM_WEBHOOK_SECRET: required with a webhook; every incoming request must carry it.
- TELEGRAM_WEBHOOK_LISTEN, TELEGRAM_WEBHOOK_PORT: the local webhook server (127.0.0.1:8443).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot.config import DEFAULT_TELEGRAM_API, Secret, Settings


@dataclass(frozen=True)
class Webhook:
    """Webhook mode: where Telegram posts, where we listen, and the shared secret."""

    url: str
    secret: Secret = field(repr=False)
    listen: str = "127.0.0.1"
    port: int = 8443

    @property
    def path(self) -> str:
        """The local path the server answers on: the public URL's path."""
        return urlsplit(self.url).path.strip("/")


@dataclass(frozen=True)
class TelegramSettings:
    """How to reach the Bot API and how to receive updates."""

    token: Secret = field(repr=False)
    base_url: str = DEFAULT_TELEGRAM_API
    webhook: Webhook | None = None

    @property
    def base_file_url(self) -> str:
        """The file download root that goes with ``base_url`` (``.../file/bot``)."""
        root = self.base_url.removesuffix("/bot")
        return f"{root}/file/bot"

    @classmethod
    def from_settings(cls, settings: Settings) -> TelegramSettings | None:
        """The Telegram settings, or None when no token is configured."""
        if settings.telegram_token is None:
            return None
        hook = None
        if settings.telegram_webhook_url is not None and settings.telegram_webhook_secret:
            hook = Webhook(settings.telegram_webhook_url, settings.telegram_webhook_secret,
                           settings.telegram_webhook_listen, settings.telegram_webhook_port)
        return cls(settings.telegram_token, settings.telegram_api_base_url, hook)
