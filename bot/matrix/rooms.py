"""What the Matrix adapter keeps in Bilat's database: the sync token and its rooms.

The sync token must survive a restart, so that commands sent while the bot was down are
answered once and older ones never. Rooms are chats like any other (``bot.store.chats``):
their language, zone and subscription follow an upgrade and stop on a kick or ban.
"""

from __future__ import annotations

import logging
from typing import Literal

from bot.core.clock import Clock
from bot.core.network import ChatRef
from bot.store import chats, kv, subscriptions
from bot.store.chat_settings import Permission, StoredChat, open_chat
from bot.store.db import Database

log = logging.getLogger(__name__)

NETWORK = "matrix"
ONCE_NAMESPACE = "matrix-once"
Removal = Literal["kicked", "banned"]


def room_ref(room_id: str) -> ChatRef:
    """The chat reference of a room."""
    return ChatRef(NETWORK, room_id)


class RoomStore:
    """Matrix's view of the database; rooms are created with the configured defaults."""

    def __init__(self, db: Database, clock: Clock, user_id: str, locale: str,
                 zone: str) -> None:
        self.db, self.clock = db, clock
        self.token_key = f"next_batch:{user_id}"  # another account must not reuse the token
        self.locale, self.zone = locale, zone

    async def sync_token(self) -> str | None:
        """The ``next_batch`` of the last handled sync, if any."""
        return await kv.get(self.db, NETWORK, self.token_key)

    async def save_sync_token(self, token: str) -> None:
        """Remember the ``next_batch`` of a handled sync (one small commit)."""
        await kv.put(self.db, NETWORK, self.token_key, token, self.clock.now())

    async def open(self, room_id: str, title: str = "",
                   can_manage: Permission | None = None) -> StoredChat:
        """The room's stored settings, for a command from someone ``can_manage`` judges."""
        async def nobody() -> bool:
            return False

        return await open_chat(self.db, room_ref(room_id), self.clock, type="group",
                               locale=self.locale, timezone=self.zone, title=title,
                               can_manage=can_manage or nobody)

    async def room_locale(self, room_id: str) -> str:
        """The room's language (the default for a room never seen)."""
        found = await chats.get(self.db, room_ref(room_id))
        return found.locale if found else self.locale

    async def joined(self, room_id: str, title: str | None) -> None:
        """The bot is in the room (again, after a kick: its settings were kept)."""
        await self.open(room_id, title or "")
        await chats.set_status(self.db, room_ref(room_id), "member", self.clock.now())

    async def removed(self, room_id: str, how: Removal) -> None:
        """A kick or ban: record it and deactivate the room's subscription."""
        found = await chats.get(self.db, room_ref(room_id))
        if found is None:
            return
        now = self.clock.now()
        await chats.set_status(self.db, found.ref, "kicked", now)
        if await subscriptions.unsubscribe(self.db, found.id, now):
            log.info("matrix room %s: subscription deactivated (%s)", room_id, how)

    async def moved(self, old_room_id: str, new_room_id: str) -> None:
        """An upgrade: settings, subscription and pending pushes follow to the new room."""
        found = await chats.get(self.db, room_ref(old_room_id))
        if found is not None:
            await chats.migrate(self.db, found.id, new_room_id, self.clock.now())

    async def first_time(self, key: str) -> bool:
        """True the first time ``key`` is asked about, across restarts."""
        if await kv.get(self.db, ONCE_NAMESPACE, key) is not None:
            return False
        await kv.put(self.db, ONCE_NAMESPACE, key, "1", self.clock.now())
        return True
