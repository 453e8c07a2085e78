"""Matrix round trip: a person's ``!trade`` to Bilat's reply read back, beside an echo bot.

Starts a Synapse (``scripts/install-synapse.sh``), Bilat's Matrix bot (full stack: database,
end-to-end encryption enabled, the real briefing) and a minimal matrix-nio echo bot that
answers any message with a one-line notice. A person sends ``!trade`` alternately to each,
in its own room, and times each round trip from the send to the reply coming back through
the person's sync. Prints median and 99th percentile for both, and Bilat's ratio to the echo
bot. Target: within 1.3x. Run: ``.venv/bin/python bench/matrix.py [--runs 100]``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nio import (  # type: ignore[import-untyped]
    AsyncClient,
    AsyncClientConfig,
    MatrixRoom,
    RoomMessageText,
    SyncResponse,
)

from bot.config import Secret
from bot.core.clock import ShiftedClock, parse_instant
from bot.core.library import Library
from bot.core.session import Session
from bot.matrix.client import MatrixBot
from bot.matrix.login import connect
from bot.matrix.rooms import RoomStore
from bot.matrix.settings import MatrixSettings
from bot.store.db import Database
from tests.fakes.synapse import RegisteredUser, Synapse

DATA = Path(__file__).resolve().parents[1] / "data"
WARMUP = 5
TARGET = 1.3
SYNC_MS = 30_000


class EchoBot:
    """The smallest useful nio bot: sync_forever and a callback that answers with a notice."""

    def __init__(self, server: Synapse, user: RegisteredUser) -> None:
        config = AsyncClientConfig(encryption_enabled=False)
        self.client = AsyncClient(server.url, user.user_id, config=config)
        self.client.restore_login(user.user_id, user.device_id, user.access_token)
        self.client.add_event_callback(self.on_message, RoomMessageText)
        self.task: asyncio.Task[Any] | None = None

    async def on_message(self, room: MatrixRoom, event: RoomMessageText) -> None:
        """Echo with a reply notice."""
        if event.sender == self.client.user_id:
            return
        content = {"msgtype": "m.notice", "body": f"echo: {event.body}",
                   "m.relates_to": {"m.in_reply_to": {"event_id": event.event_id}}}
        await self.client.room_send(room.room_id, "m.room.message", content)

    async def start(self) -> None:
        """Skip history, then sync forever, joining rooms it is invited to."""
        await self.client.sync(timeout=0)
        self.task = asyncio.create_task(self.client.sync_forever(timeout=SYNC_MS))

    async def accept(self, room_id: str) -> None:
        """Join a room."""
        await self.client.join(room_id)

    async def close(self) -> None:
        """Stop syncing and close."""
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
        await self.client.close()


class Person:
    """A person who sends commands and notes when each reply comes back."""

    def __init__(self, server: Synapse, user: RegisteredUser) -> None:
        config = AsyncClientConfig(encryption_enabled=False)
        self.client = AsyncClient(server.url, user.user_id, config=config)
        self.client.restore_login(user.user_id, user.device_id, user.access_token)
        self.arrived: dict[str, float] = {}
        self.news = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def listen(self) -> None:
        """Long-poll sync, recording when each reply arrives."""
        await self.client.sync(timeout=0)
        while True:
            response = await self.client.sync(timeout=SYNC_MS)
            if not isinstance(response, SyncResponse):
                continue
            now = time.perf_counter()
            for info in response.rooms.join.values():
                for event in info.timeline.events:
                    rel = (event.source.get("content") or {}).get("m.relates_to") or {}
                    target = (rel.get("m.in_reply_to") or {}).get("event_id")
                    if target:
                        self.arrived[target] = now
            self.news.set()

    async def round_trip(self, room_id: str, text: str) -> float:
        """Seconds from sending ``text`` to its reply read back."""
        start = time.perf_counter()
        content = {"msgtype": "m.text", "body": text}
        sent = await self.client.room_send(room_id, "m.room.message", content)
        event_id = sent.event_id
        while event_id not in self.arrived:
            self.news.clear()
            await asyncio.wait_for(self.news.wait(), 30)
        return self.arrived[event_id] - start

    async def room_with(self, user_id: str) -> str:
        """A room with ``user_id`` invited."""
        created = await self.client.room_create(invite=[user_id])
        return str(created.room_id)


async def joined(client: AsyncClient, room_id: str, user_id: str) -> None:
    """Until ``user_id`` is in the room (seen through the homeserver)."""
    for _ in range(200):
        members = await client.joined_members(room_id)
        if any(m.user_id == user_id for m in getattr(members, "members", [])):
            return
        await asyncio.sleep(0.05)
    raise RuntimeError(f"{user_id} never joined {room_id}")


def summary(samples: list[float]) -> tuple[float, float]:
    """Median and 99th percentile, in milliseconds."""
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p99 * 1000


async def bench(runs: int) -> None:
    """Both bots on one homeserver, the same person timing both."""
    home = Path(tempfile.mkdtemp(prefix="bilat-bench-"))
    with Synapse() as server:
        password = secrets.token_hex(8)
        person_user = await server.register("person", password)
        bilat_user = await server.register("bilat", password)
        echo_user = await server.register("echo", password)
        library = Library.load(DATA)
        clock = ShiftedClock(parse_instant("2025-05-07", "Asia/Almaty"))
        settings = MatrixSettings(homeserver=server.url, user_id=bilat_user.user_id,
                                  store_dir=home / "matrix-store",
                                  access_token=Secret(bilat_user.access_token),
                                  allowed_servers=frozenset({server.server_name}))
        db = await Database.open(home / "bilat.sqlite3")
        store = RoomStore(db, clock, bilat_user.user_id, "en", "Asia/Almaty")
        bilat = MatrixBot(await connect(settings), settings, store,
                          Session(lambda: library, clock, "en", "Asia/Almaty"))
        stop = asyncio.Event()
        bilat_task = asyncio.create_task(bilat.run(stop))
        echo, person = EchoBot(server, echo_user), Person(server, person_user)
        await echo.start()
        await bilat.ready.wait()
        try:
            bilat_room = await person.room_with(bilat_user.user_id)
            echo_room = await person.room_with(echo_user.user_id)
            await echo.accept(echo_room)
            await joined(person.client, bilat_room, bilat_user.user_id)
            await joined(person.client, echo_room, echo_user.user_id)
            person.task = asyncio.create_task(person.listen())
            times: dict[str, list[float]] = {"bilat": [], "echo": []}
            for i in range(WARMUP + runs):
                for name, room in (("bilat", bilat_room), ("echo", echo_room)):
                    elapsed = await person.round_trip(room, "!trade")
                    if i >= WARMUP:
                        times[name].append(elapsed)
        finally:
            stop.set()
            await bilat_task
            await bilat.close()
            await echo.close()
            if person.task is not None:
                person.task.cancel()
                await asyncio.gather(person.task, return_exceptions=True)
            await person.client.close()
            await db.close()
    report(times, runs)


def report(times: dict[str, list[float]], runs: int) -> None:
    """Print the figures."""
    bilat_median, bilat_p99 = summary(times["bilat"])
    echo_median, echo_p99 = summary(times["echo"])
    print(f"Matrix round trip, {runs} commands each (Synapse on 127.0.0.1, SQLite)")
    print(f"  Bilat !trade : median {bilat_median:6.1f} ms   p99 {bilat_p99:6.1f} ms")
    print(f"  nio echo bot : median {echo_median:6.1f} ms   p99 {echo_p99:6.1f} ms")
    ratio, ratio99 = bilat_median / echo_median, bilat_p99 / echo_p99
    verdict = "within" if ratio <= TARGET else "over"
    print(f"  ratio        : median {ratio:.2f}x   p99 {ratio99:.2f}x   "
          f"({verdict} the {TARGET}x target)")


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100, help="commands per bot (default 100)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(bench(args.runs))


if __name__ == "__main__":
    main()
