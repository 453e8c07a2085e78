"""/healthz over HTTP: 503 with a reason until ready, 200 when ready, 503 again when stopping."""

from __future__ import annotations

import json
import socket
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.config import ConfigError
from bot.core.clock import FixedClock
from bot.ops.health import Health
from bot.ops.http import serving
from bot.store.db import Database
from tests.support.net import free_port

CLOCK = FixedClock(datetime(2025, 5, 7, 12, 0, tzinfo=UTC))


async def healthz(port: int) -> tuple[int, dict[str, Any]]:
    """GET /healthz: (status, JSON body)."""
    async with aiohttp.ClientSession() as session, \
            session.get(f"http://127.0.0.1:{port}/healthz") as answer:
        return answer.status, json.loads(await answer.text())


async def test_ready_only_once_every_network_is_connected(tmp_path: Path) -> None:
    port = free_port()
    async with await Database.open(tmp_path / "b.sqlite3") as db:
        health = Health(db, CLOCK)
        health.expect("telegram")
        health.expect("matrix")
        async with serving("127.0.0.1", port, health, db):
            status, body = await healthz(port)
            assert status == 503
            assert body["reason"] == "telegram not connected; matrix not connected"
            assert body["database"] == "writable"

            health.started("telegram", lambda: True)
            connected = False
            health.started("matrix", lambda: connected)  # started, first sync not in yet
            assert (await healthz(port))[0] == 503
            connected = True
            assert await healthz(port) == (200, {
                "status": "ok", "database": "writable",
                "networks": {"telegram": "connected", "matrix": "connected"}})

            health.stopping = True
            status, body = await healthz(port)
            assert (status, body["reason"]) == (503, "stopping")


async def test_a_database_that_cannot_be_written_is_not_healthy(tmp_path: Path) -> None:
    port = free_port()
    db = await Database.open(tmp_path / "b.sqlite3")
    health = Health(db, CLOCK)
    async with serving("127.0.0.1", port, health, db):
        assert (await healthz(port))[0] == 200
        await db.execute("PRAGMA query_only = ON")  # as a read-only file or a full disk would
        status, body = await healthz(port)
        assert status == 503
        assert body["reason"].startswith("database not writable (OperationalError: ")
    await db.close()


async def test_port_zero_serves_nothing_and_a_taken_port_is_named(tmp_path: Path) -> None:
    async with await Database.open(tmp_path / "b.sqlite3") as db:
        health = Health(db, CLOCK)
        async with serving("127.0.0.1", 0, health, db):
            pass
        with closing(socket.socket()) as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            with pytest.raises(ConfigError, match=rf"^BILAT_HTTP_PORT: cannot listen on "
                                                  rf"127.0.0.1:{port} "):
                async with serving("127.0.0.1", port, health, db):
                    pass
