"""Fake Telegram Bot API server for tests.

``FakeBotAPI`` runs an aiohttp server on 127.0.0.1 that speaks the Bot API over HTTP the
way api.telegram.org does: ``/bot<token>/<method>`` (method names case-insensitive),
parameters from the query string, a JSON body, a form-urlencoded body or a multipart body,
and answers ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N,
"description": "...", "parameters": {...}}`` with Telegram's status codes and wording.
The real python-telegram-bot stack (HTTPX networking included) can therefore be pointed
at it with ``base_url=api.base_url`` and ``base_file_url=api.base_file_url``.

Tests drive a small world (users, chats, memberships, forum topics), inject updates that
the bot receives through real long polling, inspect everything the bot sent
(``api.sent``, ``api.messages()``, ``await api.wait_for(...)``) and inject failures
(blocked users, kicked bots, migrated groups, closed topics, 429 flood limits, 5xx).

Example::

    async with FakeBotAPI(token="123:ABC") as api:
        api.add_user(42, "Ada")
        app = Application.builder().token(api.token).base_url(api.base_url).build()
        ...  # start polling
        api.send_message(42, 42, "/start")
        [reply] = await api.wait_for_messages(42)

Deliberate differences from Telegram (see ``strict_html``): a bare ``&`` that does not
start an HTML entity is rejected, as the Bot API documentation requires, although the
real server tolerates it. Markdown parse modes are accepted but not validated.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import mimetypes
import re
import struct
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from time import monotonic
from typing import Any, Final

from aiohttp import web

JSON = dict[str, Any]
Handler = Callable[["Params"], Any]

ANONYMOUS_ADMIN_ID: Final = 1087968824
ANONYMOUS_ADMIN: Final[JSON] = {
    "id": ANONYMOUS_ADMIN_ID,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
MAX_MESSAGE_LENGTH: Final = 4096
MAX_CAPTION_LENGTH: Final = 1024
MAX_INLINE_RESULTS: Final = 50
MAX_DOCUMENT_BYTES: Final = 50 * 1024 * 1024
MAX_REQUEST_BYTES: Final = MAX_DOCUMENT_BYTES + 5 * 1024 * 1024

CHAT_TYPES: Final = frozenset({"private", "group", "supergroup", "channel"})
MEMBER_STATUSES: Final = frozenset(
    {"creator", "administrator", "member", "restricted", "left", "kicked"}
)
UPDATE_TYPES: Final = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "message_reaction",
    "message_reaction_count",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
)
DEFAULT_ALLOWED_UPDATES: Final = frozenset(UPDATE_TYPES) - {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}
CHAT_ACTIONS: Final = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
COMMAND_SCOPES: Final = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
INLINE_RESULT_TYPES: Final = frozenset(
    {
        "article",
        "audio",
        "contact",
        "document",
        "game",
        "gif",
        "location",
        "mpeg4_gif",
        "photo",
        "sticker",
        "venue",
        "video",
        "voice",
    }
)
INLINE_BUTTON_ACTIONS: Final = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
SEND_METHODS: Final = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
RATE_LIMITED_METHODS: Final = SEND_METHODS | {"editMessageText"}

_TOKEN_RE: Final = re.compile(r"\d+:[A-Za-z0-9_-]+")
_COMMAND_RE: Final = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{1,64})?")
_BOT_COMMAND_RE: Final = re.compile(r"[a-z0-9_]{1,32}")
_LANGUAGE_RE: Final = re.compile(r"[a-z]{2}")
_PNG_MAGIC: Final = b"\x89PNG\r\n\x1a\n"
_IMAGE_MAGICS: Final = (_PNG_MAGIC, b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")
_NGINX_PAGE: Final = (
    "<html>\r\n<head><title>{code} {phrase}</title></head>\r\n<body>\r\n"
    "<center><h1>{code} {phrase}</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    "</body>\r\n</html>\r\n"
)


# --------------------------------------------------------------------------- errors


class ApiError(Exception):
    """An ``ok: false`` answer of the Bot API."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSON:
        """Return the JSON body Telegram sends for this error."""
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(description: str, parameters: JSON | None = None) -> ApiError:
    """Build a 400 ``Bad Request: ...`` error."""
    return ApiError(400, f"Bad Request: {description}", parameters)


def forbidden(description: str) -> ApiError:
    """Build a 403 ``Forbidden: ...`` error."""
    return ApiError(403, f"Forbidden: {description}")


def too_many_requests(retry_after: int) -> ApiError:
    """Build a 429 flood-control error."""
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


# --------------------------------------------------------------------------- HTML


class HtmlParseError(ValueError):
    """HTML markup Telegram would refuse; the message uses Telegram's wording."""


_HTML_TAGS: Final = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "code",
        "pre",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "blockquote",
    }
)
_SIMPLE_ENTITIES: Final = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_NAMED_ENTITIES: Final = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE: Final = re.compile(r"&(?:#x([0-9a-fA-F]*)|#([0-9]*)|([A-Za-z]*))(;?)")
_SPACES: Final = frozenset(" \t\n\r\v\f")


def utf16_length(text: str) -> int:
    """Return the length of ``text`` in UTF-16 code units (Telegram's entity unit)."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def decode_html_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the entity at ``text[pos]`` like Telegram: ``(char, end)`` or None."""
    match = _ENTITY_RE.match(text, pos)
    if match is None:
        return None
    hex_digits, dec_digits, name, semicolon = match.groups()
    if name is not None:
        char = _NAMED_ENTITIES.get(name)
        return None if char is None else (char, match.end())
    digits = hex_digits if hex_digits is not None else dec_digits
    if not digits or match.end() - len(semicolon) - pos >= 10:
        return None
    code = int(digits, 16 if hex_digits is not None else 10)
    if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int
    begin: int


class _HtmlParser:
    """Telegram's (tdlib's) HTML parser, re-implemented with its error messages."""

    def __init__(self, text: str, *, strict: bool) -> None:
        self.text = text
        self.strict = strict
        self.pos = 0
        self.out: list[str] = []
        self.utf16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[JSON] = []

    def parse(self) -> tuple[str, list[JSON]]:
        """Return the plain text and its entities, or raise HtmlParseError."""
        while self.pos < len(self.text):
            self._step()
        if self.stack:
            name = self.stack[-1].name
            raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{name}"')
        self.entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
        return "".join(self.out), self.entities

    def _byte_offset(self, index: int) -> int:
        return len(self.text[:index].encode("utf-8"))

    def _peek(self, index: int) -> str:
        return self.text[index] if index < len(self.text) else ""

    def _emit(self, chunk: str) -> None:
        self.out.append(chunk)
        self.utf16 += utf16_length(chunk)

    def _step(self) -> None:
        char = self.text[self.pos]
        if char == "&":
            self._emit(self._entity())
        elif char != "<":
            self._emit(char)
            self.pos += 1
        elif self._peek(self.pos + 1) == "/":
            self._end_tag()
        else:
            self._start_tag()

    def _entity(self) -> str:
        decoded = decode_html_entity(self.text, self.pos)
        if decoded is None:
            if self.strict:
                offset = self._byte_offset(self.pos)
                raise HtmlParseError(f'Unescaped "&" at byte offset {offset}')
            self.pos += 1
            return "&"
        char, self.pos = decoded
        return char

    def _skip_spaces(self) -> None:
        while self._peek(self.pos) in _SPACES and self.pos < len(self.text):
            self.pos += 1

    def _scan_name(self, stop: str) -> str:
        start = self.pos
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in _SPACES or char in stop:
                break
            self.pos += 1
        return self.text[start : self.pos]

    def _start_tag(self) -> None:
        begin = self.pos
        self.pos += 1
        name = self._scan_name(">").lower()
        offset = self._byte_offset(begin)
        if self.pos >= len(self.text):
            raise HtmlParseError(f"Unclosed start tag at byte offset {offset}")
        if name not in _HTML_TAGS:
            raise HtmlParseError(f'Unsupported start tag "{name}" at byte offset {offset}')
        argument = self._attributes(name, offset)
        if name == "span" and argument != "spoiler":
            raise HtmlParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {offset}'
            )
        if name == "tg-emoji" and not (argument.isdigit() and int(argument) > 0):
            raise HtmlParseError("Invalid custom emoji identifier specified")
        self.stack.append(_OpenTag(name, argument, self.utf16, len(self.out)))

    def _attributes(self, tag: str, offset: int) -> str:
        argument = ""
        while True:
            self._skip_spaces()
            if self.pos >= len(self.text):
                raise HtmlParseError(f"Unclosed start tag at byte offset {offset}")
            if self.text[self.pos] == ">":
                self.pos += 1
                return argument
            argument = self._attribute(tag, offset) or argument

    def _attribute(self, tag: str, offset: int) -> str | None:
        name = self._scan_name("=>")
        if not name:
            raise HtmlParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {offset}'
            )
        self._skip_spaces()
        if self._peek(self.pos) != "=":
            if tag == "blockquote" and name == "expandable":
                return "expandable"
            raise HtmlParseError(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{tag}" at byte offset {offset}'
            )
        self.pos += 1
        self._skip_spaces()
        if self.pos >= len(self.text):
            raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {offset}')
        quote = self.text[self.pos]
        value = self._quoted_value(quote) if quote in "'\"" else self._token_value()
        if self.pos >= len(self.text):
            raise HtmlParseError(f"Unclosed start tag at byte offset {offset}")
        return _tag_argument(tag, name, value)

    def _quoted_value(self, quote: str) -> str:
        self.pos += 1
        chars: list[str] = []
        while self.pos < len(self.text) and self.text[self.pos] != quote:
            if self.text[self.pos] == "&":
                chars.append(self._entity())
            else:
                chars.append(self.text[self.pos])
                self.pos += 1
        if self.pos < len(self.text):
            self.pos += 1
        return "".join(chars)

    def _token_value(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and (
            self.text[self.pos].isalnum() or self.text[self.pos] in ".-"
        ):
            self.pos += 1
        following = self._peek(self.pos)
        if following and following not in _SPACES and following != ">":
            offset = self._byte_offset(start)
            raise HtmlParseError(f"Unexpected end of name token at byte offset {offset}")
        return self.text[start : self.pos].lower()

    def _end_tag(self) -> None:
        begin = self.pos
        offset = self._byte_offset(begin)
        if not self.stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {offset}")
        self.pos += 2
        name = self._scan_name(">").lower()
        self._skip_spaces()
        if self._peek(self.pos) != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {offset}")
        self.pos += 1
        tag = self.stack.pop()
        if name and name != tag.name:
            raise HtmlParseError(
                f'Unmatched end tag at byte offset {offset}, expected "</{tag.name}>", '
                f'found "</{name}>"'
            )
        self._close(tag)

    def _close(self, tag: _OpenTag) -> None:
        length = self.utf16 - tag.offset
        if length <= 0:
            return
        entity: JSON = {"offset": tag.offset, "length": length}
        last = self.entities[-1] if self.entities else None
        if tag.name == "pre" and last and last.get("_language") and _same_span(last, entity):
            last.update(type="pre", language=last.pop("_language"))
            return
        self.entities.append({"type": "", **entity})
        self._fill_entity(self.entities[-1], tag)

    def _fill_entity(self, entity: JSON, tag: _OpenTag) -> None:
        if tag.name == "a":
            entity.update(type="text_link", url=tag.argument or "".join(self.out[tag.begin :]))
        elif tag.name == "tg-emoji":
            entity.update(type="custom_emoji", custom_emoji_id=tag.argument)
        elif tag.name == "blockquote":
            entity["type"] = "expandable_blockquote" if tag.argument else "blockquote"
        else:
            entity["type"] = _SIMPLE_ENTITIES[tag.name]
            if tag.name == "code" and tag.argument:
                entity["_language"] = tag.argument


def _same_span(first: JSON, second: JSON) -> bool:
    return bool(first["offset"] == second["offset"] and first["length"] == second["length"])


def _tag_argument(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return value
    if tag == "code" and attribute == "class" and value.startswith("language-"):
        return value.removeprefix("language-")
    if tag == "span" and attribute == "class" and value.startswith("tg-"):
        return value.removeprefix("tg-")
    if tag == "tg-emoji" and attribute == "emoji-id":
        return value
    if tag == "blockquote" and attribute == "expandable":
        return "expandable"
    return None


def parse_html(text: str, *, strict: bool = True) -> tuple[str, list[JSON]]:
    """Parse Telegram HTML into ``(plain_text, entities)``; raise HtmlParseError if invalid."""
    plain, entities = _HtmlParser(text, strict=strict).parse()
    for entity in entities:
        entity.pop("_language", None)
    return plain, entities


# --------------------------------------------------------------------------- records


@dataclass
class Upload:
    """A file part of a multipart request."""

    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class StoredFile:
    """A file known to the server: uploaded by the bot, or referenced by URL."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None
    url: str | None = None

    @property
    def size(self) -> int:
        """Return the size in bytes."""
        return len(self.data)

    def to_json(self) -> JSON:
        """Return the Bot API ``File`` object."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }


@dataclass
class SentRecord:
    """One successful call by which the bot sent or changed something."""

    method: str
    chat_id: int | None = None
    message_thread_id: int | None = None
    message_id: int | None = None
    text: str | None = None
    plain_text: str | None = None
    parse_mode: str | None = None
    entities: list[JSON] = field(default_factory=list)
    reply_markup: JSON | None = None
    files: list[StoredFile] = field(default_factory=list)
    extra: JSON = field(default_factory=dict)
    params: JSON = field(default_factory=dict)
    time: float = field(default_factory=monotonic)


@dataclass
class ApiCall:
    """One Bot API request received by the server, successful or not."""

    method: str
    params: JSON
    status: int
    description: str | None = None
    time: float = field(default_factory=monotonic)

    @property
    def ok(self) -> bool:
        """Return True when the request succeeded."""
        return self.status == HTTPStatus.OK


@dataclass
class ChatState:
    """Server-side state of one chat."""

    info: JSON
    members: dict[int, JSON] = field(default_factory=dict)
    messages: dict[int, JSON] = field(default_factory=dict)
    bot_message_ids: set[int] = field(default_factory=set)
    topics: dict[int, str] = field(default_factory=dict)
    closed_topics: set[int] = field(default_factory=set)
    migrated_to: int | None = None
    last_message_id: int = 0

    @property
    def id(self) -> int:
        """Return the chat id."""
        return int(self.info["id"])

    @property
    def type(self) -> str:
        """Return the chat type (private, group, supergroup or channel)."""
        return str(self.info["type"])

    @property
    def is_forum(self) -> bool:
        """Return True for forum supergroups."""
        return bool(self.info.get("is_forum"))

    def next_message_id(self) -> int:
        """Allocate the next message id of this chat."""
        self.last_message_id += 1
        return self.last_message_id


@dataclass
class _Query:
    kind: str
    created: float
    answered: bool = False


@dataclass
class _FailurePlan:
    status: int
    methods: frozenset[str] | None
    remaining: int | None = None
    until: float | None = None

    def matches(self, method: str, now: float) -> bool:
        if self.until is not None and now >= self.until:
            return False
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.methods is None:
            return method != "getupdates"
        return "*" in self.methods or method in self.methods


# --------------------------------------------------------------------------- helpers


@dataclass
class _Bucket:
    capacity: float
    rate: float
    tokens: float
    stamp: float

    def wait_time(self, now: float) -> float:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


@dataclass
class RateLimitConfig:
    """Flood limits applied to sending methods when ``enabled``."""

    enabled: bool = False
    per_chat_per_second: float = 1.0
    private_burst: int = 3
    per_group_per_minute: int = 20
    global_per_second: int = 30


class _RateLimiter:
    """Token buckets per private chat, per group and globally."""

    def __init__(self) -> None:
        self.config = RateLimitConfig()
        self._buckets: dict[tuple[str, int], _Bucket] = {}

    def reset(self) -> None:
        self._buckets.clear()

    def _bucket(self, kind: str, key: int, now: float) -> _Bucket:
        if (kind, key) not in self._buckets:
            capacity, rate = self._shape(kind)
            self._buckets[kind, key] = _Bucket(capacity, rate, capacity, now)
        return self._buckets[kind, key]

    def _shape(self, kind: str) -> tuple[float, float]:
        config = self.config
        if kind == "private":
            return float(config.private_burst), config.per_chat_per_second
        if kind == "group":
            return float(config.per_group_per_minute), config.per_group_per_minute / 60
        return float(config.global_per_second), float(config.global_per_second)

    def acquire(self, chat_id: int, private: bool) -> int | None:
        """Take a token for ``chat_id``; return retry_after seconds when over the limit."""
        if not self.config.enabled:
            return None
        now = monotonic()
        buckets = [
            self._bucket("private" if private else "group", chat_id, now),
            self._bucket("global", 0, now),
        ]
        wait = max(bucket.wait_time(now) for bucket in buckets)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.tokens -= 1
        return None


class _Signal:
    """A broadcast wake-up that can be fired from synchronous code."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake every current waiter."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float) -> None:
        """Wait for the next notify() or until ``seconds`` elapse."""
        event = self._event
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(seconds, 0.0)):
                await event.wait()


class Params:
    """Parameters of one Bot API call, converted on access as Telegram does."""

    def __init__(self, values: JSON, uploads: dict[str, Upload]) -> None:
        self.values = values
        self.uploads = uploads

    def public(self) -> JSON:
        """Return the non-file parameters (for records)."""
        return dict(self.values)

    def raw(self, name: str) -> Any:
        """Return the parameter as received, or None."""
        return self.values.get(name)

    def get_str(self, name: str) -> str | None:
        """Return a string parameter."""
        value = self.raw(name)
        if value is None:
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def get_int(self, name: str) -> int | None:
        """Return an integer parameter (400 if it is not an integer)."""
        value = self.raw(name)
        if value is None or value == "":
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_float(self, name: str) -> float | None:
        """Return a float parameter (400 if it is not a number)."""
        value = self.raw(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str) -> bool:
        """Return a boolean parameter (absent means False)."""
        value = self.raw(name)
        if isinstance(value, str):
            return value.strip().lower() in {"true", "1"}
        return bool(value)

    def get_json(self, name: str) -> Any:
        """Return a JSON-serialized parameter, decoding form-encoded strings."""
        value = self.raw(name)
        if not isinstance(value, str):
            return value
        if not value:
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None

    def chat_ref(self, name: str = "chat_id") -> int | str:
        """Return a chat id or ``@username``."""
        value = self.raw(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        if isinstance(value, int):
            return value
        text = str(value).strip()
        return int(text) if text.lstrip("-").isdigit() else text

    def input_file(self, name: str) -> Upload | str | None:
        """Return the uploaded file or the string reference sent for ``name``."""
        if name in self.uploads:
            return self.uploads[name]
        value = self.get_str(name)
        if value and value.startswith("attach://"):
            return self.uploads.get(value.removeprefix("attach://"))
        return value or None


async def read_params(request: web.Request) -> Params:
    """Collect parameters from the query string and a JSON, urlencoded or multipart body."""
    values: JSON = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.content_type == "application/json":
        body = await request.read()
        if body:
            try:
                decoded = json.loads(body)
            except ValueError:
                raise bad_request("can't parse JSON object") from None
            values.update(decoded if isinstance(decoded, dict) else {})
    elif request.content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        for name, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                uploads[name] = Upload(name, value.filename, value.content_type, value.file.read())
            else:
                values[name] = value if isinstance(value, str) else bytes(value).decode()
    return Params(values, uploads)


def _json_response(payload: JSON, status: int = 200) -> web.Response:
    return web.json_response(payload, status=status)


def _failure_response(status: int) -> web.Response:
    phrase = HTTPStatus(status).phrase
    if status in {HTTPStatus.BAD_GATEWAY, HTTPStatus.GATEWAY_TIMEOUT}:
        page = _NGINX_PAGE.format(code=status, phrase=phrase)
        return web.Response(status=status, text=page, content_type="text/html")
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        return _json_response(too_many_requests(1).payload(), status)
    return _json_response(ApiError(status, phrase).payload(), status)


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Return ``(width, height)`` for supported images (PNG exact, others nominal)."""
    if data.startswith(_PNG_MAGIC) and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    is_webp = data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    if is_webp or data.startswith(_IMAGE_MAGICS[1:]):
        return 800, 600
    return None


def _now() -> int:
    return int(time.time())


def _type_label(chat_type: str) -> str:
    return f"{chat_type} chat"


def _admin_rights(chat_type: str) -> JSON:
    rights: JSON = {
        "can_be_edited": False,
        "is_anonymous": False,
        "can_manage_chat": True,
        "can_delete_messages": True,
        "can_manage_video_chats": True,
        "can_restrict_members": True,
        "can_promote_members": False,
        "can_change_info": True,
        "can_invite_users": True,
        "can_post_stories": False,
        "can_edit_stories": False,
        "can_delete_stories": False,
    }
    if chat_type == "channel":
        rights.update(can_post_messages=True, can_edit_messages=True)
    else:
        rights.update(can_pin_messages=True, can_manage_topics=chat_type == "supergroup")
    return rights


def _restricted_rights() -> JSON:
    names = (
        "can_change_info",
        "can_invite_users",
        "can_pin_messages",
        "can_send_messages",
        "can_send_polls",
        "can_send_other_messages",
        "can_add_web_page_previews",
        "can_manage_topics",
        "can_send_audios",
        "can_send_documents",
        "can_send_photos",
        "can_send_videos",
        "can_send_video_notes",
        "can_send_voice_notes",
        "can_edit_tag",
    )
    return {"is_member": True, "until_date": 0, **dict.fromkeys(names, True)}


def member_fields(status: str, chat_type: str, rights: dict[str, bool]) -> JSON:
    """Return the ChatMember fields (without ``user``) for ``status``."""
    if status not in MEMBER_STATUSES:
        raise ValueError(f"unknown member status {status!r}")
    body: JSON = {"status": status}
    if status == "creator":
        body["is_anonymous"] = False
    elif status == "administrator":
        body.update(_admin_rights(chat_type))
    elif status == "restricted":
        body.update(_restricted_rights())
    elif status == "kicked":
        body["until_date"] = 0
    body.update(rights)
    return body


# --------------------------------------------------------------------------- world


class _World:
    """Users, chats, memberships, stored messages and the update queue (no HTTP)."""

    def __init__(self, token: str, bot_username: str, bot_name: str, first_update_id: int) -> None:
        if not _TOKEN_RE.fullmatch(token):
            raise ValueError(f"malformed bot token {token!r}")
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user: JSON = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
        }
        self.users: dict[int, JSON] = {}
        self.chats: dict[int, ChatState] = {}
        self.updates: list[JSON] = []
        self.delivered_at: dict[int, float] = {}
        self._pending: list[JSON] = []
        self._update_ids = itertools.count(first_update_id)
        self._query_ids = itertools.count(1)
        self._queries: dict[str, _Query] = {}
        self._updates_signal = _Signal()

    # ---- users and chats

    def add_user(
        self,
        id: int,
        first_name: str,
        language_code: str | None = "fr",
        username: str | None = None,
        *,
        last_name: str | None = None,
        is_bot: bool = False,
        private_chat: bool = True,
    ) -> JSON:
        """Register a user (and, by default, the private chat they opened with the bot)."""
        user: JSON = {"id": id, "is_bot": is_bot, "first_name": first_name}
        optional = {"last_name": last_name, "username": username, "language_code": language_code}
        user.update({key: value for key, value in optional.items() if value is not None})
        self.users[id] = user
        if private_chat and id not in self.chats:
            self.add_chat(id, "private", username=username)
        return user

    def add_chat(
        self,
        id: int,
        type: str,
        title: str | None = None,
        is_forum: bool = False,
        username: str | None = None,
        *,
        bot_status: str | None = None,
        **bot_rights: bool,
    ) -> JSON:
        """Create a chat; the bot is a member (an admin that can post, in channels)."""
        if type not in CHAT_TYPES:
            raise ValueError(f"unknown chat type {type!r}")
        info: JSON = {"id": id, "type": type}
        if type == "private":
            user = self.users.get(id, {"first_name": f"User {id}"})
            info.update({k: user[k] for k in ("first_name", "last_name") if k in user})
        else:
            info["title"] = title or f"Chat {id}"
        if username:
            info["username"] = username
        if is_forum and type == "supergroup":
            info["is_forum"] = True
        chat = self.chats[id] = ChatState(info)
        default_status = "administrator" if type == "channel" else "member"
        self._set_status(chat, self.bot_id, bot_status or default_status, bot_rights)
        if type == "private":
            self._set_status(chat, id, "member", {})
        return dict(info)

    def set_member(self, chat_id: int, user_id: int, status: str, **rights: bool) -> JSON:
        """Set a user's (or the bot's) membership; admin rights via keyword flags."""
        chat = self.chat(chat_id)
        self._set_status(chat, user_id, status, rights)
        return self.member_json(chat, user_id)

    def _set_status(self, chat: ChatState, user_id: int, status: str, rights: JSON) -> None:
        chat.members[user_id] = member_fields(status, chat.type, rights)

    def chat(self, chat_id: int) -> ChatState:
        """Return the state of a chat the test created."""
        if chat_id not in self.chats:
            raise KeyError(f"unknown chat {chat_id}; call add_chat()/add_user() first")
        return self.chats[chat_id]

    def user(self, user_id: int) -> JSON:
        """Return a registered user (the bot included)."""
        if user_id == self.bot_id:
            return dict(self.bot_user)
        if user_id == ANONYMOUS_ADMIN_ID:
            return dict(ANONYMOUS_ADMIN)
        if user_id not in self.users:
            raise KeyError(f"unknown user {user_id}; call add_user() first")
        return dict(self.users[user_id])

    def bot_member(self, chat: ChatState) -> JSON:
        """Return the bot's membership fields in ``chat``."""
        return chat.members.get(self.bot_id, {"status": "left"})

    def member_json(self, chat: ChatState, user_id: int) -> JSON:
        """Return the Bot API ``ChatMember`` of ``user_id`` in ``chat``."""
        fields = chat.members.get(user_id) or member_fields("left", chat.type, {})
        return {**fields, "user": self.user(user_id)}

    def chat_json(self, chat: ChatState) -> JSON:
        """Return the Bot API ``Chat`` object."""
        return dict(chat.info)

    def add_topic(self, chat_id: int, thread_id: int, name: str = "Topic") -> None:
        """Declare a forum topic; sends to undeclared threads then fail."""
        self.chat(chat_id).topics[thread_id] = name

    def close_topic(self, chat_id: int, thread_id: int) -> None:
        """Close a forum topic: sends into it fail with TOPIC_CLOSED."""
        self.chat(chat_id).closed_topics.add(thread_id)

    def reopen_topic(self, chat_id: int, thread_id: int) -> None:
        """Reopen a closed forum topic."""
        self.chat(chat_id).closed_topics.discard(thread_id)

    def block(self, chat_id: int, *, notify: bool = False) -> None:
        """Make the user of a private chat block the bot (403 on send)."""
        chat = self.chat(chat_id)
        if chat.type != "private":
            raise ValueError("block() is for private chats; use kick() for groups")
        self._change_bot_status(chat, chat_id, "kicked", notify=notify)

    def unblock(self, chat_id: int, *, notify: bool = False) -> None:
        """Undo block()."""
        self._change_bot_status(self.chat(chat_id), chat_id, "member", notify=notify)

    def kick(self, chat_id: int, *, by_user_id: int | None = None, notify: bool = False) -> None:
        """Remove the bot from a group, supergroup or channel (403 on send)."""
        chat = self.chat(chat_id)
        if chat.type == "private":
            raise ValueError("kick() is for groups and channels; use block() for users")
        self._change_bot_status(chat, by_user_id, "kicked", notify=notify)

    def _change_bot_status(
        self, chat: ChatState, by_user_id: int | None, status: str, *, notify: bool
    ) -> None:
        old = self.bot_member(chat)["status"]
        if notify:
            actor = by_user_id if by_user_id is not None else self._some_admin(chat)
            self.my_chat_member(chat.id, actor, old, status)
        else:
            self._set_status(chat, self.bot_id, status, {})

    def _some_admin(self, chat: ChatState) -> int:
        for user_id, member in chat.members.items():
            if member["status"] in {"creator", "administrator"} and user_id != self.bot_id:
                return user_id
        return next(iter(self.users), ANONYMOUS_ADMIN_ID)

    # ---- updates

    def push_update(self, kind: str, payload: JSON) -> JSON:
        """Queue a raw update of type ``kind``; return it with its update_id."""
        update = {"update_id": next(self._update_ids), kind: payload}
        self.updates.append(update)
        self._pending.append(update)
        self._updates_signal.notify()
        return update

    @property
    def pending_updates(self) -> list[JSON]:
        """Return the updates not yet confirmed by getUpdates offset."""
        return list(self._pending)

    def get_message(self, chat_id: int, message_id: int) -> JSON:
        """Return the current state of a stored message."""
        return self.chat(chat_id).messages[message_id]

    def new_message(
        self,
        chat: ChatState,
        content: JSON,
        *,
        sender: JSON | None,
        sender_chat: JSON | None = None,
        thread_id: int | None = None,
    ) -> JSON:
        """Store a new message in ``chat`` and return it."""
        message: JSON = {"message_id": chat.next_message_id(), "date": _now()}
        if sender is not None:
            message["from"] = sender
        if sender_chat is not None:
            message["sender_chat"] = sender_chat
        message["chat"] = self.chat_json(chat)
        if thread_id is not None and chat.is_forum:
            message.update(message_thread_id=thread_id, is_topic_message=True)
        message.update(content)
        chat.messages[message["message_id"]] = message
        return message

    def send_message(
        self,
        chat_id: int,
        from_user_id: int | None,
        text: str,
        message_thread_id: int | None = None,
        *,
        anonymous: bool = False,
        entities: list[JSON] | None = None,
        reply_to_message_id: int | None = None,
    ) -> JSON:
        """Inject a text message from a user (or an anonymous admin); return the update."""
        chat = self._live_chat(chat_id)
        if anonymous:
            sender, sender_chat = dict(ANONYMOUS_ADMIN), self.chat_json(chat)
        else:
            if from_user_id is None:
                raise ValueError("from_user_id is required unless anonymous=True")
            sender, sender_chat = self.user(from_user_id), None
            if from_user_id not in chat.members:
                self._set_status(chat, from_user_id, "member", {})
        content = self._text_content(text, entities)
        if reply_to_message_id is not None:
            content["reply_to_message"] = chat.messages[reply_to_message_id]
        message = self.new_message(
            chat, content, sender=sender, sender_chat=sender_chat, thread_id=message_thread_id
        )
        return self.push_update("message", message)

    def _live_chat(self, chat_id: int) -> ChatState:
        chat = self.chat(chat_id)
        if chat.migrated_to is not None:
            raise ValueError(f"chat {chat_id} was migrated to {chat.migrated_to}")
        return chat

    @staticmethod
    def _text_content(text: str, entities: list[JSON] | None) -> JSON:
        content: JSON = {"text": text}
        if entities is None:
            match = _COMMAND_RE.match(text)
            command = {"type": "bot_command", "offset": 0, "length": match.end() if match else 0}
            entities = [command] if match else []
        if entities:
            content["entities"] = entities
        return content

    def send_channel_post(self, chat_id: int, text: str) -> JSON:
        """Inject a channel post; return the update."""
        chat = self._live_chat(chat_id)
        content = self._text_content(text, None)
        message = self.new_message(chat, content, sender=None, sender_chat=self.chat_json(chat))
        return self.push_update("channel_post", message)

    def edit_message(self, chat_id: int, message_id: int, text: str) -> JSON:
        """Inject an edit of a stored message; return the edited_* update."""
        chat = self.chat(chat_id)
        message = chat.messages[message_id]
        message.pop("entities", None)
        message.update(self._text_content(text, None), edit_date=_now())
        kind = "edited_channel_post" if chat.type == "channel" else "edited_message"
        return self.push_update(kind, dict(message))

    def inline_query(
        self, from_user_id: int, query: str, chat_type: str = "group", offset: str = ""
    ) -> str:
        """Inject an inline query; return its id (for answerInlineQuery)."""
        query_id = self._new_query("inline")
        payload: JSON = {
            "id": query_id,
            "from": self.user(from_user_id),
            "query": query,
            "offset": offset,
            "chat_type": chat_type,
        }
        self.push_update("inline_query", payload)
        return query_id

    def callback_query(self, from_user_id: int, chat_id: int, message_id: int, data: str) -> str:
        """Inject a button press on a stored message; return the callback query id."""
        query_id = self._new_query("callback")
        payload: JSON = {
            "id": query_id,
            "from": self.user(from_user_id),
            "message": self.get_message(chat_id, message_id),
            "chat_instance": str(abs(chat_id) * 7919),
            "data": data,
        }
        self.push_update("callback_query", payload)
        return query_id

    def _new_query(self, kind: str) -> str:
        query_id = str(4_000_000_000_000 + next(self._query_ids))
        self._queries[query_id] = _Query(kind, monotonic())
        return query_id

    def my_chat_member(
        self, chat_id: int, from_user_id: int, old_status: str, new_status: str, **rights: bool
    ) -> JSON:
        """Change the bot's membership and inject the my_chat_member update."""
        chat = self.chat(chat_id)
        old = {**member_fields(old_status, chat.type, {}), "user": dict(self.bot_user)}
        self._set_status(chat, self.bot_id, new_status, rights)
        payload: JSON = {
            "chat": self.chat_json(chat),
            "from": self.user(from_user_id),
            "date": _now(),
            "old_chat_member": old,
            "new_chat_member": self.member_json(chat, self.bot_id),
        }
        return self.push_update("my_chat_member", payload)

    def migrate(
        self, chat_id: int, new_chat_id: int, from_user_id: int | None = None
    ) -> list[JSON]:
        """Upgrade a group to a supergroup and inject both service messages."""
        old = self._live_chat(chat_id)
        if old.type != "group":
            raise ValueError("only basic groups can be migrated")
        actor = self.user(from_user_id if from_user_id is not None else self._some_admin(old))
        self.add_chat(new_chat_id, "supergroup", title=old.info.get("title"))
        new = self.chats[new_chat_id]
        for user_id, member in old.members.items():
            self._set_status(new, user_id, member["status"], {})
        to_msg = self.new_message(old, {"migrate_to_chat_id": new_chat_id}, sender=actor)
        old.migrated_to = new_chat_id
        from_msg = self.new_message(
            new,
            {"migrate_from_chat_id": chat_id},
            sender=dict(ANONYMOUS_ADMIN),
            sender_chat=self.chat_json(new),
        )
        return [self.push_update("message", to_msg), self.push_update("message", from_msg)]


# --------------------------------------------------------------------------- server


class FakeBotAPI(_World):
    """An in-process Bot API server with a scriptable world; see the module docstring."""

    def __init__(
        self,
        token: str = "123456:TEST-token",
        *,
        bot_username: str = "BilatTestBot",
        bot_name: str = "Bilat",
        host: str = "127.0.0.1",
        port: int = 0,
        first_update_id: int = 100_000,
        strict_html: bool = True,
        query_ttl: float = 10.0,
    ) -> None:
        super().__init__(token, bot_username, bot_name, first_update_id)
        self.host = host
        self.port = port
        self.strict_html = strict_html
        self.query_ttl = query_ttl
        self.latency = 0.0
        self.sent: list[SentRecord] = []
        self.calls: list[ApiCall] = []
        self.files: dict[str, StoredFile] = {}
        self.inline_answers: dict[str, list[JSON]] = {}
        self.webhook: JSON | None = None
        self.descriptions: dict[str, str] = {}
        self.short_descriptions: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.count_429 = 0
        self.limiter = _RateLimiter()
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._allowed_updates = DEFAULT_ALLOWED_UPDATES
        self._poll_generation = 0
        self._failures: list[_FailurePlan] = []
        self._file_ids = itertools.count(1)
        self._sent_signal = _Signal()
        self._runner: web.AppRunner | None = None
        self._closing = False
        self._handlers: dict[str, Handler] = self._handler_table()
        self._canonical = {name.lower(): name for name in [*self._handlers, "getUpdates"]}

    # ---- lifecycle

    @property
    def url(self) -> str:
        """Return the server root, e.g. ``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """Return the value for PTB's ``base_url`` (``{url}/bot``)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Return the value for PTB's ``base_file_url`` (``{url}/file/bot``)."""
        return f"{self.url}/file/bot"

    async def start(self) -> None:
        """Start listening (on a random free port unless one was given or already bound)."""
        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port, reuse_address=True).start()
        self.port = int(self._runner.addresses[0][1])
        self._closing = False

    async def stop(self) -> None:
        """Release pending long polls and stop the HTTP server (the world is kept)."""
        self._closing = True
        self._updates_signal.notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def restart(self) -> None:
        """Restart the HTTP server on the same port, keeping all state."""
        await self.stop()
        await self.start()

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ---- test controls

    def rate_limits(
        self,
        enabled: bool = True,
        *,
        per_chat_per_second: float | None = None,
        private_burst: int | None = None,
        per_group_per_minute: int | None = None,
        global_per_second: int | None = None,
    ) -> RateLimitConfig:
        """Enable/disable and tune Telegram-like flood limits (off by default)."""
        config = self.limiter.config
        config.enabled = enabled
        changes = {
            "per_chat_per_second": per_chat_per_second,
            "private_burst": private_burst,
            "per_group_per_minute": per_group_per_minute,
            "global_per_second": global_per_second,
        }
        for name, value in changes.items():
            if value is not None:
                setattr(config, name, value)
        self.limiter.reset()
        return config

    def fail_next(
        self, n: int = 1, status: int = 500, *, methods: Collection[str] | None = None
    ) -> None:
        """Fail the next ``n`` matching requests with HTTP ``status``.

        ``methods=None`` means every method except getUpdates; include ``"*"`` for all.
        """
        self._failures.append(_FailurePlan(status, _lower_set(methods), remaining=n))

    def fail_for(
        self, seconds: float, status: int = 502, *, methods: Collection[str] | None = None
    ) -> None:
        """Fail matching requests with HTTP ``status`` for ``seconds`` (see fail_next)."""
        plan = _FailurePlan(status, _lower_set(methods), until=monotonic() + seconds)
        self._failures.append(plan)

    def clear_failures(self) -> None:
        """Cancel every pending fail_next()/fail_for()."""
        self._failures.clear()

    def commands_for(self, language_code: str = "", scope: JSON | None = None) -> list[JSON]:
        """Return the commands set for exactly this scope and language."""
        key = (_scope_key(scope or {"type": "default"}), language_code)
        return list(self._commands.get(key, []))

    def messages(self, chat_id: int, thread_id: int | None = None) -> list[SentRecord]:
        """Return the messages the bot sent to a chat (optionally one forum topic)."""
        return [
            record
            for record in self.sent
            if record.method in SEND_METHODS
            and record.chat_id == chat_id
            and (thread_id is None or record.message_thread_id == thread_id)
        ]

    async def wait_for(
        self,
        predicate: Callable[[SentRecord], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain timeout reads best in tests
        *,
        after: int = 0,
    ) -> SentRecord:
        """Wait until a record in ``sent[after:]`` matches ``predicate``; return it."""
        deadline = monotonic() + timeout
        while True:
            for record in self.sent[after:]:
                if predicate(record):
                    return record
            remaining = deadline - monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no sent record matched in {timeout}s; {self._summary()}")
            await self._sent_signal.wait(remaining)

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain timeout reads best in tests
        *,
        thread_id: int | None = None,
    ) -> list[SentRecord]:
        """Wait until the bot sent ``count`` messages to the chat; return them all."""
        deadline = monotonic() + timeout
        while len(found := self.messages(chat_id, thread_id)) < count:
            remaining = deadline - monotonic()
            if remaining <= 0:
                raise TimeoutError(
                    f"{len(found)}/{count} messages to {chat_id} in {timeout}s; {self._summary()}"
                )
            await self._sent_signal.wait(remaining)
        return found

    def _summary(self) -> str:
        failures = [f"{c.method}->{c.status} {c.description}" for c in self.calls if not c.ok]
        sent = [f"{r.method}({r.chat_id}): {r.text!r:.60}" for r in self.sent[-10:]]
        return f"last sent: {sent}; failed calls: {failures[-10:]}"

    # ---- HTTP

    async def _handle_method(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if token != self.token:
            valid = _TOKEN_RE.fullmatch(token)
            code, text = (401, "Unauthorized") if valid else (404, "Not Found")
            return _json_response(ApiError(code, text).payload(), code)
        method = request.match_info["method"]
        name = self._canonical.get(method.lower(), method)
        try:
            params = await read_params(request)
        except ApiError as error:
            return self._error(name, Params({}, {}), error)
        if name.lower() not in self._canonical:
            return self._error(name, params, ApiError(404, "Not Found"))
        failure = self._take_failure(name)
        if failure is not None:
            return self._injected(name, params, failure)
        return await self._dispatch(name, params)

    async def _dispatch(self, name: str, params: Params) -> web.Response:
        if self.latency > 0 and name != "getUpdates":
            await asyncio.sleep(self.latency)
        try:
            if name == "getUpdates":
                result: Any = await self._get_updates(params)
            else:
                result = self._handlers[name](params)
        except ApiError as error:
            return self._error(name, params, error)
        self.calls.append(ApiCall(name, params.public(), HTTPStatus.OK))
        return _json_response({"ok": True, "result": result})

    def _error(self, name: str, params: Params, error: ApiError) -> web.Response:
        self.count_429 += error.code == HTTPStatus.TOO_MANY_REQUESTS
        self.calls.append(ApiCall(name, params.public(), error.code, error.description))
        return _json_response(error.payload(), error.code)

    def _take_failure(self, name: str) -> int | None:
        now = monotonic()
        for plan in self._failures:
            if plan.matches(name.lower(), now):
                if plan.remaining is not None:
                    plan.remaining -= 1
                return plan.status
        return None

    def _injected(self, name: str, params: Params, status: int) -> web.Response:
        self.count_429 += status == HTTPStatus.TOO_MANY_REQUESTS
        self.calls.append(ApiCall(name, params.public(), status, "injected failure"))
        return _failure_response(status)

    async def _handle_file(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        found = [f for f in self.files.values() if f.file_path == path and f.url is None]
        if request.match_info["token"] != self.token or not found:
            return _json_response(ApiError(404, "Not Found").payload(), 404)
        content_type = found[0].mime_type or "application/octet-stream"
        return web.Response(body=found[0].data, content_type=content_type)

    def _handler_table(self) -> dict[str, Handler]:
        return {
            "getMe": self._get_me,
            "logOut": lambda _: True,
            "close": lambda _: True,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendChatAction": self._send_chat_action,
            "answerInlineQuery": self._answer_inline_query,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setMyDescription": self._setter(self.descriptions, "description", 512),
            "getMyDescription": self._getter(self.descriptions, "description"),
            "setMyShortDescription": self._setter(
                self.short_descriptions, "short_description", 120
            ),
            "getMyShortDescription": self._getter(self.short_descriptions, "short_description"),
            "setMyName": self._setter(self.names, "name", 64),
            "getMyName": self._getter(self.names, "name"),
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "getChatAdministrators": self._get_chat_administrators,
            "leaveChat": self._leave_chat,
            "getFile": self._get_file,
        }

    # ---- updates and webhooks

    def _get_me(self, _: Params) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }

    async def _get_updates(self, p: Params) -> list[JSON]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self._set_allowed_updates(p.get_json("allowed_updates"))
        offset = p.get_int("offset")
        if offset:
            self._confirm(offset)
        limit = min(max(p.get_int("limit") or 100, 1), 100)
        deadline = monotonic() + max(p.get_float("timeout") or 0.0, 0.0)
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_signal.notify()
        while not (batch := self._next_batch(limit)) and not self._closing:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if deadline <= monotonic():
                break
            await self._updates_signal.wait(deadline - monotonic())
        now = monotonic()
        for update in batch:
            self.delivered_at.setdefault(update["update_id"], now)
        return batch

    def _set_allowed_updates(self, allowed: Any) -> None:
        if allowed is None:
            return
        if not isinstance(allowed, list):
            raise bad_request("can't parse allowed_updates JSON object")
        self._allowed_updates = frozenset(allowed) or DEFAULT_ALLOWED_UPDATES

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            self._pending = self._pending[offset:]
        else:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]

    def _next_batch(self, limit: int) -> list[JSON]:
        self._pending = [u for u in self._pending if _update_kind(u) in self._allowed_updates]
        return self._pending[:limit]

    def _delete_webhook(self, p: Params) -> bool:
        self.webhook = None
        if p.get_bool("drop_pending_updates"):
            self._pending.clear()
        return True

    def _set_webhook(self, p: Params) -> bool:
        url = p.get_str("url") or ""
        if url and not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if p.get_bool("drop_pending_updates"):
            self._pending.clear()
        self.webhook = (
            {
                "url": url,
                "secret_token": p.get_str("secret_token"),
                "max_connections": p.get_int("max_connections"),
                "allowed_updates": p.get_json("allowed_updates"),
            }
            if url
            else None
        )
        return True

    def _get_webhook_info(self, _: Params) -> JSON:
        info: JSON = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self.webhook:
            info.update({k: v for k, v in self.webhook.items() if v and k != "secret_token"})
        return info

    # ---- chat access

    def _find_chat(self, ref: int | str) -> ChatState:
        if isinstance(ref, int) and ref in self.chats:
            return self.chats[ref]
        if isinstance(ref, str):
            username = ref.removeprefix("@").lower()
            for chat in self.chats.values():
                if str(chat.info.get("username", "")).lower() == username:
                    return chat
        raise bad_request("chat not found")

    def _access(self, p: Params, *, sending: bool, content: str | None = None) -> ChatState:
        chat = self._find_chat(p.chat_ref())
        if chat.migrated_to is not None:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        member = self.bot_member(chat)
        if chat.type == "private":
            if sending and member["status"] == "kicked":
                raise forbidden("bot was blocked by the user")
            return chat
        if member["status"] == "kicked":
            raise forbidden(f"bot was kicked from the {_type_label(chat.type)}")
        if member["status"] == "left":
            raise forbidden(f"bot is not a member of the {_type_label(chat.type)}")
        if sending:
            self._check_send_rights(chat, member, content)
        return chat

    @staticmethod
    def _check_send_rights(chat: ChatState, member: JSON, content: str | None) -> None:
        status = member["status"]
        if chat.type == "channel":
            if status != "creator" and not member.get("can_post_messages"):
                raise bad_request("need administrator rights in the channel chat")
            return
        if status != "restricted" or content is None:
            return
        right, label = (
            ("can_send_messages", "text messages")
            if content == "text"
            else (f"can_send_{content}", content)
        )
        if not member.get(right, True):
            raise bad_request(f"not enough rights to send {label} to the chat")

    def _check_thread(self, chat: ChatState, thread_id: int | None) -> None:
        if thread_id is None or not chat.is_forum:
            return
        if thread_id in chat.closed_topics:
            raise bad_request("TOPIC_CLOSED")
        if chat.topics and thread_id not in chat.topics and thread_id != 1:
            raise bad_request("message thread not found")

    def _target(self, p: Params, content: str | None) -> tuple[ChatState, int | None]:
        chat = self._access(p, sending=True, content=content)
        thread_id = p.get_int("message_thread_id")
        self._check_thread(chat, thread_id)
        return chat, thread_id

    def _throttle(self, chat: ChatState) -> None:
        retry_after = self.limiter.acquire(chat.id, chat.type == "private")
        if retry_after is not None:
            raise too_many_requests(retry_after)

    # ---- text and markup

    def _format(
        self, text: str, parse_mode: str | None, entities: Any, *, caption: bool
    ) -> tuple[str, list[JSON]]:
        mode = (parse_mode or "").lower()
        if mode == "html":
            try:
                plain, parsed = parse_html(text, strict=self.strict_html)
            except HtmlParseError as error:
                raise bad_request(f"can't parse entities: {error}") from None
        elif mode in {"", "markdown", "markdownv2"}:
            plain, parsed = text, (list(entities or []) if not mode else [])
        else:
            raise bad_request("unsupported parse_mode")
        stripped = plain.strip()
        if not stripped and not caption:
            raise bad_request("message text is empty")
        if len(stripped) > (MAX_CAPTION_LENGTH if caption else MAX_MESSAGE_LENGTH):
            raise bad_request("message caption is too long" if caption else "message is too long")
        return plain, parsed

    def _text(self, p: Params) -> tuple[str, str, list[JSON]]:
        text = p.get_str("text") or ""
        if not text:
            raise bad_request("message text is empty")
        plain, entities = self._format(
            text, p.get_str("parse_mode"), p.get_json("entities"), caption=False
        )
        return text, plain, entities

    def _caption(self, p: Params) -> tuple[str | None, JSON]:
        caption = p.get_str("caption")
        if not caption:
            return None, {}
        plain, entities = self._format(
            caption, p.get_str("parse_mode"), p.get_json("caption_entities"), caption=True
        )
        content: JSON = {"caption": plain}
        if entities:
            content["caption_entities"] = entities
        return caption, content

    @staticmethod
    def _reply_markup(p: Params) -> JSON | None:
        markup = p.get_json("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        rows = markup.get("inline_keyboard")
        if rows is not None:
            _check_inline_keyboard(rows)
        return markup

    def _reply_to(self, chat: ChatState, p: Params) -> JSON:
        params = p.get_json("reply_parameters") or {}
        message_id = params.get("message_id") if isinstance(params, dict) else None
        message_id = message_id or p.get_int("reply_to_message_id")
        if message_id is None:
            return {}
        if message_id in chat.messages:
            return {"reply_to_message": dict(chat.messages[message_id])}
        allow = p.get_bool("allow_sending_without_reply") or (
            isinstance(params, dict) and params.get("allow_sending_without_reply")
        )
        if allow:
            return {}
        raise bad_request("message to be replied not found")

    # ---- sending

    def _deliver(
        self, chat: ChatState, thread_id: int | None, content: JSON, markup: JSON | None
    ) -> JSON:
        if markup and "inline_keyboard" in markup:
            content = {**content, "reply_markup": {"inline_keyboard": markup["inline_keyboard"]}}
        is_channel = chat.type == "channel"
        message = self.new_message(
            chat,
            content,
            sender=None if is_channel else dict(self.bot_user),
            sender_chat=self.chat_json(chat) if is_channel else None,
            thread_id=thread_id,
        )
        chat.bot_message_ids.add(message["message_id"])
        return message

    def _record(self, record: SentRecord) -> None:
        self.sent.append(record)
        self._sent_signal.notify()

    def _send_message(self, p: Params) -> JSON:
        chat, thread_id = self._target(p, "text")
        text, plain, entities = self._text(p)
        markup = self._reply_markup(p)
        content: JSON = {"text": plain, **({"entities": entities} if entities else {})}
        content.update(self._reply_to(chat, p))
        self._throttle(chat)
        message = self._deliver(chat, thread_id, content, markup)
        self._record(
            SentRecord(
                "sendMessage",
                chat.id,
                thread_id,
                message["message_id"],
                text,
                plain,
                p.get_str("parse_mode"),
                entities,
                markup,
                params=p.public(),
            )
        )
        return message

    def _edit_message_text(self, p: Params) -> JSON | bool:
        markup = self._reply_markup(p)
        inline_id = p.get_str("inline_message_id")
        if inline_id:
            text, plain, entities = self._text(p)
            self._record(
                SentRecord(
                    "editMessageText",
                    text=text,
                    plain_text=plain,
                    parse_mode=p.get_str("parse_mode"),
                    entities=entities,
                    reply_markup=markup,
                    extra={"inline_message_id": inline_id},
                    params=p.public(),
                )
            )
            return True
        chat = self._access(p, sending=False)
        message = self._editable(chat, p.get_int("message_id"))
        text, plain, entities = self._text(p)
        new_markup = markup.get("inline_keyboard") if markup else None
        old_markup = message.get("reply_markup", {}).get("inline_keyboard")
        if (message["text"], message.get("entities", []), old_markup) == (
            plain,
            entities,
            new_markup,
        ):
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        self._throttle(chat)
        message.update(text=plain, edit_date=_now())
        _set_optional(message, "entities", entities)
        _set_optional(
            message, "reply_markup", {"inline_keyboard": new_markup} if new_markup else None
        )
        self._record(
            SentRecord(
                "editMessageText",
                chat.id,
                message.get("message_thread_id"),
                message["message_id"],
                text,
                plain,
                p.get_str("parse_mode"),
                entities,
                markup,
                params=p.public(),
            )
        )
        return dict(message)

    @staticmethod
    def _editable(chat: ChatState, message_id: int | None) -> JSON:
        if message_id is None or message_id not in chat.messages:
            raise bad_request("message to edit not found")
        if message_id not in chat.bot_message_ids:
            raise bad_request("message can't be edited")
        message = chat.messages[message_id]
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        return message

    def _send_photo(self, p: Params) -> JSON:
        chat, thread_id = self._target(p, "photos")
        stored = self._input_file(p, "photo", "photos")
        size = _image_size(stored.data) if stored.url is None else (800, 600)
        if size is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        if sum(size) > 10_000 or max(size) > 20 * max(min(size), 1):
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
        photo = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "width": size[0],
            "height": size[1],
        }
        return self._send_media(p, chat, thread_id, "sendPhoto", {"photo": [photo]}, stored)

    def _send_document(self, p: Params) -> JSON:
        chat, thread_id = self._target(p, "documents")
        stored = self._input_file(p, "document", "documents")
        document: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
        }
        _set_optional(document, "file_name", stored.file_name)
        _set_optional(document, "mime_type", stored.mime_type)
        content = {"document": document}
        return self._send_media(p, chat, thread_id, "sendDocument", content, stored)

    def _send_media(
        self,
        p: Params,
        chat: ChatState,
        thread_id: int | None,
        method: str,
        content: JSON,
        stored: StoredFile,
    ) -> JSON:
        caption, caption_content = self._caption(p)
        markup = self._reply_markup(p)
        content = {**content, **caption_content, **self._reply_to(chat, p)}
        self._throttle(chat)
        message = self._deliver(chat, thread_id, content, markup)
        self._record(
            SentRecord(
                method,
                chat.id,
                thread_id,
                message["message_id"],
                caption,
                caption_content.get("caption"),
                p.get_str("parse_mode"),
                caption_content.get("caption_entities", []),
                markup,
                [stored],
                params=p.public(),
            )
        )
        return message

    def _input_file(self, p: Params, name: str, folder: str) -> StoredFile:
        value = p.input_file(name)
        if value is None:
            raise bad_request(f"there is no {name} in the request")
        if isinstance(value, Upload):
            return self._store_upload(value, folder)
        if value in self.files:
            return self.files[value]
        if value.startswith(("http://", "https://")):
            return self._store_file(b"", folder, None, None, url=value)
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _store_upload(self, upload: Upload, folder: str) -> StoredFile:
        if not upload.data:
            raise bad_request("file must be non-empty")
        if len(upload.data) > MAX_DOCUMENT_BYTES:
            raise ApiError(413, "Request Entity Too Large")
        guessed = mimetypes.guess_type(upload.filename, strict=False)[0]
        mime = guessed or upload.content_type or "application/octet-stream"
        return self._store_file(upload.data, folder, upload.filename, mime)

    def _store_file(
        self,
        data: bytes,
        folder: str,
        file_name: str | None,
        mime_type: str | None,
        *,
        url: str | None = None,
    ) -> StoredFile:
        number = next(self._file_ids)
        suffix = mimetypes.guess_extension(mime_type or "") or ""
        stored = StoredFile(
            file_id=f"BQACAgQAAxkDAAI{number:08d}",
            file_unique_id=f"AgAD{number:06d}",
            file_path=f"{folder}/file_{number}{suffix}",
            data=data,
            file_name=file_name,
            mime_type=mime_type,
            url=url,
        )
        self.files[stored.file_id] = stored
        return stored

    def _send_chat_action(self, p: Params) -> bool:
        chat, thread_id = self._target(p, None)
        action = p.get_str("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._record(
            SentRecord(
                "sendChatAction", chat.id, thread_id, extra={"action": action}, params=p.public()
            )
        )
        return True

    # ---- queries

    def _take_query(self, query_id: str | None, kind: str) -> None:
        query = self._queries.get(query_id or "")
        expired = query is None or monotonic() - query.created > self.query_ttl
        if query is None or expired or query.answered or query.kind != kind:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        query.answered = True

    def _answer_inline_query(self, p: Params) -> bool:
        results = p.get_json("results")
        if not isinstance(results, list):
            raise bad_request("can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise bad_request("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            self._check_inline_result(result, seen)
        query_id = p.get_str("inline_query_id") or ""
        self._take_query(query_id, "inline")
        self.inline_answers[query_id] = results
        self._record(
            SentRecord(
                "answerInlineQuery",
                extra={"inline_query_id": query_id, "results": results},
                params=p.public(),
            )
        )
        return True

    def _check_inline_result(self, result: Any, seen: set[str]) -> None:
        if not isinstance(result, dict) or result.get("type") not in INLINE_RESULT_TYPES:
            raise bad_request("RESULT_TYPE_INVALID")
        result_id = str(result.get("id") or "")
        if not result_id or len(result_id.encode()) > 64:
            raise bad_request("RESULT_ID_INVALID")
        if result_id in seen:
            raise bad_request("RESULT_ID_DUPLICATE")
        seen.add(result_id)
        content = result.get("input_message_content")
        if isinstance(content, dict) and "message_text" in content:
            self._format(
                str(content["message_text"]),
                content.get("parse_mode"),
                content.get("entities"),
                caption=False,
            )
        if result.get("caption"):
            self._format(
                str(result["caption"]),
                result.get("parse_mode"),
                result.get("caption_entities"),
                caption=True,
            )
        if "reply_markup" in result:
            _check_inline_keyboard(result["reply_markup"].get("inline_keyboard", []))

    def _answer_callback_query(self, p: Params) -> bool:
        query_id = p.get_str("callback_query_id")
        self._take_query(query_id, "callback")
        extra = {
            "callback_query_id": query_id,
            "text": p.get_str("text"),
            "show_alert": p.get_bool("show_alert"),
            "url": p.get_str("url"),
        }
        self._record(SentRecord("answerCallbackQuery", extra=extra, params=p.public()))
        return True

    # ---- commands and descriptions

    def _command_key(self, p: Params) -> tuple[str, str]:
        scope = p.get_json("scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in COMMAND_SCOPES:
            raise bad_request("unsupported bot command scope type")
        if "chat_id" in scope:
            scope = {**scope, "chat_id": self._find_chat(Params(scope, {}).chat_ref()).id}
        language = p.get_str("language_code") or ""
        if language and not _LANGUAGE_RE.fullmatch(language):
            raise bad_request("invalid language code specified")
        return _scope_key(scope), language

    def _set_my_commands(self, p: Params) -> bool:
        commands = p.get_json("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        cleaned = [_check_command(command) for command in commands]
        key = self._command_key(p)
        if cleaned:
            self._commands[key] = cleaned
        else:
            self._commands.pop(key, None)
        return True

    def _get_my_commands(self, p: Params) -> list[JSON]:
        return [dict(command) for command in self._commands.get(self._command_key(p), [])]

    def _delete_my_commands(self, p: Params) -> bool:
        self._commands.pop(self._command_key(p), None)
        return True

    @staticmethod
    def _setter(store: dict[str, str], name: str, limit: int) -> Handler:
        def handler(p: Params) -> bool:
            value = p.get_str(name) or ""
            if len(value) > limit:
                raise bad_request(f"{name.replace('_', ' ')} is too long")
            language = p.get_str("language_code") or ""
            if value:
                store[language] = value
            else:
                store.pop(language, None)
            return True

        return handler

    @staticmethod
    def _getter(store: dict[str, str], name: str) -> Handler:
        def handler(p: Params) -> JSON:
            return {name: store.get(p.get_str("language_code") or "", "")}

        return handler

    # ---- chats and files

    def _get_chat(self, p: Params) -> JSON:
        chat = self._access(p, sending=False)
        gifts = dict.fromkeys(
            (
                "unlimited_gifts",
                "limited_gifts",
                "unique_gifts",
                "premium_subscription",
                "gifts_from_channels",
            ),
            False,
        )
        return {
            **self.chat_json(chat),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gifts,
        }

    def _get_chat_member(self, p: Params) -> JSON:
        chat = self._access(p, sending=False)
        user_id = p.get_int("user_id")
        if user_id is None:
            raise bad_request("invalid user_id specified")
        known = user_id in self.users or user_id in {self.bot_id, ANONYMOUS_ADMIN_ID}
        if not known:
            raise bad_request("user not found")
        return self.member_json(chat, user_id)

    def _get_chat_administrators(self, p: Params) -> list[JSON]:
        chat = self._access(p, sending=False)
        if chat.type == "private":
            raise bad_request("there are no administrators in the private chat")
        return [
            self.member_json(chat, user_id)
            for user_id, member in chat.members.items()
            if member["status"] in {"creator", "administrator"}
        ]

    def _leave_chat(self, p: Params) -> bool:
        chat = self._access(p, sending=False)
        if chat.type == "private":
            raise bad_request("chat member status can't be changed in private chats")
        self._set_status(chat, self.bot_id, "left", {})
        return True

    def _get_file(self, p: Params) -> JSON:
        stored = self.files.get(p.get_str("file_id") or "")
        if stored is None:
            raise bad_request("invalid file_id")
        return stored.to_json()


# --------------------------------------------------------------------------- misc helpers


def _lower_set(methods: Iterable[str] | None) -> frozenset[str] | None:
    return None if methods is None else frozenset(method.lower() for method in methods)


def _scope_key(scope: JSON) -> str:
    return json.dumps(scope, sort_keys=True)


def _update_kind(update: JSON) -> str:
    return next(key for key in update if key != "update_id")


def _set_optional(target: JSON, key: str, value: Any) -> None:
    if value:
        target[key] = value
    else:
        target.pop(key, None)


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


def _check_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    for button in itertools.chain.from_iterable(rows):
        if not isinstance(button, dict) or not button.get("text"):
            raise bad_request("BUTTON_TEXT_INVALID")
        if not INLINE_BUTTON_ACTIONS & button.keys():
            raise bad_request("text buttons are unallowed in the inline keyboard")
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode()) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")
