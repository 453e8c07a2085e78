"""The poller: watches each source on its interval, politely, and turns the items that
concern a covered pair into drafted candidates, each article once.

Scheduling runs on the event loop's clock; instants stored come from the bot's clock. Each
source has its own next poll (the interval, or a back-off after failures that doubles up to
``MAX_BACKOFF``); two requests to one host are at least ``host_gap`` seconds apart.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp

from bot.newsroom import items as listing
from bot.newsroom import sources as sources_file
from bot.newsroom.canonical import canonical_url, content_hash
from bot.newsroom.desk import Desk, DraftFailed
from bot.newsroom.fetch import Fetched, FetchError, Limits, fetch, session
from bot.newsroom.metrics import observe_candidate, observe_poll
from bot.newsroom.sources import Source, SourcesError
from bot.store import newsroom as store
from bot.store.db import Database
from bot.store.newsroom import Candidate

log = logging.getLogger(__name__)

MAX_BACKOFF = 6 * 3600.0
Notify = Callable[[Candidate], Awaitable[None]]


@dataclass(frozen=True)
class PollSettings:
    """How often and how politely to poll."""

    interval: float = 900.0  # seconds between two polls of one source
    host_gap: float = 1.0  # seconds between two requests to one host
    limits: Limits = field(default_factory=Limits)
    concurrency: int = 4  # sources polled at once


def backoff(interval: float, failures: int, retry_after: float | None = None) -> float:
    """Seconds until the next try after ``failures`` in a row (the site's Retry-After
    if it asks for longer)."""
    wait = min(interval * 2 ** min(failures - 1, 10), MAX_BACKOFF) if failures else interval
    return max(wait, retry_after or 0.0)


class Poller:
    """Polls the sources listed in the sources file and queues drafted candidates."""

    def __init__(self, db: Database, path: Path, desk: Desk, now: Callable[[], datetime],
                 settings: PollSettings = PollSettings(), notify: Notify | None = None) -> None:
        self.db = db
        self.path = path
        self.desk = desk
        self.now = now
        self.settings = settings
        self.notify = notify
        self.due: dict[str, float] = {}  # source URL -> loop time of its next poll
        self.host_free: dict[str, float] = {}  # host -> loop time of its next allowed request
        self.host_locks: dict[str, asyncio.Lock] = {}
        self._client: aiohttp.ClientSession | None = None
        self._mtime: float | None = None
        self._sources: list[Source] = []
        self.wake = asyncio.Event()

    def sources(self) -> list[Source]:
        """The sources file's list, read again when the file changed."""
        try:
            mtime = self.path.stat().st_mtime if self.path.exists() else None
            if mtime != self._mtime:
                self._sources = sources_file.load(self.path)
                self._mtime = mtime
        except (SourcesError, OSError) as exc:
            log.warning("sources file: %s (the previous list stays in use)", exc)
        return self._sources

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set: resume undrafted candidates, then each source when due."""
        loop = asyncio.get_running_loop()
        async with self.opened():
            for waiting in await store.pending(self.db):
                await self._draft(waiting)
            gate = asyncio.Semaphore(self.settings.concurrency)
            running: set[asyncio.Task[None]] = set()
            while not stop.is_set():
                now = loop.time()
                listed = self.sources()
                for source in listed:
                    if self.due.get(source.url, 0.0) <= now and not self._busy(running, source):
                        self.due[source.url] = float("inf")  # until this poll ends
                        task = asyncio.create_task(self._guarded(gate, source),
                                                   name=f"poll:{source.url}")
                        running.add(task)
                        task.add_done_callback(running.discard)
                soonest = min((self.due.get(s.url, now) for s in listed), default=now + 1.0)
                self.wake.clear()
                await _wait_any(stop, self.wake, max(0.05, min(soonest - loop.time(), 1.0)))
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)

    @asynccontextmanager
    async def opened(self) -> AsyncIterator[Poller]:
        """The poller with its HTTP client open (``run`` opens it itself)."""
        async with session(self.settings.limits) as self._client:
            try:
                yield self
            finally:
                self._client = None

    @staticmethod
    def _busy(running: set[asyncio.Task[None]], source: Source) -> bool:
        return any(t.get_name() == f"poll:{source.url}" for t in running)

    async def _guarded(self, gate: asyncio.Semaphore, source: Source) -> None:
        """One poll under the concurrency gate; never lets an error end the loop."""
        loop = asyncio.get_running_loop()
        async with gate:
            try:
                wait = await self.poll(source)
            except Exception:
                log.exception("polling %s failed unexpectedly", source.url)
                wait = self.settings.interval
        self.due[source.url] = loop.time() + wait

    async def _request(self, url: str, **validators: str | None) -> Fetched:
        """One GET, at least ``host_gap`` after the previous request to the same host."""
        assert self._client is not None, "the poller is not running"
        loop = asyncio.get_running_loop()
        host = urlsplit(url).hostname or ""
        async with self.host_locks.setdefault(host, asyncio.Lock()):
            delay = self.host_free.get(host, 0.0) - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self.host_free[host] = loop.time() + self.settings.host_gap
        return await fetch(self._client, url, limits=self.settings.limits, **validators)

    async def poll(self, source: Source) -> float:
        """Poll one source now; return the seconds until its next poll."""
        known = await store.health(self.db, source.url)
        target = known.fetch_url if known else source.url
        try:
            got = await self._request(target, etag=known.etag if known else None,
                                      last_modified=known.last_modified if known else None)
            found = [] if got.not_modified else await asyncio.to_thread(_parse, source, got)
        except (FetchError, listing.ItemsError) as exc:
            failures = await store.failed(self.db, source.url, str(exc), self.now())
            observe_poll(source.url, "error", await store.health(self.db, source.url))
            log.info("source %s: %s (failure %d in a row)", source.url, exc, failures)
            retry = exc.retry_after if isinstance(exc, FetchError) else None
            return backoff(self.settings.interval, failures, retry)
        if got.moved_to:
            log.info("source %s moved for good to %s", source.url, got.moved_to)
        await store.polled(self.db, source.url, got.moved_to or target, got.etag,
                           got.last_modified, self.now())
        observe_poll(source.url, "not_modified" if got.not_modified else "ok",
                     await store.health(self.db, source.url))
        for item in found:
            await self.consider(source, item)
        return self.settings.interval

    async def consider(self, source: Source, item: listing.Item) -> Candidate | None:
        """Queue and draft ``item`` if it concerns a covered pair and is new to Bilat."""
        key = canonical_url(item.url)
        if await store.known(self.db, key):
            return None
        pair = self.desk.concerns(item.text)
        if pair is None:
            return None
        added = await store.add_candidate(self.db, key, item.url, source.url,
                                          item.title or item.url, pair, self.now())
        if added is None:
            return None
        found = await store.candidate(self.db, added)
        assert found is not None
        return await self._draft(found)

    async def _draft(self, candidate: Candidate) -> Candidate | None:
        """Fetch the candidate's page once, draft it, store the draft, tell the editors."""
        try:
            page = await self._request(candidate.url)
            raw = page.body.decode("utf-8", errors="replace")
            made = await asyncio.to_thread(self.desk.draft, raw, page.url)
        except (FetchError, DraftFailed) as exc:
            await store.not_drafted(self.db, candidate.id, str(exc), self.now())
            observe_candidate("failed")
            log.info("candidate %s: %s", candidate.url, exc)
            return None
        if not await store.drafted(self.db, candidate.id, content_hash(made.text), made.draft,
                                   self.now()):
            observe_candidate("duplicate")
            return None
        observe_candidate("drafted")
        ready = await store.candidate(self.db, candidate.id)
        if ready is not None and self.notify is not None:
            await self.notify(ready)
        return ready


def _parse(source: Source, got: Fetched) -> list[listing.Item]:
    """The items of a fetched feed or sitemap (run in a thread: parsing is CPU work)."""
    if source.kind == "sitemap":
        return listing.sitemap_items(got.body)
    return listing.feed_items(got.body, got.url, got.content_type)


async def _wait_any(stop: asyncio.Event, wake: asyncio.Event, seconds: float) -> None:
    """Sleep up to ``seconds``, waking early on ``stop`` or ``wake``."""
    waiters = [asyncio.create_task(stop.wait()), asyncio.create_task(wake.wait())]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
