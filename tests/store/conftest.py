"""These tests run once on each store: SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from bot.store.db import Database


@pytest.fixture
def db(store_db: Database) -> Database:
    """The database, on each store in turn."""
    return store_db
