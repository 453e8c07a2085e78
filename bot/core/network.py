"""What every chat network shares with the core: chats, limits, files, errors, sending."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from bot.core.render import Rendered


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message (calendar, chart)."""

    filename: str
    mime: str
    data: bytes
    caption: str | None = None  # plain text shown with the file, where the network can


@dataclass(frozen=True)
class ChatRef:
    """A chat on a network: its id, and the topic or thread inside it when there is one."""

    network: str
    chat_id: str
    thread_id: str | None = None

    def __str__(self) -> str:
        topic = f"#{self.thread_id}" if self.thread_id else ""
        return f"{self.network}:{self.chat_id}{topic}"


@dataclass(frozen=True)
class Limits:
    """A network's sending limits, as its documentation gives them."""

    global_per_second: float = 30.0
    per_chat_per_second: float = 1.0
    per_group_per_minute: float = 20.0
    message_length: int = 4096
    count_visible: bool = True  # Telegram counts text after markup parsing; Matrix raw bytes


# Pushed digests are rendered for a stored chat, away from its adapter, and name commands too:
# the prefix each network reads them with ("/" unless listed).
COMMAND_PREFIXES = {"matrix": "!"}


def command_prefix(network: str) -> str:
    """What commands start with on ``network``."""
    return COMMAND_PREFIXES.get(network, "/")


ErrorKind = Literal["rate_limited", "terminal", "migrated", "transient", "unknown"]


class DeliveryError(Exception):
    """A send failed; ``kind`` tells the sender what to do about it.

    rate_limited: wait ``retry_after`` seconds for this chat only; terminal: the bot cannot
    post there (blocked, kicked, chat gone, no right); migrated: the chat now lives at
    ``new_chat_id``; transient: network or server error, retry with backoff; unknown: anything
    else, retried a few times.
    """

    def __init__(self, kind: ErrorKind, detail: str, *, retry_after: float | None = None,
                 new_chat_id: str | None = None) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail
        self.retry_after = retry_after
        self.new_chat_id = new_chat_id


class Transport(Protocol):
    """What delivery needs from a network adapter."""

    network: str
    limits: Limits

    async def send(self, chat: ChatRef, message: Rendered,
                   attachments: Sequence[Attachment] = ()) -> str:
        """Send one message (split by the adapter if needed); return the network's message id.

        Raises DeliveryError on failure.
        """
        ...

    def is_group(self, chat: ChatRef) -> bool:
        """True when the chat is a group or channel (for the per-group limit)."""
        ...


@runtime_checkable
class QuietTransport(Protocol):
    """A network that can deliver without a notification sound (Telegram's
    ``disable_notification``): subscribers who chose silent delivery get it there."""

    async def send_quietly(self, chat: ChatRef, message: Rendered,
                           attachments: Sequence[Attachment] = ()) -> str:
        """Like ``Transport.send``, without a notification sound."""
        ...
