"""Cold start: from launching ``python -m bot run`` to ready (``/healthz`` answers 200).

Each run is a new process with a new database, against the fake Bot API (tests/fakes/
botapi.py) running in this process: interpreter start, imports, data load, migration,
Telegram's getMe, the briefings' warm-up, the command menus, polling, then readiness.
Prints the median over the runs (and the fastest and slowest). Target: median under 1.5 s.
Run: ``make bench`` or ``.venv/bin/python bench/startup.py [--runs 7]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PTB_TIMEDELTA", "1")

from tests.fakes.botapi import FakeBotAPI  # noqa: E402
from tests.support.net import free_port  # noqa: E402
from tests.support.process import clean_environ  # noqa: E402

TOKEN = "123456:BENCH-token"
TARGET = 1.5
READY_SECONDS = 30.0


def environment(api: FakeBotAPI, db: Path, port: int) -> dict[str, str]:
    """The bot's environment: the fake server, a new database, the endpoint on ``port``."""
    return clean_environ(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=api.base_url,
                         BILAT_DB=str(db), BILAT_NOW="2025-05-08", BILAT_HTTP_PORT=str(port),
                         PTB_TIMEDELTA="1")


async def until_ready(session: aiohttp.ClientSession, port: int,
                      process: asyncio.subprocess.Process) -> None:
    """Poll /healthz every 5 ms until it answers 200."""
    deadline = time.perf_counter() + READY_SECONDS
    while time.perf_counter() < deadline:
        if process.returncode is not None:
            raise RuntimeError(f"the bot exited with {process.returncode}")
        try:
            async with session.get(f"http://127.0.0.1:{port}/healthz") as answer:
                if answer.status == 200:
                    return
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.005)
    raise RuntimeError("the bot never became ready")


async def one_start(api: FakeBotAPI, folder: Path, run: int) -> float:
    """Seconds from launch to ready, for one new process (stopped with SIGTERM after)."""
    port = free_port()
    env = environment(api, folder / f"run{run}.sqlite3", port)
    async with aiohttp.ClientSession() as session:
        started = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL)
        try:
            await until_ready(session, port, process)
            return time.perf_counter() - started
        finally:
            if process.returncode is None:
                process.terminate()
            await asyncio.wait_for(process.wait(), 15)


async def bench(runs: int) -> list[float]:
    """Start the bot ``runs`` times (plus one unmeasured, to warm the OS's file cache)."""
    async with FakeBotAPI(token=TOKEN, bot_username="BilatBenchBot") as api:
        with tempfile.TemporaryDirectory() as tmp:
            await one_start(api, Path(tmp), -1)
            return [await one_start(api, Path(tmp), n) for n in range(runs)]


def main() -> int:
    """Parse the options, measure, print; exit 1 when the target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    times = asyncio.run(bench(args.runs))
    median = statistics.median(times)
    print(f"startup: {args.runs} cold starts of `python -m bot run` (Telegram, fake Bot API)")
    print(f"  launch to /healthz 200: median {median:.2f} s, fastest {min(times):.2f} s, "
          f"slowest {max(times):.2f} s")
    met = median < TARGET
    print(f"  target (median < {TARGET} s): {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
