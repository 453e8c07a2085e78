"""The PostgreSQL store itself: migrations, refusal of a newer schema, rollback, placeholders."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from bot.store.db import (
    MIGRATIONS,
    Database,
    DatabaseError,
    DatabaseTooNew,
    migration_files,
    redacted,
)
from bot.store.postgres import numbered
from tests.pgserver import PostgresServer

TABLES = {"chats", "subscriptions", "outbox", "kv", "schema_version", "replicas", "leases",
          "send_slots"}


async def tables(db: Database) -> set[str]:
    """The tables of the public schema."""
    rows = await db.fetchall("SELECT table_name FROM information_schema.tables"
                             " WHERE table_schema = 'public'")
    return {r[0] for r in rows}


async def test_replicas_starting_together_migrate_once(postgres: PostgresServer) -> None:
    url = postgres.create("together")
    opened = await asyncio.gather(*(Database.open(url) for _ in range(3)))
    try:
        assert await tables(opened[0]) >= TABLES
        rows = await opened[1].fetchall("SELECT version FROM schema_version ORDER BY version")
        assert [r[0] for r in rows] == list(range(1, len(migration_files()) + 1))
    finally:
        for db in opened:
            await db.close()


async def test_the_postgresql_file_of_a_number_wins() -> None:
    files = migration_files(MIGRATIONS, "postgresql")
    own = {p.name for p in (MIGRATIONS / "postgresql").glob("*.sql")}
    assert {"0001_init.sql", "0003_newsroom.sql"} <= own
    assert files == [MIGRATIONS / "postgresql" / f.name if f.name in own else f
                     for f in migration_files(MIGRATIONS)]  # the others are shared


async def test_refuses_a_database_newer_than_the_code(postgres: PostgresServer) -> None:
    url = postgres.create("newer")
    async with await Database.open(url) as db:
        await db.execute("INSERT INTO schema_version VALUES (99, '2030-01-01T00:00:00+00:00')")
    with pytest.raises(DatabaseTooNew, match="at schema version 99, newer than this Bilat"):
        await Database.open(url)


async def test_a_failing_migration_is_rolled_back(postgres: PostgresServer,
                                                  tmp_path: Path) -> None:
    url = postgres.create("broken")
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, folder)
    (folder / f"{len(migration_files()) + 1:04d}_broken.sql").write_text(
        "CREATE TABLE half (x INTEGER);\nINSERT INTO nowhere VALUES (1);\n", encoding="utf-8")
    with pytest.raises(DatabaseError, match=r"_broken\.sql failed: relation \"nowhere\""):
        await Database.open(url, folder)
    async with await Database.open(url) as db:
        assert "half" not in await tables(db)
        version = await db.fetchone("SELECT MAX(version) FROM schema_version")
        assert version is not None and version[0] == len(migration_files())


def test_placeholders_become_numbered_outside_quotes() -> None:
    assert numbered("SELECT '?', 'it''s ?' FROM t WHERE a = ? AND b IN (?, ?)") == \
        "SELECT '?', 'it''s ?' FROM t WHERE a = $1 AND b IN ($2, $3)"


def test_a_url_password_is_masked() -> None:
    assert redacted("postgresql://bilat:pw@h:5432/db") == "postgresql://bilat:***@h:5432/db"
    assert redacted("postgresql://h/db") == "postgresql://h/db"
    assert redacted(Path("state/bilat.sqlite3")) == "state/bilat.sqlite3"
