"""Resident memory of the running bot with 100,000 subscriptions in its database.

Fills a database with ``--subscriptions`` chats, each subscribed to a daily digest at its own
minute of the day (alerts on, French and English alternating), starts ``python -m bot run``
on it (Telegram, against the fake Bot API in this process), waits until it is ready and its
scheduler has ticked over every subscription, scrapes /metrics, asks a few commands, then
reads the process's resident set from /proc: now (VmRSS) and its peak so far (VmHWM).
Target: peak under 150 MB. Run: ``make bench`` or ``.venv/bin/python bench/memory.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PTB_TIMEDELTA", "1")

from bench.startup import TOKEN, environment, until_ready  # noqa: E402
from bot.store.db import Database, to_db  # noqa: E402
from tests.fakes.botapi import FakeBotAPI  # noqa: E402
from tests.support.net import free_port  # noqa: E402

NOW = datetime(2025, 5, 7, 6, 0, 30, tzinfo=UTC)  # mid-minute, so a tick comes soon
TARGET_MB = 150
USERS = range(10_000, 10_010)  # people asking commands meanwhile

async def migrate(db_path: Path) -> None:
    """Create the schema."""
    async with await Database.open(db_path):
        pass

def populate(db_path: Path, count: int) -> None:
    """``count`` chats, each with a daily subscription at its own minute of the day."""
    stamp = to_db(NOW)
    with closing(sqlite3.connect(db_path)) as conn, conn:
        conn.executemany(
            "INSERT INTO chats (id, network, chat_id, type, locale, timezone, created_at,"
            " updated_at) VALUES (?, 'telegram', ?, 'private', ?, 'Asia/Almaty', ?, ?)",
            ((n, str(1_000_000 + n), "fr" if n % 2 else "en", stamp, stamp)
             for n in range(1, count + 1)))
        conn.executemany(
            "INSERT INTO subscriptions (chat, cadence, local_time, alerts, pairs,"
            " planned_until, created_at, updated_at) VALUES (?, 'daily', ?, 1, 'KZ-FR', ?, ?, ?)",
            ((n, f"{n % 1440 // 60:02d}:{n % 60:02d}", stamp, stamp, stamp)
             for n in range(1, count + 1)))

def resident(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process, in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]

async def ticked(session: aiohttp.ClientSession, port: int, ticks: int) -> bool:
    """True once the scheduler has finished ``ticks`` ticks."""
    async with session.get(f"http://127.0.0.1:{port}/metrics") as answer:
        for line in (await answer.text()).splitlines():
            if line.startswith("bilat_scheduler_tick_seconds_count "):
                return float(line.split()[1]) >= ticks
    return False

async def converse(api: FakeBotAPI) -> None:
    """A few people ask a few briefings."""
    for user in USERS:
        api.add_user(user, f"User {user}", "fr" if user % 2 else "en")
        for text in ("/trade", "/events", "/summary"):
            before = len(api.messages(user))
            api.send_message(user, user, text)
            await api.wait_for_messages(user, before + 1, timeout=30)

async def bench(count: int) -> tuple[float, float, float, int]:
    """Run the bot over a full database; (RSS MB, peak MB, seconds of the tick, ticks)."""
    async with FakeBotAPI(token=TOKEN, bot_username="BilatBenchBot") as api:
        with tempfile.TemporaryDirectory() as tmp:
            db_path = Path(tmp) / "memory.sqlite3"
            await migrate(db_path)
            populate(db_path, count)
            port = free_port()
            env = {**environment(api, db_path, port), "BILAT_NOW": NOW.isoformat()}
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL)
            try:
                async with aiohttp.ClientSession() as session:
                    await until_ready(session, port, process)
                    started = time.perf_counter()
                    deadline = started + 120  # the first tick, then the next minute's
                    while not await ticked(session, port, 2):
                        if time.perf_counter() > deadline:
                            raise RuntimeError("the scheduler did not tick twice")
                        await asyncio.sleep(0.2)
                    await converse(api)
                    rss, peak = resident(process.pid)
                    tick = await tick_seconds(session, port)
            finally:
                process.terminate()
                await asyncio.wait_for(process.wait(), 15)
    return rss, peak, tick, count

async def tick_seconds(session: aiohttp.ClientSession, port: int) -> float:
    """The mean duration of the scheduler's ticks so far."""
    async with session.get(f"http://127.0.0.1:{port}/metrics") as answer:
        values = dict(line.rsplit(" ", 1) for line in (await answer.text()).splitlines()
                      if line.startswith("bilat_scheduler_tick_seconds_"))
    return float(values["bilat_scheduler_tick_seconds_sum"]) / float(
        values["bilat_scheduler_tick_seconds_count"])

def main() -> int:
    """Parse the options, measure, print; exit 1 when the target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=100_000)
    args = parser.parse_args()
    rss, peak, tick, count = asyncio.run(bench(args.subscriptions))
    print(f"memory: `python -m bot run` with {count:,} subscriptions in its database")
    print(f"  after two scheduler ticks over all of them ({tick:.2f} s each) and 30 commands: "
          f"resident {rss:.0f} MB, peak {peak:.0f} MB")
    met = peak < TARGET_MB
    print(f"  target (peak < {TARGET_MB} MB): {'met' if met else 'NOT met'}")
    return 0 if met else 1

if __name__ == "__main__":
    raise SystemExit(main())
