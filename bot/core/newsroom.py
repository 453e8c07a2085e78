"""What the newsroom offers chat commands (``/sources``), as plain values and a protocol.

The core declares it; ``bot.newsroom.service.Newsroom`` answers from the sources file and the
database. It hangs off ``Context.ops`` beside the operator services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class SourceLine:
    """One watched source and its health, as /sources shows it."""

    number: int
    label: str
    url: str
    kind: str  # feed or sitemap
    last_success: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    failures: int  # failed polls in a row


class NewsroomError(ValueError):
    """A request the newsroom refuses: a message id and its values, for the chat's language."""

    def __init__(self, msgid: str, **params: object) -> None:
        super().__init__(msgid.format(**params))
        self.msgid = msgid
        self.params = params


class Newsroom(Protocol):
    """The newsroom services a command may use."""

    def is_editor(self, sender: str | None) -> bool:
        """True when ``sender`` (``network:user id``) is listed in BILAT_EDITORS."""
        ...

    async def sources(self) -> list[SourceLine]:
        """The watched sources, numbered as listed, with their health."""
        ...

    async def add_source(self, url: str, kind: str) -> SourceLine:
        """Watch one more source (NewsroomError when refused)."""
        ...

    async def remove_source(self, number: int) -> SourceLine:
        """Stop watching the ``number``-th source (NewsroomError when there is none)."""
        ...
