"""Replicas sharing one database: each one's sign of life, and roles leased to one at a time."""

from __future__ import annotations

from datetime import datetime

from bot.store.db import Executor, to_db


async def beat(db: Executor, replica: str, now: datetime) -> None:
    """``replica`` is alive at ``now`` (registers it on its first beat)."""
    await db.execute("INSERT INTO replicas (id, started_at, seen_at) VALUES (?, ?, ?)"
                     " ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at",
                     (replica, to_db(now), to_db(now)))


async def forget(db: Executor, replica: str) -> None:
    """``replica`` stopped cleanly: its leases and its row go."""
    await db.execute("DELETE FROM leases WHERE holder = ?", (replica,))
    await db.execute("DELETE FROM replicas WHERE id = ?", (replica,))


async def forget_dead(db: Executor, alive_since: datetime) -> int:
    """Remove the replicas not seen since ``alive_since``; return how many."""
    changed = await db.execute("DELETE FROM replicas WHERE seen_at < ?", (to_db(alive_since),))
    return changed.rowcount


async def alive(db: Executor, alive_since: datetime) -> list[str]:
    """The replicas seen since ``alive_since``."""
    rows = await db.fetchall("SELECT id FROM replicas WHERE seen_at >= ? ORDER BY id",
                             (to_db(alive_since),))
    return [r[0] for r in rows]


async def acquire(db: Executor, name: str, replica: str, now: datetime,
                  until: datetime) -> bool:
    """Take or renew the lease ``name`` until ``until``; False while another holds it."""
    changed = await db.execute(
        "INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)"
        " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
        " expires_at = excluded.expires_at"
        " WHERE leases.holder = excluded.holder OR leases.expires_at < ?",
        (name, replica, to_db(until), to_db(now)))
    return changed.rowcount > 0


async def holder(db: Executor, name: str, now: datetime) -> str | None:
    """Who holds the lease ``name`` at ``now``, if anyone."""
    row = await db.fetchone("SELECT holder FROM leases WHERE name = ? AND expires_at >= ?",
                            (name, to_db(now)))
    return None if row is None else str(row[0])
