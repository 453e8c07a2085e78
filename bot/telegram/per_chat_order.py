"""Updates processed concurrently across chats, in order within a chat.

PTB's default handles one update at a time, so one slow chat delays all; its plain concurrent
mode may answer ``/lang fr`` after the ``/trade`` that followed it. A lock per chat keeps each
chat's order while different chats proceed together.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerChatProcessor(BaseUpdateProcessor):
    """Concurrent update processing with one lock per chat (inline queries run freely)."""

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Await the handler coroutine under its chat's lock."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._users[chat.id] = self._users.get(chat.id, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            # Forget idle chats so the table does not grow with every chat ever seen.
            self._users[chat.id] -= 1
            if not self._users[chat.id]:
                del self._users[chat.id], self._locks[chat.id]

    async def initialize(self) -> None:
        """Nothing to allocate."""

    async def shutdown(self) -> None:
        """Nothing to free."""
