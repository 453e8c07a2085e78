"""Settings (bot/config.py): every one documented in .env.example, bad values named, placeholders
refused."""

from __future__ import annotations

import re
import traceback
from datetime import timedelta
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


def test_delivery_defaults_and_overrides(tmp_path: Path) -> None:
    none = tmp_path / "none.env"
    defaults = Settings.load({}, none)
    assert (defaults.grace, defaults.max_failures, defaults.max_attempts) == (
        timedelta(hours=6), 3, 8)
    custom = Settings.load({"BILAT_GRACE": "90m", "BILAT_MAX_FAILURES": "5",
                            "BILAT_MAX_ATTEMPTS": "2"}, none)
    assert (custom.grace, custom.max_failures, custom.max_attempts) == (
        timedelta(minutes=90), 5, 2)


@pytest.mark.parametrize(("name", "value", "message"), [
    ("BILAT_GRACE", "soon", "BILAT_GRACE: 'soon' is not a duration such as 6h, 90m or 2d"),
    ("BILAT_MAX_FAILURES", "0", "BILAT_MAX_FAILURES: '0' is not a whole number of at least 1"),
    ("BILAT_MAX_ATTEMPTS", "-1", "BILAT_MAX_ATTEMPTS: '-1' is not a whole number of at least 1"),
])
def test_bad_delivery_values_are_named(tmp_path: Path, name: str, value: str,
                                       message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.load({name: value}, tmp_path / "none.env")
    assert str(caught.value) == message


def test_the_environment_beats_dotenv_which_beats_the_defaults(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text('BILAT_GRACE=2h\nexport BILAT_MAX_FAILURES="5"\n# BILAT_MAX_ATTEMPTS=1\n'
                      "BILAT_TIMEZONE=Europe/Paris\n", encoding="utf-8")
    settings = Settings.load({"BILAT_GRACE": "30m", "BILAT_TIMEZONE": " "}, dotenv)
    assert settings.grace == timedelta(minutes=30)  # the environment wins
    assert settings.max_failures == 5  # then .env (quotes and ``export`` allowed)
    assert settings.max_attempts == 8  # then the default (a comment is no setting)
    assert settings.timezone == "Asia/Almaty"  # a blank variable means the default


def test_every_wrong_variable_is_named_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.load({"BILAT_GRACE": "soon", "BILAT_HTTP_PORT": "http"}, Path("/none.env"))
    assert str(caught.value).splitlines() == [
        "BILAT_GRACE: 'soon' is not a duration such as 6h, 90m or 2d",
        "BILAT_HTTP_PORT: 'http' is not a port number (0 to 65535)"]


def test_secrets_never_print(tmp_path: Path) -> None:
    token, password = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "s3cret-pass-2025"
    env = {"TELEGRAM_BOT_TOKEN": token, "MATRIX_HOMESERVER": "https://m.example",
           "MATRIX_USER_ID": "@bilat:m.example", "MATRIX_PASSWORD": password}
    settings = Settings.load(env, tmp_path / "none.env")
    shown = f"{settings!r} {settings} {settings.model_dump()} {settings.model_dump_json()}"
    assert token not in shown and password not in shown
    assert settings.telegram_token is not None and settings.telegram_token.reveal() == token
    pasted = "<syt_bWF0cml4_pasted_with_its_brackets>"  # refused as a placeholder shape
    with pytest.raises(ConfigError) as caught:
        Settings.load({**env, "MATRIX_ACCESS_TOKEN": pasted, "BILAT_GRACE": "soon"},
                      tmp_path / "none.env")
    trace = "".join(traceback.format_exception(caught.value))
    assert "MATRIX_ACCESS_TOKEN: still a placeholder" in trace
    assert all(secret not in trace for secret in (token, password, pasted))


def test_only_the_settings_read_the_environment() -> None:
    readers = [str(path.relative_to(ROOT)) for path in (ROOT / "bot").rglob("*.py")
               if re.search(r"os\.environ(?!\.setdefault\(\"PTB_)|getenv|dotenv",
                            path.read_text(encoding="utf-8"))]
    assert readers == ["bot/config.py"]


def test_variables_bilat_does_not_read_are_noticed(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("TG_TOKEN=123:abc\nBILAT_TIMEZON=Europe/Paris\nBILAT_OLD=\n",
                      encoding="utf-8")
    settings = Settings.load({"TELEGRAM_TOKEN": "123:abc", "PATH": "/bin",
                              "BILAT_GRACE": "1h"}, dotenv)
    assert settings.unread == {"TELEGRAM_TOKEN", "TG_TOKEN", "BILAT_TIMEZON"}
    assert settings.timezone == "Asia/Almaty"  # the typo is not read
    assert "123:abc" not in repr(settings)


def test_bilat_db_takes_a_postgresql_url_without_showing_its_password() -> None:
    url = "postgresql://bilat:s3cret-pw@db.example.org:5432/bilat"
    settings = Settings.load({"BILAT_DB": url}, env_file=Path("/nonexistent"))
    assert settings.database == url and settings.db_url == url
    assert settings.db_path == ROOT / "state" / "bilat.sqlite3"  # beside it: matrix-store
    assert "s3cret" not in repr(settings)
    local = Settings.load({"BILAT_DB": "/srv/bilat.sqlite3"}, env_file=Path("/nonexistent"))
    assert local.database == Path("/srv/bilat.sqlite3") and local.db_url is None
