"""A transport that records what it is asked to send and fails on demand (tests only)."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.core.network import Attachment, ChatRef, DeliveryError, Limits
from bot.core.render import Rendered

# Generous limits: tests about pacing set their own.
FAST = Limits(global_per_second=100_000, per_chat_per_second=100_000,
              per_group_per_minute=10_000_000)


@dataclass(frozen=True)
class Sent:
    """One message the network accepted."""

    chat: ChatRef
    message: Rendered
    at: float  # the transport's timer when sent


@dataclass
class RecordingTransport:
    """Records sends; ``fail(chat_id, error, ...)`` makes the next sends to that chat raise."""

    network: str = "test"
    limits: Limits = FAST
    timer: Callable[[], float] = time.monotonic
    sent: list[Sent] = field(default_factory=list)
    attempts: list[ChatRef] = field(default_factory=list)
    _failures: dict[str, deque[BaseException]] = field(
        default_factory=lambda: defaultdict(deque))

    def fail(self, chat_id: str, *errors: BaseException) -> None:
        """Queue errors for the next sends to ``chat_id``."""
        self._failures[chat_id].extend(errors)

    async def send(self, chat: ChatRef, message: Rendered,
                   attachments: Sequence[Attachment] = ()) -> str:
        """Record the message, or raise the next queued error for that chat."""
        self.attempts.append(chat)
        queue = self._failures.get(chat.chat_id)
        if queue:
            raise queue.popleft()
        self.sent.append(Sent(chat, message, self.timer()))
        return f"m{len(self.sent)}"

    def is_group(self, chat: ChatRef) -> bool:
        """Negative ids are groups, as on Telegram."""
        return chat.chat_id.startswith("-")

    def texts(self, chat_id: str) -> list[str]:
        """The plain texts sent to ``chat_id``, in order."""
        return [s.message.text for s in self.sent if s.chat.chat_id == chat_id]


def rate_limited(seconds: float) -> DeliveryError:
    """A 429 with ``retry_after``."""
    return DeliveryError("rate_limited", "Too Many Requests", retry_after=seconds)


def terminal(detail: str = "Forbidden: bot was blocked by the user") -> DeliveryError:
    """The bot cannot post there any more."""
    return DeliveryError("terminal", detail)
