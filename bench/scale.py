"""Scale on both stores: ticks with nothing due, memory, a two-replica fan-out, failover.

Prints, for SQLite and for PostgreSQL (a throwaway server, as the tests start it):
- the median time of a scheduler tick with nothing due at each size (target < 20 ms);
- the resident memory of a running delivery service at the largest size (target < 150 MB);
- a digest fanned out to ``--chats`` chats by two replicas sharing one 1,000/s network
  (targets: >= 95 % of the limit, zero 429s, nothing sent twice);
- the failover time after SIGKILL of the replica holding the scheduler (target < 15 s).
Run: ``make bench`` or ``.venv/bin/python bench/scale.py [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import asyncpg  # noqa: E402

from bench.fanout import RateLimitedNetwork  # noqa: E402
from bench.memory import converse, resident, ticked  # noqa: E402
from bench.startup import TOKEN, environment, until_ready  # noqa: E402
from bot.core.clock import FixedClock, ShiftedClock  # noqa: E402
from bot.core.library import Library  # noqa: E402
from bot.core.network import Attachment, ChatRef, Limits  # noqa: E402
from bot.core.render import Rendered  # noqa: E402
from bot.delivery.election import SCHEDULER, Replica  # noqa: E402
from bot.delivery.scheduler import Scheduler  # noqa: E402
from bot.delivery.sender import Sender  # noqa: E402
from bot.delivery.service import Delivery  # noqa: E402
from bot.store import replicas  # noqa: E402
from bot.store.db import Database, is_url, to_db  # noqa: E402
from tests.fakes.botapi import FakeBotAPI  # noqa: E402
from tests.pgserver import PostgresServer, unavailable  # noqa: E402
from tests.support.net import free_port  # noqa: E402

DATA = ROOT / "data"
SUBSCRIBED = datetime(2025, 5, 20, 0, 0, tzinfo=UTC)
DUE = datetime(2025, 5, 21, 3, 0, tzinfo=UTC)  # 08:00 in Almaty
QUIET = datetime(2025, 5, 20, 12, 0, tzinfo=UTC)  # nothing is due
RATE = 1000
TICKS = 15
PARTS = ("ticks", "fanout", "failover")


def rows(count: int, due: datetime) -> Iterator[tuple[tuple[object, ...], tuple[object, ...]]]:
    """A chat row and its subscription row (daily at 08:00, alerts off), ``count`` times."""
    stamp, next_due = to_db(SUBSCRIBED), to_db(due)
    for n in range(1, count + 1):
        yield ((n, "bench", str(1_000_000 + n), "private", "fr" if n % 2 else "en",
                "Asia/Almaty", stamp, stamp),
               (n, "daily", "08:00", 0, "KZ-FR", stamp, next_due, stamp, stamp))


CHAT_COLUMNS = ["id", "network", "chat_id", "type", "locale", "timezone", "created_at",
                "updated_at"]
SUB_COLUMNS = ["chat", "cadence", "local_time", "alerts", "pairs", "planned_until",
               "next_due_at", "created_at", "updated_at"]


async def populate(target: str, count: int, due: datetime) -> None:
    """``count`` subscribed chats, next due at ``due``, written the fastest way each store has."""
    async with await Database.open(target):
        pass  # migrated
    if is_url(target):
        conn = await asyncpg.connect(target)
        try:
            batch: list[tuple[object, ...]] = []
            subs: list[tuple[object, ...]] = []
            for chat, sub in rows(count, due):
                batch.append(chat)
                subs.append(sub)
                if len(batch) == 50_000:
                    await _copy(conn, batch, subs)
                    batch, subs = [], []
            await _copy(conn, batch, subs)
            await conn.execute("SELECT setval(pg_get_serial_sequence('chats', 'id'), $1)", count)
            await conn.execute("ANALYZE")
        finally:
            await conn.close()
        return
    with closing(sqlite3.connect(target)) as db, db:
        db.executemany(f"INSERT INTO chats ({', '.join(CHAT_COLUMNS)}) VALUES"
                       f" ({', '.join('?' * len(CHAT_COLUMNS))})",
                       (c for c, _ in rows(count, due)))
        db.executemany(f"INSERT INTO subscriptions ({', '.join(SUB_COLUMNS)}) VALUES"
                       f" ({', '.join('?' * len(SUB_COLUMNS))})",
                       (s for _, s in rows(count, due)))
        db.execute("ANALYZE")


async def _copy(conn: asyncpg.Connection, chats: list[tuple[object, ...]],
                subs: list[tuple[object, ...]]) -> None:
    if chats:
        await conn.copy_records_to_table("chats", records=chats, columns=CHAT_COLUMNS)
        await conn.copy_records_to_table("subscriptions", records=subs, columns=SUB_COLUMNS)


async def quiet_ticks(target: str, library: Library) -> list[float]:
    """Seconds per tick with nothing due (after one tick that warms up)."""
    async with await Database.open(target) as db:
        scheduler = Scheduler(db, lambda: library, FixedClock(QUIET))
        await scheduler.tick()
        times = []
        for _ in range(TICKS):
            started = time.perf_counter()
            report = await scheduler.tick()
            times.append(time.perf_counter() - started)
            assert report.planned == 0
    return times


class NullTransport:
    """Takes every message at once (the memory and failover runs)."""

    network = "bench"
    limits = Limits(global_per_second=RATE, per_chat_per_second=1, per_group_per_minute=20)

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency
        self.count = 0

    async def send(self, chat: ChatRef, message: Rendered,
                   attachments: Sequence[Attachment] = ()) -> str:
        """Count it."""
        if self.latency:
            await asyncio.sleep(self.latency)
        self.count += 1
        return str(self.count)

    def is_group(self, chat: ChatRef) -> bool:
        """Private chats."""
        return False


async def child_replica(target: str) -> None:
    """A replica sending a slow digest until killed."""
    library = Library.load(DATA)
    async with await Database.open(target) as db:
        delivery = Delivery(db, lambda: library, ShiftedClock(DUE + timedelta(seconds=5)),
                            [NullTransport(latency=0.02)])
        await delivery.run(asyncio.Event())


async def fanout(target: str, chats: int, library: Library) -> dict[str, float]:
    """Plan a digest to ``chats`` chats, then send it through two replicas on one network."""
    async with await Database.open(target) as db:
        report = await Scheduler(db, lambda: library, FixedClock(DUE)).tick()
        assert report.digests == chats, report
    network = CountingNetwork(RATE)
    bases = [await Database.open(target) for _ in range(2)]
    alive = asyncio.Event()
    try:
        members = [Replica(base, name) for base, name in zip(bases, "ab", strict=True)]
        for member in members:
            await member.step()  # seen alive before claiming, as Delivery.run does
        beating = [asyncio.create_task(m.run(alive)) for m in members]
        senders = [Sender(m.db, network, FixedClock(DUE), replica=m.name) for m in members]
        started = time.perf_counter()
        sent = await asyncio.gather(*(s.drain() for s in senders))
        elapsed = time.perf_counter() - started
        alive.set()
        await asyncio.gather(*beating)
    finally:
        for base in bases:
            await base.close()
    return {"sent": sum(sent), "fraction": sum(sent) / elapsed / RATE,
            "steady": network.sustained() / RATE, "refused": network.refused,
            "twice": network.accepted - len(network.chats),
            "split": min(sent) / max(1, sum(sent))}


class CountingNetwork(RateLimitedNetwork):
    """The rate-limited network, also noting which chats got a message."""

    def __init__(self, rate: int) -> None:
        super().__init__(rate)
        self.chats: set[str] = set()

    async def send(self, chat: ChatRef, message: Rendered,
                   attachments: Sequence[Attachment] = ()) -> str:
        """Send, and note the chat when the network took it."""
        answer = await super().send(chat, message, attachments)
        self.chats.add(chat.chat_id)
        return answer


async def failover(target: str, chats: int) -> float:
    """Seconds from SIGKILL of the leading replica until the other leads and has taken
    back what the dead one was sending."""
    await populate(target, chats, DUE)
    children = [await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--child-replica", target,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
    try:
        async with await Database.open(target) as db:
            while True:
                holder = await replicas.holder(db, SCHEDULER, datetime.now(UTC))
                sent = await db.fetchone("SELECT COUNT(*) FROM outbox WHERE state = 'sent'")
                if holder and sent and sent[0] > 50:
                    break
                await asyncio.sleep(0.1)
            victim = next(c for c in children if f"-{c.pid}-" in holder)
            killed = time.monotonic()
            os.kill(victim.pid, signal.SIGKILL)
            await victim.wait()
            while True:
                now = await replicas.holder(db, SCHEDULER, datetime.now(UTC))
                left = await db.fetchone("SELECT COUNT(*) FROM outbox WHERE state = 'sending'"
                                         " AND claimed_by = ?", (holder,))
                if now not in (None, holder) and left is not None and left[0] == 0:
                    return time.monotonic() - killed
                await asyncio.sleep(0.05)
    finally:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                child.kill()
            await child.wait()


async def memory(target: str) -> float:
    """Peak resident MB of ``bilat run`` on ``target`` (Telegram against the fake Bot API),
    after two ticks and a few people's commands."""
    async with FakeBotAPI(token=TOKEN, bot_username="BilatBenchBot") as api:
        port = free_port()
        env = {**environment(api, Path(target), port), "BILAT_DB": target,
               "BILAT_NOW": QUIET.isoformat()}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL)
        try:
            async with aiohttp.ClientSession() as session:
                await until_ready(session, port, process)
                deadline = time.perf_counter() + 150
                while not await ticked(session, port, 2):
                    if time.perf_counter() > deadline:
                        raise RuntimeError("the scheduler did not tick twice")
                    await asyncio.sleep(1.0)
                await converse(api)
                return resident(process.pid)[1]
        finally:
            process.terminate()
            await asyncio.wait_for(process.wait(), 15)


class Stores:
    """Fresh targets on each store: SQLite files, and databases on a throwaway server."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.server = PostgresServer() if unavailable() is None else None
        self.count = 0

    def fresh(self) -> list[tuple[str, str]]:
        """(store name, target) for each store."""
        self.count += 1
        found = [("sqlite", str(self.folder / f"scale{self.count}.sqlite3"))]
        if self.server is not None:
            found.append(("postgresql", self.server.create(f"scale{self.count}")))
        return found


@contextlib.contextmanager
def stores(folder: Path) -> Iterator[Stores]:
    """The stores, the server started for the block."""
    made = Stores(folder)
    if made.server is None:
        print(f"postgresql: not measured ({unavailable()})")
    else:
        made.server.start()
    try:
        yield made
    finally:
        if made.server is not None:
            made.server.stop()


async def bench(sizes: list[int], chats: int, failover_chats: int,
                parts: frozenset[str] = frozenset(PARTS)) -> bool:
    """Every figure (of ``parts``) on every store; True when all targets are met."""
    library = Library.load(DATA)
    met = True
    with tempfile.TemporaryDirectory() as tmp, stores(Path(tmp)) as fresh:
        for size in sizes if "ticks" in parts else []:
            for name, target in fresh.fresh():
                await populate(target, size, QUIET + timedelta(days=1))
                median = statistics.median(await quiet_ticks(target, library)) * 1000
                met &= median < 20
                print(f"{name}: tick with nothing due, {size:,} subscriptions: median "
                      f"{median:.1f} ms (target < 20 ms)")
                if size == sizes[-1]:
                    mb = await memory(target)
                    met &= mb < 150
                    print(f"{name}: peak resident memory of `bilat run` (Telegram), "
                          f"{size:,} subscriptions, two ticks and 30 commands: {mb:.0f} MB"
                          " (target < 150 MB)")
        for name, target in fresh.fresh() if "fanout" in parts else []:
            await populate(target, chats, DUE)
            f = await fanout(target, chats, library)
            ok = (min(f["fraction"], f["steady"]) >= 0.95 and f["refused"] == 0
                  and f["twice"] == 0 and f["sent"] == chats)
            met &= ok
            print(f"{name}: fan-out of a digest to {chats:,} chats by two replicas, network "
                  f"limit {RATE}/s: {f['fraction']:.1%} of the limit overall, steady "
                  f"{f['steady']:.1%}; 429s {f['refused']:.0f}; sent twice {f['twice']:.0f};"
                  f" the second replica sent {f['split']:.0%}"
                  f" (targets >= 95 %, 0, 0): {'met' if ok else 'NOT met'}")
        for name, target in fresh.fresh() if "failover" in parts else []:
            seconds = await failover(target, failover_chats)
            met &= seconds < 15
            print(f"{name}: failover after SIGKILL of the leader: {seconds:.1f} s "
                  "(target < 15 s)")
    print(f"targets: {'met' if met else 'NOT met'}")
    return met


def main() -> int:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a quick look")
    parser.add_argument("--parts", default=",".join(PARTS),
                        help=f"what to measure, of {','.join(PARTS)} (memory goes with ticks)")
    parser.add_argument("--child-replica", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_replica:
        asyncio.run(child_replica(args.child_replica))
        return 0
    parts = frozenset(args.parts.split(","))
    if args.quick:
        ok = asyncio.run(bench([10_000], 3_000, 3_000, parts))
    else:
        ok = asyncio.run(bench([100_000, 1_000_000], 100_000, 20_000, parts))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
