"""The console bot: the same command table as the chat networks, in a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from bot.core import i18n
from bot.core.clock import Clock
from bot.core.commands import Context, dispatch
from bot.core.library import Library
from bot.core.phrases import N_


@dataclass
class ConsolePrefs:
    """The console's one chat: its language lives in memory."""

    locale: str

    async def set_locale(self, locale: str) -> None:
        """Switch the console's language."""
        self.locale = locale


@dataclass
class Console:
    """Reads lines, answers them as a chat would, in plain text."""

    library: Callable[[], Library]
    clock: Clock
    zone: str
    prefs: ConsolePrefs
    out: TextIO = sys.stdout

    def context(self) -> Context:
        """The request context for the next line."""
        return Context(self.library(), self.prefs.locale, self.clock.now(), self.zone,
                       self.prefs)

    async def answer(self, line: str) -> str | None:
        """The plain-text answer to one line, or None for a blank line."""
        if not line.strip():
            return None
        text = line if line.lstrip()[:1] in "/!" else "/" + line.lstrip()
        reply = await dispatch(self.context(), text)
        return reply.message.text if reply else None

    async def run(self, lines: TextIO = sys.stdin) -> None:
        """Answer lines until end of input or /quit."""
        greeting = i18n.gettext(self.prefs.locale,
                                 N_("Bilat console. Type /help, or /quit to leave."))
        interactive = lines.isatty()
        print(greeting, file=self.out)
        while True:
            if interactive:
                print("> ", end="", file=self.out, flush=True)
            line = lines.readline()
            if not line or line.strip() in ("/quit", "/exit", "quit", "exit"):
                break
            answer = await self.answer(line)
            if answer:
                print(answer + "\n", file=self.out, flush=True)
