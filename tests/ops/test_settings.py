""".env.example and the operations settings: every setting documented, placeholders refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import SECRET_VARIABLES, ConfigError, Settings, is_placeholder
from tests.conftest import ROOT

EXAMPLE = ROOT / ".env.example"


def settings_read_by_the_code() -> set[str]:
    """Every BILAT_*, TELEGRAM_* and MATRIX_* name that bot/ looks up."""
    names: set[str] = set()
    for path in (ROOT / "bot").rglob("*.py"):
        names |= set(re.findall(r'"((?:BILAT|TELEGRAM|MATRIX)_[A-Z_]+)"',
                                path.read_text(encoding="utf-8")))
    return names


def example_lines() -> dict[str, str]:
    """Each setting of .env.example (commented out or not) with its example value."""
    found = {}
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^#? ?([A-Z][A-Z0-9_]+)=(.*)$", line)
        if match:
            found[match[1]] = match[2]
    return found


def test_every_setting_is_in_the_example_with_a_comment() -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    documented = example_lines()
    assert settings_read_by_the_code() - set(documented) == set()
    for index, line in enumerate(lines):
        if re.match(r"^#? ?[A-Z][A-Z0-9_]+=", line):
            assert lines[index - 1].startswith("#"), f"{line}: explain it on the line above"


def test_the_example_as_is_stops_the_start_naming_the_token() -> None:
    with pytest.raises(ConfigError, match=r"^TELEGRAM_BOT_TOKEN: still a placeholder"):
        Settings.load({}, EXAMPLE)


@pytest.mark.parametrize("name", SECRET_VARIABLES)
def test_every_secret_placeholder_of_the_example_is_refused(name: str) -> None:
    value = example_lines()[name]
    assert is_placeholder(value), value
    with pytest.raises(ConfigError) as caught:
        Settings.load({name: value}, Path("/nonexistent.env"))
    assert str(caught.value).startswith(f"{name}: ")
    assert value not in str(caught.value)  # a misjudged real secret is never echoed


@pytest.mark.parametrize("value", ["changeme", "your-token-here", "<token>", "${TOKEN}",
                                   "xxxx", "REPLACE_ME", "change_me_please", "TODO"])
def test_placeholder_shapes(value: str) -> None:
    assert is_placeholder(value)


@pytest.mark.parametrize("value", ["123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
                                   "syt_Ym9i_abcdEFGH_12345", "s3cret-pass-2025"])
def test_real_looking_secrets_pass(value: str) -> None:
    assert not is_placeholder(value)


def test_operations_defaults() -> None:
    settings = Settings.load({}, Path("/nonexistent.env"))
    assert (settings.http_host, settings.http_port) == ("127.0.0.1", 8080)
    assert (settings.log_level, settings.log_json) == ("INFO", False)
    assert settings.reload_interval == 10.0
    assert settings.admins == frozenset()


def test_operations_overrides() -> None:
    settings = Settings.load({
        "BILAT_HTTP_HOST": "0.0.0.0", "BILAT_HTTP_PORT": "0", "BILAT_LOG_LEVEL": "debug",
        "BILAT_LOG_JSON": "1", "BILAT_RELOAD_INTERVAL": "2m",
        "BILAT_ADMINS": "telegram:12345, matrix:@ops:example.org,"}, Path("/nonexistent.env"))
    assert (settings.http_host, settings.http_port) == ("0.0.0.0", 0)
    assert (settings.log_level, settings.log_json) == ("DEBUG", True)
    assert settings.reload_interval == 120.0
    assert settings.admins == {"telegram:12345", "matrix:@ops:example.org"}
    assert Settings.load({"BILAT_RELOAD_INTERVAL": "0"},
                         Path("/nonexistent.env")).reload_interval == 0


@pytest.mark.parametrize(("name", "value", "message"), [
    ("BILAT_HTTP_PORT", "http", "BILAT_HTTP_PORT: 'http' is not a port number (0 to 65535)"),
    ("BILAT_HTTP_PORT", "70000", "BILAT_HTTP_PORT: '70000' is not a port number (0 to 65535)"),
    ("BILAT_LOG_LEVEL", "loud", "BILAT_LOG_LEVEL: 'LOUD' is not one of DEBUG, INFO, WARNING, "
                                "ERROR"),
    ("BILAT_LOG_JSON", "maybe", "BILAT_LOG_JSON: 'maybe' is not 1 or 0 (true or false)"),
    ("BILAT_RELOAD_INTERVAL", "often", "BILAT_RELOAD_INTERVAL: 'often' is not a duration such "
                                       "as 6h, 90m or 2d"),
    ("BILAT_ADMINS", "telegram:ada", "BILAT_ADMINS: 'telegram:ada' is not telegram:<numeric "
                                     "user id> or matrix:@user:server"),
    ("BILAT_ADMINS", "12345", "BILAT_ADMINS: '12345' is not telegram:<numeric user id> or "
                              "matrix:@user:server"),
])
def test_bad_operations_values_are_named(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.load({name: value}, Path("/nonexistent.env"))
    assert str(caught.value) == message


def test_bilat_db_takes_a_postgresql_url_without_showing_its_password() -> None:
    url = "postgresql://bilat:s3cret-pw@db.example.org:5432/bilat"
    settings = Settings.load({"BILAT_DB": url}, env_file=Path("/nonexistent"))
    assert settings.database == url and settings.db_url == url
    assert settings.db_path == ROOT / "state" / "bilat.sqlite3"  # beside it: matrix-store
    assert "s3cret" not in repr(settings)
    local = Settings.load({"BILAT_DB": "/srv/bilat.sqlite3"}, env_file=Path("/nonexistent"))
    assert local.database == Path("/srv/bilat.sqlite3") and local.db_url is None
