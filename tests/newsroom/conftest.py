"""The newsroom's fixtures: a loopback publisher, a poller over a temporary sources file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.core.clock import FixedClock, parse_instant
from bot.core.library import Library
from bot.newsroom.desk import Desk
from bot.newsroom.fetch import Limits
from bot.newsroom.poller import Poller, PollSettings
from bot.store.db import Database
from tests.conftest import ZONE
from tests.newsroom.site import Site, serving

FAST = PollSettings(interval=60.0, host_gap=0.0,
                    limits=Limits(max_bytes=1_000_000, total_seconds=1.0, read_seconds=1.0))

TITLE = "Kazakhstan and France sign twelve agreements in Astana"
BODY = ("Kazakhstan and France signed twelve agreements in Astana on 10 June 2025, the Kazakh "
        "foreign ministry said.\n\n"
        "Trade between Kazakhstan and France reached $5.1 billion in 2024, up 12% from a year "
        "earlier.\n\n"
        "French investment in Kazakhstan totalled $19 billion since 2005.")


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    """A publisher on loopback, serving nothing until a test adds to it."""
    async with serving(Site()) as running:
        yield running


@pytest.fixture
def clock() -> FixedClock:
    """The bot's clock, on the day the test articles appear."""
    return FixedClock(parse_instant("2025-06-11", ZONE))


@pytest.fixture
def sources_path(tmp_path: Path) -> Path:
    """Where the test's sources file lives."""
    return tmp_path / "sources.yaml"


@pytest.fixture
async def poller(db: Database, sources_path: Path, library: Library,
                 clock: FixedClock) -> AsyncIterator[Poller]:
    """A poller with its HTTP client open, no host gap and short time limits."""
    found = Poller(db, sources_path, Desk(lambda: library), clock.now, FAST)
    async with found.opened():
        yield found


def now_of(clock: FixedClock) -> datetime:
    """The clock's instant (a helper for readability)."""
    return clock.now()
