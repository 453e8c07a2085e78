"""Telegram settings, read from the same environment (and .env) as the rest of Bilat.

Variables (environment first, then .env):

- TELEGRAM_BOT_TOKEN: the bot's token from @BotFather; Telegram is off without it.
- TELEGRAM_API_BASE_URL: the Bot API root (default https://api.telegram.org/bot), e.g. a
  local Bot API server or a test fake; ``http://host:port`` gets ``/bot`` appended.
- TELEGRAM_WEBHOOK_URL: a public https URL Telegram posts updates to; unset means polling.
- TELEGRAM_WEBHOOK_SECRET: required with a webhook; every incoming request must carry it.
- TELEGRAM_WEBHOOK_LISTEN, TELEGRAM_WEBHOOK_PORT: the local webhook server (127.0.0.1:8443).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot.config import ConfigError, Secret, Settings

DEFAULT_BASE_URL = "https://api.telegram.org/bot"
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


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
    base_url: str = DEFAULT_BASE_URL
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
        env = settings.env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        return cls(settings.telegram_token, _base_url(get("TELEGRAM_API_BASE_URL")),
                   _webhook(get))


def _base_url(value: str | None) -> str:
    """Accept ``http://host:port`` or ``http://host:port/bot``; return the latter."""
    if value is None:
        return DEFAULT_BASE_URL
    if not value.startswith(("http://", "https://")):
        raise ConfigError(f"TELEGRAM_API_BASE_URL: {value!r} is not an http(s) URL")
    value = value.rstrip("/")
    return value if value.endswith("/bot") else f"{value}/bot"


def _webhook(get: Callable[[str], str | None]) -> Webhook | None:
    """Webhook settings when TELEGRAM_WEBHOOK_URL is set (a secret is then required)."""
    url = get("TELEGRAM_WEBHOOK_URL")
    if url is None:
        return None
    if not url.startswith("https://"):
        raise ConfigError("TELEGRAM_WEBHOOK_URL: Telegram only posts to https:// URLs")
    secret = get("TELEGRAM_WEBHOOK_SECRET")
    if secret is None or not _SECRET.fullmatch(secret):
        raise ConfigError("TELEGRAM_WEBHOOK_SECRET: required with a webhook, 1-256 characters "
                          "among A-Z, a-z, 0-9, _ and -")
    port = get("TELEGRAM_WEBHOOK_PORT") or "8443"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"TELEGRAM_WEBHOOK_PORT: {port!r} is not a port number")
    return Webhook(url, Secret(secret), get("TELEGRAM_WEBHOOK_LISTEN") or "127.0.0.1",
                   int(port))
