"""The operator services behind /stats and /reload (bot.core.operations.Operations)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from bot.core.operations import ReloadOutcome, Stats
from bot.ops.instruments import FAILURES
from bot.ops.reload import DataReloader
from bot.store.db import Executor

PRESENT = ("member", "admin")


async def collect(db: Executor, max_failures: int = 3) -> Stats:
    """Chats, subscriptions, outbox and failures, counted in the database."""
    chats = await db.fetchall("SELECT network, status IN ('member', 'admin'), COUNT(*)"
                              " FROM chats GROUP BY 1, 2 ORDER BY 1")
    subs = await db.fetchone(
        "SELECT COALESCE(SUM(active), 0), COALESCE(SUM(1 - active), 0),"
        " COALESCE(SUM(CASE WHEN active = 1 AND failures > 0 THEN 1 ELSE 0 END), 0),"
        " COALESCE(SUM(CASE WHEN active = 0 AND failures >= ? THEN 1 ELSE 0 END), 0)"
        " FROM subscriptions", (max_failures,))
    outbox = await db.fetchall("SELECT state, COUNT(*) FROM outbox GROUP BY state")
    assert subs is not None
    return Stats(
        chats={r[0]: r[2] for r in chats if r[1]},
        chats_gone=sum(r[2] for r in chats if not r[1]),
        subscriptions_active=subs[0], subscriptions_stopped=subs[1],
        outbox={r[0]: r[1] for r in outbox}, failing=subs[2], stopped_by_failures=subs[3],
        errors=errors_since_start())


def errors_since_start() -> dict[str, int]:
    """Failures counted since the process started, by kind, all networks together."""
    totals: dict[str, int] = {}
    for (_, kind), value in sorted(FAILURES.values.items()):
        totals[kind] = totals.get(kind, 0) + int(value)
    return totals


class Operator:
    """Answers operators' commands; knows who the operators are."""

    def __init__(self, db: Executor, data: DataReloader, admins: Iterable[str],
                 max_failures: int = 3) -> None:
        self.db = db
        self.data = data
        self.admins = frozenset(admins)
        self.max_failures = max_failures

    def is_admin(self, sender: str | None) -> bool:
        """True for a sender listed in BILAT_ADMINS."""
        return sender is not None and sender in self.admins

    async def stats(self) -> Stats:
        """The database's figures and the articles in service."""
        found = await collect(self.db, self.max_failures)
        return replace(found, articles=len(self.data().articles))

    async def reload(self) -> ReloadOutcome:
        """Reload the data now."""
        return await self.data.reload()
