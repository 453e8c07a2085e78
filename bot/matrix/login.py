"""Logging in as the same device every time, with the crypto store beside the database.

An access token (preferred; homeservers behind next-generation auth give no password) is
bound to its device. A password login is done once: its device and token are saved in the
crypto store's directory, so the next start is the same device with the same keys.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from nio import (  # type: ignore[import-untyped]
    AsyncClient,
    AsyncClientConfig,
    LoginResponse,
    WhoamiResponse,
)

from bot.config import ConfigError
from bot.matrix.settings import MatrixSettings
from bot.matrix.transport import NETWORK_ERRORS

log = logging.getLogger(__name__)

SESSION_FILE = "session.json"
DEVICE_NAME = "Bilat"
CONNECT_ATTEMPTS = 5  # about 15 s of waiting for the homeserver at start


class MatrixAuthError(ConfigError):
    """The homeserver refused the bot's credentials (the message names the setting)."""


def client_config() -> AsyncClientConfig:
    """nio retries rate limits and connection errors forever by default: return them instead."""
    return AsyncClientConfig(max_limit_exceeded=0, max_timeouts=0, encryption_enabled=True,
                             store_sync_tokens=False, request_timeout=30)


async def connect(settings: MatrixSettings) -> AsyncClient:
    """A logged-in client with its crypto store loaded from ``settings.store_dir``."""
    settings.store_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    client = AsyncClient(settings.homeserver, settings.user_id, store_path=str(
        settings.store_dir), config=client_config())
    try:
        await _log_in(client, settings)
    except BaseException:
        await client.close()
        raise
    return client


async def _log_in(client: AsyncClient, settings: MatrixSettings) -> None:
    """Log in, waiting a little for a homeserver that is still starting."""
    wait = 1.0
    for attempt in range(1, CONNECT_ATTEMPTS + 1):
        try:
            if settings.access_token is not None:
                await _with_token(client, settings, settings.access_token.reveal())
            else:
                await _with_password(client, settings)
            return
        except NETWORK_ERRORS as exc:
            if attempt == CONNECT_ATTEMPTS:
                raise ConfigError(f"MATRIX_HOMESERVER: cannot reach {settings.homeserver}: "
                                  f"{exc}") from exc
            log.warning("matrix: homeserver unreachable (%s); retrying in %.0fs", exc, wait)
            await asyncio.sleep(wait)
            wait *= 2


async def _whoami(client: AsyncClient, token: str) -> WhoamiResponse | None:
    client.access_token = token
    answer = await client.whoami()
    return answer if isinstance(answer, WhoamiResponse) else None


async def _with_token(client: AsyncClient, settings: MatrixSettings, token: str) -> None:
    """Use the access token; its device is the bot's device."""
    who = await _whoami(client, token)
    if who is None:
        raise MatrixAuthError("MATRIX_ACCESS_TOKEN: the homeserver refused the token")
    if who.user_id != settings.user_id:
        raise ConfigError(f"MATRIX_ACCESS_TOKEN belongs to {who.user_id}, "
                          f"not MATRIX_USER_ID {settings.user_id}")
    if settings.device_id and who.device_id != settings.device_id:
        raise ConfigError(f"MATRIX_DEVICE_ID: the token belongs to device {who.device_id}")
    client.restore_login(who.user_id, who.device_id, token)


@dataclass(frozen=True)
class SavedSession:
    """A password login's device and token, kept beside the crypto store they belong to."""

    user_id: str
    device_id: str
    access_token: str

    @classmethod
    def read(cls, path: Path) -> SavedSession | None:
        """The saved session, if any."""
        try:
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None

    def write(self, path: Path) -> None:
        """Save it readable by the bot's user only (the token is a secret)."""
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(self.__dict__, out)


async def _with_password(client: AsyncClient, settings: MatrixSettings) -> None:
    """Log in with the password once; later runs reuse the saved device and token."""
    path = settings.store_dir / SESSION_FILE
    saved = SavedSession.read(path)
    if saved is not None and saved.user_id != settings.user_id:
        saved = None
    device = settings.device_id or (saved.device_id if saved else None)
    if saved is not None and saved.device_id == device:
        who = await _whoami(client, saved.access_token)
        if who is not None and who.device_id == device:
            client.restore_login(settings.user_id, device, saved.access_token)
            return
    assert settings.password is not None
    client.access_token, client.device_id = "", device
    answer = await client.login(settings.password.reveal(), device_name=DEVICE_NAME)
    if not isinstance(answer, LoginResponse):
        raise MatrixAuthError(f"MATRIX_PASSWORD: login refused: {answer}")
    SavedSession(answer.user_id, answer.device_id, answer.access_token).write(path)
    log.info("matrix: logged in as %s, device %s", answer.user_id, answer.device_id)
