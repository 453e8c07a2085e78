"""Matrix settings, read from the merged environment that ``bot.config.Settings`` keeps."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from bot.config import ConfigError, Secret, is_placeholder

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
    def from_env(cls, env: Mapping[str, str], db_path: Path) -> MatrixSettings | None:
        """Read ``MATRIX_*``; None when Matrix is not configured (no ``MATRIX_HOMESERVER``)."""
        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        homeserver = get("MATRIX_HOMESERVER")
        if homeserver is None:
            return None
        if not re.match(r"^https?://[^\s/]+", homeserver):
            raise ConfigError(f"MATRIX_HOMESERVER: {homeserver!r} is not an http(s) URL")
        user_id = get("MATRIX_USER_ID")
        if user_id is None or not USER_ID.match(user_id):
            raise ConfigError("MATRIX_USER_ID: the bot's full user id, e.g. @bilat:example.org")
        token, password = _secret(get, "MATRIX_ACCESS_TOKEN"), _secret(get, "MATRIX_PASSWORD")
        if token is None and password is None:
            raise ConfigError("MATRIX_ACCESS_TOKEN: set it (preferred) or MATRIX_PASSWORD")
        servers = get("MATRIX_ALLOWED_SERVERS")
        allowed = {s.strip() for s in (servers or server_of(user_id)).split(",") if s.strip()}
        return cls(
            homeserver=homeserver.rstrip("/"),
            user_id=user_id,
            store_dir=Path(get("MATRIX_STORE_DIR") or db_path.parent / "matrix-store"),
            access_token=token,
            password=password,
            device_id=get("MATRIX_DEVICE_ID"),
            allowed_servers=frozenset(allowed),
            manage_level=_number(get, "MATRIX_MANAGE_LEVEL", int),
            rate=_number(get, "MATRIX_MESSAGES_PER_SECOND", float) or DEFAULT_RATE,
        )


def server_of(user_id: str) -> str:
    """The server part of a user id (everything after the first colon)."""
    return user_id.partition(":")[2]


Getter = Callable[[str], str | None]
Number = TypeVar("Number", int, float)


def _secret(get: Getter, name: str) -> Secret | None:
    value = get(name)
    if value is None:
        return None
    if is_placeholder(value):
        raise ConfigError(f"{name}: still a placeholder value; set the real one")
    return Secret(value)


def _number(get: Getter, name: str, kind: type[Number]) -> Number | None:
    value = get(name)
    if value is None:
        return None
    try:
        number = kind(value)
    except ValueError:
        raise ConfigError(f"{name}: {value!r} is not a number") from None
    if number < 0:
        raise ConfigError(f"{name}: {value!r} must not be negative")
    return number
