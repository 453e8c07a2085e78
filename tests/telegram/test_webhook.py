"""Webhook mode: updates posted to the bot's own server, the secret token checked."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest

from bot.config import ConfigError, Secret, Settings
from bot.telegram.app import TelegramBot
from bot.telegram.settings import TelegramSettings, Webhook
from tests.fakes.botapi import FakeBotAPI
from tests.support.net import free_port
from tests.support.telegram import BOB, TIMEOUT

SECRET = "s3cret-token_ok"


async def test_webhook_checks_the_secret_and_answers(
        api: FakeBotAPI, start_bot: Callable[..., TelegramBot]) -> None:
    hook = Webhook("https://bilat.example/tg/hook", Secret(SECRET), "127.0.0.1", free_port())
    bot = start_bot(webhook=hook)
    await bot.start()
    try:
        assert api.webhook is not None and api.webhook["url"] == hook.url
        assert api.webhook["secret_token"] == SECRET
        update = api.send_message(BOB, BOB, "/help")
        url = f"http://127.0.0.1:{hook.port}/tg/hook"
        async with aiohttp.ClientSession() as http:
            async with http.post(url, json=update, headers={
                    "X-Telegram-Bot-Api-Secret-Token": "wrong"}) as refused:
                assert refused.status == 403
            async with http.post(url, json=update, headers={
                    "X-Telegram-Bot-Api-Secret-Token": SECRET}) as accepted:
                assert accepted.status == 200
        [reply] = await api.wait_for_messages(BOB, timeout=TIMEOUT)
        assert reply.plain_text is not None and "/trade" in reply.plain_text
    finally:
        await bot.stop()


def settings(**env: str) -> TelegramSettings | None:
    """Telegram settings from an environment."""
    # os.devnull is no regular file: a developer's .env is not read.
    return TelegramSettings.from_settings(Settings.load(env, env_file=Path(os.devnull)))


def test_settings_from_the_environment() -> None:
    assert settings() is None
    polling = settings(TELEGRAM_BOT_TOKEN="1:abc", TELEGRAM_API_BASE_URL="http://127.0.0.1:81")
    assert polling is not None and polling.webhook is None
    assert polling.base_url == "http://127.0.0.1:81/bot"
    assert polling.base_file_url == "http://127.0.0.1:81/file/bot"
    assert "abc" not in repr(polling)
    hooked = settings(TELEGRAM_BOT_TOKEN="1:abc", TELEGRAM_WEBHOOK_URL="https://x.example/h",
                      TELEGRAM_WEBHOOK_SECRET=SECRET, TELEGRAM_WEBHOOK_PORT="8080")
    assert hooked is not None and hooked.webhook is not None
    assert (hooked.webhook.path, hooked.webhook.port) == ("h", 8080)
    assert SECRET not in repr(hooked)


@pytest.mark.parametrize(("env", "named"), [
    ({"TELEGRAM_API_BASE_URL": "ftp://x"}, "TELEGRAM_API_BASE_URL"),
    ({"TELEGRAM_WEBHOOK_URL": "http://x.example/h"}, "TELEGRAM_WEBHOOK_URL"),
    ({"TELEGRAM_WEBHOOK_URL": "https://x.example/h"}, "TELEGRAM_WEBHOOK_SECRET"),
    ({"TELEGRAM_WEBHOOK_URL": "https://x.example/h", "TELEGRAM_WEBHOOK_SECRET": "a b"},
     "TELEGRAM_WEBHOOK_SECRET"),
    ({"TELEGRAM_WEBHOOK_URL": "https://x.example/h", "TELEGRAM_WEBHOOK_SECRET": "ab",
      "TELEGRAM_WEBHOOK_PORT": "http"}, "TELEGRAM_WEBHOOK_PORT"),
])
def test_bad_settings_name_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        settings(TELEGRAM_BOT_TOKEN="1:abc", **env)
