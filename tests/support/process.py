"""``python -m bot run`` as a real process: its environment, its endpoint, its database."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from tests.conftest import ROOT
from tests.fakes.botapi import FakeBotAPI
from tests.support.telegram import TOKEN

READY_SECONDS = 30.0
STOP_SECONDS = 10.0


def clean_environ(**extra: str) -> dict[str, str]:
    """This process's environment without any Bilat setting, plus ``extra``."""
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("BILAT_", "TELEGRAM_", "MATRIX_"))}
    return {**base, **extra}


def environment(api: FakeBotAPI, db: Path, port: int = 0, **extra: str) -> dict[str, str]:
    """A clean environment: the fake Bot API, a database, the endpoint on ``port`` (0: off)."""
    settings = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url,
                "BILAT_DB": str(db), "BILAT_NOW": "2025-05-07", "BILAT_TIMEZONE": "Asia/Almaty",
                "BILAT_HTTP_PORT": str(port), "PTB_TIMEDELTA": "1"}
    return clean_environ(**{**settings, **extra})


@dataclass
class Bot:
    """A running bot process: its endpoint and its combined output."""

    process: asyncio.subprocess.Process
    port: int
    log: Path

    @property
    def url(self) -> str:
        """The operations endpoint's root."""
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        """Everything the process printed so far (stdout and stderr)."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    async def get(self, path: str) -> tuple[int, str]:
        """GET ``path`` on the endpoint: (status, body)."""
        async with aiohttp.ClientSession() as session, session.get(self.url + path) as answer:
            return answer.status, await answer.text()

    async def ready(self, within: float = READY_SECONDS) -> dict[str, Any]:
        """Wait for /healthz to answer 200; its JSON."""
        deadline = time.monotonic() + within
        async with aiohttp.ClientSession() as session:
            while True:
                assert self.process.returncode is None, self.output()
                try:
                    async with session.get(self.url + "/healthz") as answer:
                        if answer.status == 200:
                            body: dict[str, Any] = await answer.json()
                            return body
                except aiohttp.ClientConnectionError:
                    pass
                assert time.monotonic() < deadline, "never ready:\n" + self.output()
                await asyncio.sleep(0.05)

    async def stop(self, sig: int = signal.SIGTERM) -> float:
        """Send ``sig``, wait for the exit; the seconds it took (the exit code must be 0)."""
        started = time.monotonic()
        if self.process.returncode is None:
            self.process.send_signal(sig)
        try:
            code = await asyncio.wait_for(self.process.wait(), STOP_SECONDS + 5)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            raise
        assert code == 0, self.output()
        return time.monotonic() - started


@asynccontextmanager
async def bilat_run(env: dict[str, str], log: Path) -> AsyncIterator[Bot]:
    """``python -m bot run`` until the block ends (then SIGTERM, if still running)."""
    with log.open("ab") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, stdin=asyncio.subprocess.DEVNULL,
            stdout=out, stderr=out, env=env)
        bot = Bot(process, int(env.get("BILAT_HTTP_PORT", "0")), log)
        try:
            yield bot
        finally:
            if process.returncode is None:
                await bot.stop()


def query(db: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """Read the bot's database from outside (WAL lets a reader in beside the writer)."""
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)) as conn:
        return list(conn.execute(sql, params).fetchall())


def samples(metrics: str) -> dict[str, float]:
    """``name{labels}`` -> value, for every sample line of a /metrics page."""
    found = {}
    for line in metrics.splitlines():
        if line and not line.startswith("#"):
            series, _, value = line.rpartition(" ")
            found[series] = float(value)
    return found
