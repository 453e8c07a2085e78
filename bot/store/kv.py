"""A small key-value table for adapters' state, such as Matrix's ``next_batch`` sync token."""

from __future__ import annotations

from datetime import datetime

from bot.store.db import Executor, to_db


async def get(db: Executor, namespace: str, key: str) -> str | None:
    """The value stored under ``namespace``/``key``, if any."""
    row = await db.fetchone("SELECT value FROM kv WHERE namespace = ? AND key = ?",
                            (namespace, key))
    return None if row is None else str(row[0])


async def put(db: Executor, namespace: str, key: str, value: str, now: datetime) -> None:
    """Store ``value`` (replacing the previous one) in its own commit."""
    await db.execute("INSERT INTO kv (namespace, key, value, updated_at) VALUES (?, ?, ?, ?)"
                     " ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value,"
                     " updated_at = excluded.updated_at", (namespace, key, value, to_db(now)))


async def delete(db: Executor, namespace: str, key: str) -> bool:
    """Forget a value; False if there was none."""
    changed = await db.execute("DELETE FROM kv WHERE namespace = ? AND key = ?",
                               (namespace, key))
    return changed.rowcount > 0
