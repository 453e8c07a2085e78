"""A real Synapse homeserver on 127.0.0.1 for the Matrix tests.

Synapse lives in its own virtualenv (``scripts/install-synapse.sh``, default
``<repo>/.venv-synapse``, or ``$BILAT_SYNAPSE_VENV``). :class:`Synapse` writes a
config into a work directory (SQLite, no federation, shared-secret registration,
relaxed or strict rate limits), runs the server as a subprocess and manages it.

The process handling is plain ``subprocess`` and the HTTP calls are ``urllib``, so a
:class:`Synapse` is bound to no event loop: one server can serve a whole session while
each test runs in its own loop. The async methods run the blocking work in a thread, so
the loop (and a bot running in it) keeps going during, say, :meth:`Synapse.restart`.

In a conftest::

    synapse_server = synapse_fixture(scope="session")
    strict_synapse = synapse_fixture(scope="module", strict_message_rate=True)
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Self

import pytest

from tests.support.net import free_port

if TYPE_CHECKING:
    from _pytest.fixtures import FixtureFunctionDefinition

REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_ENV_VAR = "BILAT_SYNAPSE_VENV"
MARKER_NAME = ".synapse-version"
INSTALL_HINT = "run scripts/install-synapse.sh"

START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
POLL_INTERVAL = 0.05
HTTP_TIMEOUT = 10.0
LOG_TAIL_LINES = 40

RELAXED_RATE = {"per_second": 1000.0, "burst_count": 10000}
STRICT_MESSAGE_RATE = {"per_second": 1.0, "burst_count": 2}
_RATE_LIMIT_KEYS = (
    "rc_message",
    "rc_registration",
    "rc_login.address",
    "rc_login.account",
    "rc_login.failed_attempts",
    "rc_admin_redaction",
    "rc_joins.local",
    "rc_joins.remote",
    "rc_joins_per_room",
    "rc_key_requests",
    "rc_3pid_validation",
    "rc_invites.per_room",
    "rc_invites.per_user",
    "rc_invites.per_issuer",
    "rc_third_party_invite",
    "rc_media_create",
    "rc_presence.per_user",
    "rc_delayed_event_mgmt",
    "rc_room_creation",
    "rc_reports",
    "rc_user_directory",
    "rc_profile",
)

ScopeName = Literal["session", "package", "module", "class", "function"]


class SynapseError(RuntimeError):
    """Synapse failed to start, stop or answer as expected."""


class RegisteredUser(NamedTuple):
    """A user created through the shared-secret admin registration API."""

    user_id: str
    access_token: str
    device_id: str


def synapse_venv() -> Path:
    """Return the virtualenv that holds Synapse."""
    override = os.environ.get(VENV_ENV_VAR)
    return Path(override) if override else REPO_ROOT / ".venv-synapse"


def synapse_available(venv: Path | None = None) -> str | None:
    """Return why Synapse cannot run, or None when its virtualenv is ready."""
    venv = venv or synapse_venv()
    if not (venv / "bin" / "python").is_file():
        return f"no Synapse virtualenv at {venv} ({INSTALL_HINT})"
    if not (venv / MARKER_NAME).is_file():
        return f"Synapse install in {venv} is incomplete ({INSTALL_HINT})"
    return None


def registration_mac(secret: str, nonce: str, user: str, password: str, admin: bool) -> str:
    """Return the HMAC-SHA1 that the shared-secret registration API expects."""
    parts = (nonce, user, password, "admin" if admin else "notadmin")
    message = b"\x00".join(part.encode() for part in parts)
    return hmac.new(secret.encode(), message, hashlib.sha1).hexdigest()


def _signing_key() -> str:
    """Return a fresh ed25519 signing key in Synapse's file format."""
    seed = base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    return f"ed25519 a_{secrets.token_hex(2)} {seed}\n"


def _nested(dotted: str, value: object) -> dict[str, Any]:
    """Turn ``"a.b"`` and a value into ``{"a": {"b": value}}``."""
    head, _, rest = dotted.partition(".")
    return {head: _nested(rest, value) if rest else value}


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``extra`` into ``base`` recursively, in place, and return ``base``."""
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
    return base


def rate_limit_config(strict_messages: bool = False) -> dict[str, Any]:
    """Return relaxed ``rc_*`` settings, with a strict ``rc_message`` if asked."""
    config: dict[str, Any] = {}
    for key in _RATE_LIMIT_KEYS:
        _merge(config, _nested(key, dict(RELAXED_RATE)))
    if strict_messages:
        config["rc_message"] = dict(STRICT_MESSAGE_RATE)
    return config


def _log_config(log_path: Path) -> dict[str, Any]:
    """Return a logging dictConfig that writes WARNING and above to ``log_path``."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
        "handlers": {
            "file": {
                "class": "logging.FileHandler",
                "formatter": "plain",
                "filename": str(log_path),
                "encoding": "utf8",
            }
        },
        "root": {"level": "WARNING", "handlers": ["file"]},
    }


def _tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    """Return the last lines of a file, or a note that it is missing."""
    try:
        text = path.read_text(encoding="utf8", errors="replace")
    except FileNotFoundError:
        return f"({path.name} missing)"
    return "\n".join(text.splitlines()[-lines:])


def _http_json(
    method: str, url: str, body: Mapping[str, Any] | None = None, token: str | None = None
) -> dict[str, Any]:
    """Send one JSON request and return the decoded JSON answer."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
            answer: dict[str, Any] = json.load(response)
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")
        raise SynapseError(f"{method} {url} -> {exc.code}: {detail}") from exc
    return answer


class Synapse:
    """One Synapse homeserver process with its config and data in a work directory."""

    def __init__(
        self,
        *,
        server_name: str = "bilat.test",
        room_version: str = "12",
        strict_message_rate: bool = False,
        extra_config: Mapping[str, Any] | None = None,
        workdir: Path | None = None,
        venv: Path | None = None,
    ) -> None:
        """Prepare (not start) a server; ``extra_config`` is merged over the defaults."""
        self.server_name = server_name
        self.room_version = room_version
        self.strict_message_rate = strict_message_rate
        self.extra_config: Mapping[str, Any] = extra_config or {}
        self.venv = venv or synapse_venv()
        self._own_workdir = workdir is None
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="bilat-synapse-"))
        self.port = free_port()
        self.registration_secret = secrets.token_urlsafe(24)
        self._proc: subprocess.Popen[bytes] | None = None
        self._admin: RegisteredUser | None = None
        self._configured = False

    @property
    def url(self) -> str:
        """Return the base URL of the client-server API."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def config_path(self) -> Path:
        """Return the path of the generated homeserver config."""
        return self.workdir / "homeserver.yaml"

    @property
    def log_path(self) -> Path:
        """Return the Synapse log file (WARNING and above)."""
        return self.workdir / "homeserver.log"

    @property
    def console_path(self) -> Path:
        """Return the file that receives the process's stdout and stderr."""
        return self.workdir / "console.log"

    @property
    def running(self) -> bool:
        """Return whether the server process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def homeserver_config(self) -> dict[str, Any]:
        """Return the homeserver config as a dict (JSON is valid YAML)."""
        data = self.workdir
        config: dict[str, Any] = {
            "server_name": self.server_name,
            "pid_file": str(data / "homeserver.pid"),
            "listeners": [self._client_listener()],
            "database": {"name": "sqlite3", "args": {"database": str(data / "homeserver.db")}},
            "log_config": str(data / "log_config.yaml"),
            "media_store_path": str(data / "media_store"),
            "signing_key_path": str(data / "signing.key"),
            "registration_shared_secret": self.registration_secret,
            "enable_registration": False,
            "macaroon_secret_key": secrets.token_urlsafe(24),
            "form_secret": secrets.token_urlsafe(24),
            "report_stats": False,
            "enable_metrics": False,
            "trusted_key_servers": [],
            "suppress_key_server_warning": True,
            "federation_domain_whitelist": [],
            "default_room_version": self.room_version,
            "bcrypt_rounds": 4,
            "url_preview_enabled": False,
        }
        _merge(config, rate_limit_config(self.strict_message_rate))
        return _merge(config, self.extra_config)

    def _client_listener(self) -> dict[str, Any]:
        """Return the one HTTP listener: client and admin APIs, no federation."""
        return {
            "port": self.port,
            "bind_addresses": ["127.0.0.1"],
            "type": "http",
            "tls": False,
            "x_forwarded": False,
            "resources": [{"names": ["client"], "compress": False}],
        }

    def write_config(self) -> None:
        """Write the config, log config and signing key into the work directory."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(json.dumps(self.homeserver_config(), indent=2))
        log_config = self.workdir / "log_config.yaml"
        log_config.write_text(json.dumps(_log_config(self.log_path), indent=2))
        key_path = self.workdir / "signing.key"
        if not key_path.exists():
            key_path.write_text(_signing_key())
        self._configured = True

    def start_blocking(self) -> None:
        """Start the server and wait until it answers; raise SynapseError if it cannot."""
        if self.running:
            return
        reason = synapse_available(self.venv)
        if reason:
            raise SynapseError(reason)
        if not self._configured:
            self.write_config()
        self._spawn()
        self._wait_ready()

    def _spawn(self) -> None:
        """Launch the homeserver process, its output going to the console log."""
        command = [
            str(self.venv / "bin" / "python"),
            "-m",
            "synapse.app.homeserver",
            "--config-path",
            str(self.config_path),
        ]
        with self.console_path.open("ab") as console:
            self._proc = subprocess.Popen(
                command,
                cwd=self.workdir,
                stdin=subprocess.DEVNULL,
                stdout=console,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def _wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        """Poll ``/_matrix/client/versions`` until it answers or time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                raise SynapseError(f"Synapse exited during startup\n{self.diagnostics()}")
            if self._answers():
                return
            time.sleep(POLL_INTERVAL)
        self.stop_blocking()
        raise SynapseError(f"Synapse did not answer within {timeout:.0f}s\n{self.diagnostics()}")

    def _answers(self) -> bool:
        """Return whether the client API answers right now."""
        try:
            with urllib.request.urlopen(f"{self.url}/_matrix/client/versions", timeout=1):
                return True
        except (OSError, urllib.error.URLError):
            return False

    def diagnostics(self) -> str:
        """Return the tails of the console output and of the log, for error messages."""
        return (
            f"--- {self.console_path} ---\n{_tail(self.console_path)}\n"
            f"--- {self.log_path} ---\n{_tail(self.log_path)}"
        )

    def stop_blocking(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL); keep its config and data."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=STOP_TIMEOUT)

    def restart_blocking(self) -> None:
        """Stop and start again on the same port with the same data."""
        self.stop_blocking()
        self.start_blocking()

    def close(self) -> None:
        """Stop the server and delete the work directory if this object made it."""
        self.stop_blocking()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def register_blocking(
        self, username: str, password: str, admin: bool = False
    ) -> RegisteredUser:
        """Create a user with the shared-secret admin registration API."""
        endpoint = f"{self.url}/_synapse/admin/v1/register"
        nonce = _http_json("GET", endpoint)["nonce"]
        mac = registration_mac(self.registration_secret, nonce, username, password, admin)
        body = {
            "nonce": nonce,
            "username": username,
            "password": password,
            "admin": admin,
            "mac": mac,
        }
        answer = _http_json("POST", endpoint, body)
        return RegisteredUser(answer["user_id"], answer["access_token"], answer["device_id"])

    def admin_token(self) -> str:
        """Return the access token of a server admin, registering one on first use."""
        if self._admin is None:
            self._admin = self.register_blocking("bilat-admin", secrets.token_hex(8), True)
        return self._admin.access_token

    def override_message_rate_blocking(
        self, user_id: str, per_second: int, burst_count: int
    ) -> None:
        """Set a per-user ``rc_message`` override (0 and 0 mean unlimited)."""
        quoted = urllib.parse.quote(user_id, safe="")
        endpoint = f"{self.url}/_synapse/admin/v1/users/{quoted}/override_ratelimit"
        body = {"messages_per_second": per_second, "burst_count": burst_count}
        _http_json("POST", endpoint, body, token=self.admin_token())

    async def start(self) -> None:
        """Start the server without blocking the event loop."""
        await asyncio.to_thread(self.start_blocking)

    async def stop(self) -> None:
        """Stop the server without blocking the event loop."""
        await asyncio.to_thread(self.stop_blocking)

    async def restart(self) -> None:
        """Restart on the same port and data without blocking the event loop."""
        await asyncio.to_thread(self.restart_blocking)

    async def register(self, username: str, password: str, admin: bool = False) -> RegisteredUser:
        """Register a user; return ``(user_id, access_token, device_id)``."""
        return await asyncio.to_thread(self.register_blocking, username, password, admin)

    async def override_message_rate(self, user_id: str, per_second: int, burst_count: int) -> None:
        """Set a per-user ``rc_message`` override without blocking the event loop."""
        await asyncio.to_thread(
            self.override_message_rate_blocking, user_id, per_second, burst_count
        )

    def __enter__(self) -> Self:
        """Start the server."""
        try:
            self.start_blocking()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server and clean up."""
        self.close()

    async def __aenter__(self) -> Self:
        """Start the server without blocking the event loop."""
        try:
            await self.start()
        except BaseException:
            self.close()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server and clean up without blocking the event loop."""
        await asyncio.to_thread(self.close)


def require_synapse() -> None:
    """Skip the test when Synapse is missing; fail instead under ``CI=true``."""
    reason = synapse_available()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"Synapse is required in CI: {reason}")
    pytest.skip(reason)


def synapse_fixture(
    scope: ScopeName = "session", name: str | None = None, **options: Any
) -> FixtureFunctionDefinition:
    """Return a pytest fixture yielding a started :class:`Synapse` built with ``options``."""

    def _fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
        """Start a homeserver for the fixture's scope and stop it afterwards."""
        require_synapse()
        workdir = tmp_path_factory.mktemp("synapse")
        with Synapse(workdir=workdir, **options) as server:
            yield server

    return pytest.fixture(_fixture, scope=scope, name=name)
