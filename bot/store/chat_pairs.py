"""The country pairs each chat follows, and whether it has been told which pairs exist.

Kept in the ``kv`` table (pairs under the chat's row id), so following pairs needs no schema
change; a chat with no entry never chose, and sees the deployment's default pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core.library import Pair
from bot.core.network import ChatRef
from bot.core.pushes import pair_code, parse_pair
from bot.store import kv
from bot.store.db import Executor, to_db

PAIRS = "chat-pairs"
INTRODUCED = "chat-introduced"
# For a join from another table: the pairs of the chat whose row id is ``<alias>.chat``.
JOIN = ("LEFT JOIN kv AS followed ON followed.namespace = 'chat-pairs'"
        " AND followed.key = CAST({chat} AS TEXT)")


def decode(value: str | None) -> tuple[Pair, ...]:
    """``KZ-DE,UZ-FR`` -> pairs; () for none."""
    return tuple(parse_pair(x) for x in (value or "").split(",") if x)


def encode(pairs: Sequence[Pair]) -> str:
    """Pairs -> ``KZ-DE,UZ-FR``."""
    return ",".join(pair_code(p) for p in pairs)


async def get(db: Executor, chat: int) -> tuple[Pair, ...]:
    """The pairs the chat follows, in the order it chose them; () if it never chose."""
    return decode(await kv.get(db, PAIRS, str(chat)))


async def put(db: Executor, chat: int, pairs: Sequence[Pair], now: datetime) -> None:
    """Follow exactly ``pairs``; none at all brings back the default."""
    if pairs:
        await kv.put(db, PAIRS, str(chat), encode(pairs), now)
    else:
        await kv.delete(db, PAIRS, str(chat))


async def introduce(db: Executor, ref: ChatRef, now: datetime) -> bool:
    """True the first time it is asked for a chat (its first answer lists the pairs).

    Keyed by the chat's address, not its row: a chat that only reads has no row, and
    creating one would fix its language before anyone chose it.
    """
    key = f"{ref.network}:{ref.chat_id}:{ref.thread_id or ''}"
    changed = await db.execute(
        "INSERT INTO kv (namespace, key, value, updated_at) VALUES (?, ?, '1', ?)"
        " ON CONFLICT (namespace, key) DO NOTHING", (INTRODUCED, key, to_db(now)))
    return changed.rowcount > 0


async def forget(db: Executor, chat: int) -> None:
    """Drop the pairs of a chat row that is being removed."""
    await kv.delete(db, PAIRS, str(chat))
