"""Hostile and odd input through the core command entry: the answers a user sees.

Issue 10, items 8 (the console survives a failing command), 9 (superscript digits),
15 (echo cut, place-less time zones, alert order) and 18 (``!`` lines, render, broken pipe).
"""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.console import Console
from bot.core.briefings import EventItem
from bot.core.chat_settings import MemoryChat
from bot.core.clock import FixedClock, parse_instant
from bot.core.command_table import ARG_ECHO_LIMIT
from bot.core.facts import DayDate
from bot.core.library import Library
from bot.core.pushes import PushSettings, alerts_due
from bot.core.session import Session
from bot.store.db import Database
from tests.core.test_commands import _text
from tests.core.test_subscription_commands import say, stored
from tests.support.asking import ask
from tests.test_cli import bilat

# Item 9: digits that str.isdigit accepts and int refuses --------------------------------

@pytest.mark.parametrize("locale", ["en", "fr"])
async def test_superscript_digits_are_not_article_numbers(
        library: Library, may7: datetime, locale: str) -> None:
    text = await _text(library, may7, "/summary ²", locale)
    assert text.startswith(("No article matches “²”.",
                            "Aucun article ne correspond à «\u202f²\u202f»"))


async def test_five_thousand_digits_are_no_article_number(library: Library,
                                                          may7: datetime) -> None:
    text = await _text(library, may7, "/summary " + "9" * 5000)
    assert text.startswith("No article matches “" + "9" * ARG_ECHO_LIMIT + "…”.")


# Item 15: the echo cut holds for /summary too ---------------------------------------------

async def test_summary_echoes_at_most_the_cut(library: Library, may7: datetime) -> None:
    text = await _text(library, may7, "/summary " + "x" * 4090)
    assert "x" * (ARG_ECHO_LIMIT + 1) not in text
    assert "x" * ARG_ECHO_LIMIT + "…" in text


@pytest.mark.parametrize("zone", ["localtime", "Factory", "posixrules"])
async def test_zones_that_are_no_place_are_refused(db: Database, library: Library,
                                                   zone: str, may7: datetime) -> None:
    chat = await stored(db, FixedClock(may7))
    text = await say(chat, library, f"/timezone {zone}")
    assert text.startswith(f"“{zone}” is not a time zone")


def test_alerts_due_in_the_same_minute_go_in_date_order(seed_library: Library) -> None:
    article = seed_library.articles[0]
    (forum,) = [e for e in article.events if e.id == "astana-international-forum-2025"]
    late = forum.model_copy(update={"id": "a-late", "date": DayDate(
        precision="day", value=date(2025, 5, 20))})
    soon = forum.model_copy(update={"id": "z-soon", "date": DayDate(
        precision="day", value=date(2025, 5, 14))})
    items = [EventItem(e, article, (article,)) for e in (late, soon)]
    zone = ZoneInfo("Asia/Almaty")
    settings = PushSettings(leads=(7, 1), at=time(9, 0))
    due = alerts_due({("KZ", "FR"): items}, settings, zone,
                     parse_instant("2025-05-13T00:00:00+05:00", "Asia/Almaty"),
                     parse_instant("2025-05-13T12:00:00+05:00", "Asia/Almaty"))
    assert [(a.item.event.id, a.lead) for a in due] == [("z-soon", 1), ("a-late", 7)]
    assert due[0].moment == due[1].moment


# Item 8: the console survives a failing command --------------------------------------------

async def test_the_console_answers_sorry_and_carries_on(library: Library,
                                                        may7: datetime) -> None:
    calls = 0

    def flaky() -> Library:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("a bug in a command")
        return library

    out = io.StringIO()
    console = Console(Session(flaky, FixedClock(may7)), MemoryChat("en"), out=out)
    await console.run(io.StringIO("/trade\n/trade\n"))
    assert "Sorry, something went wrong while answering." in out.getvalue()
    assert "Kazakhstan–France trade" in out.getvalue()


def test_console_subprocess_survives_hostile_lines(tmp_path: Path) -> None:
    env = {"BILAT_NOW": "2025-05-07T23:50:00+05:00", "BILAT_DB": str(tmp_path / "b.sqlite3")}
    lines = ["/summary ²", "/summary " + "7" * 5000, "!trade 1999", "/trade"]
    result = bilat("console", "--lang", "en", stdin="\n".join(lines) + "\n", env=env)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    out = result.stdout
    assert "No article matches “²”." in out
    assert "No trade figures for 1999" in out  # `!trade 1999` is answered, not ignored
    assert out.count("Kazakhstan–France trade") == 2


# Item 18: bilat render with `!`, and a closed pipe ----------------------------------------

def test_render_takes_a_bang_command() -> None:
    result = bilat("render", "!trade", "--as-of", "2025-05-07", "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert "Kazakhstan–France trade" in result.stdout


def test_render_into_a_closed_pipe_is_quiet() -> None:
    render = subprocess.Popen([sys.executable, "-m", "bot", "render", "/help", "--lang", "en"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert render.stdout is not None and render.stderr is not None
    render.stdout.close()  # what `| head -0` does: the reader is gone before the answer
    _, err = render.communicate(timeout=60)
    assert b"BrokenPipeError" not in err and b"Traceback" not in err


async def test_newsroom_numbers_are_ascii(library: Library, may7: datetime) -> None:
    """Found by `make fuzz` right after issue 12's newsroom commands were merged."""
    reply = await ask(library, may7, "/draft ²")
    assert reply is not None
    assert reply.message.text.startswith("Usage: /draft")
