"""A lost homeserver shows in /healthz; a revoked token ends a Matrix-only process.

Issue 10, items 16 and 17, against the real Synapse. The homeserver is "lost" by closing a
TCP relay between the bot and Synapse: the network edge, not a mock.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import signal
import time
from dataclasses import replace
from pathlib import Path

from bot.core.clock import FixedClock
from bot.core.session import Session
from bot.matrix.client import MatrixNetwork
from bot.matrix.rooms import RoomStore
from bot.ops.health import Health
from bot.store.db import Database
from tests.fakes.synapse import Synapse, _http_json
from tests.matrix.conftest import MakeHuman, unique
from tests.matrix.helpers import BotRun, run_matrix_only
from tests.support.net import free_port

WAIT = 30.0


class Relay:
    """A TCP relay to Synapse that can be cut and restored on the same port."""

    def __init__(self, target_port: int) -> None:
        self.target_port, self.port = target_port, free_port()
        self.server: asyncio.Server | None = None
        self.links: set[asyncio.StreamWriter] = set()

    async def up(self) -> None:
        """Accept and relay connections."""
        self.server = await asyncio.start_server(self._link, "127.0.0.1", self.port,
                                                 reuse_address=True)

    async def down(self) -> None:
        """Refuse new connections and cut the open ones."""
        assert self.server is not None
        self.server.close()
        for writer in list(self.links):
            writer.close()
        await self.server.wait_closed()

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        self.links.update((writer, up_writer))
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, ConnectionError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()
        self.links.discard(writer)


async def until(check: object, within: float = WAIT) -> None:
    """Until ``check()`` is true."""
    assert callable(check)
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, "never happened"
        await asyncio.sleep(0.1)


async def test_health_sees_the_homeserver_go_and_come_back(
        synapse: Synapse, bot: BotRun, clock: FixedClock, tmp_path: Path) -> None:
    relay = Relay(synapse.port)
    await relay.up()
    settings = replace(bot.settings(), homeserver=f"http://127.0.0.1:{relay.port}")
    async with await Database.open(tmp_path / "lost.sqlite3") as db:
        store = RoomStore(db, clock, settings.user_id, "en", "Asia/Almaty")
        network = MatrixNetwork(settings, store, Session(lambda: bot.library, clock))
        health = Health(db, clock)
        await network.start()
        health.started("matrix", network.connected)
        try:
            await until(network.connected)
            assert (await health.verdict()).ready
            await relay.down()
            await until(lambda: not network.connected())
            verdict = await health.verdict()
            assert not verdict.ready
            assert verdict.body["networks"] == {"matrix": "not connected"}
            await relay.up()
            await until(network.connected)
            assert (await health.verdict()).ready
        finally:
            await network.stop()
            with contextlib.suppress(AssertionError):
                await relay.down()


async def test_a_revoked_token_ends_a_matrix_only_process(
        tmp_path: Path, synapse: Synapse, people: MakeHuman) -> None:
    account = await synapse.register(unique("bilat"), secrets.token_hex(8))
    process = await run_matrix_only(tmp_path, synapse, account)
    try:
        alice = await people("alice")
        room = await alice.create_room(account.user_id)
        await alice.wait_member(room, account.user_id)
        [reply] = await alice.reply(room, await alice.send(room, "!trade"))
        assert reply["content"]["body"].startswith("Kazakhstan–France trade")
        _http_json("POST", f"{synapse.url}/_matrix/client/v3/logout", {},
                   token=account.access_token)  # the token is revoked
        _, stderr = await asyncio.wait_for(process.communicate(), 60)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            await process.wait()
    err = stderr.decode()
    assert process.returncode == 1, err
    assert "check MATRIX_ACCESS_TOKEN or MATRIX_PASSWORD" in err
    assert "every network has stopped by itself" in err
    assert account.access_token not in err
