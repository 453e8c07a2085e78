"""Data reload: the library in service, replaced whole when the data directory changes.

Editors add or change articles in BILAT_DATA_DIR while the bot runs. ``DataReloader`` is the
library provider handed to the networks and delivery (``reloader()`` gives the library in
service); it checks the files' sizes and modification times every ``interval`` seconds, and
reloads at once on SIGHUP or ``/reload``. A new library is loaded and validated in a thread,
then swapped in with one assignment: a request sees the old data or the new, never a mix.
Invalid data is refused with its errors logged, and the previous library stays in service.

Files are taken only once they have stopped changing: a change seen by one check is loaded
by the next check that finds the files exactly as they were (an editor or ``cp`` writing in
chunks is not served half-way), and a load during which the files changed is thrown away.
A directory emptied of its articles is refused with a warning rather than served empty.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from bot.core.library import Library, Pair
from bot.core.load import DataInvalid
from bot.core.operator import ReloadOutcome
from bot.metrics import ARTICLES, RELOADS

log = logging.getLogger(__name__)

DATA_SUFFIXES = (".yaml", ".yml")
Fingerprint = frozenset[tuple[str, int, int]]


def fingerprint(root: Path) -> Fingerprint:
    """Every data file under ``root`` with its size and modification time."""
    files = [root] if root.is_file() else [
        p for p in root.rglob("*") if p.suffix in DATA_SUFFIXES]
    found = set()
    for path in files:
        try:
            stat = path.stat()
        except OSError:  # deleted between the listing and the stat: the next check sees it
            continue
        found.add((str(path), stat.st_mtime_ns, stat.st_size))
    return frozenset(found)


class DataReloader:
    """The library in service, and the means to replace it safely."""

    def __init__(self, root: Path, library: Library, interval: float = 10.0) -> None:
        self.root = root
        self.defaults = library.defaults
        for pair in library.defaults:
            if library.covered(pair) is None:
                log.warning("BILAT_DEFAULT_PAIRS: no article covers %s-%s; chats that never "
                            "chose see %s", *pair, library.default_pairs())
        self.interval = interval
        self._library = library
        self._seen = fingerprint(root)
        self._settling: Fingerprint | None = None  # changed files waiting to stop changing
        self._lock = asyncio.Lock()
        self._wanted = asyncio.Event()
        ARTICLES.set(len(library.articles))

    @classmethod
    def load(cls, root: Path, interval: float = 10.0,
             defaults: tuple[Pair, ...] = ()) -> DataReloader:
        """Load the data directory (raises DataInvalid: the first load must succeed);
        ``defaults`` are the pairs chats that never chose see (BILAT_DEFAULT_PAIRS)."""
        return cls(root, Library.load(root, defaults), interval)

    def __call__(self) -> Library:
        """The library in service."""
        return self._library

    def request(self) -> None:
        """Ask for a reload now (the SIGHUP handler; safe from a signal callback)."""
        self._wanted.set()

    async def reload(self) -> ReloadOutcome:
        """Load and validate the data again; swap it in, or keep the previous one."""
        async with self._lock:
            seen = await asyncio.to_thread(fingerprint, self.root)
            try:
                library = await asyncio.to_thread(Library.load, self.root, self.defaults)
            except DataInvalid as exc:
                self._seen = seen  # the same bad files are not reported again until edited
                return self._refused([str(e) for e in exc.errors])
            except Exception as exc:  # a loader bug: reported once, not every interval
                self._seen = seen
                log.exception("data reload failed; the previous data stays in service")
                return self._refused([f"{self.root}: {type(exc).__name__}: {exc}"])
            if await asyncio.to_thread(fingerprint, self.root) != seen:
                log.info("data files changed while loading; trying again once they settle")
                return ReloadOutcome(False, len(self._library.articles),
                                     ("the data files changed while they were loaded",))
            if not library.articles and self._library.articles:
                self._seen = seen
                return self._emptied()
            self._library, self._seen = library, seen
            ARTICLES.set(len(library.articles))
            RELOADS.labels("loaded").inc()
            log.info("data reloaded from %s: %d article(s) in service", self.root,
                     len(library.articles))
            return ReloadOutcome(True, len(library.articles))

    def _refused(self, errors: list[str]) -> ReloadOutcome:
        RELOADS.labels("refused").inc()
        kept = len(self._library.articles)
        log.error("data reload refused: %d error(s) in %s; the previous %d article(s) stay "
                  "in service", len(errors), self.root, kept)
        for error in errors:
            log.error("data error: %s", error)
        return ReloadOutcome(False, kept, tuple(errors))

    def _emptied(self) -> ReloadOutcome:
        RELOADS.labels("refused").inc()
        kept = len(self._library.articles)
        message = (f"{self.root} has no article files; refusing to serve nothing, the "
                   f"previous {kept} article(s) stay in service (restart to start empty)")
        log.warning("data reload refused: %s", message)
        return ReloadOutcome(False, kept, (message,))

    def changed(self) -> bool:
        """True when a data file was added, removed or modified since the last load."""
        return fingerprint(self.root) != self._seen

    def settled(self) -> bool:
        """True when the files changed since the last load and have since stopped changing.

        Called once per check: the first check that sees a change only remembers it.
        """
        now = fingerprint(self.root)
        if now == self._seen:
            self._settling = None
            return False
        if now != self._settling:
            self._settling = now
            return False
        return True

    async def poll(self) -> None:
        """One check: reload when the files changed and stopped changing."""
        if await asyncio.to_thread(self.settled):
            await self.reload()

    async def watch(self, stop: asyncio.Event) -> None:
        """Reload on request, and when the files change (checked every ``interval``)."""
        while not stop.is_set():
            await self._wait(stop)
            if stop.is_set():
                return
            forced = self._wanted.is_set()
            self._wanted.clear()
            try:
                if forced:
                    await self.reload()
                else:
                    await self.poll()
            except Exception:  # an unreadable directory: keep serving, look again later
                log.exception("data reload failed; the previous data stays in service")

    async def _wait(self, stop: asyncio.Event) -> None:
        """Until a reload is asked for, the interval passes, or ``stop`` is set."""
        waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wanted.wait())]
        timeout = self.interval if self.interval > 0 else None
        try:
            await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*waiters, return_exceptions=True)
