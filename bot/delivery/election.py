"""This process among the replicas on one database: heartbeats, the scheduler's lease, and
the recovery of what a vanished replica was sending.

Every replica beats every ``beat`` seconds. The scheduler's lease goes to one replica at a
time and lapses ``ttl`` seconds after its holder's last renewal, so when the holder dies
another takes over within ``ttl + beat``. The leader also hands the rows a vanished replica
left ``sending`` back to ``pending`` (each may be sent twice: it may have reached the
network) and forgets that replica. Correctness never rests on the lease: ticks and claims are
idempotent in the database; the lease keeps the tick's cost to one replica.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.store import outbox, replicas
from bot.store.db import Database

log = logging.getLogger(__name__)

SCHEDULER = "scheduler"
TTL = timedelta(seconds=8)
BEAT = 2.0


def wall_clock() -> datetime:
    """The real time: replicas compare heartbeats on it, whatever BILAT_NOW says."""
    return datetime.now(UTC)


def replica_name() -> str:
    """A name unique to this process, readable in logs: host, pid, a random tail."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


class Replica:
    """Beats, holds or waits for the scheduler's lease, recovers orphaned sends."""

    def __init__(self, db: Database, name: str | None = None, *, ttl: timedelta = TTL,
                 beat: float = BEAT, wall: Callable[[], datetime] = wall_clock,
                 on_recovered: Callable[[], None] | None = None) -> None:
        self.db = db
        self.name = name or replica_name()
        self.ttl = ttl
        self.beat = beat
        self.wall = wall
        self.on_recovered = on_recovered
        self.leader = False
        self.promoted = asyncio.Event()  # set when this replica becomes the leader

    async def step(self) -> None:
        """One heartbeat: stay alive, take or keep the lease, recover orphans if leading."""
        now = self.wall()
        await replicas.beat(self.db, self.name, now)
        was = self.leader
        self.leader = await replicas.acquire(self.db, SCHEDULER, self.name, now, now + self.ttl)
        if self.leader and not was:
            log.info("replica %s now runs the scheduler", self.name)
            self.promoted.set()
        elif was and not self.leader:
            log.warning("replica %s lost the scheduler's lease", self.name)
        if self.leader:
            await self._recover(now - self.ttl)

    async def _recover(self, alive_since: datetime) -> None:
        """Messages a vanished replica left ``sending`` go back to the outbox."""
        count = await outbox.recover(self.db, alive_since)
        gone = await replicas.forget_dead(self.db, alive_since)
        if count:
            log.warning("%d message(s) were being sent by a replica that vanished; sending "
                        "them again", count)
            if self.on_recovered is not None:
                self.on_recovered()
        elif gone:
            log.info("%d vanished replica(s) forgotten", gone)

    async def safe_step(self) -> None:
        """A step whose failure is logged (the next beat tries again)."""
        try:
            await self.step()
        except Exception:
            self.leader = False  # unsure: let the scheduler pause, not double up
            log.exception("replica %s: heartbeat failed; trying again", self.name)

    async def run(self, stop: asyncio.Event) -> None:
        """Beat until ``stop``; then hand the lease over at once by leaving cleanly."""
        try:
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.beat)
                if not stop.is_set():
                    await self.safe_step()
        finally:
            self.leader = False
            with contextlib.suppress(Exception):
                await replicas.forget(self.db, self.name)
