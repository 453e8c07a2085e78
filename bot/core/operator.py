"""What operators may ask of a running Bilat (``/stats``, ``/reload``), as plain values.

The core declares the questions; ``bot.ops.admin.Operator`` answers them from the database
and the data reloader. Adapters put it in ``Context.ops`` beside the sender's identity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from bot.core.newsroom import Newsroom


@dataclass(frozen=True)
class Stats:
    """The figures ``/stats`` shows."""

    chats: dict[str, int]  # chats the bot is in, by network
    chats_gone: int  # chats that removed or blocked the bot
    subscriptions_active: int
    subscriptions_stopped: int
    outbox: dict[str, int]  # messages by state (pending, sending, sent, failed, dropped)
    failing: int  # active subscriptions whose last deliveries failed
    stopped_by_failures: int  # subscriptions deactivated after failures in a row
    errors: dict[str, int] = field(default_factory=dict)  # failures since start, by kind
    articles: int = 0


@dataclass(frozen=True)
class ReloadOutcome:
    """What a data reload did: the articles now in service, or the errors that refused it."""

    loaded: bool
    articles: int  # in service after the attempt (the previous count when refused)
    errors: tuple[str, ...] = ()


class OperatorPort(Protocol):
    """Operator services a command may use (bot.ops.admin.Operator)."""

    newsroom: Newsroom | None  # sources and drafts, for editors; None where none runs

    def is_admin(self, sender: str | None) -> bool:
        """True when ``sender`` (``network:user id``) is a configured operator."""
        ...

    async def stats(self) -> Stats:
        """The current figures."""
        ...

    async def reload(self) -> ReloadOutcome:
        """Load the data directory again; the previous data stays if it is invalid."""
        ...
