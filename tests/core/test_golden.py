"""Golden briefings: exactly what a user reads, per language and date.

Regenerate after a deliberate change with ``BILAT_REGEN_GOLDEN=1 make test`` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.core.clock import parse_instant
from bot.core.commands import Context, dispatch
from bot.core.library import Library
from bot.core.render import measure

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
COMMANDS = {
    "summary": "/summary", "trade": "/trade", "trade-2023": "/trade 2023",
    "events": "/events", "events-past": "/events past", "events-all": "/events all",
    "articles": "/articles", "help": "/help", "summary-2": "/summary 2",
    "brief": "/brief", "trade-all": "/trade all", "trade-notes": "/trade notes",
    "summary-full": "/summary full", "trade-sources": "/trade sources",
}
DATES = ("2025-05-07", "2025-06-15")


class _Prefs:
    async def set_locale(self, locale: str) -> None:
        """Golden renders change nothing."""


async def _render(library: Library, command: str, locale: str, day: str) -> str:
    ctx = Context(library, locale, parse_instant(day, "Asia/Almaty"), "Asia/Almaty", _Prefs())
    reply = await dispatch(ctx, command)
    assert reply is not None
    return reply.message.html


@pytest.mark.parametrize("day", DATES)
@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("name", sorted(COMMANDS))
async def test_golden(library: Library, name: str, locale: str, day: str) -> None:
    html = await _render(library, COMMANDS[name], locale, day)
    path = GOLDEN / f"{name}.{locale}.{day}.html"
    if os.environ.get("BILAT_REGEN_GOLDEN"):
        path.write_text(html + "\n", encoding="utf-8")
    assert html + "\n" == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("day", DATES)
@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("command", sorted(COMMANDS.values()))
async def test_every_briefing_fits_one_telegram_message(
        library: Library, command: str, locale: str, day: str) -> None:
    html = await _render(library, command, locale, day)
    assert measure(html) <= 4096
