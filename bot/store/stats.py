"""The figures operators see (``/stats``, ``/metrics``), counted in the database."""

from __future__ import annotations

from bot.core.operator import Stats
from bot.store import outbox
from bot.store.db import Executor


async def collect(db: Executor, max_failures: int = 3) -> Stats:
    """Chats by network, subscriptions by state and failures, the outbox by state."""
    chats = await db.fetchall("SELECT network, status IN ('member', 'admin'), COUNT(*)"
                              " FROM chats GROUP BY 1, 2 ORDER BY 1")
    subs = await db.fetchone(
        "SELECT COALESCE(SUM(active), 0), COALESCE(SUM(1 - active), 0),"
        " COALESCE(SUM(CASE WHEN active = 1 AND failures > 0 THEN 1 ELSE 0 END), 0),"
        " COALESCE(SUM(CASE WHEN active = 0 AND failures >= ? THEN 1 ELSE 0 END), 0)"
        " FROM subscriptions", (max_failures,))
    assert subs is not None
    return Stats(
        chats={r[0]: r[2] for r in chats if r[1]},
        chats_gone=sum(r[2] for r in chats if not r[1]),
        subscriptions_active=subs[0], subscriptions_stopped=subs[1],
        outbox=await outbox.counts(db), failing=subs[2], stopped_by_failures=subs[3])
