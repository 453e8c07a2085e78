"""Fixtures for delivery tests: a fresh database, a fixed clock, subscribed chats."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.clock import FixedClock
from bot.store.db import Database


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
