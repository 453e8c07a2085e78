"""Settings, read once by one reader (pydantic-settings): the environment first, then a .env
file, then defaults. Every variable is checked here and a wrong one is named; secrets never
print and a placeholder left from .env.example is refused."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values
from pydantic import (
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

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
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
DEFAULT_TELEGRAM_API = "https://api.telegram.org/bot"
_DURATION = re.compile(r"^(\d+)\s*([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_MATRIX_USER = re.compile(r"^@[^:\s]+:\S+$")
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
# Names an operator may have meant for Bilat (a typo, an old name) when Bilat does not read them.
_OURS = ("BILAT_", "TELEGRAM_", "MATRIX_", "TG_", "BOT_")


class ConfigError(Exception):
    """A setting is missing or wrong; the message names it."""


class Secret(SecretStr):
    """A secret value that shows as ``***`` in reprs, logs and tracebacks.

    Every value ever wrapped is also remembered for the log filter (bot.ops.logs), which
    blanks it out wherever a library prints it (Bot API URLs carry the token).
    """

    _known: ClassVar[set[str]] = set()

    def __init__(self, value: str) -> None:
        super().__init__(value)
        Secret._known.add(value)

    @classmethod
    def known(cls) -> frozenset[str]:
        """Every secret value wrapped so far in this process."""
        return frozenset(cls._known)

    def reveal(self) -> str:
        """The secret itself, for the one call that needs it."""
        return self.get_secret_value()

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


def is_placeholder(value: str) -> bool:
    """True for a value left as a template's "fill this in" (``changeme``, ``<token>``...)."""
    text = value.strip()
    return text.lower() in PLACEHOLDERS or _PLACEHOLDER.match(text) is not None


def parse_duration(text: str) -> timedelta:
    """``90m``, ``6h``, ``2d``, ``30s``."""
    match = _DURATION.match(text.strip().lower())
    if match is None:
        raise ValueError(f"{text!r} is not a duration such as 6h, 90m or 2d")
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


def _port(text: str, lowest: int = 0) -> int:
    if not text.strip().isdigit() or not lowest <= int(text) <= 65535:
        raise ValueError(f"{text!r} is not a port number ({lowest} to 65535)")
    return int(text)


def _count(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise ValueError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def _url(text: str, schemes: tuple[str, ...] = ("http://", "https://")) -> str:
    if not re.match(rf"^(?:{'|'.join(map(re.escape, schemes))})[^\s/]+", text):
        raise ValueError(f"{text!r} is not an http(s) URL")
    return text


_MATRIX_ROOM = re.compile(r"^!?[^:\s]+:\S+$")


def _allowed(text: str) -> frozenset[str]:
    """``telegram:12345,telegram:-1001234,matrix:@ann:example.org,matrix:!room:example.org``:
    the users and chats that may use the bot (empty: everyone)."""
    found: set[str] = set()
    for raw in text.split(","):
        entry = raw.strip()
        if not entry:
            continue
        network, _, name = entry.partition(":")
        network, name = network.strip().lower(), name.strip()
        valid = (network == "telegram" and name.lstrip("-").isdigit()) or (
            network == "matrix" and (_MATRIX_USER.match(name) is not None
                                     or (name.startswith("!") and _MATRIX_ROOM.match(name))))
        if not valid:
            raise ValueError(f"{entry!r} is not telegram:<user or chat id>, "
                             "matrix:@user:server or matrix:!room:server")
        found.add(f"{network}:{name}")
    return frozenset(found)


def _admins(text: str) -> frozenset[str]:
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
            raise ValueError(f"{entry!r} is not telegram:<numeric user id> or "
                             "matrix:@user:server")
        found.add(f"{network}:{user.strip()}")
    return frozenset(found)


def _flag(text: str) -> bool:
    word = text.strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{text!r} is not 1 or 0 (true or false)")


def _number(text: str, kind: type[float] | type[int]) -> float:
    try:
        number = kind(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if number < 0:
        raise ValueError(f"{text!r} must not be negative")
    return number


def _seconds(text: str) -> float:
    """``10s``, ``2m`` or a plain number of seconds; ``0`` turns the feature off."""
    return float(text) if text.strip().isdigit() else parse_duration(text).total_seconds()


def _at_least(seconds: float, least: float) -> float:
    if seconds < least:
        raise ValueError(f"at least {least:g} seconds, to be polite to publishers")
    return seconds


def _locale(text: str) -> str:
    if not i18n.is_supported(text):
        raise ValueError(f"{text!r} is not fr or en")
    return text


def _zone(text: str) -> str:
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{text!r} is not an IANA time zone") from None
    return text


def _level(text: str) -> str:
    level = text.upper()
    if level not in LOG_LEVELS:
        raise ValueError(f"{level!r} is not one of {', '.join(LOG_LEVELS)}")
    return level


def _secret(text: str) -> Secret:
    if is_placeholder(text):  # the value is never echoed: it may be a real secret misjudged
        raise ValueError("still a placeholder value; set the real one, or remove the line if "
                         "that network is not used")
    return Secret(text)


def _matrix_user(text: str) -> str:
    if not _MATRIX_USER.match(text):
        raise ValueError("the bot's full user id, e.g. @bilat:example.org")
    return text


def _telegram_api(text: str) -> str:
    """Accept ``http://host:port`` or ``http://host:port/bot``; return the latter."""
    value = _url(text).rstrip("/")
    return value if value.endswith("/bot") else f"{value}/bot"


def _pairs(text: str) -> tuple[tuple[str, str], ...]:
    """``KZ-FR,UZ-FR`` -> (("KZ", "FR"), ("UZ", "FR")); empty: the most covered pair."""
    from bot.core.pushes import parse_pair

    try:
        return tuple(parse_pair(code) for code in re.split(r"[,\s]+", text.strip()) if code)
    except ValueError:
        raise ValueError(f"{text!r} is not a list of country pairs such as KZ-FR,KZ-DE"
                         ) from None


def _webhook_url(text: str) -> str:
    if not text.startswith("https://"):
        raise ValueError("Telegram only posts to https:// URLs")
    return text


# How each variable's text becomes its value; the ValueError's text follows the variable's name.
_PARSERS: dict[str, Any] = {
    "default_locale": _locale, "timezone": _zone, "grace": parse_duration,
    "max_failures": _count, "max_attempts": _count, "start_attempts": _count,
    "http_port": _port, "log_level": _level,
    "log_json": _flag, "reload_interval": _seconds, "admins": _admins,
    "editors": _admins, "allowed": _allowed,
    "sources_interval": lambda text: _at_least(_seconds(text), 60.0),
    "sources_host_gap": _seconds, "default_pairs": _pairs,
    "telegram_token": _secret, "telegram_api_base_url": _telegram_api,
    "telegram_webhook_url": _webhook_url, "telegram_webhook_secret": _secret,
    "telegram_webhook_port": lambda text: _port(text, 1), "matrix_homeserver": _url,
    "matrix_user_id": _matrix_user, "matrix_access_token": _secret, "matrix_password": _secret,
    "matrix_manage_level": lambda text: int(_number(text, int)),
    "matrix_messages_per_second": lambda text: _number(text, float),
}


def is_database_url(target: Path | str) -> bool:
    """True when ``BILAT_DB`` names a PostgreSQL server rather than an SQLite file."""
    return str(target).startswith(("postgresql://", "postgres://"))


class Settings(BaseSettings):
    """Everything configurable; see the README's configuration table and .env.example."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore", env_ignore_empty=True,
                                      env_file_encoding="utf-8", str_strip_whitespace=True)

    data_dir: Path = Field(ROOT / "data", validation_alias="BILAT_DATA_DIR")
    # An SQLite file, or a postgresql:// URL, which may hold a password: never shown.
    db: str = Field(str(ROOT / "state" / "bilat.sqlite3"), validation_alias="BILAT_DB",
                    repr=False)
    default_locale: str = Field("en", validation_alias="BILAT_DEFAULT_LOCALE")
    timezone: str = Field("Asia/Almaty", validation_alias="BILAT_TIMEZONE")
    now: str | None = Field(None, validation_alias="BILAT_NOW")
    # Late alerts and digests are still sent within the grace.
    grace: timedelta = Field(timedelta(hours=6), validation_alias="BILAT_GRACE")
    # Terminal delivery failures in a row before a subscription stops.
    max_failures: int = Field(3, validation_alias="BILAT_MAX_FAILURES")
    # Tries of one message through network or server errors.
    max_attempts: int = Field(8, validation_alias="BILAT_MAX_ATTEMPTS")
    # Tries to reach each network at start, 1, 2, 4... s apart, before naming the setting.
    start_attempts: int = Field(6, validation_alias="BILAT_START_ATTEMPTS")
    http_host: str = Field("127.0.0.1", validation_alias="BILAT_HTTP_HOST")
    # /healthz and /metrics; 0 turns the endpoint off.
    http_port: int = Field(8080, validation_alias="BILAT_HTTP_PORT")
    log_level: str = Field("INFO", validation_alias="BILAT_LOG_LEVEL")
    log_json: bool = Field(False, validation_alias="BILAT_LOG_JSON")
    # Seconds between data directory checks; 0 = SIGHUP only.
    reload_interval: float = Field(10.0, validation_alias="BILAT_RELOAD_INTERVAL")
    # Operators, as "telegram:12345", "matrix:@a:b".
    admins: frozenset[str] = Field(frozenset(), validation_alias="BILAT_ADMINS")
    # Who may use the bot at all: users and chats; empty: everyone.
    allowed: frozenset[str] = Field(frozenset(), validation_alias="BILAT_ALLOWED")
    # Editors, who manage /sources and review drafts (same form as the operators).
    editors: frozenset[str] = Field(frozenset(), validation_alias="BILAT_EDITORS")
    # The sources file; None: sources.yaml in the data directory.
    sources: Path | None = Field(None, validation_alias="BILAT_SOURCES")
    # Seconds between two polls of one source, and between two requests to one web site.
    sources_interval: float = Field(900.0, validation_alias="BILAT_SOURCES_INTERVAL")
    sources_host_gap: float = Field(1.0, validation_alias="BILAT_SOURCES_HOST_GAP")
    # Country pairs a chat sees until it chooses with /follow; () = the most covered one.
    default_pairs: tuple[tuple[str, str], ...] = Field((), validation_alias="BILAT_DEFAULT_PAIRS")

    telegram_token: Secret | None = Field(None, validation_alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str = Field(DEFAULT_TELEGRAM_API,
                                       validation_alias="TELEGRAM_API_BASE_URL")
    telegram_webhook_url: str | None = Field(None, validation_alias="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_secret: Secret | None = Field(None,
                                                   validation_alias="TELEGRAM_WEBHOOK_SECRET")
    telegram_webhook_listen: str = Field("127.0.0.1", validation_alias="TELEGRAM_WEBHOOK_LISTEN")
    telegram_webhook_port: int = Field(8443, validation_alias="TELEGRAM_WEBHOOK_PORT")

    matrix_homeserver: str | None = Field(None, validation_alias="MATRIX_HOMESERVER")
    matrix_user_id: str | None = Field(None, validation_alias="MATRIX_USER_ID")
    matrix_access_token: Secret | None = Field(None, validation_alias="MATRIX_ACCESS_TOKEN")
    matrix_password: Secret | None = Field(None, validation_alias="MATRIX_PASSWORD")
    matrix_device_id: str | None = Field(None, validation_alias="MATRIX_DEVICE_ID")
    matrix_allowed_servers: str | None = Field(None, validation_alias="MATRIX_ALLOWED_SERVERS")
    matrix_manage_level: int | None = Field(None, validation_alias="MATRIX_MANAGE_LEVEL")
    matrix_messages_per_second: float | None = Field(
        None, validation_alias="MATRIX_MESSAGES_PER_SECOND")
    matrix_store_dir: Path | None = Field(None, validation_alias="MATRIX_STORE_DIR")

    _unread: frozenset[str] = PrivateAttr(frozenset())

    @property
    def db_url(self) -> str | None:
        """The PostgreSQL URL when ``BILAT_DB`` is one."""
        return self.db if is_database_url(self.db) else None

    @property
    def db_path(self) -> Path:
        """The SQLite file (when ``BILAT_DB`` is a URL: where the default file would be, beside
        which other state such as the Matrix store goes by default)."""
        return ROOT / "state" / "bilat.sqlite3" if is_database_url(self.db) else Path(self.db)

    @property
    def database(self) -> str | Path:
        """What ``BILAT_DB`` names: a PostgreSQL URL, or else the SQLite file."""
        return self.db_url or self.db_path

    @property
    def unread(self) -> frozenset[str]:
        """Variables set that look like Bilat's but that it does not read (a typo, say)."""
        return self._unread

    @property
    def sources_file(self) -> Path:
        """The sources file: BILAT_SOURCES, else sources.yaml beside the articles."""
        return self.sources or self.data_dir / "sources.yaml"

    @model_validator(mode="before")
    @classmethod
    def _defaults_for_empty(cls, values: Any) -> Any:
        """An empty variable takes its default (even over a value in .env)."""
        if isinstance(values, dict):
            return {k: v for k, v in values.items() if v is not None and str(v).strip()}
        return values

    @field_validator(*_PARSERS, mode="before")
    @classmethod
    def _parse(cls, value: Any, info: ValidationInfo) -> Any:
        """Text from the environment or .env through the variable's own parser."""
        if isinstance(value, str):
            return _PARSERS[str(info.field_name)](value)
        return value

    @classmethod
    def settings_customise_sources(
            cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The environment (handed to ``load``, so a test can give its own), then .env."""
        return init_settings, dotenv_settings

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None,
             env_file: Path | None = None) -> Settings:
        """Read the environment (then ``.env``) and validate every setting, or name the
        wrong ones in a ConfigError."""
        given = os.environ if environ is None else environ
        dotenv = env_file or Path(".env")
        # An empty variable means "the default", even over a value in .env: kept as None here,
        # dropped by ``_defaults_for_empty``.
        values: dict[str, Any] = {name: given[name].strip() or None
                                  for name in VARIABLES if name in given}
        try:
            settings = cls(_env_file=dotenv, **values)
        except ValidationError as error:
            raise ConfigError("\n".join(_named(e) for e in error.errors())) from None
        settings.check()
        from_file = dotenv_values(dotenv) if dotenv.is_file() else {}
        settings._unread = frozenset(_unread({**from_file, **given}))
        return settings

    def check(self) -> None:
        """The rules that tie variables together (a webhook needs its secret...)."""
        secret = self.telegram_webhook_secret
        if self.telegram_webhook_url is not None and (
                secret is None or not _WEBHOOK_SECRET.fullmatch(secret.reveal())):
            raise ConfigError("TELEGRAM_WEBHOOK_SECRET: required with a webhook, 1-256 "
                              "characters among A-Z, a-z, 0-9, _ and -")
        if self.matrix_homeserver is None:
            return
        if self.matrix_user_id is None:
            raise ConfigError("MATRIX_USER_ID: the bot's full user id, e.g. @bilat:example.org")
        if self.matrix_access_token is None and self.matrix_password is None:
            raise ConfigError("MATRIX_ACCESS_TOKEN: set it (preferred) or MATRIX_PASSWORD")


VARIABLES = tuple(str(field.validation_alias) for field in Settings.model_fields.values())


def _unread(merged: Mapping[str, str | None]) -> list[str]:
    """The set variables that look like Bilat's (by prefix, or a Telegram token) but are not."""
    found = []
    for name, value in merged.items():
        upper = name.upper()
        ours = upper.startswith(_OURS) or ("TOKEN" in upper and "TELEGRAM" in upper)
        if ours and name not in VARIABLES and value and value.strip():
            found.append(name)
    return found


def _named(error: Any) -> str:
    """One validation error as ``VARIABLE: what is wrong`` (never the value of a secret)."""
    name = ".".join(str(part) for part in error["loc"])
    cause = (error.get("ctx") or {}).get("error")
    return f"{name}: {cause if cause is not None else error['msg']}"
