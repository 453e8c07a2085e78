"""SIGTERM ends ``bilat run`` within 10 s in the fault cases of issue 10 too."""

from __future__ import annotations

import asyncio
import shutil
import signal
import sqlite3
import sys
import time
from contextlib import closing
from pathlib import Path

from tests.conftest import DATA, ROOT
from tests.core.test_limits import _laughs
from tests.fakes.botapi import FakeBotAPI
from tests.support.net import free_port
from tests.support.process import bilat_run, environment
from tests.support.wait import eventually

STOP_SECONDS = 10


async def test_sigterm_during_the_start_up_back_off(api: FakeBotAPI, tmp_path: Path) -> None:
    env = environment(api, tmp_path / "b.sqlite3", free_port(),
                      TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{free_port()}/bot")
    async with bilat_run(env, tmp_path / "bilat.log") as bot:
        await eventually(lambda: "trying again in 2 s" in bot.output(), within=30,
                    what="the second back-off")
        assert await bot.stop() < STOP_SECONDS


async def test_sigterm_while_hostile_data_is_being_reloaded(api: FakeBotAPI,
                                                            tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    env = environment(api, tmp_path / "b.sqlite3", free_port(), BILAT_DATA_DIR=str(data),
                      BILAT_RELOAD_INTERVAL="1s")
    async with bilat_run(env, tmp_path / "bilat.log") as bot:
        await bot.ready()
        (data / "articles" / "laughs.yaml").write_text(_laughs(9), encoding="utf-8")
        (data / "articles" / "deep.yaml").write_text("x: " + "[" * 100_000, encoding="utf-8")
        await eventually(lambda: "data reload refused: 2 error(s)" in bot.output(), within=30,
                    what="the refusal")
        await asyncio.sleep(2.5)  # several more checks of the same files
        assert await bot.stop() < STOP_SECONDS
    assert bot.output().count("data reload refused") == 1


async def test_sigterm_while_the_database_is_locked_at_start(api: FakeBotAPI,
                                                             tmp_path: Path) -> None:
    db = tmp_path / "b.sqlite3"
    with closing(sqlite3.connect(db, isolation_level=None)) as other:
        other.execute("PRAGMA journal_mode = DELETE")
        other.execute("CREATE TABLE t (x)")
        other.execute("BEGIN EXCLUSIVE")  # held until the bot has stopped
        log = tmp_path / "bilat.log"
        with log.open("wb") as out:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", cwd=ROOT, stdout=out, stderr=out,
                stdin=asyncio.subprocess.DEVNULL, env=environment(api, db, free_port()))
            try:
                await eventually(lambda: "is locked" in log.read_text(encoding="utf-8"),
                            within=30, what="the first retry")
                started = time.monotonic()
                process.send_signal(signal.SIGTERM)
                await asyncio.wait_for(process.wait(), 15)
                assert time.monotonic() - started < STOP_SECONDS
            finally:
                if process.returncode is None:
                    process.kill()
                    await process.wait()
    assert f"bilat: BILAT_DB: stopped while {db} was locked" in log.read_text(encoding="utf-8")
