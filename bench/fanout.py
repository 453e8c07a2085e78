"""A digest to 10,000 subscribed chats through a network that enforces a global rate.

The fake network answers 429 whenever more than ``--rate`` messages arrive within any one
second. Prints the send rate as a fraction of ``--rate``, the number of 429s, and peak memory
(the process's maximum resident set). Targets: at least 95% of the rate, zero 429s, peak
memory under 150 MB.
Run: ``make bench`` or ``.venv/bin/python bench/fanout.py [--chats N] [--rate R]``.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from collections import deque
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.core.clock import ShiftedClock
from bot.core.library import Library
from bot.core.network import Attachment, ChatRef, DeliveryError, Limits
from bot.core.pushes import PushSettings, pair_code
from bot.core.render import Rendered
from bot.delivery.scheduler import Scheduler
from bot.delivery.sender import Sender
from bot.store.db import Database, to_db

SEED = (Path(__file__).resolve().parents[1] / "data" / "articles" /
        "lagazette-2025-05-07-kazakhstan-france.yaml")
SUBSCRIBED = datetime(2025, 5, 20, 0, 0, tzinfo=UTC)
DUE = datetime(2025, 5, 21, 3, 0, tzinfo=UTC)  # 08:00 in Almaty
RETRY_PAUSE = 1.0


class RateLimitedNetwork:
    """Accepts at most ``rate`` messages in any one-second window; beyond, answers 429."""

    network = "bench"

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.limits = Limits(global_per_second=rate, per_chat_per_second=1,
                             per_group_per_minute=20)
        self.window: deque[float] = deque()
        self.stamps: list[float] = []
        self.accepted = 0
        self.refused = 0

    async def send(self, chat: ChatRef, message: Rendered,
                   attachments: Sequence[Attachment] = ()) -> str:
        """Count the message against the window, or refuse it as Telegram would."""
        now = time.monotonic()
        while self.window and self.window[0] <= now - 1.0:
            self.window.popleft()
        if len(self.window) >= self.rate:
            self.refused += 1
            raise DeliveryError("rate_limited", "Too Many Requests", retry_after=1)
        self.window.append(now)
        self.stamps.append(now)
        self.accepted += 1
        return str(self.accepted)

    def is_group(self, chat: ChatRef) -> bool:
        """Private chats."""
        return False

    def sustained(self) -> float:
        """The steady rate: ``rate`` messages over the median time ``rate`` messages take.

        The overall rate flatters: a sliding window lets the first second's worth go at once.
        """
        n = self.rate
        spans = sorted(b - a for a, b in zip(self.stamps, self.stamps[n:], strict=False))
        return n / spans[len(spans) // 2] if spans else 0.0


async def populate(db: Database, chats: int) -> None:
    """``chats`` private chats, each subscribed to the daily digest, alerts off."""
    s = PushSettings(alerts=False)
    stamp = to_db(SUBSCRIBED)
    await db.executemany(
        "INSERT INTO chats (id, network, chat_id, type, locale, timezone, created_at,"
        " updated_at) VALUES (?, 'bench', ?, 'private', ?, 'Asia/Almaty', ?, ?)",
        [(n, str(100_000 + n), "fr" if n % 2 else "en", stamp, stamp)
         for n in range(1, chats + 1)])
    await db.executemany(
        "INSERT INTO subscriptions (chat, cadence, local_time, alerts, pairs, planned_until,"
        " created_at, updated_at) VALUES (?, 'daily', '08:00', 0, ?, ?, ?, ?)",
        [(n, ",".join(pair_code(p) for p in s.pairs), stamp, stamp, stamp)
         for n in range(1, chats + 1)])


async def bench(chats: int, rate: int) -> bool:
    """Plan and send the digest; print the figures; True when the targets are met."""
    library = Library.load(SEED)
    with tempfile.TemporaryDirectory() as folder:
        async with await Database.open(Path(folder) / "fanout.sqlite3") as db:
            await populate(db, chats)
            clock = ShiftedClock(DUE)
            started = time.perf_counter()
            report = await Scheduler(db, lambda: library, clock).tick()
            planning = time.perf_counter() - started
            network = RateLimitedNetwork(rate)
            sender = Sender(db, network, clock)
            started = time.perf_counter()
            sent = await sender.drain()
            while sent < report.digests and network.refused:  # only if 429s left some
                await asyncio.sleep(RETRY_PAUSE)
                sent += await sender.drain()
            elapsed = time.perf_counter() - started
    per_second = sent / elapsed
    fraction = per_second / rate
    sustained = network.sustained() / rate
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"fanout: {chats} chats, network limit {rate} messages/s")
    print(f"  planned {report.digests} digests in {planning:.2f} s")
    print(f"  sent {sent} in {elapsed:.2f} s: {per_second:.0f} messages/s = "
          f"{fraction:.1%} of the limit (with the first second's burst); steady rate "
          f"{sustained:.1%} of it")
    print(f"  429 answers: {network.refused}")
    print(f"  peak memory (max RSS): {peak_mb:.0f} MB")
    met = (min(fraction, sustained) >= 0.95 and network.refused == 0 and peak_mb < 150
           and sent == chats)
    print(f"  targets (>= 95%, no 429, < 150 MB): {'met' if met else 'NOT met'}")
    return met


def main() -> int:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument("--rate", type=int, default=1000, help="the network's messages/s")
    args = parser.parse_args()
    return 0 if asyncio.run(bench(args.chats, args.rate)) else 1


if __name__ == "__main__":
    raise SystemExit(main())
