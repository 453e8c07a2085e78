"""Delivery as one service: this replica's heartbeat, the scheduler (while this replica
holds its lease) and a sender per network, on one event loop. Any number of replicas may run
it on one database: each sends, one schedules."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import timedelta

from bot.config import Settings
from bot.core.clock import Clock
from bot.core.library import Library
from bot.core.network import Transport
from bot.delivery.election import Replica
from bot.delivery.scheduler import DEFAULT_GRACE, Scheduler
from bot.delivery.sender import Policy, Sender
from bot.store.db import Database

log = logging.getLogger(__name__)

STOP_GRACE = 6.0  # seconds for sends in flight at SIGTERM, within the 10 s a stop may take


class Delivery:
    """Plans pushes for every network and sends each network's through its transport.

    Adapters build one with their transports and run it beside their own loop::

        delivery = Delivery(db, lambda: library, clock, [telegram_transport])
        await delivery.run(stop)   # returns once ``stop`` is set and sends in flight end
    """

    def __init__(self, db: Database, library: Callable[[], Library], clock: Clock,
                 transports: Sequence[Transport], *, grace: timedelta = DEFAULT_GRACE,
                 policy: Policy | None = None, replica: Replica | None = None) -> None:
        self.replica = replica or Replica(db)
        self.replica.on_recovered = self.wake
        self.senders = [Sender(db, t, clock, policy, replica=self.replica.name)
                        for t in transports]
        self.scheduler = Scheduler(db, library, clock, grace=grace, wake=self.wake,
                                   leads=lambda: self.replica.leader,
                                   promoted=self.replica.promoted)

    def wake(self) -> None:
        """Tell every sender that new messages are waiting."""
        for sender in self.senders:
            sender.wake.set()

    async def run(self, stop: asyncio.Event, grace: float = STOP_GRACE) -> None:
        """Run the scheduler and the senders until ``stop`` is set.

        Then sends in flight get ``grace`` seconds to finish and be recorded; whatever is
        still running after that is cancelled (a tick rolls back, a message left
        ``sending`` is sent again by the next run).
        """
        # The heartbeat outlives the senders: a replica that left its row while sends were
        # still in flight would see them handed to another replica and sent twice.
        done = asyncio.Event()
        # Seen alive before the first claim: another replica's recovery must never take this
        # one's messages for a vanished replica's.
        await self.replica.safe_step()
        async with asyncio.TaskGroup() as group:
            group.create_task(self.replica.run(done))
            parts = [group.create_task(self.scheduler.run(stop))]
            parts += [group.create_task(sender.run(stop)) for sender in self.senders]
            group.create_task(_cut_off(stop, parts, grace))
            await asyncio.gather(*parts, return_exceptions=True)
            done.set()


async def _cut_off(stop: asyncio.Event, parts: list[asyncio.Task[None]], grace: float) -> None:
    """After ``stop``, cancel the parts that have not ended within ``grace`` seconds."""
    await stop.wait()
    _, late = await asyncio.wait(parts, timeout=grace)
    for task in late:
        log.warning("delivery: %s did not stop within %.0f s; cancelling it",
                    task.get_name(), grace)
        task.cancel()


def from_settings(db: Database, library: Callable[[], Library], clock: Clock,
                  transports: Sequence[Transport], settings: Settings) -> Delivery:
    """A Delivery with the configured grace, failure and retry limits."""
    policy = Policy(max_failures=settings.max_failures, max_attempts=settings.max_attempts)
    return Delivery(db, library, clock, transports, grace=settings.grace, policy=policy)
