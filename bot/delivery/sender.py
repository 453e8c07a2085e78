"""The sender: drains one network's outbox through the pacer, and acts on delivery errors.

Replicas. Any number of senders, one per replica, may drain one database: each claims the
next message of each chat with ``SKIP LOCKED`` together with a slot of the network's overall
budget, both kept in the database (bot.store.outbox.claim, bot.delivery.pacer.SharedPacing),
so together they keep the network's limits.

Crash safety. Each message is marked ``sending`` (committed, in the claiming replica's name)
before the network call and ``sent``, with the network's message id, after it (deliveries
are recorded a batch at a time, every ``RECORD_EVERY``). Messages to one chat go one at a
time. A process killed with SIGKILL therefore leaves at most one ``sending`` row per chat;
once its replica is seen gone (bot.delivery.election), or when a sender outside any replica
starts again, that row goes back to ``pending`` and is sent again, since nothing tells
whether the network got it. So after a crash every remaining message is sent exactly once,
except at most the one message per chat that was in flight at the moment of the kill, which
may arrive twice.

Recording faults. When the database refuses to record an outcome (the send went, but
``sent`` could not be written), the row would stay ``sending`` and hold its chat. The sender
keeps what it owes the database in memory and writes it again at each round until the
database takes it: a message known sent is recorded sent (not sent twice), one that failed
goes back to its retry. Only a process that dies meanwhile leaves the row to the start-up
recovery, which sends it again.

Stopping (SIGTERM). Once ``stop`` is set no new message is claimed; a message still waiting
for the pacer goes back to ``pending`` untouched, and a message being handed to the network
is given the time the caller allows to finish and be recorded. The outbox keeps the rest.

Errors (``DeliveryError.kind``): ``rate_limited`` pauses that chat only, for ``retry_after``;
``transient`` is retried with exponential backoff, up to ``max_attempts``; ``terminal`` fails
the message and counts against the subscription, which is deactivated after ``max_failures``
in a row; ``migrated`` re-keys the chat and sends again; anything else is ``unknown``, retried
a few times. One chat's trouble never holds up the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.clock import Clock
from bot.core.network import DeliveryError, QuietTransport, Transport
from bot.delivery.election import TTL, wall_clock
from bot.delivery.pacer import SharedPacing
from bot.delivery.stoppable import unless_stopped
from bot.metrics import FAILURES, PACING, SENT
from bot.store import chats, outbox, subscriptions
from bot.store.db import Database
from bot.store.outbox import Claimed, Due

log = logging.getLogger(__name__)

UNKNOWN_ATTEMPTS = 3
POLL_SECONDS = 1.0
MIN_NAP = 0.05
RECORD_EVERY = 0.02  # seconds deliveries wait to be recorded together
LATE_SLOT = 0.01  # seconds after its slot a send may still go out (within the pacer's margin)


@dataclass(frozen=True)
class Policy:
    """How hard the sender tries."""

    max_failures: int = 3  # terminal failures in a row before a subscription is deactivated
    max_attempts: int = 8  # tries of one message through transient errors
    backoff_base: float = 2.0  # seconds before the first retry; doubles each time
    backoff_cap: float = 600.0
    max_in_flight: int = 64  # messages being sent at once (each to a different chat)

    def backoff(self, attempts: int) -> timedelta:
        """The wait after ``attempts`` failed tries."""
        return timedelta(seconds=min(self.backoff_cap, self.backoff_base * 2 ** (attempts - 1)))


class Ledger:
    """Records delivered messages a batch at a time: one transaction for many sends.

    A send counts as done once its batch is committed; until then its row stays ``sending``,
    the one message of its chat in flight, as the crash-safety rule wants.
    """

    def __init__(self, db: Database, delay: float = RECORD_EVERY) -> None:
        self.db = db
        self.delay = delay
        self._batch: list[tuple[outbox.Delivered, asyncio.Future[None]]] = []
        self._flush: asyncio.Task[None] | None = None

    async def record(self, done: outbox.Delivered) -> None:
        """Record one delivery with the others of its batch; raises what the commit raised."""
        waiter = asyncio.get_running_loop().create_future()
        self._batch.append((done, waiter))
        if self._flush is None:
            self._flush = asyncio.create_task(self._commit())
        await asyncio.shield(waiter)

    async def _commit(self) -> None:
        await asyncio.sleep(self.delay)
        batch, self._batch, self._flush = self._batch, [], None
        try:
            async with self.db.transaction() as tx:
                await outbox.record_delivered(tx, [d for d, _ in batch])
                await subscriptions.record_successes(tx, sorted({d.chat for d, _ in batch}))
        except BaseException as exc:
            for _, waiter in batch:
                waiter.set_exception(exc if isinstance(exc, Exception) else
                                     RuntimeError("recording was cancelled"))
            raise
        for _, waiter in batch:
            waiter.set_result(None)


class Sender:
    """Sends the outbox rows of one transport's network."""

    def __init__(self, db: Database, transport: Transport, clock: Clock,
                 policy: Policy | None = None, pacer: SharedPacing | None = None,
                 replica: str | None = None) -> None:
        self.db = db
        self.transport = transport
        self.clock = clock
        self.policy = policy or Policy()
        self.pacer = pacer or SharedPacing(transport.limits)
        self.replica = replica  # claims are made in its name; None: a sender on its own
        self.wake = asyncio.Event()
        self.sent = 0
        self._recovered = False
        self._ledger = Ledger(db)
        # Outcomes the database refused to record, by outbox row: written again each round.
        self._unrecorded: dict[int, Callable[[], Awaitable[None]]] = {}

    async def recover(self) -> int:
        """Put back what a vanished sender left ``sending`` (once per sender)."""
        if self._recovered:
            return 0
        self._recovered = True
        count = await outbox.recover(self.db, wall_clock() - TTL)
        if count:
            log.warning("%s: %d message(s) were being sent when the last run stopped; "
                        "sending them again", self.transport.network, count)
        return count

    @property
    def unrecorded(self) -> int:
        """Outcomes still waiting for the database to take them."""
        return len(self._unrecorded)

    async def settle(self) -> int:
        """Record again the outcomes the database refused before; return how many remain."""
        for row_id, record in list(self._unrecorded.items()):
            try:
                await record()
            except Exception as exc:
                log.warning("%s: outcome of outbox row %d still not recorded: %s",
                            self.transport.network, row_id, exc)
                break  # the database still refuses: try the rest next round
            del self._unrecorded[row_id]
            log.info("%s: outcome of outbox row %d recorded", self.transport.network, row_id)
        return len(self._unrecorded)

    async def _record(self, due: Due, record: Callable[[], Awaitable[None]]) -> None:
        """Record an outcome, or keep it for ``settle`` when the database refuses it."""
        try:
            await record()
        except Exception as exc:
            self._unrecorded[due.row.id] = record
            log.error("%s: could not record the outcome of %s (%s); kept to record again, "
                      "its chat waits meanwhile", due.ref, due.row.key, exc)

    async def drain(self, stop: asyncio.Event | None = None) -> int:
        """Send every message due now, as fast as the limits allow; return how many went."""
        await self.recover()
        await self.settle()
        before = self.sent
        tasks: set[asyncio.Task[None]] = set()
        try:
            while stop is None or not stop.is_set():
                # A send that ends during the claim may have committed after the claim read:
                # look again before concluding that nothing is left.
                flying = len(tasks)
                started, wait = await self._start_due(tasks, stop)
                if not started and not tasks and wait is None:
                    if flying:
                        continue
                    break
                if not started:
                    await self._wait(tasks, wait, stop)
        except asyncio.CancelledError:
            for task in tasks:  # cut off (a stop's grace ran out): the sends in flight too
                task.cancel()
            raise
        finally:
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)
        return self.sent - before

    async def run(self, stop: asyncio.Event) -> None:
        """Drain whenever something is due, until ``stop`` is set."""
        while not stop.is_set():
            try:
                await self.drain(stop)
                pause = await self._idle_seconds()
            except Exception:  # the database, most likely: keep the loop, try again soon
                log.exception("%s: sending failed; trying again", self.transport.network)
                pause = POLL_SECONDS
            await self._nap(stop, pause)

    async def _start_due(self, tasks: set[asyncio.Task[None]], stop: asyncio.Event | None
                         ) -> tuple[int, float | None]:
        """Claim and start the due messages the limits allow: (started, wait for held)."""
        room = self.policy.max_in_flight - len(tasks)
        if room <= 0:
            return 0, None
        claims, held = await outbox.claim(self.db, self.transport.network, self.clock.now(),
                                          self.pacer, self.replica, room)
        for claim in claims:
            task = asyncio.create_task(self._deliver(claim, stop))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        wait = None if held is None else max(MIN_NAP, held - self.pacer.now())
        return len(claims), wait

    async def _wait(self, tasks: set[asyncio.Task[None]], wait: float | None,
                    stop: asyncio.Event | None) -> None:
        """Until a send finishes, a held chat is free, or ``stop`` is set."""
        if tasks:
            await asyncio.wait(tasks, timeout=wait, return_when=asyncio.FIRST_COMPLETED)
        elif wait is not None and stop is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)
        elif wait is not None:
            await self.pacer.sleep(wait)

    async def _deliver(self, claim: Claimed, stop: asyncio.Event | None = None) -> None:
        """Send one message and record the outcome; never raises (but for cancellation)."""
        due = claim.due
        row, network = due.row, self.transport.network
        if not await self._paced(claim, stop):
            # stopping: it waits for the next run
            await self._record(due, lambda: outbox.release(self.db, row.id))
            return
        try:
            transport = self.transport
            if row.silent and isinstance(transport, QuietTransport):
                message_id = await transport.send_quietly(due.ref, row.content)
            else:
                message_id = await transport.send(due.ref, row.content)
        except DeliveryError as exc:
            FAILURES.labels(network, exc.kind).inc()
            error = exc  # ``exc`` is unbound after the block; the record may run later
            await self._record(due, lambda: self._failed(due, error))
        except Exception as exc:  # an adapter bug must not stop the other chats
            FAILURES.labels(network, "unknown").inc()
            log.exception("%s: unexpected error sending %s", due.ref, row.key)
            unknown = DeliveryError("unknown", repr(exc))
            await self._record(due, lambda: self._failed(due, unknown))
        else:
            SENT.labels(network, row.kind).inc()
            self.sent += 1
            free, _ = self.pacer.after(self.pacer.now(), False, "[]")
            delivered = outbox.Delivered(row.id, row.chat, message_id, self.clock.now(), free)
            await self._record(due, lambda: self._ledger.record(delivered))

    async def _paced(self, claim: Claimed, stop: asyncio.Event | None) -> bool:
        """Wait for the claimed slot; False when ``stop`` came first (nothing was sent)."""
        slot, waited = claim.slot, 0.0
        while True:
            wait = slot - self.pacer.now()
            if wait > 0:
                waited += wait
                if stop is None:
                    await self.pacer.sleep(wait)
                elif not await unless_stopped(self._sleep(wait), stop):
                    return False
            elif stop is not None and stop.is_set():
                return False
            # Woken well after the slot (a busy loop): sent now, it would bunch up with the
            # next slots, which other replicas may hold; take a fresh slot instead. Never
            # sent anyway: the limits hold under any load, only the pace drops.
            if self.pacer.now() - slot <= LATE_SLOT:
                break
            slot = await outbox.reserve(self.db, self.transport.network, self.pacer)
        PACING.labels(self.transport.network).observe(waited)
        return True

    async def _sleep(self, seconds: float) -> None:
        await self.pacer.sleep(seconds)

    async def _failed(self, due: Due, exc: DeliveryError) -> None:
        """Act on a failed send."""
        row, now = due.row, self.clock.now()
        attempts = row.attempts + 1
        if exc.kind == "rate_limited":
            pause = exc.retry_after if exc.retry_after is not None else 1.0
            log.info("%s: rate limited, pausing this chat for %.1f s", due.ref, pause)
            await outbox.retry_at(self.db, row.id, now + timedelta(seconds=pause), str(exc),
                                  count_attempt=False)
        elif exc.kind == "migrated" and exc.new_chat_id:
            await chats.migrate(self.db, row.chat, exc.new_chat_id, now)
            await outbox.retry_at(self.db, row.id, now, str(exc), count_attempt=False)
        elif exc.kind == "terminal":
            await self._terminal(due, exc, now)
        else:
            limit = self.policy.max_attempts if exc.kind == "transient" else UNKNOWN_ATTEMPTS
            if attempts >= limit:
                log.error("%s: giving up on %s after %d attempts: %s", due.ref, row.key,
                          attempts, exc)
                await outbox.mark_failed(self.db, row.id, str(exc))
            else:
                await outbox.retry_at(self.db, row.id, now + self.policy.backoff(attempts),
                                      str(exc))

    async def _terminal(self, due: Due, exc: DeliveryError, now: datetime) -> None:
        """The bot cannot post there: fail the message, count it against the subscription."""
        async with self.db.transaction() as tx:
            await outbox.mark_failed(tx, due.row.id, str(exc))
            stopped = await subscriptions.record_failure(
                tx, due.row.chat, str(exc), self.policy.max_failures, now)
            dropped = await outbox.drop_pending(tx, due.row.chat, "subscription deactivated") \
                if stopped else 0
        if stopped:
            log.warning("%s: deactivated after %d failures in a row (%s); %d message(s) "
                        "dropped", due.ref, self.policy.max_failures, exc, dropped)

    async def _idle_seconds(self) -> float:
        """How long nothing is due (at most the poll interval)."""
        upcoming = await outbox.next_attempt(self.db, self.transport.network)
        if upcoming is None:
            return POLL_SECONDS
        # A floor, so a chat whose head message is stuck "sending" cannot make this spin.
        return min(POLL_SECONDS, max(MIN_NAP, (upcoming - self.clock.now()).total_seconds()))

    async def _nap(self, stop: asyncio.Event, seconds: float) -> None:
        """Sleep until woken (new messages), stopped, or ``seconds`` pass."""
        waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self.wake.wait())]
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
            await asyncio.gather(*waiters, return_exceptions=True)
        self.wake.clear()

