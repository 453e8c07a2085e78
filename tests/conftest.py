"""Shared fixtures: the bundled data, the seed article, fixed instants, a fresh database, the
fake Bot API with the Telegram tests' world."""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

# Before telegram is imported by any test module (PTB 22 warns on int retry_after otherwise).
os.environ.setdefault("PTB_TIMEDELTA", "1")

from bot.core.clock import FixedClock, parse_instant
from bot.core.library import Library
from bot.store.db import Database
from tests.pgserver import PostgresServer, postgres_server
from tests.support.telegram import api  # noqa: F401 - the fake Bot API fixture, for every folder

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SEED = DATA / "articles" / "lagazette-2025-05-07-kazakhstan-france.yaml"
ZONE = "Asia/Almaty"


@pytest.fixture(scope="session")
def library() -> Library:
    """Every bundled article."""
    return Library.load(DATA)


@pytest.fixture(scope="session")
def seed_library() -> Library:
    """The seed article alone."""
    return Library.load(SEED)


@pytest.fixture
def may7() -> datetime:
    """As of the seed's publication day."""
    return parse_instant("2025-05-07", ZONE)


@pytest.fixture
def june15() -> datetime:
    """As of a day after every seed event."""
    return parse_instant("2025-06-15", ZONE)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the test database lives."""
    return tmp_path / "bilat.sqlite3"


@pytest.fixture
async def db(db_path: Path) -> AsyncIterator[Database]:
    """A migrated database, closed after the test."""
    database = await Database.open(db_path)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def clock() -> FixedClock:
    """Stands at 2025-05-07 20:00 UTC (after the seed article's publication) until moved."""
    return FixedClock(datetime(2025, 5, 7, 20, 0, tzinfo=UTC))


STORES = ["sqlite", "postgresql"]
_NAMES = itertools.count()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the session (skipped locally if missing, never in CI)."""
    with postgres_server() as server:
        yield server


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, db_path: Path) -> str:
    """Where a test's database lives, once per store: an SQLite file, a PostgreSQL URL."""
    if request.param == "sqlite":
        return str(db_path)
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.create(f"test{next(_NAMES)}")


@pytest.fixture
async def store_db(store: str) -> AsyncIterator[Database]:
    """A migrated database on each store, closed after the test."""
    database = await Database.open(store)
    try:
        yield database
    finally:
        await database.close()
