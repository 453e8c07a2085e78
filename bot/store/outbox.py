"""The outbox: every pushed message under a unique key, with its delivery state.

States: ``pending`` (waiting for ``next_attempt_at``), ``sending`` (handed to the transport),
``sent``, ``failed`` (given up), ``dropped`` (never sent: too late, or the chat unsubscribed).
A row goes ``sending`` in its own commit before the network call and ``sent`` after it, so a
killed process finds at most the one message per chat it was sending, and sends it again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from bot.core.network import ChatRef
from bot.core.render import Rendered
from bot.store.db import (
    Database,
    Executor,
    Row,
    for_update,
    from_db,
    maybe_from_db,
    skip_locked,
    to_db,
)

Kind = Literal["digest", "alert"]


class Pacing(Protocol):
    """The network's limits as the claim applies them (bot.delivery.pacer.SharedPacing)."""

    interval: float  # pacer seconds between two sends overall

    def now(self) -> float:
        """The pacer's clock."""
        ...

    def after(self, slot: float, group: bool, stamps: str) -> tuple[float, str]:
        """A chat's next free instant and its recent send stamps, after a send at ``slot``."""
        ...
State = Literal["pending", "sending", "sent", "failed", "dropped"]


@dataclass(frozen=True)
class Message:
    """A message to plan: its key, chat row, kind and content."""

    key: str
    chat: int
    kind: Kind
    content: Rendered
    silent: bool = False  # without a notification sound


@dataclass(frozen=True)
class OutboxRow:
    """An ``outbox`` row."""

    id: int
    key: str
    chat: int
    kind: Kind
    html: str
    text: str
    state: State
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    sent_at: datetime | None
    message_id: str | None
    last_error: str | None
    silent: bool = False

    @classmethod
    def from_row(cls, row: Row) -> OutboxRow:
        """Build from an ``outbox`` row."""
        return cls(row["id"], row["key"], row["chat"], row["kind"], row["html"], row["text"],
                   row["state"], row["attempts"], from_db(row["next_attempt_at"]),
                   from_db(row["created_at"]), maybe_from_db(row["sent_at"]),
                   row["message_id"], row["last_error"], bool(row["silent"]))

    @property
    def content(self) -> Rendered:
        """The message as rendered when planned."""
        return Rendered(self.html, self.text)


@dataclass(frozen=True)
class Due:
    """A row ready to send, with the address it goes to."""

    row: OutboxRow
    ref: ChatRef


async def add(db: Executor, message: Message, now: datetime) -> bool:
    """Plan a message; False when its key was already planned (a doubled tick, a restart)."""
    changed = await db.execute(
        "INSERT INTO outbox (key, chat, kind, html, text, silent, next_attempt_at, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
        (message.key, message.chat, message.kind, message.content.html, message.content.text,
         int(message.silent), to_db(now), to_db(now)))
    return changed.rowcount > 0


async def add_dropped(db: Executor, key: str, chat: int, kind: Kind, reason: str,
                      now: datetime) -> bool:
    """Record a message that will never be sent; False if the key was already known."""
    changed = await db.execute(
        "INSERT INTO outbox (key, chat, kind, html, text, state, next_attempt_at,"
        " created_at, last_error) VALUES (?, ?, ?, '', '', 'dropped', ?, ?, ?)"
        " ON CONFLICT (key) DO NOTHING",
        (key, chat, kind, to_db(now), to_db(now), reason))
    return changed.rowcount > 0


async def get(db: Executor, key: str) -> OutboxRow | None:
    """The row planned under ``key``."""
    row = await db.fetchone("SELECT * FROM outbox WHERE key = ?", (key,))
    return OutboxRow.from_row(row) if row else None


async def rows(db: Executor, state: State | None = None) -> list[OutboxRow]:
    """Every row (in one state), oldest first."""
    where, params = ("WHERE state = ?", (state,)) if state else ("", ())
    found = await db.fetchall(f"SELECT * FROM outbox {where} ORDER BY id", params)
    return [OutboxRow.from_row(r) for r in found]


# The oldest unsent message of its chat: messages to one chat go in order, one at a time.
_HEAD = ("o.id = (SELECT MIN(p.id) FROM outbox p WHERE p.chat = o.chat"
         " AND p.state IN ('pending', 'sending'))")


_COLUMNS = ("SELECT o.*, c.network, c.chat_id AS c_chat_id, c.thread_id, c.type AS c_type,"
            " c.sent_stamps FROM outbox o JOIN chats c ON c.id = o.chat")


def _due(row: Row) -> Due:
    return Due(OutboxRow.from_row(row), ChatRef(row["network"], row["c_chat_id"],
                                                row["thread_id"]))


async def due(db: Executor, network: str, now: datetime, limit: int = 200) -> list[Due]:
    """The first waiting message of each chat on ``network`` whose time has come.

    Messages to one chat go in order and one at a time: a chat whose oldest unsent message
    is being sent, or must wait, offers nothing.
    """
    found = await db.fetchall(
        f"{_COLUMNS} WHERE o.state = 'pending' AND o.next_attempt_at <= ? AND c.network = ?"
        f" AND {_HEAD} ORDER BY o.next_attempt_at, o.id LIMIT ?", (to_db(now), network, limit))
    return [_due(r) for r in found]


@dataclass(frozen=True)
class Claimed:
    """A row claimed for sending, and the pacer instant its send may start at."""

    due: Due
    slot: float


async def claim(db: Database, network: str, now: datetime, pacing: Pacing, replica: str | None,
                limit: int) -> tuple[list[Claimed], float | None]:
    """Claim up to ``limit`` due head messages and reserve their sending slots.

    Any replica may call this at any time: the rows are locked with ``SKIP LOCKED`` (on
    SQLite the write lock serialises claims), per-chat pacing lives in ``chats`` and the
    overall budget in ``send_slots``, so the whole deployment keeps the network's limits.
    Returns the claims and, when nothing could be claimed, the pacer instant the first chat
    held by its pacing is free again (None when none is held).
    """
    clock = pacing.now()
    async with db.transaction() as tx:
        found = await tx.fetchall(
            f"{_COLUMNS} WHERE o.state = 'pending' AND o.next_attempt_at <= ?"
            f" AND c.network = ? AND c.next_send_at <= ? AND {_HEAD}"
            f" ORDER BY o.next_attempt_at, o.id LIMIT ?{skip_locked(tx, 'o')}",
            (to_db(now), network, clock, limit))
        if not found:
            held = await tx.fetchone(
                "SELECT MIN(c.next_send_at) FROM outbox o JOIN chats c ON c.id = o.chat"
                f" WHERE o.state = 'pending' AND o.next_attempt_at <= ? AND c.network = ?"
                f" AND {_HEAD}", (to_db(now), network))
            return [], (held[0] if held and held[0] is not None else None)
        slots = await _reserve(tx, network, len(found), clock, pacing.interval)
        claims = [Claimed(_due(r), slot) for r, slot in zip(found, slots, strict=True)]
        await tx.executemany(
            "UPDATE outbox SET state = 'sending', attempts = attempts + 1, claimed_by = ?"
            " WHERE id = ?", [(replica, c.due.row.id) for c in claims])
        await tx.executemany(
            "UPDATE chats SET next_send_at = ?, sent_stamps = ? WHERE id = ?",
            [(*pacing.after(c.slot, r["c_type"] != "private", r["sent_stamps"]), c.due.row.chat)
             for c, r in zip(claims, found, strict=True)])
    return claims, None


async def reserve(db: Database, network: str, pacing: Pacing) -> float:
    """One more slot of the network's overall budget (for a send that missed its own)."""
    async with db.transaction() as tx:
        return (await _reserve(tx, network, 1, pacing.now(), pacing.interval))[0]


async def _reserve(tx: Executor, network: str, count: int, clock: float,
                   interval: float) -> list[float]:
    """``count`` consecutive slots of the network's overall budget, from ``clock`` on."""
    # The row exists before it is locked: two first claims would otherwise both find none
    # and hand out the same slots.
    await tx.execute("INSERT INTO send_slots (network, next_slot) VALUES (?, 0)"
                     " ON CONFLICT (network) DO NOTHING", (network,))
    row = await tx.fetchone(f"SELECT next_slot FROM send_slots WHERE network = ?{for_update(tx)}",
                            (network,))
    start = max(clock, row[0]) if row else clock
    await tx.execute("UPDATE send_slots SET next_slot = ? WHERE network = ?",
                     (start + count * interval, network))
    return [start + n * interval for n in range(count)]


async def mark_sending(db: Executor, row_id: int) -> bool:
    """Claim a pending row before the network call; False if it is no longer pending."""
    changed = await db.execute("UPDATE outbox SET state = 'sending', attempts = attempts + 1"
                               " WHERE id = ? AND state = 'pending'", (row_id,))
    return changed.rowcount > 0


async def mark_sent(db: Executor, row_id: int, message_id: str, now: datetime) -> None:
    """The network took the message."""
    await db.execute("UPDATE outbox SET state = 'sent', message_id = ?, sent_at = ?,"
                     " last_error = NULL WHERE id = ?", (message_id, to_db(now), row_id))


@dataclass(frozen=True)
class Delivered:
    """A message the network took: its row, chat, the network's id, and when."""

    row_id: int
    chat: int
    message_id: str
    at: datetime
    free: float  # the pacer instant the chat may receive again


async def record_delivered(db: Executor, done: Sequence[Delivered]) -> None:
    """Mark many sent messages at once; each chat waits its pacing from its actual send."""
    await db.executemany("UPDATE outbox SET state = 'sent', message_id = ?, sent_at = ?,"
                         " last_error = NULL WHERE id = ?",
                         [(d.message_id, to_db(d.at), d.row_id) for d in done])
    await db.executemany("UPDATE chats SET next_send_at = ? WHERE id = ? AND next_send_at < ?",
                         [(d.free, d.chat, d.free) for d in done])


async def retry_at(db: Executor, row_id: int, when: datetime, error: str,
                   count_attempt: bool = True) -> None:
    """Back to pending, to try again at ``when`` (a rate limit does not count as an attempt)."""
    await db.execute("UPDATE outbox SET state = 'pending', next_attempt_at = ?, last_error = ?,"
                     " attempts = attempts - ? WHERE id = ?",
                     (to_db(when), error[:500], 0 if count_attempt else 1, row_id))


async def release(db: Executor, row_id: int) -> None:
    """Put back a claimed row that was never handed to the network (a stop came first)."""
    await db.execute("UPDATE outbox SET state = 'pending', attempts = attempts - 1,"
                     " claimed_by = NULL WHERE id = ? AND state = 'sending'", (row_id,))


async def mark_failed(db: Executor, row_id: int, error: str) -> None:
    """Give up on a message."""
    await db.execute("UPDATE outbox SET state = 'failed', last_error = ? WHERE id = ?",
                     (error[:500], row_id))


async def drop_pending(db: Executor, chat: int, reason: str) -> int:
    """Drop every message still waiting for a chat; return how many."""
    changed = await db.execute("UPDATE outbox SET state = 'dropped', last_error = ?"
                               " WHERE chat = ? AND state = 'pending'", (reason, chat))
    return changed.rowcount


async def recover(db: Executor, alive_since: datetime) -> int:
    """After a crash: what a vanished sender was sending goes back to pending (it may be
    sent twice). A sender is alive while its replica row was seen since ``alive_since``;
    a sender outside any replica (no ``claimed_by``) counts as gone."""
    changed = await db.execute(
        "UPDATE outbox SET state = 'pending', claimed_by = NULL WHERE state = 'sending'"
        " AND (claimed_by IS NULL OR claimed_by NOT IN"
        " (SELECT id FROM replicas WHERE seen_at >= ?))", (to_db(alive_since),))
    return changed.rowcount


async def next_attempt(db: Executor, network: str) -> datetime | None:
    """When the earliest message that ``due`` could offer on ``network`` may go."""
    row = await db.fetchone(
        "SELECT MIN(o.next_attempt_at) FROM outbox o JOIN chats c ON c.id = o.chat"
        f" WHERE o.state = 'pending' AND c.network = ? AND {_HEAD}", (network,))
    return maybe_from_db(row[0]) if row else None


async def prune(db: Database, now: datetime, keep: timedelta) -> int:
    """Delete finished rows older than ``keep`` (their keys can no longer come due)."""
    changed = await db.execute("DELETE FROM outbox WHERE state IN ('sent', 'failed', 'dropped')"
                               " AND created_at < ?", (to_db(now - keep),))
    return changed.rowcount


async def counts(db: Executor) -> dict[str, int]:
    """How many rows are in each state."""
    found = await db.fetchall("SELECT state, COUNT(*) FROM outbox GROUP BY state")
    return {r[0]: r[1] for r in found}
