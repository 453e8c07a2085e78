"""Every briefing names commands with the prefix of the network it is read on."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO

import pytest

from bot.console import Console
from bot.core.briefings import Scope
from bot.core.chat_settings import MemoryChat
from bot.core.commands import COMMAND_TABLE
from bot.core.library import Library
from bot.core.pushes import pair_digest, render_digest
from tests.support.asking import ask, command_mentions, session, wrong_prefix

# The replies that point to other commands (the articles list, past events, a year without
# figures, a summary), and the help.
LINES = ("{p}summary", "{p}articles", "{p}events", "{p}trade 1999", "{p}help", "{p}foo")


@pytest.mark.parametrize("prefix", ["/", "!"])
@pytest.mark.parametrize("locale", ["en", "fr"])
async def test_replies_name_commands_with_the_networks_prefix(
        library: Library, may7: datetime, prefix: str, locale: str) -> None:
    named: list[str] = []
    for line in LINES:
        reply = await ask(library, may7, line.format(p=prefix), locale, prefix=prefix)
        assert reply is not None
        assert wrong_prefix(reply.message.text, prefix) == [], line
        named += command_mentions(reply.message.text)
    # Not vacuous: each pointer is there, with the right prefix, as this language names it.
    assert {prefix + COMMAND_TABLE.shown(name, locale)
            for name in ("events", "summary", "trade", "articles")} <= set(named)


@pytest.mark.parametrize("prefix", ["/", "!"])
def test_the_digest_names_commands_with_the_networks_prefix(
        seed_library: Library, prefix: str) -> None:
    now, since = datetime(2025, 5, 8, 3, 0, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC)
    part = pair_digest(seed_library, ("KZ", "FR"), now.date(), since, frozenset())
    scope = Scope.make(seed_library, "en", now, "Asia/Almaty", ("KZ", "FR"), prefix=prefix)
    text = render_digest(scope, [part], since, "daily").text
    assert f"{prefix}settings" in text and wrong_prefix(text, prefix) == []


async def test_the_console_writes_commands_with_a_slash(library: Library,
                                                        may7: datetime) -> None:
    console = Console(session(library, may7), MemoryChat(), StringIO())
    answers = [await console.answer(line) for line in ("articles", "events", "/trade 1999")]
    text = "\n".join(a or "" for a in answers)
    assert "/summary 1" in text and "/events past" in text and "Try /trade 2024" in text
    assert wrong_prefix(text, "/") == []
