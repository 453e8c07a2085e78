"""Telling editors of each new draft in their private chat, once, even across a restart.

Telegram only: a Telegram editor's user id is also their private chat with the bot (they
must have started it once). Matrix editors ask with ``!draft``: a bot cannot open a direct
room with someone who has not invited it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from bot.core.network import ChatRef, DeliveryError, Transport
from bot.core.newsroom_commands import draft_html
from bot.core.render import Rendered
from bot.newsroom.service import Newsroom
from bot.store import chats
from bot.store import newsroom as store
from bot.store.db import Database
from bot.store.newsroom import Candidate

log = logging.getLogger(__name__)


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
            if transport is None or network != "telegram":
                continue
            ref = ChatRef(network, user)
            known = await chats.get(self.db, ref)
            locale = known.locale if known else self.default_locale
            try:
                await transport.send(ref, Rendered.from_html(draft_html(locale, view)))
                told = True
            except DeliveryError as exc:
                log.warning("draft %d: editor %s not reached (%s)", candidate.id, editor, exc)
        if told:
            await store.mark_notified(self.db, candidate.id)

    async def catch_up(self) -> None:
        """Tell the editors of drafts made before a restart and not yet sent."""
        for candidate in await store.unnotified(self.db):
            await self(candidate)
