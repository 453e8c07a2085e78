"""Shared fixtures: the bundled data, the seed article, fixed instants."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from bot.core.clock import parse_instant
from bot.core.library import Library

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
