"""Matrix settings, as ``bot.config.Settings`` read and checked them (MATRIX_*)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.config import Secret, Settings

USER_ID = re.compile(r"^@[^:\s]+:(\S+)$")
DEFAULT_RATE = 0.2  # Synapse's default rc_message: 0.2 messages per second, burst of 10


@dataclass(frozen=True)
class MatrixSettings:
    """How to reach and log in to the homeserver, and the bot's room policies."""

    homeserver: str
    user_id: str
    store_dir: Path
    access_token: Secret | None = field(default=None, repr=False)
    password: Secret | None = field(default=None, repr=False)
    device_id: str | None = None
    allowed_servers: frozenset[str] = frozenset()
    manage_level: int | None = None
    rate: float = DEFAULT_RATE

    @property
    def server_name(self) -> str:
        """The bot's own server: ``bilat.test`` for ``@bilat:bilat.test``."""
        return server_of(self.user_id)

    def allows(self, user_id: str) -> bool:
        """True when invites from ``user_id`` may be accepted."""
        return "*" in self.allowed_servers or server_of(user_id) in self.allowed_servers

    @classmethod
    def from_settings(cls, settings: Settings) -> MatrixSettings | None:
        """None when Matrix is not configured (no MATRIX_HOMESERVER)."""
        if settings.matrix_homeserver is None or settings.matrix_user_id is None:
            return None
        user_id = settings.matrix_user_id
        servers = settings.matrix_allowed_servers or server_of(user_id)
        return cls(
            homeserver=settings.matrix_homeserver.rstrip("/"),
            user_id=user_id,
            store_dir=settings.matrix_store_dir or settings.db_path.parent / "matrix-store",
            access_token=settings.matrix_access_token,
            password=settings.matrix_password,
            device_id=settings.matrix_device_id,
            allowed_servers=frozenset(s.strip() for s in servers.split(",") if s.strip()),
            manage_level=settings.matrix_manage_level,
            rate=settings.matrix_messages_per_second or DEFAULT_RATE,
        )


def server_of(user_id: str) -> str:
    """The server part of a user id (everything after the first colon)."""
    return user_id.partition(":")[2]
