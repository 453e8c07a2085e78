"""The newsroom's services for chat commands (bot.core.newsroom.Newsroom): who the editors
are, and the sources file with each source's health."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path

from bot.core.newsroom import SourceLine
from bot.newsroom import sources as sources_file
from bot.newsroom.sources import Source, SourceKind
from bot.store import newsroom as store
from bot.store.db import Executor


class Newsroom:
    """Answers editors' commands from the sources file and the database."""

    def __init__(self, db: Executor, path: Path, editors: Iterable[str],
                 wake: asyncio.Event | None = None) -> None:
        self.db = db
        self.path = path
        self.editors = frozenset(editors)
        self.wake = wake  # set after a change, so the poller reads the file at once
        self.lock = asyncio.Lock()  # two editors' edits never interleave

    def is_editor(self, sender: str | None) -> bool:
        """True for a sender listed in BILAT_EDITORS."""
        return sender is not None and sender in self.editors

    async def sources(self) -> list[SourceLine]:
        """The sources as listed, each with its stored health."""
        listed = await asyncio.to_thread(sources_file.load, self.path)
        known = await store.all_health(self.db)
        return [self._line(i, s, known.get(s.url)) for i, s in enumerate(listed, start=1)]

    @staticmethod
    def _line(number: int, source: Source, health: store.SourceHealth | None) -> SourceLine:
        return SourceLine(number, source.label, health.fetch_url if health else source.url,
                          source.kind, health.last_success if health else None,
                          health.last_error if health else None,
                          health.last_error_at if health else None,
                          health.failures if health else 0)

    async def add_source(self, url: str, kind: str) -> SourceLine:
        """Add to the file (SourcesError when refused) and wake the poller."""
        wanted: SourceKind = "sitemap" if kind == "sitemap" else "feed"
        async with self.lock:
            added = await asyncio.to_thread(sources_file.add, self.path, url, wanted)
            count = len(await asyncio.to_thread(sources_file.load, self.path))
        self._changed()
        return self._line(count, added, None)

    async def remove_source(self, number: int) -> SourceLine:
        """Remove from the file (SourcesError when there is none) and forget its health."""
        async with self.lock:
            gone = await asyncio.to_thread(sources_file.remove, self.path, number)
        await store.forget_source(self.db, gone.url)
        self._changed()
        return self._line(number, gone, None)

    def _changed(self) -> None:
        if self.wake is not None:
            self.wake.set()
