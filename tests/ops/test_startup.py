"""Start-up faults end in a sentence naming the setting, never a token (items 2 and 10)."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from tests.conftest import ROOT
from tests.fakes.botapi import FakeBotAPI
from tests.support.net import free_port
from tests.support.process import bilat_run, environment
from tests.support.telegram import TOKEN

WRONG_TOKEN = "987654:WRONG-token-that-must-never-be-printed"


def run_once(env: dict[str, str], timeout: float = 90) -> subprocess.CompletedProcess[str]:
    """``python -m bot run`` to its end."""
    return subprocess.run([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, text=True,
                          capture_output=True, timeout=timeout, check=False,
                          stdin=subprocess.DEVNULL)


async def test_a_rejected_token_is_named_never_printed(api: FakeBotAPI, tmp_path: Path) -> None:
    env = environment(api, tmp_path / "b.sqlite3", 0, TELEGRAM_BOT_TOKEN=WRONG_TOKEN)
    result = await asyncio.to_thread(run_once, env)
    assert result.returncode == 2, result.stderr
    output = result.stdout + result.stderr
    assert WRONG_TOKEN not in output and WRONG_TOKEN.split(":")[1] not in output
    assert "Traceback" not in output
    assert f"bilat: TELEGRAM_BOT_TOKEN: the Bot API at {api.base_url}" in result.stderr
    assert "rejected the token" in result.stderr


async def test_a_bot_api_answering_500_at_start_is_retried(api: FakeBotAPI,
                                                           tmp_path: Path) -> None:
    api.fail_next(2, 500, methods={"getMe"})
    log = tmp_path / "bilat.log"
    async with bilat_run(environment(api, tmp_path / "b.sqlite3", free_port()), log) as bot:
        await bot.ready()
        assert bot.output().count("telegram: start failed") == 2
        await bot.stop()
    assert TOKEN not in bot.output()


async def test_an_unreachable_bot_api_gives_up_naming_the_setting(tmp_path: Path,
                                                                  api: FakeBotAPI) -> None:
    env = environment(api, tmp_path / "b.sqlite3", 0,
                      TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{free_port()}/bot")
    env["BILAT_START_ATTEMPTS"] = "2"
    result = await asyncio.to_thread(run_once, env)
    assert result.returncode == 2, result.stderr
    assert "bilat: TELEGRAM_API_BASE_URL: telegram could not be started after" \
        in result.stderr
    assert "trying again in 1 s" in result.stderr
    assert TOKEN not in result.stderr and "Traceback" not in result.stderr


async def test_a_damaged_database_is_named(api: FakeBotAPI, tmp_path: Path) -> None:
    db = tmp_path / "b.sqlite3"
    db.write_bytes(b"this is not a database, just text of a good length " * 100)
    result = await asyncio.to_thread(run_once, environment(api, db, 0))
    assert result.returncode == 2
    assert result.stderr.startswith(f"bilat: BILAT_DB: {db} is damaged or not a database")
    assert "Traceback" not in result.stderr


async def test_a_database_locked_by_another_process_is_named(api: FakeBotAPI,
                                                             tmp_path: Path) -> None:
    db = tmp_path / "b.sqlite3"
    with closing(sqlite3.connect(db, isolation_level=None)) as other:
        other.execute("PRAGMA journal_mode = DELETE")
        other.execute("CREATE TABLE t (x)")
        other.execute("BEGIN EXCLUSIVE")  # held for the whole start-up
        result = await asyncio.to_thread(run_once, environment(api, db, 0))
    assert result.returncode == 2
    assert f"bilat: BILAT_DB: {db} stayed locked by another process" in result.stderr
    assert "Traceback" not in result.stderr
