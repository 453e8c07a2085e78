"""Asking the core directly, as an adapter would: one request, one line, the reply."""

from __future__ import annotations

import re
from datetime import datetime

from bot.core.chat_settings import ChatSettings, MemoryChat
from bot.core.clock import FixedClock
from bot.core.command_table import Reply
from bot.core.commands import COMMAND_TABLE
from bot.core.library import Library
from bot.core.network import ChatRef
from bot.core.operator import OperatorPort
from bot.core.request import Network, Request
from bot.core.session import Session

ZONE = "Asia/Almaty"


def network(prefix: str = "/", files: bool = False) -> Network:
    """A network that writes commands with ``prefix``."""
    return Network("test", prefix, files=files, message_length=4096)


def session(library: Library, now: datetime, locale: str = "en",
            ops: OperatorPort | None = None) -> Session:
    """The core, over ``library`` at ``now``, answering in ``locale`` by default."""
    return Session(lambda: library, FixedClock(now), locale, ZONE, ops)


async def ask(library: Library, now: datetime, line: str, locale: str = "en", *,
              prefix: str = "/", chat: ChatSettings | None = None, sender: str | None = None,
              ops: OperatorPort | None = None, files: bool = False) -> Reply | None:
    """The core's reply to ``line`` sent in a chat (kept in memory unless ``chat`` is given)."""
    request = Request(network(prefix, files), ChatRef("test", "1"), chat or MemoryChat(),
                      sender=sender)
    answer = await session(library, now, locale, ops).answer(request, line)
    return answer.reply if answer else None


def command_mentions(text: str) -> list[str]:
    """Every command a message names, with its prefix (``/events``, ``!summary``)."""
    every = {name for c in COMMAND_TABLE for name in (c.name, *c.french)}
    names = "|".join(sorted(every, key=len, reverse=True))
    return re.findall(rf"(?<![\w/!])[/!](?:{names})\b", text)


def wrong_prefix(text: str, prefix: str) -> list[str]:
    """The commands a message names with another prefix than ``prefix``."""
    return [m for m in command_mentions(text) if not m.startswith(prefix)]
