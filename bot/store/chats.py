"""Chats: where Bilat talks, on which network, in which language and time zone."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.core.library import Pair
from bot.core.network import ChatRef
from bot.store import chat_pairs
from bot.store.db import Database, Executor, Row, from_db, to_db

log = logging.getLogger(__name__)

ChatType = Literal["private", "group", "channel"]
BotStatus = Literal["member", "admin", "left", "kicked"]


@dataclass(frozen=True)
class Chat:
    """One chat (or forum topic) as stored."""

    id: int
    network: str
    chat_id: str
    thread_id: str | None
    type: ChatType
    title: str
    locale: str
    timezone: str
    status: BotStatus
    created_at: datetime
    updated_at: datetime
    pairs: tuple[Pair, ...] = ()  # followed pairs, where the query joined them; () = default

    @classmethod
    def from_row(cls, row: Row) -> Chat:
        """Build from a ``chats`` row."""
        return cls(row["id"], row["network"], row["chat_id"], row["thread_id"], row["type"],
                   row["title"], row["locale"], row["timezone"], row["status"],
                   from_db(row["created_at"]), from_db(row["updated_at"]))

    @property
    def ref(self) -> ChatRef:
        """The address a transport sends to."""
        return ChatRef(self.network, self.chat_id, self.thread_id)


# The topic-less chat has a NULL thread; both dialects compare it as '' (the unique index too).
_WHERE_REF = "network = ? AND chat_id = ? AND coalesce(thread_id, '') = ?"


async def get(db: Executor, ref: ChatRef) -> Chat | None:
    """The stored chat at ``ref``, if any."""
    row = await db.fetchone(f"SELECT * FROM chats WHERE {_WHERE_REF}",
                            (ref.network, ref.chat_id, ref.thread_id or ""))
    return Chat.from_row(row) if row else None


async def rows_of(db: Executor, network: str, chat_id: str) -> list[Chat]:
    """Every stored row of a chat: the chat itself and its forum topics."""
    rows = await db.fetchall("SELECT * FROM chats WHERE network = ? AND chat_id = ?",
                             (network, chat_id))
    return [Chat.from_row(r) for r in rows]


async def by_id(db: Executor, chat: int) -> Chat | None:
    """The stored chat with row id ``chat``."""
    row = await db.fetchone("SELECT * FROM chats WHERE id = ?", (chat,))
    return Chat.from_row(row) if row else None


async def ensure(db: Database, ref: ChatRef, *, type: ChatType, locale: str, timezone: str,
                 now: datetime, title: str = "") -> Chat:
    """The chat at ``ref``, created with ``locale`` and ``timezone`` if new.

    An existing chat keeps its language and zone (the chat chose them); its type and title
    follow the network.
    """
    async with db.transaction() as tx:
        found = await get(tx, ref)
        if found is None:
            await tx.execute(
                "INSERT INTO chats (network, chat_id, thread_id, type, title, locale, timezone,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (ref.network, ref.chat_id, ref.thread_id, type, title, locale, timezone,
                 to_db(now), to_db(now)))
        elif (found.type, found.title) != (type, title):
            await tx.execute("UPDATE chats SET type = ?, title = ?, updated_at = ? WHERE id = ?",
                             (type, title, to_db(now), found.id))
        else:
            return found
        chat = await get(tx, ref)
    assert chat is not None
    return chat


async def _set(db: Executor, chat: int, column: str, value: str, now: datetime) -> None:
    await db.execute(f"UPDATE chats SET {column} = ?, updated_at = ? WHERE id = ?",
                     (value, to_db(now), chat))


async def set_locale(db: Executor, chat: int, locale: str, now: datetime) -> None:
    """Remember the chat's language."""
    await _set(db, chat, "locale", locale, now)


async def set_timezone(db: Executor, chat: int, zone: str, now: datetime) -> None:
    """Remember the chat's time zone (an IANA name, checked by the caller)."""
    await _set(db, chat, "timezone", zone, now)


async def set_status(db: Executor, ref: ChatRef, status: BotStatus, now: datetime) -> None:
    """Record the bot's status in a chat (adapters call this on membership changes)."""
    await db.execute(f"UPDATE chats SET status = ?, updated_at = ? WHERE {_WHERE_REF}",
                     (status, to_db(now), ref.network, ref.chat_id, ref.thread_id or ""))


async def migrate(db: Database, chat: int, new_chat_id: str, now: datetime) -> Chat | None:
    """Re-key a chat that moved to ``new_chat_id`` (a Telegram group became a supergroup).

    The subscription and pending messages hang on the chat's row id, so they follow. If the
    new id is already known (the bot saw a message there first), the row holding a
    subscription wins and the other is removed.
    """
    async with db.transaction() as tx:
        old = await by_id(tx, chat)
        if old is None:
            return None
        target = await get(tx, ChatRef(old.network, new_chat_id, old.thread_id))
        if target is not None and target.id != old.id:
            if not await _subscribed(tx, old.id) and await _subscribed(tx, target.id):
                await tx.execute("DELETE FROM chats WHERE id = ?", (old.id,))
                await chat_pairs.forget(tx, old.id)
                log.info("chat %s moved to %s, which already had a subscription", old.ref,
                         new_chat_id)
                return target
            await tx.execute("DELETE FROM chats WHERE id = ?", (target.id,))
            await chat_pairs.forget(tx, target.id)
        await tx.execute("UPDATE chats SET chat_id = ?, updated_at = ? WHERE id = ?",
                         (new_chat_id, to_db(now), old.id))
        log.info("chat %s moved to %s", old.ref, new_chat_id)
        return await by_id(tx, old.id)


async def _subscribed(db: Executor, chat: int) -> bool:
    return await db.fetchone("SELECT 1 FROM subscriptions WHERE chat = ?", (chat,)) is not None
