"""Checks that the real-Synapse fixture works, driven by matrix-nio over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from nio import (  # type: ignore[import-untyped]
    AsyncClient,
    AsyncClientConfig,
    JoinResponse,
    RoomCreateResponse,
    RoomGetStateEventResponse,
    RoomMessageText,
    RoomSendError,
    RoomSendResponse,
    SyncResponse,
    WhoamiResponse,
)

from .synapse import RegisteredUser, Synapse, rate_limit_config, synapse_fixture

synapse_server = synapse_fixture(scope="module")

SYNC_ATTEMPTS = 20


@asynccontextmanager
async def nio_client(
    server: Synapse, user: RegisteredUser, **config: object
) -> AsyncIterator[AsyncClient]:
    """Yield a nio client logged in as ``user``; always close its HTTP session."""
    client_config = AsyncClientConfig(encryption_enabled=False, **config)
    client = AsyncClient(server.url, user.user_id, config=client_config)
    client.restore_login(user.user_id, user.device_id, user.access_token)
    try:
        yield client
    finally:
        await client.close()


async def first_text_in(client: AsyncClient, room_id: str) -> RoomMessageText | None:
    """Sync until a text message shows up in ``room_id``; return it (None if never)."""
    for _ in range(SYNC_ATTEMPTS):
        response = await client.sync(timeout=500)
        assert isinstance(response, SyncResponse), response
        room = response.rooms.join.get(room_id)
        texts = [e for e in room.timeline.events if isinstance(e, RoomMessageText)] if room else []
        if texts:
            return texts[0]
    return None


async def test_two_users_talk_in_a_v12_room(synapse_server: Synapse) -> None:
    """A creates a v12 room and invites B; B joins and reads A's message."""
    alice = await synapse_server.register("alice", "alice-password")
    bob = await synapse_server.register("bob", "bob-password")
    assert alice.user_id == f"@alice:{synapse_server.server_name}"
    async with nio_client(synapse_server, alice) as a, nio_client(synapse_server, bob) as b:
        created = await a.room_create(name="Bilat", room_version="12", invite=[bob.user_id])
        assert isinstance(created, RoomCreateResponse), created
        room_id = created.room_id
        assert ":" not in room_id  # v12 room IDs carry no server name
        create_event = await a.room_get_state_event(room_id, "m.room.create")
        assert isinstance(create_event, RoomGetStateEventResponse), create_event
        assert create_event.content["room_version"] == "12"
        assert isinstance(await b.join(room_id), JoinResponse)
        content = {"msgtype": "m.text", "body": "Bonjour / Hello"}
        assert isinstance(await a.room_send(room_id, "m.room.message", content), RoomSendResponse)
        message = await first_text_in(b, room_id)
        assert message is not None
        assert (message.sender, message.body) == (alice.user_id, "Bonjour / Hello")


async def test_access_token_survives_restart(synapse_server: Synapse) -> None:
    """After restart() the server is on the same URL and the old token still works."""
    carol = await synapse_server.register("carol", "carol-password")
    url = synapse_server.url
    async with nio_client(synapse_server, carol) as client:
        assert isinstance(await client.whoami(), WhoamiResponse)
        await synapse_server.restart()
        assert synapse_server.url == url
        whoami = await client.whoami()
        assert isinstance(whoami, WhoamiResponse), whoami
        assert (whoami.user_id, whoami.device_id) == (carol.user_id, carol.device_id)


async def test_message_rate_override_gives_limit_exceeded(synapse_server: Synapse) -> None:
    """A per-user rc_message override makes Synapse answer M_LIMIT_EXCEEDED."""
    dave = await synapse_server.register("dave", "dave-password")
    await synapse_server.override_message_rate(dave.user_id, per_second=1, burst_count=1)
    async with nio_client(synapse_server, dave, max_limit_exceeded=0) as client:
        created = await client.room_create(name="flood")
        assert isinstance(created, RoomCreateResponse), created
        content = {"msgtype": "m.text", "body": "spam"}
        sends = [client.room_send(created.room_id, "m.room.message", content) for _ in range(4)]
        results = await asyncio.gather(*sends)
    errors = [r for r in results if isinstance(r, RoomSendError)]
    assert errors, results
    assert errors[0].status_code == "M_LIMIT_EXCEEDED"
    assert errors[0].retry_after_ms and errors[0].retry_after_ms > 0


def test_strict_flag_only_tightens_rc_message() -> None:
    """strict_message_rate changes rc_message and leaves the other limits relaxed."""
    relaxed, strict = rate_limit_config(), rate_limit_config(strict_messages=True)
    assert strict["rc_message"]["burst_count"] < relaxed["rc_message"]["burst_count"]
    assert strict["rc_joins"] == relaxed["rc_joins"]
    assert "rc_login" in relaxed and "address" in relaxed["rc_login"]
