"""When this instance first loaded each article (what digests count as new to Bilat)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.store.db import Database, from_db, to_db


async def record(db: Database, article_ids: Sequence[str], now: datetime) -> dict[str, datetime]:
    """Note ``now`` as the arrival of every article not seen before; every arrival known."""
    async with db.transaction() as tx:
        await tx.executemany("INSERT INTO arrivals (article_id, first_seen) VALUES (?, ?)"
                             " ON CONFLICT (article_id) DO NOTHING",
                             [(article_id, to_db(now)) for article_id in article_ids])
        rows = await tx.fetchall("SELECT article_id, first_seen FROM arrivals")
    return {row[0]: from_db(row[1]) for row in rows}
