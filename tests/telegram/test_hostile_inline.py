"""Inline queries with digits Python calls digits but int refuses (issue 10, item 9)."""

from __future__ import annotations

from bot.telegram.app import TelegramBot
from tests.fakes.botapi import FakeBotAPI
from tests.support.telegram import ADA, BOB, failed_calls
from tests.telegram.test_inline import inline


async def test_trade_with_superscript_digits_is_answered(api: FakeBotAPI,
                                                         bot: TelegramBot) -> None:
    for user in (ADA, BOB):
        [trade], _ = await inline(api, user, "trade ²²²²")
        assert trade["id"].startswith("trade")
        assert "2024" in trade["input_message_content"]["message_text"]
    assert failed_calls(api) == []
