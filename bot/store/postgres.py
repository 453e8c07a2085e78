"""The PostgreSQL store (asyncpg): a pool of connections shared by every replica's tasks.

Statements are written once with ``?`` placeholders; they become ``$1, $2...`` here. Each
``transaction()`` takes a pooled connection for its length, so concurrent tasks never share
one. Migrations run under an advisory lock, so replicas starting together migrate once.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import asyncpg

from bot.store.db import (
    MIGRATIONS,
    Changes,
    Database,
    DatabaseError,
    Dialect,
    Params,
    Row,
    migration_files,
    redacted,
    register,
    to_db,
    too_new,
)

log = logging.getLogger(__name__)

POOL_SIZE = 10
CONNECT_TIMEOUT = 10.0
MIGRATION_LOCK = 0x6269_6C61  # "bila": one migrating replica at a time

# A ``?`` outside quoted text: the placeholders of the shared SQL.
Connection = asyncpg.Connection | asyncpg.pool.PoolConnectionProxy
_MARK = re.compile(r"'(?:[^']|'')*'|\?")


@lru_cache(maxsize=512)
def numbered(sql: str) -> str:
    """``?`` placeholders as PostgreSQL's ``$1, $2...``."""
    count = 0

    def swap(match: re.Match[str]) -> str:
        nonlocal count
        if match[0] != "?":
            return match[0]
        count += 1
        return f"${count}"

    return _MARK.sub(swap, sql)


def _count(status: str) -> int:
    """The row count in a command tag such as ``UPDATE 3`` or ``INSERT 0 1``."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class PgTx:
    """Statements on one connection (inside a transaction, or each its own)."""

    dialect: Dialect = "postgresql"

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> Changes:
        """Run one statement."""
        return Changes(_count(await self._conn.execute(numbered(sql), *params)))

    async def executemany(self, sql: str, rows: Sequence[Params]) -> Changes:
        """Run one statement for each parameter row."""
        if rows:
            await self._conn.executemany(numbered(sql), rows)
        return Changes(len(rows))

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        """Every row a query returns."""
        return list(await self._conn.fetch(numbered(sql), *params))

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        """The first row a query returns, if any."""
        return await self._conn.fetchrow(numbered(sql), *params)


class PostgresDatabase(Database):
    """A pool of connections to one migrated PostgreSQL database."""

    dialect: Dialect = "postgresql"

    def __init__(self, pool: asyncpg.Pool, label: str) -> None:
        self._pool = pool
        self.path = label

    @classmethod
    async def connect(cls, url: str, migrations: Path = MIGRATIONS) -> PostgresDatabase:
        """Open the pool and bring the schema up to date."""
        label = redacted(url)
        try:
            pool = await asyncpg.create_pool(url, min_size=1, max_size=POOL_SIZE,
                                             timeout=CONNECT_TIMEOUT)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
            raise DatabaseError(f"{label}: cannot connect ({type(exc).__name__}: "
                                f"{_clean(str(exc), url)})") from None
        try:
            async with pool.acquire() as conn:
                await migrate(conn, label, migrations)
        except BaseException:
            await pool.close()
            raise
        return cls(pool, label)

    async def close(self) -> None:
        """Close the pool (waits for the connections in use)."""
        await self._pool.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PgTx]:
        """``BEGIN`` ... ``COMMIT``, or ``ROLLBACK`` on any exception."""
        async with self._pool.acquire() as conn, conn.transaction():
            yield PgTx(conn)

    async def execute(self, sql: str, params: Params = ()) -> Changes:
        """Run one statement in its own transaction."""
        async with self._pool.acquire() as conn:
            return await PgTx(conn).execute(sql, params)

    async def executemany(self, sql: str, rows: Sequence[Params]) -> Changes:
        """Run one statement per parameter row, all in one transaction."""
        async with self.transaction() as tx:
            return await tx.executemany(sql, rows)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        """Every row a query returns."""
        async with self._pool.acquire() as conn:
            return await PgTx(conn).fetchall(sql, params)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        """The first row a query returns, if any."""
        async with self._pool.acquire() as conn:
            return await PgTx(conn).fetchone(sql, params)


def _clean(message: str, url: str) -> str:
    """A driver's message with the URL's secrets taken out, in case it quotes them."""
    return message.replace(url, redacted(url))


async def migrate(conn: Connection, label: str, directory: Path = MIGRATIONS) -> int:
    """Apply the missing migrations, each in its own transaction; return the version reached."""
    files = migration_files(directory, "postgresql")
    latest = len(files)
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
    try:
        await conn.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                           "version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
        current = int(await conn.fetchval("SELECT COALESCE(MAX(version), 0)"
                                          " FROM schema_version"))
        if current > latest:
            raise too_new(label, current, latest)
        for number in range(current + 1, latest + 1):
            path = files[number - 1]
            try:
                async with conn.transaction():
                    await conn.execute("INSERT INTO schema_version VALUES ($1, $2)", number,
                                       to_db(datetime.now(UTC)))
                    await conn.execute(path.read_text(encoding="utf-8"))
            except asyncpg.PostgresError as exc:
                raise DatabaseError(f"{label}: migration {path.name} failed: {exc}") from exc
            log.info("%s: applied migration %s", label, path.name)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
    return latest


async def _open(target: Path | str, migrations: Path) -> Database:
    return await PostgresDatabase.connect(str(target), migrations)


register(True, _open)
