"""Subscriptions: one per chat, what it asked for and how delivery to it is going."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import cast

from bot.core.pushes import Cadence, PushSettings, SubscriptionState, pair_code, parse_pair
from bot.store import chat_pairs
from bot.store.chats import Chat
from bot.store.db import Database, Executor, Row, from_db, maybe_from_db, to_db

ALL = 2**62  # a LIMIT both dialects read as "no limit"
_JOINED = ("SELECT s.*, c.id AS c_id, c.network, c.chat_id, c.thread_id, c.type, c.title,"
           " c.locale, c.timezone, c.status, c.created_at AS c_created,"
           " c.updated_at AS c_updated, followed.value AS c_pairs"
           " FROM subscriptions s JOIN chats c ON c.id = s.chat "
           + chat_pairs.JOIN.format(chat="s.chat"))


@dataclass(frozen=True)
class Subscription:
    """A ``subscriptions`` row."""

    chat: int
    settings: PushSettings
    active: bool
    failures: int
    last_error: str | None
    planned_until: datetime
    last_digest_at: datetime | None
    digest_events: frozenset[str]
    created_at: datetime
    updated_at: str = ""  # as stored: a tick's update applies only if the row is unchanged
    next_due_at: str = ""  # as stored ('' = at the next tick)

    @classmethod
    def from_row(cls, row: Row) -> Subscription:
        """Build from a ``subscriptions`` row."""
        hour, minute = (int(x) for x in row["local_time"].split(":"))
        settings = PushSettings(
            cadence=cast(Cadence, row["cadence"]), weekday=row["weekday"],
            at=time(hour, minute), alerts=bool(row["alerts"]),
            leads=tuple(int(x) for x in row["lead_days"].split(",") if x),
            pairs=tuple(parse_pair(x) for x in row["pairs"].split(",") if x),
            always=bool(row["always"]),
            sectors=tuple(x for x in row["sectors"].split(",") if x),
            silent=bool(row["silent"]))
        return cls(row["chat"], settings, bool(row["active"]), row["failures"],
                   row["last_error"], from_db(row["planned_until"]),
                   maybe_from_db(row["last_digest_at"]),
                   frozenset(json.loads(row["digest_events"])), from_db(row["created_at"]),
                   row["updated_at"], row["next_due_at"])

    @property
    def state(self) -> SubscriptionState:
        """What /settings shows."""
        return SubscriptionState(self.settings, self.active, self.failures, self.last_error,
                                 self.last_digest_at)

    @property
    def since(self) -> datetime:
        """The instant the next digest reports changes from."""
        return self.last_digest_at or self.created_at


async def get(db: Executor, chat: int) -> Subscription | None:
    """The chat's subscription, active or not."""
    row = await db.fetchone("SELECT * FROM subscriptions WHERE chat = ?", (chat,))
    return Subscription.from_row(row) if row else None


def _columns(s: PushSettings) -> tuple[object, ...]:
    return (s.cadence, s.weekday, s.at.strftime("%H:%M"), int(s.alerts),
            ",".join(str(d) for d in s.leads), ",".join(pair_code(p) for p in s.pairs),
            int(s.always), ",".join(s.sectors), int(s.silent))


async def subscribe(db: Database, chat: int, settings: PushSettings, now: datetime) -> None:
    """Create or change the chat's subscription, active from ``now`` on.

    Planning starts afresh at ``now``: a changed time or a resumed subscription never
    brings back what fell due before. The next tick computes when it is next due.
    """
    stamp = to_db(now)
    await db.execute(
        "INSERT INTO subscriptions (chat, cadence, weekday, local_time, alerts, lead_days, pairs,"
        " always, sectors, silent, active, failures, last_error, planned_until, next_due_at,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 0, NULL, ?, '', ?, ?)"
        " ON CONFLICT (chat) DO UPDATE SET cadence = excluded.cadence,"
        " weekday = excluded.weekday, local_time = excluded.local_time,"
        " alerts = excluded.alerts, lead_days = excluded.lead_days, pairs = excluded.pairs,"
        " always = excluded.always, sectors = excluded.sectors, silent = excluded.silent,"
        " active = 1, failures = 0, last_error = NULL,"
        " planned_until = excluded.planned_until, next_due_at = '',"
        " updated_at = excluded.updated_at",
        (chat, *_columns(settings), stamp, stamp, stamp))


async def unsubscribe(db: Database, chat: int, now: datetime) -> bool:
    """Stop the chat's pushes and drop what was waiting; False if it had none active."""
    async with db.transaction() as tx:
        changed = await tx.execute(
            "UPDATE subscriptions SET active = 0, updated_at = ? WHERE chat = ? AND active = 1",
            (to_db(now), chat))
        await tx.execute("UPDATE outbox SET state = 'dropped', last_error = 'unsubscribed'"
                         " WHERE chat = ? AND state = 'pending'", (chat,))
    return changed.rowcount > 0


async def restart_planning(db: Executor, chat: int, now: datetime) -> None:
    """Plan from ``now`` on (after a change of time zone), due again at the next tick."""
    await db.execute("UPDATE subscriptions SET planned_until = ?, next_due_at = '',"
                     " updated_at = ? WHERE chat = ?", (to_db(now), to_db(now), chat))


async def active(db: Executor, network: str | None = None, *, after: int = 0,
                 limit: int = ALL) -> list[tuple[Subscription, Chat]]:
    """Active subscriptions of chats the bot can post in, with their chats, by chat row id.

    ``after`` and ``limit`` read them a page at a time.
    """
    sql = (f"{_JOINED} WHERE s.active = 1 AND c.status IN ('member', 'admin') AND s.chat > ?")
    params: tuple[object, ...] = (after,)
    if network is not None:
        sql, params = sql + " AND c.network = ?", (*params, network)
    rows = await db.fetchall(sql + " ORDER BY s.chat LIMIT ?", (*params, limit))
    return [(Subscription.from_row(r), _chat(r)) for r in rows]


async def active_pages(db: Executor, page: int = 1000
                       ) -> AsyncIterator[list[tuple[Subscription, Chat]]]:
    """Every active subscription, ``page`` at a time (memory stays flat however many)."""
    after = 0
    while found := await active(db, after=after, limit=page):
        yield found
        after = found[-1][0].chat


async def due(db: Executor, now: datetime, after: tuple[str, int] = ("", 0),
              limit: int = 1000) -> list[tuple[Subscription, Chat]]:
    """Active subscriptions due by ``now``, in order of due instant then chat, after the
    (due instant, chat) ``after``: a page of what a tick must look at, read by index."""
    found = await db.fetchall(
        f"{_JOINED} WHERE s.active = 1 AND s.next_due_at <= ?"
        " AND (s.next_due_at > ? OR (s.next_due_at = ? AND s.chat > ?))"
        " ORDER BY s.next_due_at, s.chat LIMIT ?",
        (to_db(now), after[0], after[0], after[1], limit))
    return [(Subscription.from_row(r), _chat(r)) for r in found]


def due_key(row: tuple[Subscription, Chat]) -> tuple[str, int]:
    """Where the next page of ``due`` starts after ``row``."""
    return row[0].next_due_at, row[0].chat


async def reschedule(db: Executor, rows: Sequence[tuple[Subscription, datetime]],
                     planned: datetime) -> None:
    """Everything up to ``planned`` is planned for these subscriptions, each next due at
    the instant given; a subscription changed meanwhile is left due (its change wins)."""
    stamp = to_db(planned)
    await db.executemany("UPDATE subscriptions SET planned_until = ?, next_due_at = ?"
                         " WHERE chat = ? AND updated_at = ?",
                         [(stamp, to_db(due), sub.chat, sub.updated_at) for sub, due in rows])


async def reevaluate(db: Executor) -> int:
    """Make every active subscription with alerts due now (the events changed)."""
    changed = await db.execute("UPDATE subscriptions SET next_due_at = ''"
                               " WHERE active = 1 AND alerts = 1 AND next_due_at <> ''")
    return changed.rowcount


def _chat(row: Row) -> Chat:
    return Chat(row["c_id"], row["network"], row["chat_id"], row["thread_id"], row["type"],
                row["title"], row["locale"], row["timezone"], row["status"],
                from_db(row["c_created"]), from_db(row["c_updated"]),
                chat_pairs.decode(row["c_pairs"]))


async def record_digests(db: Executor, digests: Sequence[tuple[int, frozenset[str]]],
                         at: datetime) -> None:
    """Digests reporting changes up to ``at`` were planned, each listing its events."""
    await db.executemany("UPDATE subscriptions SET last_digest_at = ?, digest_events = ?"
                         " WHERE chat = ?",
                         [(to_db(at), json.dumps(sorted(events)), chat)
                          for chat, events in digests])


async def record_success(db: Executor, chat: int) -> None:
    """A message got through: the failure streak ends."""
    await record_successes(db, [chat])


async def record_successes(db: Executor, chats: Sequence[int]) -> None:
    """Messages got through to ``chats``: their failure streaks end."""
    await db.executemany("UPDATE subscriptions SET failures = 0, last_error = NULL"
                         " WHERE chat = ? AND failures > 0", [(chat,) for chat in chats])


async def record_failure(db: Executor, chat: int, error: str, max_failures: int,
                         now: datetime) -> bool:
    """Count a terminal failure; deactivate at ``max_failures``. True when deactivated."""
    await db.execute("UPDATE subscriptions SET failures = failures + 1, last_error = ?,"
                     " updated_at = ? WHERE chat = ?", (error[:500], to_db(now), chat))
    changed = await db.execute("UPDATE subscriptions SET active = 0 WHERE chat = ?"
                               " AND active = 1 AND failures >= ?", (chat, max_failures))
    return changed.rowcount > 0
