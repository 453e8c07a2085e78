"""People and a bot on a real Synapse: a human's nio client, and the Bilat bot in a task."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nio import (  # type: ignore[import-untyped]
    AsyncClient,
    AsyncClientConfig,
    RoomCreateResponse,
    RoomSendResponse,
    SyncResponse,
)

from bot.config import Secret
from bot.core.clock import Clock
from bot.core.library import Library
from bot.core.session import Session
from bot.matrix.client import MatrixBot
from bot.matrix.login import connect
from bot.matrix.rooms import RoomStore
from bot.matrix.settings import MatrixSettings
from bot.store.db import Database
from tests.conftest import ROOT
from tests.fakes.synapse import RegisteredUser, Synapse, _http_json
from tests.support.process import clean_environ
from tests.support.wait import eventually

ENCRYPTION = {"type": "m.room.encryption", "state_key": "",
              "content": {"algorithm": "m.megolm.v1.aes-sha2"}}
WAIT = 20.0


@dataclass
class Human:
    """A person in Element, played by a nio client with its own crypto store."""

    server: Synapse
    user: RegisteredUser
    client: AsyncClient
    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @classmethod
    async def login(cls, server: Synapse, user: RegisteredUser, store: Path) -> Human:
        """A logged-in client whose device keys are uploaded."""
        await asyncio.to_thread(store.mkdir, parents=True, exist_ok=True)
        config = AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False,
                                   max_limit_exceeded=0, max_timeouts=3)
        client = AsyncClient(server.url, user.user_id, device_id=user.device_id,
                             store_path=str(store), config=config)
        client.restore_login(user.user_id, user.device_id, user.access_token)
        human = cls(server, user, client)
        await human.sync(0)
        if client.should_upload_keys:
            await client.keys_upload()
        return human

    @property
    def user_id(self) -> str:
        """The human's user id."""
        return str(self.user.user_id)

    async def close(self) -> None:
        """Close the HTTP session."""
        await self.client.close()

    async def sync(self, wait_ms: int = 200) -> None:
        """One sync; every timeline event is kept (decrypted when possible)."""
        response = await self.client.sync(timeout=wait_ms)
        assert isinstance(response, SyncResponse), response
        for room_id, info in response.rooms.join.items():
            self.events.setdefault(room_id, []).extend(e.source for e in info.timeline.events)

    async def create_room(self, *invite: str, encrypted: bool = False, version: str = "12",
                          **raw: Any) -> str:
        """A private room of ``version``; ``raw`` goes straight into createRoom."""
        if raw:
            body = {"room_version": version, "invite": list(invite), "preset": "private_chat",
                    "initial_state": [ENCRYPTION] if encrypted else [], **raw}
            room_id = str(self.api("POST", "/createRoom", body)["room_id"])
        else:
            created = await self.client.room_create(
                room_version=version, invite=list(invite),
                initial_state=[ENCRYPTION] if encrypted else [])
            assert isinstance(created, RoomCreateResponse), created
            room_id = str(created.room_id)
        await self.sync(0)
        return room_id

    async def join(self, room_id: str) -> None:
        """Join a room (after an invite)."""
        await self.client.join(room_id)
        await self.sync(0)

    def membership(self, room_id: str, user_id: str) -> str | None:
        """The latest membership of ``user_id`` seen in ``room_id``'s timeline."""
        found = None
        for event in self.events.get(room_id, []):
            if event.get("type") == "m.room.member" and event.get("state_key") == user_id:
                found = (event.get("content") or {}).get("membership")
        return found

    async def wait_member(self, room_id: str, user_id: str, membership: str = "join") -> None:
        """Until ``user_id``'s membership in ``room_id`` is ``membership``."""
        async def reached() -> bool:
            return self.membership(room_id, user_id) == membership
        await self.until(reached)

    def api(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """A raw client-server API call as this person."""
        return _http_json(method, f"{self.server.url}/_matrix/client/v3{path}", body,
                          self.user.access_token)

    async def send(self, room_id: str, body: str, *, msgtype: str = "m.text",
                   thread: str | None = None) -> str:
        """Send a message (encrypted in an encrypted room); its event id."""
        content: dict[str, Any] = {"msgtype": msgtype, "body": body}
        if thread is not None:
            content["m.relates_to"] = {"rel_type": "m.thread", "event_id": thread,
                                       "is_falling_back": True,
                                       "m.in_reply_to": {"event_id": thread}}
        if self.client.should_query_keys:
            await self.client.keys_query()
        response = await self.client.room_send(room_id, "m.room.message", content,
                                               ignore_unverified_devices=True)
        assert isinstance(response, RoomSendResponse), response
        return str(response.event_id)

    def replies_to(self, room_id: str, event_id: str) -> list[dict[str, Any]]:
        """The bot's notices that answer ``event_id``."""
        return [e for e in self.events.get(room_id, []) if _reply_target(e) == event_id]

    async def reply(self, room_id: str, event_id: str, count: int = 1) -> list[dict[str, Any]]:
        """Sync until ``count`` replies to ``event_id`` arrived; return them."""
        async def arrived() -> bool:
            return len(self.replies_to(room_id, event_id)) >= count
        await self.until(arrived)
        return self.replies_to(room_id, event_id)

    async def until(self, check: Callable[[], Awaitable[bool]], wait: float = WAIT) -> None:
        """Sync until ``check()`` is true; fail after ``wait`` seconds."""
        async def synced() -> bool:
            if await check():
                return True
            await self.sync()
            return False
        await eventually(synced, wait, "an event from the homeserver")


def _reply_target(event: dict[str, Any]) -> str | None:
    content = event.get("content") or {}
    if content.get("msgtype") != "m.notice":
        return None
    rel = content.get("m.relates_to") or {}
    return (rel.get("m.in_reply_to") or {}).get("event_id")


def formatted(event: dict[str, Any]) -> str:
    """A notice's HTML."""
    return str(event["content"]["formatted_body"])


@dataclass
class BotRun:
    """Bilat's Matrix bot running in a task, with its own database and crypto store."""

    server: Synapse
    account: RegisteredUser
    home: Path
    library: Library
    clock: Clock
    allowed: frozenset[str] = frozenset()
    bot: MatrixBot | None = None
    db: Database | None = None
    task: asyncio.Task[None] | None = None
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    def settings(self) -> MatrixSettings:
        """The bot's Matrix settings, as MATRIX_* would give them."""
        return MatrixSettings(
            homeserver=self.server.url, user_id=self.account.user_id,
            store_dir=self.home / "matrix-store",
            access_token=Secret(self.account.access_token),
            allowed_servers=self.allowed or frozenset({self.server.server_name}), rate=50.0)

    async def start(self) -> MatrixBot:
        """Log in and start syncing; returns once the first sync was handled."""
        settings = self.settings()
        self.db = await Database.open(self.home / "bilat.sqlite3")
        store = RoomStore(self.db, self.clock, settings.user_id, "en", "Asia/Almaty")
        client = await connect(settings)
        self.bot = MatrixBot(client, settings, store, Session(lambda: self.library, self.clock,
                                                              "en", "Asia/Almaty"),
                             decrypt_grace=1.0, sync_timeout_ms=2000)
        self.stop = asyncio.Event()
        self.task = asyncio.create_task(self.bot.run(self.stop))
        await asyncio.wait_for(self.bot.ready.wait(), WAIT)
        return self.bot

    async def synced_past(self) -> None:
        """Until the bot has finished handling the sync in hand (or the next one)."""
        assert self.bot is not None
        bot, target = self.bot, self.bot.syncs + 1
        await eventually(lambda: bot.syncs >= target, WAIT, "the bot's next sync")

    async def halt(self) -> None:
        """Stop the bot and close its client and database."""
        self.stop.set()
        task, bot, db = self.task, self.bot, self.db
        self.task = self.bot = self.db = None
        try:
            if task is not None:
                await asyncio.wait_for(task, WAIT)  # cancelled if it does not stop in time
        finally:
            if bot is not None:
                await bot.close()
            if db is not None:
                await db.close()



async def run_matrix_only(tmp_path: Path, synapse: Synapse,
                          account: RegisteredUser) -> asyncio.subprocess.Process:
    """``python -m bot run`` with only MATRIX_* set (stderr piped, no endpoint)."""
    env = clean_environ(BILAT_DB=str(tmp_path / "bilat.sqlite3"), BILAT_NOW="2025-05-08",
                        MATRIX_HOMESERVER=synapse.url, MATRIX_USER_ID=account.user_id,
                        MATRIX_ACCESS_TOKEN=account.access_token, BILAT_HTTP_PORT="0")
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
