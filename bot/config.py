"""Settings: the environment first, then a .env file, then defaults. Secrets never print."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core import i18n

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDERS = frozenset({"", "changeme", "change-me", "your-token-here", "xxx", "todo"})


class ConfigError(Exception):
    """A setting is missing or wrong; the message names it."""


class Secret:
    """A secret value that shows as ``***`` in reprs, logs and tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

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
    telegram_token: Secret | None = field(default=None, repr=False)
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
        token = get("TELEGRAM_BOT_TOKEN")
        if token is not None and token.lower() in PLACEHOLDERS:
            raise ConfigError("TELEGRAM_BOT_TOKEN: still the placeholder value; set a real token")
        return cls(
            data_dir=Path(get("BILAT_DATA_DIR") or ROOT / "data"),
            db_path=Path(get("BILAT_DB") or ROOT / "state" / "bilat.sqlite3"),
            default_locale=locale,
            timezone=zone,
            now=get("BILAT_NOW"),
            grace=parse_duration("BILAT_GRACE", get("BILAT_GRACE") or "6h"),
            max_failures=parse_count("BILAT_MAX_FAILURES", get("BILAT_MAX_FAILURES") or "3"),
            max_attempts=parse_count("BILAT_MAX_ATTEMPTS", get("BILAT_MAX_ATTEMPTS") or "8"),
            telegram_token=Secret(token) if token else None,
            env=merged,
        )
