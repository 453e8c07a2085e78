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


class Sources(Protocol):
    """The sources, for editors."""

    editors: frozenset[str]  # BILAT_EDITORS, as "telegram:12345", "matrix:@a:b"

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


@dataclass(frozen=True)
class DraftFact:
    """One fact of a draft under review."""

    number: int
    summary: str
    evidence: str
    kept: bool


@dataclass(frozen=True)
class DraftView:
    """A draft as editors review it."""

    number: int  # the candidate's number, as commands name it
    publisher: str
    title: str  # the source's own title
    language: str
    url: str
    state: str  # drafted, publishing, published, dropped...
    facts: tuple[DraftFact, ...]
    our_title: tuple[str, str] | None = None  # (fr, en), written by the editor
    key_points: tuple[tuple[str, str], ...] = ()
    published_as: str | None = None
    error: str | None = None  # why the last publication was refused


class Reviews(Protocol):
    """Draft review, for editors (bot.newsroom.service.Newsroom)."""

    async def draft(self, number: int | None) -> DraftView | None:
        """Draft ``number``, or the one waiting longest; None when there is none."""
        ...

    async def keep(self, number: int | None, fact: int, keep: bool) -> DraftView:
        """Keep or drop one fact (NewsroomError when the draft is closed or has no such fact)."""
        ...

    async def edit(self, number: int | None, title: tuple[str, str],
                   key_points: tuple[tuple[str, str], ...]) -> DraftView:
        """Set the title and key points, each in French and English."""
        ...

    async def publish(self, number: int | None, editor: str) -> DraftView:
        """Check and write the article file, then reload the data (NewsroomError says why
        not, with the checker's findings)."""
        ...

    async def discard(self, number: int | None, editor: str) -> DraftView:
        """Drop the whole draft."""
        ...

    async def submit(self, text: str, editor: str) -> DraftView:
        """Draft an article an editor sent: a link, or the text itself."""
        ...


class Newsroom(Sources, Reviews, Protocol):
    """The newsroom services a command may use."""
