"""A real kill -9 in the middle of a digest to many chats, then a restart."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from bot.core.clock import FixedClock
from bot.store import outbox
from bot.store.db import Database
from tests.delivery.killable import fingerprint
from tests.support.delivery import subscribe

SCRIPT = Path(__file__).with_name("killable.py")
CHATS = 150
PER_CHAT = 2  # the digest and the "Journée Française" week alert, 21 May 2025, 08:00 Almaty


def run(db_path: Path, out: Path) -> subprocess.Popen[bytes]:
    """Start a delivery run in its own process."""
    return subprocess.Popen([sys.executable, str(SCRIPT), str(db_path), str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def lines(out: Path) -> list[tuple[str, str]]:
    """What the network received: (chat id, message fingerprint)."""
    if not out.exists():
        return []
    text = out.read_text(encoding="utf-8")
    return [(a, b) for a, b in (line.split("\t") for line in text.splitlines())]


async def subscribe_chats(db_path: Path) -> None:
    """``CHATS`` chats subscribed the day before their digest and alerts fall due."""
    clock = FixedClock(datetime(2025, 5, 20, 0, 0, tzinfo=UTC))
    async with await Database.open(db_path) as db:
        for n in range(CHATS):
            await subscribe(db, clock, f"chat{n}")


async def in_flight(db_path: Path) -> list[int]:
    """How many messages each chat had "sending" (the chats that had one)."""
    async with await Database.open(db_path) as db:
        rows = await db.fetchall(
            "SELECT chat, COUNT(*) FROM outbox WHERE state = 'sending' GROUP BY chat")
    return [r[1] for r in rows]


async def sent_messages(db_path: Path) -> tuple[int, Counter[tuple[str, str]]]:
    """How many rows the outbox holds, and what was sent: (chat id, fingerprint) once each."""
    async with await Database.open(db_path) as db:
        rows = await outbox.rows(db)
        chat_ids = {r[0]: r[1] for r in await db.fetchall("SELECT id, chat_id FROM chats")}
    assert all(r.state == "sent" for r in rows)
    return len(rows), Counter((chat_ids[r.chat], fingerprint(r.text)) for r in rows)


def test_kill_9_mid_run_then_restart_delivers_each_once(db_path: Path, tmp_path: Path) -> None:
    asyncio.run(subscribe_chats(db_path))
    out = tmp_path / "network.log"

    first = run(db_path, out)
    deadline = time.monotonic() + 30
    while len(lines(out)) < CHATS and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(first.pid, signal.SIGKILL)
    first.communicate(timeout=10)
    assert first.returncode == -signal.SIGKILL
    assert CHATS <= len(lines(out)) < CHATS * PER_CHAT  # killed mid-run
    flying = asyncio.run(in_flight(db_path))
    assert all(count == 1 for count in flying)  # at most one per chat

    second = run(db_path, out)
    _, err = second.communicate(timeout=60)
    assert second.returncode == 0, err.decode()

    count, expected = asyncio.run(sent_messages(db_path))
    assert count == CHATS * PER_CHAT
    received = Counter(lines(out))
    assert set(received) == set(expected)  # everything arrived
    repeats = received - expected
    assert sum(repeats.values()) <= len(flying)  # only what was in flight repeats...
    assert all(n == 1 for n in Counter(chat for chat, _ in repeats.elements()).values())
