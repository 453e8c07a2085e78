"""The Matrix adapter's pure parts: settings, power in room v12, message contents, errors."""

from __future__ import annotations

import json
import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from nio import ErrorResponse  # type: ignore[import-untyped]

from bot.config import ConfigError, Settings
from bot.core.render import Rendered
from bot.matrix.content import CONTENT_BUDGET, contents, matrix_html, notice
from bot.matrix.events import joins, strip_reply_fallback, thread_of, txn_id
from bot.matrix.permissions import RoomPower, creators_are_privileged
from bot.matrix.settings import MatrixSettings
from bot.matrix.transport import classify

DB = Path("/srv/bilat/state/bilat.sqlite3")
BASE = {"MATRIX_HOMESERVER": "https://matrix.example.org/",
        "MATRIX_USER_ID": "@bilat:example.org", "MATRIX_ACCESS_TOKEN": "syt_secret"}


# Settings ------------------------------------------------------------------------------------

def matrix_settings(env: dict[str, str]) -> MatrixSettings | None:
    """The Matrix settings that ``env`` (and no .env file) gives."""
    return MatrixSettings.from_settings(
        Settings.load({"BILAT_DB": str(DB), **env}, Path("/nonexistent.env")))


def test_matrix_is_off_without_a_homeserver() -> None:
    assert matrix_settings({}) is None


def test_settings_defaults_and_secrets() -> None:
    settings = matrix_settings(BASE)
    assert settings is not None
    assert settings.homeserver == "https://matrix.example.org"
    assert settings.store_dir == DB.parent / "matrix-store"  # beside the database
    assert settings.allowed_servers == {"example.org"}
    assert settings.allows("@someone:example.org") and not settings.allows("@x:evil.example")
    assert "syt_secret" not in repr(settings)


@pytest.mark.parametrize(("change", "named"), [
    ({"MATRIX_USER_ID": "bilat"}, "MATRIX_USER_ID"),
    ({"MATRIX_ACCESS_TOKEN": ""}, "MATRIX_ACCESS_TOKEN"),
    ({"MATRIX_ACCESS_TOKEN": "changeme"}, "MATRIX_ACCESS_TOKEN"),
    ({"MATRIX_HOMESERVER": "matrix.example.org"}, "MATRIX_HOMESERVER"),
    ({"MATRIX_MANAGE_LEVEL": "high"}, "MATRIX_MANAGE_LEVEL"),
])
def test_bad_settings_name_the_variable(change: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        matrix_settings({**BASE, **change})


def test_password_servers_and_level() -> None:
    env = {**BASE, "MATRIX_ACCESS_TOKEN": "", "MATRIX_PASSWORD": "pw",
           "MATRIX_ALLOWED_SERVERS": "example.org, partner.example", "MATRIX_MANAGE_LEVEL": "0",
           "MATRIX_DEVICE_ID": "BILATBOT"}
    settings = matrix_settings(env)
    assert settings is not None and settings.password is not None
    assert settings.allows("@a:partner.example")
    assert (settings.manage_level, settings.device_id) == (0, "BILATBOT")
    anyone = matrix_settings({**BASE, "MATRIX_ALLOWED_SERVERS": "*"})
    assert anyone is not None and anyone.allows("@x:anywhere.example")


# Power ---------------------------------------------------------------------------------------

def _create(version: str, sender: str = "@alice:x", **content: Any) -> dict[str, Any]:
    return {"type": "m.room.create", "state_key": "", "sender": sender,
            "content": {"room_version": version, **content}}


LEVELS = {"users": {"@mod:x": 50, "@old:x": "100"}, "users_default": 0, "state_default": 50}


def test_v12_creators_have_infinite_power_without_being_in_power_levels() -> None:
    power = RoomPower.from_state(_create("12", additional_creators=["@carol:x"]), LEVELS)
    assert power.level("@alice:x") == math.inf and power.level("@carol:x") == math.inf
    assert power.can_manage("@alice:x", configured=10**9)
    assert power.can_manage("@mod:x") and not power.can_manage("@bob:x")
    assert power.level("@old:x") == 100  # levels written as strings by old clients


def test_before_v12_creators_are_ordinary_members() -> None:
    power = RoomPower.from_state(_create("11", additional_creators=["@carol:x"]), LEVELS)
    assert not power.can_manage("@alice:x") and not power.can_manage("@carol:x")
    assert not creators_are_privileged("10") and creators_are_privileged("13")
    assert creators_are_privileged("org.matrix.hydra.11")


def test_without_power_levels_the_creator_rules() -> None:
    power = RoomPower.from_state(_create("10"), None)
    assert power.can_manage("@alice:x") and power.can_manage("@bob:x")  # state_default 0
    assert not power.can_manage("@bob:x", configured=50)
    assert power.can_manage("@alice:x", configured=100)


def test_a_configured_level_replaces_state_default() -> None:
    power = RoomPower.from_state(_create("12"), {**LEVELS, "state_default": 100})
    assert not power.can_manage("@mod:x") and power.can_manage("@mod:x", configured=50)
    assert RoomPower.from_state(_create("12"), {"users": {}}).state_level() == 50


# Contents ------------------------------------------------------------------------------------

def test_newlines_become_breaks_except_in_pre() -> None:
    assert matrix_html("<b>A</b>\nB\n<pre>x\ny</pre>\nC") == \
        "<b>A</b><br>B<br><pre>x\ny</pre><br>C"
    content = notice("<b>Trade</b>\n5 &lt; 6")
    assert content["body"] == "Trade\n5 < 6"
    assert content["formatted_body"] == "<b>Trade</b><br>5 &lt; 6"
    assert content["m.mentions"] == {}


def test_replies_and_threads() -> None:
    [plain] = contents(Rendered.from_html("Hi"), reply_to="$cmd")
    assert plain["m.relates_to"] == {"m.in_reply_to": {"event_id": "$cmd"}}
    [threaded] = contents(Rendered.from_html("Hi"), reply_to="$cmd", thread_root="$root")
    assert threaded["m.relates_to"]["rel_type"] == "m.thread"
    assert threaded["m.relates_to"]["is_falling_back"] is False
    [pushed] = contents(Rendered.from_html("Hi"), thread_root="$root")
    assert pushed["m.relates_to"]["m.in_reply_to"] == {"event_id": "$root"}
    assert "m.relates_to" not in contents(Rendered.from_html("Hi"))[0]


def test_long_messages_are_cut_well_below_the_event_limit() -> None:
    line = "<b>Échanges</b> entre le Kazakhstan et la France : 5,5 milliards — «\u202fça\u202f»"
    message = Rendered.from_html("\n".join([line] * 2000))
    parts = contents(message, reply_to="$cmd")
    assert len(parts) > 1
    for part in parts:
        assert len(json.dumps(part, separators=(",", ":"))) <= CONTENT_BUDGET + 200
        assert part["formatted_body"].count("<b>") == part["formatted_body"].count("</b>")
    assert "".join(p["body"] for p in parts).count("Échanges") == 2000


# Events --------------------------------------------------------------------------------------

def test_reply_fallbacks_threads_and_joins() -> None:
    assert strip_reply_fallback("> <@a:x> old\n> text\n\n!trade 2024") == "!trade 2024"
    assert strip_reply_fallback("!trade") == "!trade"
    event = SimpleNamespace(source={"content": {"m.relates_to": {"rel_type": "m.thread",
                                                                 "event_id": "$root"}}})
    assert thread_of(event) == "$root"
    joined = SimpleNamespace(membership="join", state_key="@bot:x", prev_membership="invite")
    renamed = SimpleNamespace(membership="join", state_key="@bot:x", prev_membership="join")
    assert joins(joined, "@bot:x") and not joins(renamed, "@bot:x")
    assert txn_id("$a", 0) == txn_id("$a", 0) != txn_id("$a", 1)


# Errors --------------------------------------------------------------------------------------

def _error(code: str, status: int, retry_ms: int | None = None) -> ErrorResponse:
    error = ErrorResponse("nope", code, retry_ms)
    error.transport_response = SimpleNamespace(status=status)
    return error


def test_homeserver_errors_map_to_delivery_kinds() -> None:
    limited = classify(_error("M_LIMIT_EXCEEDED", 429, 1500))
    assert (limited.kind, limited.retry_after) == ("rate_limited", 1.5)
    assert classify(_error("M_FORBIDDEN", 403)).kind == "terminal"
    moved = classify(_error("M_FORBIDDEN", 403), replacement="!new")
    assert (moved.kind, moved.new_chat_id) == ("migrated", "!new")
    assert classify(_error("M_UNKNOWN", 502)).kind == "transient"
    assert classify(_error("M_UNKNOWN", 400)).kind == "unknown"
