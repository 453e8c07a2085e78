"""The embedded store: one aiosqlite connection, WAL, foreign keys, busy timeout.

Every write goes through ``transaction()``, which holds a lock: statements from concurrent
tasks on a shared connection would otherwise fall into each other's open transaction.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from bot.store.db import (
    MIGRATIONS,
    Changes,
    Database,
    DatabaseError,
    DatabaseLocked,
    Dialect,
    Params,
    Row,
    migration_files,
    register,
    to_db,
    too_new,
)

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000


class Tx:
    """Statements inside an open transaction (no locking: the transaction holds the lock)."""

    dialect: Dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> Changes:
        """Run one statement."""
        cursor = await self._conn.execute(sql, params)
        return Changes(cursor.rowcount)

    async def executemany(self, sql: str, rows: Sequence[Params]) -> Changes:
        """Run one statement for each parameter row."""
        cursor = await self._conn.executemany(sql, rows)
        return Changes(cursor.rowcount)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        """Every row a query returns."""
        return list(await self._conn.execute_fetchall(sql, params))

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        """The first row a query returns, if any."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None


class SqliteDatabase(Database):
    """One connection with its pragmas applied and its schema migrated."""

    dialect: Dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self._conn = conn
        self._tx = Tx(conn)
        self._lock = asyncio.Lock()
        self.path = path
        self._identity = _identity(path)

    def vanished(self) -> str | None:
        """Why the file this connection writes to is no longer the file at ``path``, if so.

        SQLite writes on happily into a file deleted or replaced under it, and everything
        written is lost at the next start: only the path tells.
        """
        if self._identity is None:
            return None  # in memory
        now = _identity(self.path)
        if now is None:
            return f"{self.path} was deleted while in use"
        if now != self._identity:
            return f"{self.path} was replaced by another file while in use"
        return None

    @classmethod
    async def connect(cls, path: Path | str, migrations: Path = MIGRATIONS) -> SqliteDatabase:
        """Connect (WAL, foreign keys, busy timeout) and bring the schema up to date."""
        label = str(path)
        if label != ":memory:":
            Path(label).parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(label, isolation_level=None)
        try:
            conn.row_factory = aiosqlite.Row
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await conn.execute("PRAGMA journal_mode = WAL")
            # NORMAL in WAL mode survives a killed process; only a power cut may lose the
            # last commits, which the outbox's unique keys then replan rather than resend.
            await conn.execute("PRAGMA synchronous = NORMAL")
            await conn.execute("PRAGMA foreign_keys = ON")
            await migrate(conn, label, migrations)
        except BaseException:
            await conn.close()
            raise
        return cls(conn, label)

    async def close(self) -> None:
        """Close the connection (waits for a transaction in progress)."""
        async with self._lock:
            await self._conn.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``, or ``ROLLBACK`` on any exception."""
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._tx
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            await self._conn.execute("COMMIT")

    async def execute(self, sql: str, params: Params = ()) -> Changes:
        """Run one statement in its own transaction."""
        async with self._lock:
            return await self._tx.execute(sql, params)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        """Every row a query returns."""
        async with self._lock:
            return await self._tx.fetchall(sql, params)


async def schema_version(conn: aiosqlite.Connection) -> int:
    """The highest migration applied (0 for an empty database)."""
    await conn.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                       "version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
    rows = list(await conn.execute_fetchall("SELECT MAX(version) FROM schema_version"))
    return int(rows[0][0] or 0)


async def migrate(conn: aiosqlite.Connection, label: str, directory: Path = MIGRATIONS) -> int:
    """Apply the missing migrations, each in its own transaction; return the version reached."""
    files = migration_files(directory, "sqlite")
    latest = len(files)
    current = await schema_version(conn)
    if current > latest:
        raise too_new(label, current, latest)
    for number in range(current + 1, latest + 1):
        path = files[number - 1]
        stamp = to_db(datetime.now(UTC))
        # The version row goes first: a second process migrating at the same moment fails
        # on its primary key before running anything, and rolls back.
        script = (f"BEGIN IMMEDIATE;\nINSERT INTO schema_version VALUES ({number}, '{stamp}');\n"
                  f"{path.read_text(encoding='utf-8')}\n;COMMIT;")
        try:
            await conn.executescript(script)
        except sqlite3.Error as exc:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            if await schema_version(conn) >= number:
                continue  # another process applied it meanwhile
            raise DatabaseError(f"{label}: migration {path.name} failed: {exc}") from exc
        log.info("%s: applied migration %s", label, path.name)
    return latest


def _identity(path: str) -> tuple[int, int] | None:
    """(device, inode) of the file at ``path``; None in memory or when there is none."""
    if path == ":memory:" or path.startswith("file:"):
        return None
    try:
        found = Path(path).stat()
    except OSError:
        return None
    return (found.st_dev, found.st_ino)


async def _open(target: Path | str, migrations: Path) -> Database:
    """Open a SQLite file; a lock, a damaged file or a non-database named, not raised raw."""
    try:
        return await SqliteDatabase.connect(target, migrations)
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise DatabaseLocked(str(exc)) from None
        raise DatabaseError(f"BILAT_DB: cannot open {target}: {exc}") from None
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"BILAT_DB: {target} is damaged or not a database ({exc}); "
                            "restore it from a backup, or point BILAT_DB at another "
                            "file") from None


register(False, _open)
