"""Settings: the environment first, then a .env file, then defaults. Secrets never print."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core import i18n

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDERS = frozenset({"", "changeme", "change-me", "your-token-here", "xxx", "todo"})
# Shapes that .env.example and tutorials use for "fill this in": ``your-token-here``,
# ``<token>``, ``${TOKEN}``, ``change_me_please``, ``xxxx``, ``...``.
_PLACEHOLDER = re.compile(
    r"^(?:your[-_ .].*|<.*>|\$\{.*\}|x{3,}|\*{3,}|\.{3,}|.*(?<![a-z0-9])(?:change[-_ ]?me"
    r"|replace[-_ ]?me|placeholder|fill[-_ ]?me[-_ ]?in|todo|tbd|fixme)(?![a-z0-9]).*)$",
    re.IGNORECASE)
# Every secret Bilat reads: each one is refused at start while it holds a placeholder.
SECRET_VARIABLES = ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "MATRIX_ACCESS_TOKEN",
                    "MATRIX_PASSWORD")


class ConfigError(Exception):
    """A setting is missing or wrong; the message names it."""


class Secret:
    """A secret value that shows as ``***`` in reprs, logs and tracebacks.

    Every value ever wrapped is also remembered for the log filter (bot.ops.logs), which
    blanks it out wherever a library prints it (Bot API URLs carry the token).
    """

    __slots__ = ("_value",)
    _known: ClassVar[set[str]] = set()

    def __init__(self, value: str) -> None:
        self._value = value
        Secret._known.add(value)

    @classmethod
    def known(cls) -> frozenset[str]:
        """Every secret value wrapped so far in this process."""
        return frozenset(cls._known)

    def reveal(self) -> str:
        """The secret itself, for the one call that needs it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


def read_env_file(path: Path) -> dict[str, str]:
    """Parse KEY=VALUE lines (comments, blank lines and optional quotes allowed)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip().removeprefix("export ").strip()] = value
    return values


_DURATION = re.compile(r"^(\d+)\s*([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(name: str, text: str) -> timedelta:
    """``90m``, ``6h``, ``2d``, ``30s`` (ConfigError naming ``name`` otherwise)."""
    match = _DURATION.match(text.strip().lower())
    if match is None:
        raise ConfigError(f"{name}: {text!r} is not a duration such as 6h, 90m or 2d")
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


def is_placeholder(value: str) -> bool:
    """True for a value left as a template's "fill this in" (``changeme``, ``<token>``...)."""
    text = value.strip()
    return text.lower() in PLACEHOLDERS or _PLACEHOLDER.match(text) is not None


def check_secrets(env: Mapping[str, str]) -> None:
    """Refuse to start while any secret still holds a placeholder, naming the variable."""
    for name in SECRET_VARIABLES:
        value = env.get(name)
        if value is not None and value.strip() and is_placeholder(value):
            raise ConfigError(f"{name}: still a placeholder value; set the real one, or "
                              "remove the line if that network is not used")


def parse_seconds(name: str, text: str) -> float:
    """``10s``, ``2m`` or a plain number of seconds; ``0`` turns the feature off."""
    if text.strip().isdigit():
        return float(text)
    return parse_duration(name, text).total_seconds()


def parse_port(name: str, text: str) -> int:
    """A TCP port, 0 to 65535 (ConfigError naming ``name`` otherwise)."""
    if not text.strip().isdigit() or int(text) > 65535:
        raise ConfigError(f"{name}: {text!r} is not a port number (0 to 65535)")
    return int(text)


def parse_flag(name: str, text: str) -> bool:
    """``1``/``true``/``yes``/``on`` or ``0``/``false``/``no``/``off``."""
    word = text.strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{name}: {text!r} is not 1 or 0 (true or false)")


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_MATRIX_USER = re.compile(r"^@[^:\s]+:\S+$")


def parse_admins(name: str, text: str) -> frozenset[str]:
    """``telegram:12345,matrix:@ops:example.org``: each operator as ``network:user id``."""
    found: set[str] = set()
    for raw in text.split(","):
        entry = raw.strip()
        if not entry:
            continue
        network, _, user = entry.partition(":")
        network = network.strip().lower()
        valid = (network == "telegram" and user.strip().isdigit()) or (
            network == "matrix" and _MATRIX_USER.match(user.strip()) is not None)
        if not valid:
            raise ConfigError(f"{name}: {entry!r} is not telegram:<numeric user id> or "
                              "matrix:@user:server")
        found.add(f"{network}:{user.strip()}")
    return frozenset(found)


def parse_count(name: str, text: str, minimum: int = 1) -> int:
    """A whole number of at least ``minimum`` (ConfigError naming ``name`` otherwise)."""
    if not text.strip().isdigit() or int(text) < minimum:
        raise ConfigError(f"{name}: {text!r} is not a whole number of at least {minimum}")
    return int(text)


@dataclass(frozen=True)
class Settings:
    """Everything configurable; see the README's configuration table."""

    data_dir: Path = ROOT / "data"
    db_path: Path = ROOT / "state" / "bilat.sqlite3"
    default_locale: str = "en"
    timezone: str = "Asia/Almaty"
    now: str | None = None
    grace: timedelta = timedelta(hours=6)  # late alerts and digests are still sent within it
    max_failures: int = 3  # terminal delivery failures in a row before a subscription stops
    max_attempts: int = 8  # tries of one message through network or server errors
    start_attempts: int = 6  # tries to reach each network at start, 1, 2, 4... s apart
    telegram_token: Secret | None = field(default=None, repr=False)
    http_host: str = "127.0.0.1"
    http_port: int = 8080  # /healthz and /metrics; 0 turns the endpoint off
    log_level: str = "INFO"
    log_json: bool = False
    reload_interval: float = 10.0  # seconds between data directory checks; 0 = SIGHUP only
    admins: frozenset[str] = frozenset()  # operators, as "telegram:12345", "matrix:@a:b"
    env: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, environ: dict[str, str] | None = None, env_file: Path | None = None) -> Settings:
        """Read the environment (then ``.env``) and validate every setting."""
        merged = read_env_file(env_file or Path(".env"))
        merged.update(os.environ if environ is None else environ)

        def get(name: str) -> str | None:
            value = merged.get(name)
            return value.strip() if value is not None and value.strip() else None

        locale = get("BILAT_DEFAULT_LOCALE") or "en"
        if not i18n.is_supported(locale):
            raise ConfigError(f"BILAT_DEFAULT_LOCALE: {locale!r} is not fr or en")
        zone = get("BILAT_TIMEZONE") or "Asia/Almaty"
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"BILAT_TIMEZONE: {zone!r} is not an IANA time zone") from None
        check_secrets(merged)
        token = get("TELEGRAM_BOT_TOKEN")
        level = (get("BILAT_LOG_LEVEL") or "INFO").upper()
        if level not in LOG_LEVELS:
            raise ConfigError(f"BILAT_LOG_LEVEL: {level!r} is not one of {', '.join(LOG_LEVELS)}")
        return cls(
            data_dir=Path(get("BILAT_DATA_DIR") or ROOT / "data"),
            db_path=Path(get("BILAT_DB") or ROOT / "state" / "bilat.sqlite3"),
            default_locale=locale,
            timezone=zone,
            now=get("BILAT_NOW"),
            grace=parse_duration("BILAT_GRACE", get("BILAT_GRACE") or "6h"),
            max_failures=parse_count("BILAT_MAX_FAILURES", get("BILAT_MAX_FAILURES") or "3"),
            max_attempts=parse_count("BILAT_MAX_ATTEMPTS", get("BILAT_MAX_ATTEMPTS") or "8"),
            start_attempts=parse_count("BILAT_START_ATTEMPTS",
                                       get("BILAT_START_ATTEMPTS") or "6"),
            telegram_token=Secret(token) if token else None,
            http_host=get("BILAT_HTTP_HOST") or "127.0.0.1",
            http_port=parse_port("BILAT_HTTP_PORT", get("BILAT_HTTP_PORT") or "8080"),
            log_level=level,
            log_json=parse_flag("BILAT_LOG_JSON", get("BILAT_LOG_JSON") or "0"),
            reload_interval=parse_seconds("BILAT_RELOAD_INTERVAL",
                                          get("BILAT_RELOAD_INTERVAL") or "10s"),
            admins=parse_admins("BILAT_ADMINS", get("BILAT_ADMINS") or ""),
            env=merged,
        )
