"""Readiness: every configured network connected and the database writable.

``/healthz`` answers 200 only then; before (starting), after SIGTERM (stopping) or when a
check fails it answers 503 with the reason, so an orchestrator neither routes to a bot that
is not ready nor waits on one that is going away.

``watch`` makes the same checks every ``WATCH_SECONDS`` while the bot runs, so a database file
deleted under the bot or a lost homeserver is logged even when nothing probes ``/healthz``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.core.clock import Clock
from bot.metrics import READY
from bot.store import kv
from bot.store.db import Database

WRITE_TIMEOUT = 2.0  # seconds: a database that takes longer is not healthy
WATCH_SECONDS = 30.0

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    """One health answer: ready or not, and the details as JSON."""

    ready: bool
    body: dict[str, Any]


@dataclass
class Health:
    """What the run loop tells about its parts, and the checks made at each probe."""

    db: Database
    clock: Clock
    networks: dict[str, Callable[[], bool] | None] = field(default_factory=dict)
    stopping: bool = False
    _reported: str = ""  # the problems last logged ("" when healthy)

    def expect(self, name: str) -> None:
        """A configured network, not connected yet."""
        self.networks.setdefault(name, None)

    def started(self, name: str, connected: Callable[[], bool]) -> None:
        """A network is started; ``connected()`` tells whether it still is."""
        self.networks[name] = connected

    async def verdict(self) -> Verdict:
        """Check everything now."""
        states = {name: "connected" if probe is not None and probe() else "not connected"
                  for name, probe in self.networks.items()}
        database = await self._database()
        problems = [f"{name} not connected" for name, s in states.items() if s != "connected"]
        if database != "writable":
            problems.append(f"database {database}")
        if self.stopping:
            problems.insert(0, "stopping")
        body: dict[str, Any] = {"status": "ok" if not problems else "unavailable",
                                "networks": states, "database": database}
        if problems:
            body["reason"] = "; ".join(problems)
        READY.set(0 if problems else 1)
        self._report("; ".join(problems))
        return Verdict(not problems, body)

    def _report(self, problems: str) -> None:
        """Log a change of health: every new problem once, and the recovery."""
        if problems == self._reported or self.stopping:
            return
        if problems:
            log.error("not ready: %s", problems)
        else:
            log.info("ready again")
        self._reported = problems

    async def watch(self, stop: asyncio.Event, every: float = WATCH_SECONDS) -> None:
        """Check (and log changes) every ``every`` seconds until ``stop`` is set."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
            if not stop.is_set():
                await self.verdict()

    async def _database(self) -> str:
        """``writable``, or what went wrong writing a heartbeat row."""
        if gone := self.db.vanished():
            return f"gone ({gone}; what is written now is lost at restart)"
        try:
            now = self.clock.now()
            await asyncio.wait_for(kv.put(self.db, "ops", "healthz", now.isoformat(), now),
                                   WRITE_TIMEOUT)
        except TimeoutError:
            return "busy"
        except Exception as exc:  # read-only file, full disk, closed connection...
            return f"not writable ({type(exc).__name__}: {exc})"
        return "writable"
