"""One Synapse for the Matrix tests; humans and a Bilat bot per test, all closed after."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.core.clock import FixedClock, parse_instant
from bot.core.library import Library
from tests.conftest import ZONE
from tests.fakes.synapse import Synapse, synapse_fixture
from tests.matrix.helpers import BotRun, Human

synapse = synapse_fixture(scope="session", name="synapse")

MakeHuman = Callable[[str], Awaitable[Human]]


def unique(name: str) -> str:
    """A user name no other test uses."""
    return f"{name}-{secrets.token_hex(3)}"


@pytest.fixture
def clock() -> FixedClock:
    """As of the seed article's day, in Almaty."""
    return FixedClock(parse_instant("2025-05-07", ZONE))


@pytest.fixture
async def people(synapse: Synapse, tmp_path: Path) -> AsyncIterator[MakeHuman]:
    """Makes logged-in humans; closes them all after the test."""
    made: list[Human] = []

    async def make(name: str) -> Human:
        user = await synapse.register(unique(name), secrets.token_hex(8))
        human = await Human.login(synapse, user, tmp_path / "people" / user.user_id)
        made.append(human)
        return human

    yield make
    for human in made:
        await human.close()


@pytest.fixture
async def bot(synapse: Synapse, tmp_path: Path, library: Library,
              clock: FixedClock) -> AsyncIterator[BotRun]:
    """A registered (not yet started) Bilat bot; stopped after the test."""
    account = await synapse.register(unique("bilat"), secrets.token_hex(8))
    run = BotRun(synapse, account, tmp_path / "bot", library, clock)
    yield run
    await run.halt()
