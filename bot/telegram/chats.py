"""Telegram chats in the store: languages, zones, the bot's status, migrations.

A chat gets a row only when it writes something (``/lang``, ``/subscribe``, ``/timezone``) or
when the bot is added to it: a stranger sending ``/help`` costs one read, never a write. Until
then its language is the sender's, negotiated, and its zone the configured default. Forum
topics are chats of their own in the store (pushes go to the topic), falling back to their
group's language and zone.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass, replace
from time import monotonic
from typing import Literal

from telegram import Chat as TgChat
from telegram import ChatMember, Message
from telegram.constants import ChatMemberStatus, ChatType

from bot.core.clock import Clock
from bot.core.library import Pair
from bot.core.network import ChatRef
from bot.core.pushes import PushSettings, SubscriptionState
from bot.store import chat_pairs, chats
from bot.store.chat_settings import Permission, StoredChat, open_chat
from bot.store.chats import BotStatus, Chat
from bot.store.db import Database
from bot.telegram.transport import NETWORK

log = logging.getLogger(__name__)

ChatKind = Literal["private", "group", "channel"]
REMOVED: tuple[BotStatus, ...] = ("left", "kicked")
CACHE_SECONDS = 30.0
CACHE_SIZE = 10_000


@dataclass(frozen=True)
class ChatInfo:
    """A chat (or forum topic) as Telegram describes it."""

    ref: ChatRef
    kind: ChatKind
    title: str


def kind_of(chat: TgChat) -> ChatKind:
    """Telegram's four chat types as the store's three (a supergroup is a group)."""
    if chat.type == ChatType.PRIVATE:
        return "private"
    return "channel" if chat.type == ChatType.CHANNEL else "group"


def title_of(chat: TgChat) -> str:
    """A readable name for logs and the store."""
    return chat.title or chat.full_name or chat.username or str(chat.id)


def topic_of(message: Message) -> int | None:
    """The forum topic a message belongs to (None outside forum topics)."""
    return message.message_thread_id if message.is_topic_message else None


def info_of(message: Message) -> ChatInfo:
    """The chat (and topic) a message was posted in."""
    thread = topic_of(message)
    ref = ChatRef(NETWORK, str(message.chat.id), str(thread) if thread is not None else None)
    return ChatInfo(ref, kind_of(message.chat), title_of(message.chat))


def whole_chat(chat: TgChat) -> ChatInfo:
    """A chat without topic."""
    return ChatInfo(ChatRef(NETWORK, str(chat.id)), kind_of(chat), title_of(chat))


def bot_status(member: ChatMember) -> BotStatus:
    """The bot's membership as the store records it."""
    status = member.status
    if status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER):
        return "admin"
    if status == ChatMemberStatus.BANNED:
        return "kicked"
    if status == ChatMemberStatus.LEFT:
        return "left"
    if status == ChatMemberStatus.RESTRICTED and not getattr(member, "is_member", True):
        return "left"
    return "member"


class LazyChat:
    """A chat's settings for one request (ChatSettings): read now, row created on first write."""

    persistent = True

    def __init__(self, store: TelegramChats, chat: ChatInfo, found: Chat | None,
                 permission: Permission) -> None:
        self.store = store
        self.info = chat
        # A topic without a row of its own speaks its group's language.
        self.locale: str | None = found.locale if found else None
        self.zone: str | None = found.timezone if found else None
        self._found = found
        self._permission = permission
        self._allowed: bool | None = None
        self._stored: StoredChat | None = None
        self.returning = found is not None  # the chat has a row: it was welcomed or set up

    def settle(self, locale: str, zone: str) -> None:
        """The language and zone a row created by this request starts with."""
        self.locale, self.zone = locale, zone

    async def can_manage(self) -> bool:
        """The sender's right to change the chat (asked at most once per request)."""
        if self._allowed is None:
            self._allowed = await self._permission()
        return self._allowed

    async def stored(self) -> StoredChat:
        """The stored chat, read afresh (created with this request's language if new)."""
        if self._stored is None:
            assert self.locale is not None and self.zone is not None, "settled by the session"
            self._stored = await open_chat(
                self.store.db, self.info.ref, self.store.clock, type=self.info.kind,
                locale=self.locale, timezone=self.zone, title=self.info.title,
                can_manage=self.can_manage)
            self.store.forget(self.info.ref.chat_id)
        return self._stored

    async def set_locale(self, locale: str) -> None:
        """Remember the chat's language."""
        await (await self.stored()).set_locale(locale)
        self.locale = locale
        self.store.forget(self.info.ref.chat_id)

    async def set_timezone(self, zone: str) -> None:
        """Remember the chat's time zone."""
        await (await self.stored()).set_timezone(zone)
        self.store.forget(self.info.ref.chat_id)

    async def subscription(self) -> SubscriptionState | None:
        """The chat's subscription; None when it has no row yet."""
        if not self._has_row():
            return None
        return await (await self.stored()).subscription()

    async def subscribe(self, settings: PushSettings) -> None:
        """Create, change or resume the chat's subscription."""
        await (await self.stored()).subscribe(settings)

    async def unsubscribe(self) -> bool:
        """Stop the chat's pushes; False when it had none."""
        if not self._has_row():
            return False
        return await (await self.stored()).unsubscribe()

    async def pairs(self) -> tuple[Pair, ...]:
        """The pairs the chat follows (a topic without its own choice: its group's); ()
        when it never chose."""
        # One read by row id: opening the stored chat would take a write transaction.
        row = self._stored.chat if self._stored is not None else self._found
        return await chat_pairs.get(self.store.db, row.id) if row is not None else ()

    async def set_pairs(self, pairs: tuple[Pair, ...]) -> None:
        """Follow exactly ``pairs``."""
        await (await self.stored()).set_pairs(pairs)

    async def introduce(self) -> bool:
        """True on a new chat's first answer, so it is told once.

        A chat already stored is not new, nor one told since start: they cost no database
        write here.
        """
        ref = self.info.ref
        if self._found is not None or ref in self.store.introduced:
            return False
        self.store.introduced[ref] = None
        while len(self.store.introduced) > CACHE_SIZE:
            self.store.introduced.popitem(last=False)
        return await chat_pairs.introduce(self.store.db, ref, self.store.clock.now())

    def _has_row(self) -> bool:
        """True when this very chat (not just its group) is stored."""
        return self._stored is not None or (
            self._found is not None and self._found.ref == self.info.ref)


class TelegramChats:
    """The store as the Telegram adapter uses it.

    Every command needs its chat's language, so rows read are kept a little while: a busy
    bot then answers without a database round trip. Writes made here forget the chat at
    once; a change made elsewhere (delivery re-keying a migrated chat) is seen within
    ``CACHE_SECONDS``, and only ever concerns the language and zone of a reply.
    """

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._cache: OrderedDict[ChatRef, tuple[float, Chat | None]] = OrderedDict()
        self.introduced: OrderedDict[ChatRef, None] = OrderedDict()  # told the pairs lately
        self._generation = 0

    async def find(self, ref: ChatRef) -> Chat | None:
        """The stored chat, or for a topic without a row of its own, its group's."""
        hit = self._cache.get(ref)
        if hit is not None and monotonic() - hit[0] < CACHE_SECONDS:
            return hit[1]
        generation = self._generation
        found = await chats.get(self.db, ref)
        if found is None and ref.thread_id is not None:
            found = await chats.get(self.db, replace(ref, thread_id=None))
        if generation == self._generation:  # no write meanwhile: safe to keep
            self._cache[ref] = (monotonic(), found)
            self._cache.move_to_end(ref)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return found

    def forget(self, chat_id: str) -> None:
        """Drop what is kept about a chat and its topics (after a write)."""
        self._generation += 1
        for ref in [r for r in self._cache if r.chat_id == chat_id]:
            del self._cache[ref]

    async def open(self, chat: ChatInfo, permission: Permission) -> LazyChat:
        """The chat's settings for a request (the session settles language and zone)."""
        return LazyChat(self, chat, await self.find(chat.ref), permission)

    async def rows_of(self, chat_id: str) -> list[Chat]:
        """Every stored row of a Telegram chat: the chat itself and its forum topics."""
        return await chats.rows_of(self.db, NETWORK, chat_id)

    async def set_status(self, chat: ChatInfo, status: BotStatus, locale: str,
                         zone: str) -> None:
        """Record the bot's status; being removed or blocked ends the chat's subscriptions."""
        rows = await self.rows_of(chat.ref.chat_id)
        if not rows and status not in REMOVED:
            rows = [(await open_chat(self.db, chat.ref, self.clock, type=chat.kind,
                                     locale=locale, timezone=zone, title=chat.title)).chat]
        now = self.clock.now()
        self.forget(chat.ref.chat_id)
        for row in rows:
            await chats.set_status(self.db, row.ref, status, now)
            if status in REMOVED and await StoredChat(self.db, row, self.clock).unsubscribe():
                log.info("telegram %s: bot %s, subscription ended", row.ref, status)

    async def migrate(self, old_chat_id: str, new_chat_id: str) -> None:
        """Move a group's row (settings, subscription, pending pushes) to its new id."""
        for row in await self.rows_of(old_chat_id):
            await chats.migrate(self.db, row.id, new_chat_id, self.clock.now())
        self.forget(old_chat_id)
        self.forget(new_chat_id)
