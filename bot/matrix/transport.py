"""Sending to Matrix rooms, for replies and for the delivery core's pushes.

matrix-nio is configured not to retry by itself (see ``client.client_config``), so every
failure comes back here and is classified for the sender: ``M_LIMIT_EXCEEDED`` waits
``retry_after_ms`` for that room only, ``M_FORBIDDEN`` and unknown rooms are terminal,
network and server errors are transient.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Sequence
from typing import Any

from aiohttp import ClientError
from nio import (  # type: ignore[import-untyped]
    AsyncClient,
    ErrorResponse,
    LocalProtocolError,
    RoomSendResponse,
    SendRetryError,
    UploadResponse,
)

from bot.core.network import Attachment, ChatRef, DeliveryError, Limits
from bot.core.render import Rendered
from bot.matrix.content import RAW_LIMIT, contents, relation

log = logging.getLogger(__name__)

NETWORK = "matrix"
READY_TIMEOUT = 30.0
DEFAULT_RETRY_AFTER = 5.0
TERMINAL_CODES = frozenset({"M_FORBIDDEN", "M_NOT_FOUND", "M_UNKNOWN_ROOM"})
NETWORK_ERRORS = (ClientError, TimeoutError, SendRetryError, ConnectionError)


def classify(response: ErrorResponse, replacement: str | None = None) -> DeliveryError:
    """The DeliveryError for a homeserver's error answer."""
    code = response.status_code or ""
    http = getattr(response.transport_response, "status", None)
    detail = str(response)
    if code == "M_LIMIT_EXCEEDED" or http == 429:
        wait = (response.retry_after_ms or DEFAULT_RETRY_AFTER * 1000) / 1000
        return DeliveryError("rate_limited", detail, retry_after=wait)
    if code in TERMINAL_CODES:
        if replacement:  # an upgraded room forbids posting: the room moved
            return DeliveryError("migrated", detail, new_chat_id=replacement)
        return DeliveryError("terminal", detail)
    if http is not None and http >= 500:
        return DeliveryError("transient", detail)
    return DeliveryError("unknown", detail)


def rate_limits(rate: float) -> Limits:
    """The homeserver's message rate as delivery Limits (Synapse counts per user)."""
    return Limits(global_per_second=rate, per_chat_per_second=rate,
                  per_group_per_minute=rate * 60, message_length=RAW_LIMIT,
                  count_visible=False)


class MatrixTransport:
    """Transport for the delivery core, and the send path of command replies."""

    network = NETWORK

    def __init__(self, client: AsyncClient, ready: asyncio.Event, rate: float) -> None:
        self.client = client
        self.ready = ready  # set after the first sync: rooms and encryption state are known
        self.limits = rate_limits(rate)

    def is_group(self, chat: ChatRef) -> bool:
        """Every Matrix room counts as a group."""
        return True

    async def send(self, chat: ChatRef, message: Rendered,
                   attachments: Sequence[Attachment] = ()) -> str:
        """Send a pushed message (in the chat's thread if it has one); the first event id."""
        ids = [await self.send_content(chat.chat_id, content)
               for content in contents(message, thread_root=chat.thread_id)]
        for item in attachments:
            ids.append(await self.send_attachment(chat.chat_id, item, chat.thread_id))
        return ids[0]

    async def send_content(self, room_id: str, content: dict[str, Any],
                           txn_id: str | None = None) -> str:
        """Send one ``m.room.message`` (encrypted when the room is); its event id."""
        await self._wait_ready()
        if room_id not in self.client.rooms:
            raise DeliveryError("terminal", f"the bot is not in room {room_id}")
        try:
            response = await self.client.room_send(room_id, "m.room.message", content,
                                                   tx_id=txn_id, ignore_unverified_devices=True)
        except NETWORK_ERRORS as exc:
            raise DeliveryError("transient", f"{type(exc).__name__}: {exc}") from exc
        except LocalProtocolError as exc:
            raise DeliveryError("terminal", str(exc)) from exc
        if isinstance(response, RoomSendResponse):
            return str(response.event_id)
        room = self.client.rooms.get(room_id)
        raise classify(response, room.replacement_room if room else None)

    async def send_attachment(self, room_id: str, item: Attachment,
                              thread_root: str | None = None) -> str:
        """Upload a file (encrypted for an encrypted room) and post it."""
        await self._wait_ready()
        room = self.client.rooms.get(room_id)
        encrypt = bool(room and room.encrypted)
        try:
            uploaded, keys = await self.client.upload(
                io.BytesIO(item.data), content_type=item.mime, filename=item.filename,
                encrypt=encrypt, filesize=len(item.data))
        except NETWORK_ERRORS as exc:
            raise DeliveryError("transient", f"{type(exc).__name__}: {exc}") from exc
        if not isinstance(uploaded, UploadResponse):
            raise classify(uploaded)
        content = file_content(item, uploaded.content_uri, keys)
        related = relation(None, thread_root)
        if related is not None:
            content["m.relates_to"] = related
        return await self.send_content(room_id, content)

    async def _wait_ready(self) -> None:
        try:
            await asyncio.wait_for(self.ready.wait(), READY_TIMEOUT)
        except TimeoutError:
            raise DeliveryError("transient", "not synced with the homeserver yet") from None


def file_content(item: Attachment, uri: str, keys: dict[str, Any] | None) -> dict[str, Any]:
    """An ``m.image`` or ``m.file`` message for an uploaded attachment."""
    kind = "m.image" if item.mime.startswith("image/") else "m.file"
    # Matrix 1.10 captions: the body is the caption when a filename is given beside it.
    content: dict[str, Any] = {"msgtype": kind, "body": item.caption or item.filename,
                               "filename": item.filename,
                               "info": {"mimetype": item.mime, "size": len(item.data)}}
    if keys is not None:
        content["file"] = {**keys, "url": uri}  # encrypted: the key travels in the event
    else:
        content["url"] = uri
    return content
