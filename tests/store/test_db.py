"""The database: migrations from empty, refusal of a newer schema, rollback, UTC instants."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import aiosqlite
import pytest

from bot.store.db import (
    MIGRATIONS,
    Database,
    DatabaseError,
    DatabaseTooNew,
    from_db,
    migration_files,
    to_db,
)

TABLES = {"chats", "subscriptions", "outbox", "kv", "schema_version"}


async def pragma(db: Database, name: str) -> object:
    """The value of a pragma on this connection."""
    row = await db.fetchone(f"PRAGMA {name}")
    assert row is not None
    return row[0]


async def test_migrates_an_empty_database(db_path: Path) -> None:
    async with await Database.open(db_path) as db:
        tables = {r[0] for r in await db.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert tables >= TABLES
        version = await db.fetchone("SELECT MAX(version) FROM schema_version")
        assert version is not None and version[0] == len(migration_files())
        assert await pragma(db, "journal_mode") == "wal"
        assert await pragma(db, "foreign_keys") == 1
        assert await pragma(db, "busy_timeout") == 5000
    async with await Database.open(db_path) as db:  # reopening applies nothing again
        rows = await db.fetchall("SELECT version FROM schema_version")
        assert [r[0] for r in rows] == list(range(1, len(migration_files()) + 1))


async def test_refuses_a_database_newer_than_the_code(db_path: Path) -> None:
    async with await Database.open(db_path) as db:
        await db.execute("INSERT INTO schema_version VALUES (99, '2030-01-01T00:00:00+00:00')")
    with pytest.raises(DatabaseTooNew) as caught:
        await Database.open(db_path)
    message = str(caught.value)
    assert message.startswith(f"{db_path}: the database is at schema version 99, newer than")
    assert "Upgrade Bilat, or set BILAT_DB to another file." in message


async def test_a_failing_migration_is_rolled_back(db_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, folder)
    (folder / f"{len(migration_files()) + 1:04d}_broken.sql").write_text(
        "CREATE TABLE half (x INTEGER);\nINSERT INTO nowhere VALUES (1);\n", encoding="utf-8")
    with pytest.raises(DatabaseError, match=r"_broken\.sql failed: no such table: nowhere"):
        await Database.open(db_path, folder)
    async with aiosqlite.connect(db_path) as conn:
        names = {r[0] for r in await conn.execute_fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = list(await conn.execute_fetchall("SELECT MAX(version) FROM schema_version"))
    assert "half" not in names and "chats" in names
    assert version[0][0] == len(migration_files())


def test_missing_migrations_are_reported(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="no migration scripts"):
        migration_files(tmp_path)


def test_migrations_are_numbered_without_gaps(tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("", encoding="utf-8")
    (tmp_path / "0003_c.sql").write_text("", encoding="utf-8")
    with pytest.raises(DatabaseError, match="expected migration number 0002"):
        migration_files(tmp_path)


async def test_a_transaction_rolls_back_on_error(db_path: Path) -> None:
    async with await Database.open(db_path) as db:
        with pytest.raises(RuntimeError):
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO kv VALUES ('n', 'k', 'v', 'now')")
                raise RuntimeError("boom")
        assert await db.fetchone("SELECT * FROM kv") is None


def test_instants_are_stored_as_utc_text() -> None:
    paris = timezone(timedelta(hours=2))
    instant = datetime(2025, 3, 30, 8, 0, tzinfo=paris)
    assert to_db(instant) == "2025-03-30T06:00:00.000000+00:00"
    assert from_db(to_db(instant)) == instant and from_db(to_db(instant)).tzinfo == UTC
    with pytest.raises(ValueError, match="has no time zone"):
        to_db(datetime(2025, 3, 30, 8, 0))  # noqa: DTZ001 - the point of the test
