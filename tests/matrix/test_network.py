"""``bilat run``'s Matrix side: configured from MATRIX_*, one device across restarts."""

from __future__ import annotations

import asyncio
import secrets
import signal
from pathlib import Path

from bot.config import Settings
from bot.core.clock import FixedClock
from bot.core.library import Library
from bot.core.session import Session
from bot.matrix.client import matrix_bot
from bot.store.db import Database
from tests.fakes.synapse import Synapse, _http_json
from tests.matrix.conftest import MakeHuman, unique
from tests.matrix.helpers import run_matrix_only


def _settings(tmp_path: Path, **env: str) -> Settings:
    base = {"BILAT_DB": str(tmp_path / "state" / "bilat.sqlite3")}
    return Settings.load(environ={**base, **env}, env_file=tmp_path / "no.env")


async def test_matrix_is_left_out_when_not_configured(tmp_path: Path, library: Library,
                                                      clock: FixedClock) -> None:
    async with await Database.open(":memory:") as db:
        assert matrix_bot(_settings(tmp_path), Session(lambda: library, clock), db) is None


async def test_a_password_login_keeps_its_device_across_restarts(
        tmp_path: Path, synapse: Synapse, people: MakeHuman, library: Library,
        clock: FixedClock) -> None:
    """Logged in with a password, the bot is the same device (and crypto store) next time."""
    password = secrets.token_hex(8)
    account = await synapse.register(unique("bilat"), password)
    settings = _settings(tmp_path, MATRIX_HOMESERVER=synapse.url,
                         MATRIX_USER_ID=account.user_id, MATRIX_PASSWORD=password)
    alice = await people("alice")
    devices = []
    async with await Database.open(settings.db_path) as db:
        for command in ("!trade", "!events"):
            network = matrix_bot(settings, Session(lambda: library, clock), db)
            assert network is not None
            await network.start()
            try:
                await network.transport.ready.wait()
                assert network.bot is not None
                devices.append(network.bot.client.device_id)
                if command == "!trade":
                    room = await alice.create_room(account.user_id, encrypted=True)
                    await alice.wait_member(room, account.user_id)
                sent = await alice.send(room, command)
                await alice.reply(room, sent)
            finally:
                await network.stop()
    assert devices[0] == devices[1]
    listed = _http_json("GET", f"{synapse.url}/_matrix/client/v3/devices",
                        token=account.access_token)["devices"]
    assert len(listed) == 2  # the registration's device and Bilat's one, not one per start
    assert (tmp_path / "state" / "matrix-store" / "session.json").stat().st_mode & 0o077 == 0


async def test_bilat_run_serves_matrix_and_stops_on_sigterm(
        tmp_path: Path, synapse: Synapse, people: MakeHuman) -> None:
    """``bilat run`` with only MATRIX_* set answers in Matrix and exits cleanly on SIGTERM."""
    account = await synapse.register(unique("bilat"), secrets.token_hex(8))
    process = await run_matrix_only(tmp_path, synapse, account)
    try:
        alice = await people("alice")
        room = await alice.create_room(account.user_id)
        await alice.wait_member(room, account.user_id)
        sent = await alice.send(room, "!trade")
        [reply] = await alice.reply(room, sent)
        assert reply["content"]["body"].startswith("Kazakhstan–France trade")
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()
