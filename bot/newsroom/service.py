"""The newsroom's services for chat commands (bot.core.newsroom.Newsroom): who the editors
are, the sources file with each source's health, and the review of drafts."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bot.core.library import Library
from bot.core.newsroom import DraftFact, DraftView, NewsroomError, SourceLine
from bot.core.operator import ReloadOutcome
from bot.core.phrases import N_
from bot.newsroom import review
from bot.newsroom import sources as sources_file
from bot.newsroom.canonical import canonical_url, content_hash
from bot.newsroom.desk import Desk as Drafting
from bot.newsroom.desk import DraftFailed
from bot.newsroom.fetch import FetchError, Limits, fetch, session
from bot.newsroom.publish import Refused, publish
from bot.newsroom.sources import Source, SourceKind, SourcesError, check_url
from bot.store import newsroom as store
from bot.store.db import Database
from bot.store.newsroom import Candidate


@dataclass(frozen=True)
class ReviewDesk:
    """What draft review needs besides the database: the data and how to draft."""

    data_dir: Path
    library: Callable[[], Library]
    reload: Callable[[], Awaitable[ReloadOutcome]]
    drafting: Drafting
    now: Callable[[], datetime]
    limits: Limits = field(default_factory=Limits)


class Newsroom:
    """Answers editors' commands from the sources file and the database."""

    def __init__(self, db: Database, path: Path, editors: Iterable[str],
                 wake: asyncio.Event | None = None, desk: ReviewDesk | None = None) -> None:
        self.db = db
        self.path = path
        self.editors = frozenset(editors)
        self.wake = wake  # set after a change, so the poller reads the file at once
        self.lock = asyncio.Lock()  # two editors' edits never interleave
        self.desk = desk

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

    # Review ------------------------------------------------------------------------------

    def _desk(self) -> ReviewDesk:
        if self.desk is None:
            raise NewsroomError(N_("Drafts are reviewed only in the running bot."))
        return self.desk

    async def _open(self, number: int | None) -> Candidate:
        """Draft ``number`` (or the oldest waiting), or the error that names what is wrong."""
        found = (await store.candidate(self.db, number) if number is not None
                 else await store.oldest_open(self.db))
        if found is None or found.draft is None:
            if number is None:
                raise NewsroomError(N_("No draft is waiting for review."))
            raise NewsroomError(N_("There is no draft {number}."), number=number)
        return found

    @staticmethod
    def view(found: Candidate) -> DraftView:
        """The candidate as editors review it."""
        assert found.draft is not None
        body = review.body(found.draft)
        source = body.get("source") or {}
        edits = json.loads(found.edits) if found.edits else {}
        facts = tuple(DraftFact(f.number, f.summary, f.evidence, f.number not in found.dropped)
                      for f in review.facts(found.draft))
        title = edits.get("title")
        return DraftView(found.id, str(source.get("publisher", "")), found.title,
                         str(source.get("language", "")), found.url, found.state, facts,
                         (title[0], title[1]) if title else None,
                         tuple((p[0], p[1]) for p in edits.get("key_points", ())),
                         found.published_as, found.error if found.state == "drafted" else None)

    async def draft(self, number: int | None) -> DraftView | None:
        """Draft ``number``, or the one waiting longest; None when there is none."""
        try:
            return self.view(await self._open(number))
        except NewsroomError:
            if number is None:
                return None
            raise

    def _closed(self, found: Candidate) -> NewsroomError:
        return NewsroomError(N_("Draft {number} is no longer under review ({state})."),
                             number=found.id, state=found.state)

    async def keep(self, number: int | None, fact: int, keep: bool) -> DraftView:
        """Keep or drop one fact."""
        found = await self._open(number)
        if not any(f.number == fact for f in review.facts(found.draft or "")):
            raise NewsroomError(N_("Draft {number} has no fact {fact}."), number=found.id,
                                fact=fact)
        if not await store.set_fact(self.db, found.id, fact, keep, self._desk().now()):
            raise self._closed(found)
        return await self._view_of(found.id)

    async def edit(self, number: int | None, title: tuple[str, str],
                   key_points: tuple[tuple[str, str], ...]) -> DraftView:
        """Set the title and key points."""
        found = await self._open(number)
        edits = json.dumps({"title": title, "key_points": key_points}, ensure_ascii=False)
        if not await store.set_edits(self.db, found.id, edits, self._desk().now()):
            raise self._closed(found)
        return await self._view_of(found.id)

    async def publish(self, number: int | None, editor: str) -> DraftView:
        """Claim the draft (one editor only), check and write the file, reload the data."""
        desk = self._desk()
        found = await self._open(number)
        if not await store.claim(self.db, found.id, editor, desk.now()):
            raise self._closed(await self._candidate(found.id))
        edits = json.loads(found.edits) if found.edits else {}
        try:
            text = review.finished(found.draft or "", review.Edits(
                found.dropped, tuple(edits["title"]) if edits.get("title") else None,
                tuple((p[0], p[1]) for p in edits.get("key_points", ()))),
                note=f"Reviewed in chat by {editor}; drafted from {found.url}")
            article_id = str(review.body(text).get("id"))
            known = {a.id for a in desk.library().articles}
            path = await asyncio.to_thread(publish, text, article_id, desk.data_dir, known)
        except (review.ReviewError, Refused) as exc:
            await store.release(self.db, found.id, str(exc), desk.now())
            raise NewsroomError(N_("Not published: {problems}"), problems=str(exc)) from None
        await store.mark_published(self.db, found.id, path.name, desk.now())
        outcome = await desk.reload()
        if not outcome.loaded:
            raise NewsroomError(N_("Written as {file}, but the data reload was refused: "
                                   "{problems}"), file=path.name,
                                problems="; ".join(outcome.errors))
        return await self._view_of(found.id)

    async def discard(self, number: int | None, editor: str) -> DraftView:
        """Drop the whole draft."""
        found = await self._open(number)
        if not await store.discard(self.db, found.id, editor, self._desk().now()):
            raise self._closed(await self._candidate(found.id))
        return await self._view_of(found.id)

    async def submit(self, text: str, editor: str) -> DraftView:
        """Draft what an editor sent (a link is fetched once); queue it for review."""
        desk = self._desk()
        raw, url = text, None
        if text.strip().startswith(("http://", "https://")) and " " not in text.strip():
            try:
                url = check_url(text)
                if await store.known(self.db, canonical_url(url)):  # fetched once, ever
                    raise NewsroomError(N_("That article is already a draft or was published."))
                async with session(desk.limits) as client:
                    raw = (await fetch(client, url, limits=desk.limits)).body.decode(
                        "utf-8", errors="replace")
            except (SourcesError, FetchError) as exc:
                raise NewsroomError(N_("Cannot read that page: {problem}"),
                                    problem=str(exc)) from None
        try:
            made = await asyncio.to_thread(desk.drafting.draft, raw, url, None,
                                           desk.now().date())
        except DraftFailed as exc:
            raise NewsroomError(N_("No draft from that: {problem}"), problem=str(exc)) from None
        key = canonical_url(url) if url else f"text:{content_hash(made.text)}"
        countries = tuple(review.body(made.draft).get("countries") or ())
        added = await store.add_candidate(self.db, key, url or "", f"editor:{editor}",
                                          made.title or url or "", countries, desk.now())
        if added is None:
            raise NewsroomError(N_("That article is already a draft or was published."))
        if not await store.drafted(self.db, added, content_hash(made.text), made.draft,
                                   desk.now()):
            raise NewsroomError(N_("That article is already a draft or was published."))
        await store.mark_notified(self.db, added)  # the editor who sent it sees it now
        return await self._view_of(added)

    async def _candidate(self, number: int) -> Candidate:
        found = await store.candidate(self.db, number)
        assert found is not None
        return found

    async def _view_of(self, number: int) -> DraftView:
        return self.view(await self._candidate(number))
