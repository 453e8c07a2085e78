"""Who may change a room's subscription: power levels, with room version 12's creators.

From room version 12 on (MSC4289), the creators (the sender of ``m.room.create`` and the users
in its ``additional_creators``) have infinite power and are left out of
``m.room.power_levels``; a check that only reads ``power_levels`` would refuse them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Versions in which the creators are privileged; later numbered versions keep the rule.
PRIVILEGED_CREATOR_VERSIONS = frozenset({"org.matrix.hydra.11"})
FIRST_PRIVILEGED_VERSION = 12
STATE_DEFAULT = 50  # the spec's default when m.room.power_levels omits state_default
CREATOR_LEVEL_WITHOUT_POWER_LEVELS = 100


def creators_are_privileged(room_version: str) -> bool:
    """True for room versions that give creators infinite power (12 and later)."""
    if room_version in PRIVILEGED_CREATOR_VERSIONS:
        return True
    return room_version.isdigit() and int(room_version) >= FIRST_PRIVILEGED_VERSION


def _int(value: object, default: int) -> int:
    """A power level as an integer (old rooms may hold strings)."""
    try:
        return int(value)  # type: ignore[call-overload, no-any-return]
    except (TypeError, ValueError):
        return default


@dataclass(frozen=True)
class RoomPower:
    """The state that decides power in one room: its creation and its power levels."""

    room_version: str
    creator: str
    additional_creators: frozenset[str]
    power_levels: Mapping[str, Any] | None

    @classmethod
    def from_state(cls, create: Mapping[str, Any],
                   power_levels: Mapping[str, Any] | None) -> RoomPower:
        """Build from the full ``m.room.create`` event and the power levels' content."""
        content = create.get("content") or {}
        extra = content.get("additional_creators") or []
        # Before room version 11 the creator was named in the content; the sender is the same.
        creator = str(create.get("sender") or content.get("creator") or "")
        return cls(str(content.get("room_version") or "1"), creator,
                   frozenset(str(u) for u in extra if isinstance(u, str)), power_levels)

    @property
    def creators(self) -> frozenset[str]:
        """The users who created the room."""
        return self.additional_creators | {self.creator}

    def level(self, user_id: str) -> float:
        """The user's power level; infinite for a creator from room version 12 on."""
        if creators_are_privileged(self.room_version) and user_id in self.creators:
            return math.inf
        if self.power_levels is None:
            return CREATOR_LEVEL_WITHOUT_POWER_LEVELS if user_id == self.creator else 0
        users = self.power_levels.get("users") or {}
        default = _int(self.power_levels.get("users_default"), 0)
        return _int(users[user_id], default) if user_id in users else default

    def state_level(self) -> int:
        """The level needed to send state events (``state_default``)."""
        if self.power_levels is None:
            return 0
        return _int(self.power_levels.get("state_default"), STATE_DEFAULT)

    def can_manage(self, user_id: str, configured: int | None = None) -> bool:
        """True when the user may change the room's subscription."""
        needed = self.state_level() if configured is None else configured
        return self.level(user_id) >= needed
