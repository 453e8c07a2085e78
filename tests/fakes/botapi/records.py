"""Values the fake server keeps: uploads, stored files, what the bot sent, calls, chat state."""

from __future__ import annotations

from dataclasses import dataclass, field
from http import HTTPStatus
from time import monotonic
from typing import Any

JSON = dict[str, Any]


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
class Query:
    """An inline or callback query awaiting its single answer."""

    kind: str
    created: float
    answered: bool = False


@dataclass
class FailurePlan:
    """Failures injected by ``fail_next``/``fail_for``."""

    status: int
    methods: frozenset[str] | None
    remaining: int | None = None
    until: float | None = None

    def matches(self, method: str, now: float) -> bool:
        """True when the call of ``method`` at ``now`` is to fail."""
        if self.until is not None and now >= self.until:
            return False
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.methods is None:
            return method != "getupdates"
        return "*" in self.methods or method in self.methods
