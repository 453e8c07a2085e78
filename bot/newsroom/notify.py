"""Telling editors of each new draft in their private chat, once, even across a restart.

On Telegram an editor's user id is also their private chat with the bot (they must have
started it once); the notice carries the draft's buttons (keep/drop each fact, publish), as
``/draft`` does. On Matrix the bot opens a direct room with each editor (created with
``is_direct`` and an invitation), remembers it in the database and tells them there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

from bot.core.command_table import Buttons
from bot.core.network import ChatRef, DeliveryError, Transport, command_prefix
from bot.core.newsroom import DraftView
from bot.core.newsroom_commands import draft_buttons, draft_html
from bot.core.render import Rendered
from bot.newsroom.service import Newsroom
from bot.store import chats, kv
from bot.store import newsroom as store
from bot.store.db import Database
from bot.store.newsroom import Candidate

log = logging.getLogger(__name__)

DIRECT_ROOMS = "editor-rooms"  # kv namespace: editor (matrix:@user:server) -> direct room id


@runtime_checkable
class ButtonTransport(Protocol):
    """A network that shows buttons under a message (Telegram's inline keyboard)."""

    async def send_with_buttons(self, chat: ChatRef, message: Rendered,
                                buttons: Buttons) -> str:
        """Like ``Transport.send``, with ``buttons`` under the message."""
        ...


@runtime_checkable
class DirectRooms(Protocol):
    """A network where the bot opens a direct room with someone (Matrix)."""

    async def direct_room(self, user_id: str, known: str | None) -> str:
        """The direct room with ``user_id``: ``known`` while still shared, else a new one."""
        ...


class EditorNotifier:
    """Sends each new draft to every editor it can reach, then marks it told."""

    def __init__(self, db: Database, editors: Iterable[str],
                 transports: Callable[[], dict[str, Transport]], default_locale: str) -> None:
        self.db = db
        self.editors = sorted(editors)
        self.transports = transports
        self.default_locale = default_locale

    async def __call__(self, candidate: Candidate) -> None:
        """Tell the editors of ``candidate`` (a draft)."""
        reachable = self.transports()
        view = Newsroom.view(candidate)
        told = False
        for editor in self.editors:
            network, _, user = editor.partition(":")
            transport = reachable.get(network)
            if transport is None:
                continue
            try:
                ref = await self._private_chat(transport, editor, network, user)
                if ref is None:
                    continue
                known = await chats.get(self.db, ref)
                locale = known.locale if known else self.default_locale
                await _send(transport, ref, locale, view)
                told = True
            except DeliveryError as exc:
                log.warning("draft %d: editor %s not reached (%s)", candidate.id, editor, exc)
        if told:
            await store.mark_notified(self.db, candidate.id)

    async def _private_chat(self, transport: Transport, editor: str, network: str,
                            user: str) -> ChatRef | None:
        """Where ``editor`` reads the bot alone: on Telegram their user id is that chat; on
        Matrix a direct room the bot opens once and remembers in the database."""
        if network == "telegram":
            return ChatRef(network, user)
        if not isinstance(transport, DirectRooms):
            return None
        known = await kv.get(self.db, DIRECT_ROOMS, editor)
        room = await transport.direct_room(user, known)
        if room != known:
            await kv.put(self.db, DIRECT_ROOMS, editor, room, datetime.now(UTC))
        return ChatRef(network, room)

    async def catch_up(self) -> None:
        """Tell the editors of drafts made before a restart and not yet sent."""
        for candidate in await store.unnotified(self.db):
            await self(candidate)


async def _send(transport: Transport, ref: ChatRef, locale: str, view: DraftView) -> str:
    """The draft as ``/draft`` shows it: with its buttons where the network has them."""
    message = Rendered.from_html(draft_html(locale, view, command_prefix(ref.network)))
    if isinstance(transport, ButtonTransport):
        return await transport.send_with_buttons(ref, message, draft_buttons(locale, view))
    return await transport.send(ref, message)
