"""Pacing: spaces sends so a network's limits are never exceeded.

Each limit is a sliding window, as the networks state them ("no more than 30 messages per
second", "20 per minute in a group"): a send may go when fewer than the allowed number went
out in the last window. Windows are kept a little longer than stated (``margin``) because the
network's clock starts when our request arrives, a moment after we stamp it.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable

from bot.core.network import Limits

MARGIN = 0.02
FORGET_EVERY = 1024  # sends between sweeps of the per-chat windows


class Window:
    """At most ``count`` events in any ``seconds``-long sliding window."""

    def __init__(self, count: int, seconds: float) -> None:
        self.count = count
        self.seconds = seconds
        self.stamps: deque[float] = deque()

    @classmethod
    def per(cls, rate: float, period: float, margin: float) -> Window:
        """``rate`` events per ``period`` seconds (a rate under 1 widens the window)."""
        count = max(1, math.floor(rate))
        return cls(count, period * count / rate * (1 + margin))

    def delay(self, now: float) -> float:
        """Seconds until one more event fits (0 when it fits now)."""
        while self.stamps and self.stamps[0] <= now - self.seconds:
            self.stamps.popleft()
        if len(self.stamps) < self.count:
            return 0.0
        return self.stamps[0] + self.seconds - now

    def record(self, now: float) -> None:
        """Count an event at ``now``."""
        self.stamps.append(now)

    def stale(self, now: float) -> bool:
        """True when no recorded event can matter any more."""
        return not self.stamps or self.stamps[-1] <= now - self.seconds


class Pacer:
    """The limits of one network: overall per second, per chat per second, per group per minute.

    Per-chat state is kept only for chats that sent recently, so memory follows the send
    rate, not the number of subscribers.
    """

    def __init__(self, limits: Limits, margin: float = MARGIN,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.limits = limits
        self.margin = margin
        self._clock = clock
        self._sleep = sleep
        self._global = Window.per(limits.global_per_second, 1.0, margin)
        self._chats: dict[int, Window] = {}
        self._groups: dict[int, Window] = {}
        self._takes = 0
        self._turn = asyncio.Lock()

    def now(self) -> float:
        """The pacer's clock (monotonic seconds)."""
        return self._clock()

    async def sleep(self, seconds: float) -> None:
        """Sleep on the pacer's clock."""
        await self._sleep(seconds)

    def chat_delay(self, chat: int, group: bool) -> float:
        """Seconds before ``chat`` may send again (0 when it may send now)."""
        now = self._clock()
        windows = (self._chats.get(chat), self._groups.get(chat) if group else None)
        return max((w.delay(now) for w in windows if w is not None), default=0.0)

    async def take(self, chat: int, group: bool) -> None:
        """Wait until ``chat`` may send within every limit, then count the send."""
        # One waiter at a time: a crowd of senders sleeping on the same slot would all wake
        # for it, and all but one go back to sleep.
        async with self._turn:
            while True:
                now = self._clock()
                wait = max(self._global.delay(now), self.chat_delay(chat, group))
                if wait <= 0:
                    break
                await self._sleep(wait)
            self._record(chat, group, now)

    def _record(self, chat: int, group: bool, now: float) -> None:
        """Count a send to ``chat`` at ``now``."""
        self._global.record(now)
        self._window(self._chats, chat, False).record(now)
        if group:
            self._window(self._groups, chat, True).record(now)
        self._takes += 1
        if self._takes % FORGET_EVERY == 0:
            self._forget(now)

    def _window(self, table: dict[int, Window], chat: int, group: bool) -> Window:
        found = table.get(chat)
        if found is None:
            found = (Window.per(self.limits.per_group_per_minute, 60.0, self.margin) if group
                     else Window.per(self.limits.per_chat_per_second, 1.0, self.margin))
            table[chat] = found
        return found

    def _forget(self, now: float) -> None:
        """Drop the windows of chats that have been quiet for longer than their window."""
        for table in (self._chats, self._groups):
            for chat in [c for c, w in table.items() if w.stale(now)]:
                del table[chat]


class SharedPacing:
    """The limits of one network shared by every replica through the database.

    The overall rate is a sequence of slots one ``interval`` apart that each claim reserves
    (``send_slots``); each chat's next free instant and a group's sends in its last minute
    live in its ``chats`` row. Instants are on the pacer's clock: wall-clock seconds by
    default, so replicas on different machines agree as far as their clocks do (NTP).
    """

    def __init__(self, limits: Limits, margin: float = MARGIN,
                 clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.limits = limits
        # Overall, half the margin absorbs sends that wake a little after their slot (the
        # sender's LATE_SLOT tolerance); the other half keeps the network's window safe.
        self.interval = (1 + 1.5 * margin) / limits.global_per_second
        self._chat = Window.per(limits.per_chat_per_second, 1.0, margin)
        self._group = Window.per(limits.per_group_per_minute, 60.0, margin)
        self._clock = clock
        self._sleep = sleep

    def now(self) -> float:
        """The pacer's clock."""
        return self._clock()

    async def sleep(self, seconds: float) -> None:
        """Sleep on the pacer's clock."""
        await self._sleep(seconds)

    def after(self, slot: float, group: bool, stamps: str) -> tuple[float, str]:
        """A chat's next free instant and its recent sends (JSON), after a send at ``slot``."""
        free = slot + self._chat.seconds / self._chat.count
        if not group:
            return free, "[]"
        recent = [t for t in json.loads(stamps) if t > slot - self._group.seconds] + [slot]
        if len(recent) >= self._group.count:
            free = max(free, recent[-self._group.count] + self._group.seconds)
        return free, json.dumps(recent[-self._group.count:])
