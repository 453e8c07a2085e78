"""The outbox: every pushed message under a unique key, with its delivery state.

States: ``pending`` (waiting for ``next_attempt_at``), ``sending`` (handed to the transport),
``sent``, ``failed`` (given up), ``dropped`` (never sent: too late, or the chat unsubscribed).
A row goes ``sending`` in its own commit before the network call and ``sent`` after it, so a
killed process finds at most the one message per chat it was sending, and sends it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.core.network import ChatRef
from bot.core.render import Rendered
from bot.store.db import Database, Executor, Row, from_db, maybe_from_db, to_db

Kind = Literal["digest", "alert"]
State = Literal["pending", "sending", "sent", "failed", "dropped"]


@dataclass(frozen=True)
class Message:
    """A message to plan: its key, chat row, kind and content."""

    key: str
    chat: int
    kind: Kind
    content: Rendered


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

    @classmethod
    def from_row(cls, row: Row) -> OutboxRow:
        """Build from an ``outbox`` row."""
        return cls(row["id"], row["key"], row["chat"], row["kind"], row["html"], row["text"],
                   row["state"], row["attempts"], from_db(row["next_attempt_at"]),
                   from_db(row["created_at"]), maybe_from_db(row["sent_at"]),
                   row["message_id"], row["last_error"])

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
        "INSERT OR IGNORE INTO outbox (key, chat, kind, html, text, next_attempt_at, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (message.key, message.chat, message.kind, message.content.html, message.content.text,
         to_db(now), to_db(now)))
    return changed.rowcount > 0


async def add_dropped(db: Executor, key: str, chat: int, kind: Kind, reason: str,
                      now: datetime) -> bool:
    """Record a message that will never be sent; False if the key was already known."""
    changed = await db.execute(
        "INSERT OR IGNORE INTO outbox (key, chat, kind, html, text, state, next_attempt_at,"
        " created_at, last_error) VALUES (?, ?, ?, '', '', 'dropped', ?, ?, ?)",
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


async def due(db: Executor, network: str, now: datetime, skip: frozenset[int] = frozenset(),
              limit: int = 200) -> list[Due]:
    """The first waiting message of each chat on ``network`` whose time has come.

    Messages to one chat go in order and one at a time: a chat whose oldest unsent message
    is being sent, or must wait, offers nothing. ``skip`` leaves out chats the pacer holds.
    """
    found = await db.fetchall(
        "SELECT o.*, c.network, c.chat_id AS c_chat_id, c.thread_id FROM outbox o"
        " JOIN chats c ON c.id = o.chat"
        f" WHERE o.state = 'pending' AND o.next_attempt_at <= ? AND c.network = ? AND {_HEAD}"
        " AND o.chat NOT IN (SELECT value FROM json_each(?))"
        " ORDER BY o.next_attempt_at, o.id LIMIT ?",
        (to_db(now), network, "[" + ",".join(map(str, skip)) + "]", limit))
    return [Due(OutboxRow.from_row(r), ChatRef(r["network"], r["c_chat_id"], r["thread_id"]))
            for r in found]


async def mark_sending(db: Executor, row_id: int) -> bool:
    """Claim a pending row before the network call; False if it is no longer pending."""
    changed = await db.execute("UPDATE outbox SET state = 'sending', attempts = attempts + 1"
                               " WHERE id = ? AND state = 'pending'", (row_id,))
    return changed.rowcount > 0


async def mark_sent(db: Executor, row_id: int, message_id: str, now: datetime) -> None:
    """The network took the message."""
    await db.execute("UPDATE outbox SET state = 'sent', message_id = ?, sent_at = ?,"
                     " last_error = NULL WHERE id = ?", (message_id, to_db(now), row_id))


async def retry_at(db: Executor, row_id: int, when: datetime, error: str,
                   count_attempt: bool = True) -> None:
    """Back to pending, to try again at ``when`` (a rate limit does not count as an attempt)."""
    await db.execute("UPDATE outbox SET state = 'pending', next_attempt_at = ?, last_error = ?,"
                     " attempts = attempts - ? WHERE id = ?",
                     (to_db(when), error[:500], 0 if count_attempt else 1, row_id))


async def release(db: Executor, row_id: int) -> None:
    """Put back a claimed row that was never handed to the network (a stop came first)."""
    await db.execute("UPDATE outbox SET state = 'pending', attempts = attempts - 1"
                     " WHERE id = ? AND state = 'sending'", (row_id,))


async def mark_failed(db: Executor, row_id: int, error: str) -> None:
    """Give up on a message."""
    await db.execute("UPDATE outbox SET state = 'failed', last_error = ? WHERE id = ?",
                     (error[:500], row_id))


async def drop_pending(db: Executor, chat: int, reason: str) -> int:
    """Drop every message still waiting for a chat; return how many."""
    changed = await db.execute("UPDATE outbox SET state = 'dropped', last_error = ?"
                               " WHERE chat = ? AND state = 'pending'", (reason, chat))
    return changed.rowcount


async def recover(db: Executor) -> int:
    """After a crash: what was being sent goes back to pending (it may be sent twice)."""
    changed = await db.execute("UPDATE outbox SET state = 'pending' WHERE state = 'sending'")
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
