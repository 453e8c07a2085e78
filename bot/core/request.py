"""A request as every network hands it to the core: who asks, where, and what can be sent back.

Adapters build one per update; ``bot.core.session.Session`` answers it. Nothing here knows a
chat library: a network is described by its name, command prefix and what it can carry.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from bot.core.chat_settings import ChatSettings
from bot.core.network import ChatRef


@dataclass(frozen=True)
class Network:
    """What the core must know of a chat network to answer on it."""

    name: str  # "telegram", "matrix", "console": the metric label and ChatRef.network
    prefix: str  # what commands start with there ("/", "!")
    files: bool  # True when replies may carry files (chart, calendar)
    message_length: int  # the longest message it takes (the adapter splits longer ones)
    # Where other bots share the prefix, an unknown command in a group is only ours when it
    # names this bot (``/x@BilatBot``).
    unknown_in_groups: bool = True
    help_note: str | None = None  # a msgid the network adds to /help; {bot} is "@username"


@dataclass(frozen=True)
class Refused:
    """Why a chat named in a command cannot be managed from here (a msgid; {chat} is its name)."""

    reason: str


# The network's lookup of a chat named in a settings command (``/subscribe @channel``): its
# settings, a refusal, or None when the word does not name a chat there.
ChatFinder = Callable[[str], Awaitable["ChatSettings | Refused | None"]]


@dataclass(frozen=True)
class Request:
    """One message to answer, as a plain value."""

    network: Network
    chat: ChatRef
    settings: ChatSettings  # the chat's own settings
    sender: str | None = None  # "telegram:12345", "matrix:@ops:example.org"; None: a channel
    language_code: str | None = None  # the sender's client language, when the network says
    bot_username: str | None = None  # for ``/trade@BilatBot`` in groups
    now: datetime | None = None  # None: the session's clock
    private: bool = True  # a one-to-one chat (False for groups, channels and rooms)
    find_chat: ChatFinder | None = None  # settings commands may name another chat here
    locale: str | None = None  # a language asked for this one answer (a language button)
