"""A chat's settings backed by the database (bot.core.chat_settings.ChatSettings)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.core.clock import Clock
from bot.core.library import Pair
from bot.core.network import ChatRef
from bot.core.pushes import PushSettings, SubscriptionState
from bot.store import chat_pairs, chats, subscriptions
from bot.store.chats import Chat, ChatType
from bot.store.db import Database

Permission = Callable[[], Awaitable[bool]]


async def anyone() -> bool:
    """The permission of a private chat or the console: whoever writes may manage."""
    return True


class StoredChat:
    """One chat's stored language, time zone and subscription (implements ChatSettings).

    Build one per request with ``open_chat``; ``can_manage`` is the adapter's check (for
    instance "is the sender an administrator of this group?"), asked only when something is
    about to change.
    """

    def __init__(self, db: Database, chat: Chat, clock: Clock,
                 can_manage: Permission = anyone, returning: bool = False) -> None:
        self.db = db
        self.chat = chat
        self.clock = clock
        self._can_manage = can_manage
        self.returning = returning  # the chat was stored before this request

    @property
    def locale(self) -> str:
        """The chat's language."""
        return self.chat.locale

    @property
    def timezone(self) -> str:
        """The chat's IANA time zone."""
        return self.chat.timezone

    @property
    def zone(self) -> str:
        """The chat's IANA time zone (ChatSettings' name for it)."""
        return self.chat.timezone

    @property
    def persistent(self) -> bool:
        """Stored in the database."""
        return True

    def settle(self, locale: str, zone: str) -> None:
        """The row exists already: its own language and zone stand."""

    async def can_manage(self) -> bool:
        """The adapter's answer."""
        return await self._can_manage()

    async def set_locale(self, locale: str) -> None:
        """Remember the chat's language."""
        await chats.set_locale(self.db, self.chat.id, locale, self.clock.now())
        await self._reload()

    async def set_timezone(self, zone: str) -> None:
        """Remember the chat's time zone; the schedule restarts from now in the new zone."""
        now = self.clock.now()
        async with self.db.transaction() as tx:
            await chats.set_timezone(tx, self.chat.id, zone, now)
            await subscriptions.restart_planning(tx, self.chat.id, now)
        await self._reload()

    async def subscription(self) -> SubscriptionState | None:
        """The chat's subscription, active or not."""
        found = await subscriptions.get(self.db, self.chat.id)
        return found.state if found else None

    async def subscribe(self, settings: PushSettings) -> None:
        """Create, change or resume the subscription."""
        await subscriptions.subscribe(self.db, self.chat.id, settings, self.clock.now())

    async def unsubscribe(self) -> bool:
        """Stop the chat's pushes."""
        return await subscriptions.unsubscribe(self.db, self.chat.id, self.clock.now())

    async def pairs(self) -> tuple[Pair, ...]:
        """The pairs the chat follows; () if it never chose."""
        return await chat_pairs.get(self.db, self.chat.id)

    async def set_pairs(self, pairs: tuple[Pair, ...]) -> None:
        """Follow exactly ``pairs`` (() brings back the default)."""
        await chat_pairs.put(self.db, self.chat.id, pairs, self.clock.now())

    async def introduce(self) -> bool:
        """True on the chat's first answer."""
        return await chat_pairs.introduce(self.db, self.chat.ref, self.clock.now())

    async def _reload(self) -> None:
        found = await chats.by_id(self.db, self.chat.id)
        if found is not None:
            self.chat = found


async def open_chat(db: Database, ref: ChatRef, clock: Clock, *, type: ChatType,
                    locale: str, timezone: str, title: str = "",
                    can_manage: Permission = anyone) -> StoredChat:
    """The stored chat at ``ref`` (created with ``locale`` and ``timezone`` if new)."""
    returning = await chats.get(db, ref) is not None
    chat = await chats.ensure(db, ref, type=type, locale=locale, timezone=timezone,
                              now=clock.now(), title=title)
    return StoredChat(db, chat, clock, can_manage, returning)
