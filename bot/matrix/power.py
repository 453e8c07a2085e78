"""Each room's create event and power levels, kept from sync, fetched when missing.

The raw event sources are kept (not nio's parsed room state): nio's MatrixRoom drops the
create event's sender and ``additional_creators``, which room version 12 needs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nio import AsyncClient, RoomGetStateResponse  # type: ignore[import-untyped]

from bot.matrix.permissions import RoomPower

log = logging.getLogger(__name__)

CREATE, POWER_LEVELS = "m.room.create", "m.room.power_levels"


@dataclass
class RoomState:
    """What decides power in one room, as raw event dicts."""

    create: Mapping[str, Any] | None = None
    power_levels: Mapping[str, Any] | None = None


@dataclass
class PowerCache:
    """Power-deciding state of every room the bot is in."""

    client: AsyncClient
    rooms: dict[str, RoomState] = field(default_factory=dict)

    def observe(self, room_id: str, sources: Iterable[Mapping[str, Any]]) -> None:
        """Keep the create and power-levels events among ``sources`` (sync state, timeline)."""
        for source in sources:
            kind = source.get("type")
            if kind not in (CREATE, POWER_LEVELS) or source.get("state_key") != "":
                continue
            state = self.rooms.setdefault(room_id, RoomState())
            if kind == CREATE:
                state.create = source
            else:
                state.power_levels = source.get("content") or {}

    def forget(self, room_id: str) -> None:
        """Drop a room the bot left."""
        self.rooms.pop(room_id, None)

    async def power(self, room_id: str) -> RoomPower | None:
        """The room's power state; None when the homeserver cannot tell."""
        state = self.rooms.get(room_id)
        if state is None or state.create is None:
            await self._fetch(room_id)
            state = self.rooms.get(room_id)
        if state is None or state.create is None:
            return None
        return RoomPower.from_state(state.create, state.power_levels)

    async def can_manage(self, room_id: str, user_id: str, configured: int | None) -> bool:
        """True when ``user_id`` may change the room's subscription."""
        power = await self.power(room_id)
        return power is not None and power.can_manage(user_id, configured)

    async def _fetch(self, room_id: str) -> None:
        response = await self.client.room_get_state(room_id)
        if isinstance(response, RoomGetStateResponse):
            self.observe(room_id, response.events)
        else:
            log.warning("matrix room %s: cannot read its state: %s", room_id, response)
