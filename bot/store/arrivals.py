"""When this instance first loaded each article (what digests count as new to Bilat), and
the trade figures it had, so that a figure changed in a known article reads as a change."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.store.db import Database, from_db, maybe_from_db, to_db

Figures = dict[str, list[str]]  # figure id -> [value, unit, currency]


@dataclass(frozen=True)
class Seen:
    """One article as loaded: its id, publication and trade figures."""

    id: str
    published: datetime
    figures: Figures = field(default_factory=dict)


@dataclass(frozen=True)
class Revision:
    """A known article whose figures changed: when, and what they were before."""

    at: datetime
    previous: Figures


@dataclass(frozen=True)
class Known:
    """Every article's arrival, and the revisions of their figures."""

    arrivals: dict[str, datetime]
    revisions: dict[str, Revision]


async def record(db: Database, articles: Sequence[Seen], now: datetime) -> Known:
    """Note ``now`` as the arrival of every article not seen before, and as the revision of
    every known article whose figures changed. The very first time, the articles already in
    the data count from their publication: an upgraded instance does not announce its whole
    library again."""
    async with db.transaction() as tx:
        rows = {r[0]: json.loads(r[1]) for r in await tx.fetchall(
            "SELECT article_id, figures FROM arrivals")}
        empty = not rows
        for article in articles:
            figures = json.dumps(article.figures, sort_keys=True)
            if article.id not in rows:
                await tx.execute("INSERT INTO arrivals (article_id, first_seen, figures)"
                                 " VALUES (?, ?, ?)", (article.id, to_db(
                                     article.published if empty else now), figures))
            elif rows[article.id] != article.figures:
                await tx.execute("UPDATE arrivals SET figures = ?, previous = ?,"
                                 " changed_at = ? WHERE article_id = ?",
                                 (figures, json.dumps(rows[article.id]), to_db(now),
                                  article.id))
        found = await tx.fetchall("SELECT article_id, first_seen, previous, changed_at"
                                  " FROM arrivals")
    revisions = {}
    for row in found:
        at = maybe_from_db(row[3])
        if at is not None and row[2]:
            revisions[row[0]] = Revision(at, json.loads(row[2]))
    return Known({row[0]: from_db(row[1]) for row in found}, revisions)
