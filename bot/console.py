"""The console bot: the same command table as the chat networks, in a terminal.

With a database it is a chat like any other: ``/subscribe``, ``/settings`` and ``/lang``
persist, and pushed digests and alerts are printed as they are sent (ConsoleTransport).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import count
from typing import TextIO

from bot.core import i18n
from bot.core.chat_settings import ChatSettings
from bot.core.command_table import as_command
from bot.core.network import Attachment, ChatRef, Limits
from bot.core.phrases import N_
from bot.core.render import Rendered
from bot.core.request import Network, Request
from bot.core.session import Session
from bot.delivery.service import Delivery

CONSOLE = ChatRef("console", "console")
# Whoever types in the console runs Bilat and has its database: an operator.
CONSOLE_OPERATOR = "console:local"
RULE = "─" * 20
SORRY = N_("Sorry, something went wrong while answering. Please try again in a moment.")
# A terminal shows no files; a line without a prefix is a command all the same.
CONSOLE_NETWORK = Network(CONSOLE.network, "/", files=False, message_length=1 << 20)
# What ends the session, with or without the slash, in English and French.
QUIT_WORDS = frozenset({"quit", "exit", "quitter", "sortir"})

log = logging.getLogger(__name__)


class ConsoleTransport:
    """Pushed messages printed to the terminal, so the schedule can be tried by hand."""

    network = CONSOLE.network
    limits = Limits(global_per_second=20, per_chat_per_second=5, per_group_per_minute=600,
                    message_length=1 << 20)

    def __init__(self, out: TextIO = sys.stdout) -> None:
        self.out = out
        self._ids = count(1)

    async def send(self, chat: ChatRef, message: Rendered,
                   attachments: Sequence[Attachment] = ()) -> str:
        """Print the message's plain text between rules."""
        print(f"\n{RULE}\n{message.text}\n{RULE}\n", file=self.out, flush=True)
        return str(next(self._ids))

    def is_group(self, chat: ChatRef) -> bool:
        """The console is a private chat."""
        return False


@dataclass
class Console:
    """Reads lines, answers them as a chat would, in plain text."""

    session: Session
    chat: ChatSettings  # stored with a database, else kept in memory
    out: TextIO = sys.stdout

    def request(self) -> Request:
        """The core's request for the next line."""
        return Request(CONSOLE_NETWORK, CONSOLE, self.chat, sender=CONSOLE_OPERATOR)

    @property
    def locale(self) -> str:
        """The console chat's language."""
        return self.session.locale(self.chat.locale)

    async def answer(self, line: str) -> str | None:
        """The plain-text answer to one line, or None for a blank line."""
        if not line.strip():
            return None
        text = as_command(line)
        try:
            answer = await self.session.answer(self.request(), text)
        except Exception:  # one command's bug must not end the console
            log.exception("console: answering %r failed", text[:80])
            return i18n.gettext(self.locale, SORRY)
        return answer.reply.message.text if answer else None

    async def run(self, lines: TextIO = sys.stdin, delivery: Delivery | None = None) -> None:
        """Answer lines until end of input or /quit, with pushes running meanwhile."""
        stop = asyncio.Event()
        pushes = asyncio.create_task(delivery.run(stop)) if delivery else None
        try:
            await self._converse(lines)
        finally:
            stop.set()
            if pushes is not None:
                await pushes

    async def _converse(self, lines: TextIO) -> None:
        greeting = i18n.gettext(self.locale, N_("Bilat console. Type /help, or /quit to leave."))
        interactive = lines.isatty()
        print(greeting, file=self.out)
        while True:
            if interactive:
                print("> ", end="", file=self.out, flush=True)
            # Read in a thread: the scheduler and sender run on this loop meanwhile.
            line = await asyncio.to_thread(lines.readline)
            if not line or line.strip().lstrip("/").lower() in QUIT_WORDS:
                break
            answer = await self.answer(line)
            if answer:
                print(answer + "\n", file=self.out, flush=True)
