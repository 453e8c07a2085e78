"""The database, whichever store holds it: UTC instants, the executor interface, migrations.

``Database.open(target)`` opens SQLite for a file path (the embedded default) and PostgreSQL
for a ``postgresql://`` URL. Both run the same SQL, written with ``?`` placeholders in the
dialect both accept; the few places that differ ask ``db.dialect``. Every write goes through
``transaction()`` or a single-statement call, each its own commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit, urlunsplit

from bot.config import is_database_url

MIGRATIONS = Path(__file__).with_name("migrations")
Params = Sequence[Any]
Row = Any  # sqlite3.Row or asyncpg.Record: both index by position and by column name
Dialect = Literal["sqlite", "postgresql"]


class DatabaseError(Exception):
    """The database cannot be used; the message says why and what to do."""


class DatabaseLocked(DatabaseError):
    """Another process holds the database's lock: opening is tried again with back-off."""


OPEN_ATTEMPTS = 3  # a locked database is tried again after 1 s, then 2 s
log = logging.getLogger(__name__)


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


is_url = is_database_url


def redacted(target: Path | str) -> str:
    """``target`` fit for messages and logs: a URL's password is masked."""
    text = str(target)
    if not is_url(text):
        return text
    parts = urlsplit(text)
    if parts.password is None:
        return text
    netloc = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{netloc}"))


@dataclass(frozen=True)
class Changes:
    """What a write statement did."""

    rowcount: int


class Executor(Protocol):
    """Something that runs statements: the database itself or an open transaction."""

    dialect: Dialect

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


def skip_locked(db: Executor, table: str) -> str:
    """The clause that claims rows no other replica holds (SQLite: the write lock does)."""
    return f" FOR UPDATE OF {table} SKIP LOCKED" if db.dialect == "postgresql" else ""


def for_update(db: Executor) -> str:
    """The clause that locks the rows read until the transaction ends."""
    return " FOR UPDATE" if db.dialect == "postgresql" else ""


Opener = Callable[[Path | str, Path], Awaitable["Database"]]
_OPENERS: dict[bool, Opener] = {}  # by "is a URL": each backend registers itself


def register(url: bool, opener: Opener) -> None:
    """Make ``opener`` the one ``Database.open`` uses for URLs (True) or files (False)."""
    _OPENERS[url] = opener


class Database(ABC):
    """A migrated store; ``open`` picks SQLite or PostgreSQL from the target."""

    dialect: Dialect
    path: str  # the target, password masked

    @classmethod
    async def open(cls, target: Path | str, migrations: Path = MIGRATIONS,
                   stop: asyncio.Event | None = None) -> Database:
        """Connect and bring the schema up to date.

        A database locked by another process is tried again with back-off (``stop``, set by
        SIGTERM, cuts it short); every failure names BILAT_DB, never a traceback.
        """
        attempt = 1
        while True:
            try:
                return await _OPENERS[is_url(target)](target, migrations)
            except DatabaseLocked as exc:
                where = redacted(target)
                if attempt == OPEN_ATTEMPTS:
                    raise DatabaseError(f"BILAT_DB: {where} stayed locked by another process "
                                        f"({exc}); is another Bilat running on it?") from None
                log.warning("%s is locked (%s); trying again", where, exc)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for((stop or asyncio.Event()).wait(), 2 ** (attempt - 1))
                if stop is not None and stop.is_set():
                    raise DatabaseError(f"BILAT_DB: stopped while {where} was locked") from None
                attempt += 1

    def vanished(self) -> str | None:
        """Why the store this connection writes to is gone, if it is (see SqliteDatabase)."""
        return None

    @abstractmethod
    async def close(self) -> None:
        """Close the connections (waits for a transaction in progress)."""

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Executor]:
        """One transaction: committed at the end, rolled back on any exception."""

    @abstractmethod
    async def execute(self, sql: str, params: Params = ()) -> Changes:
        """Run one statement in its own transaction."""

    async def executemany(self, sql: str, rows: Sequence[Params]) -> Changes:
        """Run one statement per parameter row, all in one transaction."""
        async with self.transaction() as tx:
            return await tx.executemany(sql, rows)

    @abstractmethod
    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        """Every row a query returns."""

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        """The first row a query returns, if any."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None


# Migrations ---------------------------------------------------------------------------------

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def migration_files(directory: Path = MIGRATIONS, dialect: Dialect = "sqlite") -> list[Path]:
    """The migration scripts, numbered 0001, 0002... without gaps.

    A script both dialects accept sits in ``directory``; where they truly differ, the
    PostgreSQL version of the same number sits in ``directory/postgresql`` and wins there.
    """
    found = sorted(p for p in directory.glob("*.sql") if _NAME.match(p.name))
    if not found:
        # A wheel built without package data has no .sql files: fail before any query does.
        raise DatabaseError(f"{directory}: no migration scripts; Bilat was installed without "
                            "bot/store/migrations/*.sql")
    for expected, path in enumerate(found, start=1):
        match = _NAME.match(path.name)
        if match is None or int(match[1]) != expected:
            raise DatabaseError(f"{path}: expected migration number {expected:04d}")
    if dialect != "sqlite":
        own = {p.name[:4]: p for p in (directory / dialect).glob("*.sql") if _NAME.match(p.name)}
        found = [own.get(p.name[:4], p) for p in found]
    return found


def too_new(label: str, current: int, latest: int) -> DatabaseTooNew:
    """The refusal to open a database migrated by a newer Bilat."""
    return DatabaseTooNew(
        f"{label}: the database is at schema version {current}, newer than this Bilat "
        f"knows ({latest}). Upgrade Bilat, or set BILAT_DB to another file.")
