"""A delivery run to kill: plans a digest and alerts for every chat, then sends them.

Usage: ``python tests/delivery/killable.py DB OUT``. Each message is appended to OUT as
``<chat id>\\t<hash of the text>`` and fsynced, then the "network" takes a few milliseconds to
answer: a SIGKILL then lands between the network getting a message and Bilat recording it.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bot.core.clock import FixedClock
from bot.core.library import Library
from bot.core.network import Attachment, ChatRef, Limits
from bot.core.render import Rendered
from bot.delivery.scheduler import Scheduler
from bot.delivery.sender import Policy, Sender
from bot.store.db import Database

SEED = (Path(__file__).resolve().parents[2] / "data" / "articles" /
        "lagazette-2025-05-07-kazakhstan-france.yaml")
DUE = datetime(2025, 5, 21, 3, 0, tzinfo=UTC)  # 08:00 in Almaty: a digest and an alert
LATENCY = 0.004


def fingerprint(text: str) -> str:
    """A short hash naming a message's text."""
    return hashlib.sha256(text.encode()).hexdigest()[:12]


class FileTransport:
    """Appends each message to a file, durably, then answers after a network delay."""

    network = "test"
    limits = Limits(global_per_second=300, per_chat_per_second=1000,
                    per_group_per_minute=1_000_000)

    def __init__(self, path: Path) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    async def send(self, chat: ChatRef, message: Rendered,
                   attachments: Sequence[Attachment] = ()) -> str:
        """Record the message as received, then take a while to say so."""
        os.write(self.fd, f"{chat.chat_id}\t{fingerprint(message.text)}\n".encode())
        os.fsync(self.fd)
        await asyncio.sleep(LATENCY)
        return "ok"

    def is_group(self, chat: ChatRef) -> bool:
        """Private chats only."""
        return False


async def main(db_path: Path, out: Path) -> None:
    """Plan (a no-op on a restart) and send everything."""
    library = Library.load(SEED)
    clock = FixedClock(DUE)
    transport = FileTransport(out)
    async with await Database.open(db_path) as db:
        await Scheduler(db, lambda: library, clock).tick()
        await Sender(db, transport, clock, Policy(max_in_flight=16)).drain()
    os.close(transport.fd)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2])))
