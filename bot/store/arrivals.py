"""When this instance first loaded each article (what digests count as new to Bilat)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.store.db import Database, from_db, to_db


async def record(db: Database, articles: Sequence[tuple[str, datetime]],
                 now: datetime) -> dict[str, datetime]:
    """Note ``now`` as the arrival of every article (id, publication) not seen before, and
    return every arrival known. The very first time, the articles already in the data count
    from their publication: an upgraded instance does not announce its whole library again."""
    async with db.transaction() as tx:
        empty = await tx.fetchone("SELECT 1 FROM arrivals LIMIT 1") is None
        await tx.executemany("INSERT INTO arrivals (article_id, first_seen) VALUES (?, ?)"
                             " ON CONFLICT (article_id) DO NOTHING",
                             [(article_id, to_db(published if empty else now))
                              for article_id, published in articles])
        rows = await tx.fetchall("SELECT article_id, first_seen FROM arrivals")
    return {row[0]: from_db(row[1]) for row in rows}
