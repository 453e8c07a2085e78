"""The SQLite database: connection, pragmas, numbered migrations, transactions, UTC instants.

One ``Database`` wraps one aiosqlite connection. Every write goes through ``transaction()``,
which holds a lock: statements from concurrent tasks on a shared connection would otherwise
fall into each other's open transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import aiosqlite

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 5000
OPEN_ATTEMPTS = 3  # a database locked by another process: tried again after 1 s, then 2 s
Params = Sequence[Any]
Row = sqlite3.Row


class DatabaseError(Exception):
    """The database cannot be used; the message says why and what to do."""


class DatabaseTooNew(DatabaseError):
    """The database was migrated by a newer Bilat than this one."""


def to_db(instant: datetime) -> str:
    """An aware instant as fixed-width UTC text (sorts like the instants it stands for)."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{instant!r} has no time zone; the database keeps UTC instants")
    return instant.astimezone(UTC).isoformat(timespec="microseconds")


def from_db(text: str) -> datetime:
    """The aware UTC instant stored as ``text``."""
    return datetime.fromisoformat(text).astimezone(UTC)


def maybe_from_db(text: str | None) -> datetime | None:
    """Like ``from_db``, for a nullable column."""
    return None if text is None else from_db(text)


@dataclass(frozen=True)
class Changes:
    """What a write statement did."""

    rowcount: int
    lastrowid: int | None


class Executor(Protocol):
    """Something that runs statements: the database itself or an open transaction."""

    async def execute(self, sql: str, params: Params = ()) -> Changes:
        """Run one statement."""
        ...

    async def executemany(self, sql: str, rows: Sequence[Params]) -> Changes:
        """Run one statement for each parameter row."""
        ...

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        """Every row a query returns."""
        ...

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        """The first row a query returns, if any."""
        ...


class Tx:
    """Statements inside an open transaction (no locking: the transaction holds the lock)."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> Changes:
        """Run one statement."""
        cursor = await self._conn.execute(sql, params)
        return Changes(cursor.rowcount, cursor.lastrowid)

    async def executemany(self, sql: str, rows: Sequence[Params]) -> Changes:
        """Run one statement for each parameter row."""
        cursor = await self._conn.executemany(sql, rows)
        return Changes(cursor.rowcount, cursor.lastrowid)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        """Every row a query returns."""
        return list(await self._conn.execute_fetchall(sql, params))

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        """The first row a query returns, if any."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None


class Database:
    """One connection with its pragmas applied and its schema migrated."""

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
    async def open(cls, path: Path | str, migrations: Path = MIGRATIONS,
                   stop: asyncio.Event | None = None) -> Database:
        """Connect (WAL, foreign keys, busy timeout) and bring the schema up to date.

        A locked database is tried again with back-off; a damaged file, or one that is no
        database, fails at once; either way the error names BILAT_DB, not a traceback.
        ``stop`` (SIGTERM) cuts the back-off short.
        """
        attempt = 1
        while True:
            try:
                return await cls._open(path, migrations)
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise DatabaseError(f"BILAT_DB: cannot open {path}: {exc}") from None
                if attempt == OPEN_ATTEMPTS:
                    raise DatabaseError(f"BILAT_DB: {path} stayed locked by another process "
                                        f"({exc}); is another Bilat running on it?") from None
                log.warning("%s is locked (%s); trying again", path, exc)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for((stop or asyncio.Event()).wait(), 2 ** (attempt - 1))
                if stop is not None and stop.is_set():
                    raise DatabaseError(f"BILAT_DB: stopped while {path} was locked") from None
                attempt += 1
            except sqlite3.DatabaseError as exc:
                raise DatabaseError(f"BILAT_DB: {path} is damaged or not a database ({exc}); "
                                    "restore it from a backup, or point BILAT_DB at another "
                                    "file") from None

    @classmethod
    async def _open(cls, path: Path | str, migrations: Path) -> Database:
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

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

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

    async def executemany(self, sql: str, rows: Sequence[Params]) -> Changes:
        """Run one statement per parameter row, all in one transaction."""
        async with self.transaction() as tx:
            return await tx.executemany(sql, rows)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        """Every row a query returns."""
        async with self._lock:
            return await self._tx.fetchall(sql, params)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        """The first row a query returns, if any."""
        async with self._lock:
            return await self._tx.fetchone(sql, params)


def _identity(path: str) -> tuple[int, int] | None:
    """(device, inode) of the file at ``path``; None in memory or when there is none."""
    if path == ":memory:" or path.startswith("file:"):
        return None
    try:
        found = Path(path).stat()
    except OSError:
        return None
    return (found.st_dev, found.st_ino)


# Migrations ---------------------------------------------------------------------------------

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def migration_files(directory: Path = MIGRATIONS) -> list[Path]:
    """The migration scripts, numbered 0001, 0002... without gaps."""
    found = sorted(p for p in directory.glob("*.sql") if _NAME.match(p.name))
    if not found:
        # A wheel built without package data has no .sql files: fail before any query does.
        raise DatabaseError(f"{directory}: no migration scripts; Bilat was installed without "
                            "bot/store/migrations/*.sql")
    for expected, path in enumerate(found, start=1):
        match = _NAME.match(path.name)
        if match is None or int(match[1]) != expected:
            raise DatabaseError(f"{path}: expected migration number {expected:04d}")
    return found


async def schema_version(conn: aiosqlite.Connection) -> int:
    """The highest migration applied (0 for an empty database)."""
    await conn.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                       "version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
    rows = list(await conn.execute_fetchall("SELECT MAX(version) FROM schema_version"))
    return int(rows[0][0] or 0)


async def migrate(conn: aiosqlite.Connection, label: str, directory: Path = MIGRATIONS) -> int:
    """Apply the missing migrations, each in its own transaction; return the version reached."""
    files = migration_files(directory)
    latest = len(files)
    current = await schema_version(conn)
    if current > latest:
        raise DatabaseTooNew(
            f"{label}: the database is at schema version {current}, newer than this Bilat "
            f"knows ({latest}). Upgrade Bilat, or set BILAT_DB to another file.")
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
