"""Reply latency of the Telegram bot under 50 concurrent users, against a PTB echo bot.

Runs the fake Bot API (tests/fakes/botapi.py) in this process, then, one after the other and
each as its own process: Bilat (``python -m bot run`` with the fake as TELEGRAM_API_BASE_URL)
and a minimal python-telegram-bot echo bot. For each, 50 simulated users in private chats send
commands for the given time, each waiting for its answer and a short pause before the next.
Latency runs from the moment getUpdates hands a command to the bot to the moment the fake
receives the bot's reply, both stamped by the fake's clock. Prints median and 99th percentile
for both and the ratio of medians. Target: Bilat's median within 1.5x of the echo bot's.

Run: ``.venv/bin/python bench/telegram.py [--users 50] [--seconds 30]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from time import monotonic

from aiohttp import web

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Run as a script, this file's folder heads sys.path and this file is named like the telegram
# package: take the folder out so that `import telegram` finds the library.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != HERE)]
os.environ.setdefault("PTB_TIMEDELTA", "1")

from tests.fakes.botapi import FakeBotAPI, SentRecord  # noqa: E402
from tests.support.process import clean_environ  # noqa: E402

TOKEN = "123456:BENCH-token"
COMMANDS = ("/trade", "/summary", "/events past", "/help", "/trade 2023", "/articles")
FIRST_USER = 10_000
PAUSE = (0.2, 0.8)  # seconds a user waits between an answer and the next command
READY_SECONDS = 60.0
REPLY_SECONDS = 30.0


# When the request being handled reached the server: aiohttp runs each request in a task of
# its own, so a context variable follows it from arrival to the record it makes.
ARRIVAL: ContextVar[float] = ContextVar("arrival", default=0.0)


class BenchAPI(FakeBotAPI):
    """The fake server, telling the bench about each reply and when its request arrived.

    The reply's time is its request's arrival, before the fake checks the HTML: that check
    is the fake's work, not the bot's, and the echo bot's replies have no HTML to check.
    """

    def __init__(self) -> None:
        super().__init__(token=TOKEN, bot_username="BilatBenchBot")
        self.waiting: dict[int, asyncio.Future[tuple[SentRecord, float]]] = {}
        # The tests check every message's HTML; here that check would only slow the shared
        # server loop, and more for Bilat's long replies than for the echo's short ones.
        self.check_text = False

    async def _handle_method(self, request: web.Request) -> web.Response:
        ARRIVAL.set(monotonic())
        return await super()._handle_method(request)

    def record(self, record: SentRecord) -> None:
        super().record(record)
        waiter = self.waiting.pop(record.chat_id or 0, None)
        if waiter is not None and not waiter.done():
            waiter.set_result((record, ARRIVAL.get() or record.time))


@dataclass
class Run:
    """Latencies of one bot, in milliseconds."""

    name: str
    samples: list[float] = field(default_factory=list)
    lost: int = 0

    def quantile(self, q: float) -> float:
        """The q-quantile (0 < q < 1)."""
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def line(self) -> str:
        """One printed line."""
        return (f"{self.name:>6}: {len(self.samples):6d} replies, median "
                f"{statistics.median(self.samples):6.2f} ms, p99 {self.quantile(0.99):7.2f} ms, "
                f"lost {self.lost}")


async def exchange(api: BenchAPI, user: int, text: str) -> float | None:
    """One command and its reply; the latency in ms (None if no reply came)."""
    loop = asyncio.get_running_loop()
    waiter: asyncio.Future[tuple[SentRecord, float]] = loop.create_future()
    api.waiting[user] = waiter
    update = api.send_message(user, user, text)
    try:
        _, arrived = await asyncio.wait_for(waiter, REPLY_SECONDS)
    except TimeoutError:
        api.waiting.pop(user, None)
        return None
    delivered = api.delivered_at.get(update["update_id"])
    return None if delivered is None else (arrived - delivered) * 1000


async def user_loop(api: BenchAPI, user: int, until: float, run: Run) -> None:
    """Send commands until ``until``, pausing between them."""
    rng = random.Random(user)
    loop = asyncio.get_running_loop()
    await asyncio.sleep(rng.uniform(*PAUSE))  # people do not all press send at one instant
    while loop.time() < until:
        latency = await exchange(api, user, rng.choice(COMMANDS))
        if latency is None:
            run.lost += 1
        else:
            run.samples.append(latency)
        await asyncio.sleep(rng.uniform(*PAUSE))


@asynccontextmanager
async def process(args: list[str], env: dict[str, str]) -> AsyncIterator[None]:
    """A bot process, stopped with SIGTERM at the end."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, *args, cwd=ROOT, env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        yield
    finally:
        if child.returncode is None:
            child.terminate()
        try:
            await asyncio.wait_for(child.wait(), 20)
        except TimeoutError:
            child.kill()
            await child.wait()


async def measure(api: BenchAPI, name: str, users: list[int], seconds: float) -> Run:
    """Wait for the bot to answer, then let the users talk to it for ``seconds``."""
    if await exchange(api, users[0], "/help") is None:
        raise RuntimeError(f"{name} did not answer")
    for user in users:  # warm every chat once (first-contact costs are not the steady state)
        await exchange(api, user, "/help")
    run = Run(name)
    until = asyncio.get_running_loop().time() + seconds
    await asyncio.gather(*(user_loop(api, u, until, run) for u in users))
    return run


def environment(api: BenchAPI, db: Path) -> dict[str, str]:
    """The bots' environment: the fake server, a fresh database, a fixed day."""
    return clean_environ(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=api.base_url,
                         BILAT_DB=str(db), BILAT_NOW="2025-05-08", PTB_TIMEDELTA="1",
                         BILAT_HTTP_PORT="0")


async def bench(user_count: int, seconds: float) -> tuple[Run, Run]:
    """Measure Bilat, then the echo bot, on one fake server."""
    api = BenchAPI()
    async with api:
        users = list(range(FIRST_USER, FIRST_USER + user_count))
        for user in users:
            api.add_user(user, f"User {user}", "fr" if user % 2 else "en")
        with tempfile.TemporaryDirectory() as tmp:
            env = environment(api, Path(tmp) / "bench.sqlite3")
            async with process(["-m", "bot", "run"], env):
                bilat = await measure(api, "bilat", users, seconds)
            async with process([str(HERE / "telegram.py"), "--echo-bot"], env):
                echo = await measure(api, "echo", users, seconds)
    return bilat, echo


def echo_bot() -> None:
    """The reference: a minimal PTB bot answering each text with itself."""
    from telegram import Update
    from telegram.ext import Application, ContextTypes, MessageHandler, filters

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message and update.effective_message.text:
            await update.effective_message.reply_text(update.effective_message.text)

    app = (Application.builder().token(os.environ["TELEGRAM_BOT_TOKEN"])
           .base_url(os.environ["TELEGRAM_API_BASE_URL"]).build())
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(poll_interval=0.0, timeout=10)


def main() -> None:
    """Parse the options, run both bots, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--echo-bot", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.echo_bot:
        echo_bot()
        return
    bilat, echo = asyncio.run(bench(args.users, args.seconds))
    print(f"{args.users} users, {args.seconds:g} s each, commands {', '.join(COMMANDS)}; "
          f"pause {PAUSE[0]}-{PAUSE[1]} s between a reply and the next command")
    print(bilat.line())
    print(echo.line())
    ratio = statistics.median(bilat.samples) / statistics.median(echo.samples)
    verdict = "within" if ratio <= 1.5 else "over"
    print(f"ratio of medians (bilat / echo): {ratio:.2f}x ({verdict} the 1.5x target)")


if __name__ == "__main__":
    main()
