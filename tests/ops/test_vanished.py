"""/healthz tells a database file deleted, replaced or refusing writes (issue 10, item 4)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.ops.health import Health
from bot.ops.http import serving
from bot.store.db import Database
from tests.ops.test_health import CLOCK, healthz
from tests.support.net import free_port


def _delete(folder: Path, name: str) -> None:
    """What an operator's ``rm state/*`` does: the file, its -wal and its -shm."""
    for found in folder.glob(name + "*"):
        found.unlink()


def _replace(path: Path) -> None:
    """What restoring a backup over a running bot does."""
    path.rename(path.with_name("moved.sqlite3"))
    path.write_bytes(b"")


async def test_a_deleted_database_file_is_unhealthy_and_logged(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path, port = tmp_path / "b.sqlite3", free_port()
    async with await Database.open(path) as db:
        health = Health(db, CLOCK)
        async with serving("127.0.0.1", port, health, db):
            assert (await healthz(port))[0] == 200
            _delete(tmp_path, "b.sqlite3")
            with caplog.at_level(logging.ERROR, logger="bot.ops.health"):
                status, body = await healthz(port)
                await healthz(port)  # logged once, not at every probe
    assert status == 503
    assert body["database"] == (f"gone ({path} was deleted while in use; what is written "
                                "now is lost at restart)")
    assert [r.getMessage() for r in caplog.records] == [
        f"not ready: database gone ({path} was deleted while in use; what is written now is "
        "lost at restart)"]


async def test_a_replaced_database_file_is_unhealthy(tmp_path: Path) -> None:
    path = tmp_path / "b.sqlite3"
    async with await Database.open(path) as db:
        health = Health(db, CLOCK)
        _replace(path)
        verdict = await health.verdict()
    assert not verdict.ready
    assert verdict.body["database"].startswith(f"gone ({path} was replaced by another file")


async def test_a_database_refusing_writes_is_unhealthy_then_ready_again(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with await Database.open(tmp_path / "b.sqlite3") as db:
        health = Health(db, CLOCK)
        await db.execute("CREATE TRIGGER full BEFORE UPDATE ON kv"
                         " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
        with caplog.at_level(logging.INFO, logger="bot.ops.health"):
            await health.verdict()  # the first probe inserts the heartbeat row
            refused = await health.verdict()
            await db.execute("DROP TRIGGER full")
            again = await health.verdict()
    assert refused.body["database"] == ("not writable (IntegrityError: database or disk is "
                                        "full)")
    assert again.ready
    assert [r.getMessage() for r in caplog.records] == [
        "not ready: database not writable (IntegrityError: database or disk is full)",
        "ready again"]
