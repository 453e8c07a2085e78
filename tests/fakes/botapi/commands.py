"""The bot's profile: setMyCommands per scope and language, descriptions per language."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, Final

from tests.fakes.botapi.chats import find_chat
from tests.fakes.botapi.errors import bad_request
from tests.fakes.botapi.params import Handler, Params
from tests.fakes.botapi.records import JSON

if TYPE_CHECKING:
    from tests.fakes.botapi.server import FakeBotAPI

COMMAND_SCOPES: Final = frozenset(
    {
        "default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat",
        "chat_administrators", "chat_member",
    }
)
_BOT_COMMAND_RE: Final = re.compile(r"[a-z0-9_]{1,32}")
_LANGUAGE_RE: Final = re.compile(r"[a-z]{2}")


def scope_key(scope: JSON) -> str:
    """One key per command scope, however its JSON was ordered."""
    return json.dumps(scope, sort_keys=True)


def _command_key(api: FakeBotAPI, p: Params) -> tuple[str, str]:
    scope = p.get_json("scope") or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in COMMAND_SCOPES:
        raise bad_request("unsupported bot command scope type")
    if "chat_id" in scope:
        scope = {**scope, "chat_id": find_chat(api, Params(scope, {}).chat_ref()).id}
    language = p.get_str("language_code") or ""
    if language and not _LANGUAGE_RE.fullmatch(language):
        raise bad_request("invalid language code specified")
    return scope_key(scope), language


def _check_command(command: Any) -> JSON:
    if not isinstance(command, dict):
        raise bad_request("can't parse BotCommand JSON object")
    name = str(command.get("command", ""))
    description = str(command.get("description", ""))
    if not _BOT_COMMAND_RE.fullmatch(name):
        raise bad_request("BOT_COMMAND_INVALID")
    if not 1 <= len(description) <= 256:
        raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    return {"command": name, "description": description}


def set_my_commands(api: FakeBotAPI, p: Params) -> bool:
    """Up to 100 valid commands for a scope and language (none: that list is removed)."""
    commands = p.get_json("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    cleaned = [_check_command(command) for command in commands]
    key = _command_key(api, p)
    if cleaned:
        api.commands[key] = cleaned
    else:
        api.commands.pop(key, None)
    return True


def _set_text(store: dict[str, str], p: Params, name: str, limit: int) -> bool:
    value = p.get_str(name) or ""
    if len(value) > limit:
        raise bad_request(f"{name.replace('_', ' ')} is too long")
    language = p.get_str("language_code") or ""
    if value:
        store[language] = value
    else:
        store.pop(language, None)
    return True


def set_my_description(api: FakeBotAPI, p: Params) -> bool:
    """The description shown in an empty chat with the bot (512 characters at most)."""
    return _set_text(api.descriptions, p, "description", 512)


def set_my_short_description(api: FakeBotAPI, p: Params) -> bool:
    """The bot profile's short description (120 characters at most)."""
    return _set_text(api.short_descriptions, p, "short_description", 120)


HANDLERS: Final[dict[str, Handler]] = {
    "setMyCommands": set_my_commands, "setMyDescription": set_my_description,
    "setMyShortDescription": set_my_short_description,
}
