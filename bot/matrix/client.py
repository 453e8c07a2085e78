"""The Matrix bot: sync, hand each sync to the handlers, and run beside the other networks.

The sync loop is Bilat's own rather than nio's ``sync_forever``: it saves ``next_batch`` in
the database after each handled sync, resumes from it after a restart, survives a homeserver
going away (nio is told not to retry forever, so errors come back here), and stops cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from nio import (  # type: ignore[import-untyped]
    AsyncClient,
    SyncError,
    SyncResponse,
)

from bot.config import Settings
from bot.core.session import Session
from bot.matrix.handlers import Handlers
from bot.matrix.login import MatrixAuthError, connect
from bot.matrix.power import PowerCache
from bot.matrix.rooms import RoomStore
from bot.matrix.settings import MatrixSettings
from bot.matrix.transport import NETWORK_ERRORS, MatrixTransport
from bot.store.db import Database

log = logging.getLogger(__name__)

SYNC_TIMEOUT_MS = 30_000
TIMELINE_LIMIT = 50  # events per room replayed after a restart
BACKOFF_START, BACKOFF_MAX = 0.5, 5.0
FATAL_SYNC_ERRORS = frozenset({"M_UNKNOWN_TOKEN", "M_MISSING_TOKEN", "M_USER_DEACTIVATED"})
STALE_GRACE = 30.0  # seconds past a sync's long-poll without an answer: the homeserver is lost


def sync_filter(limit: int) -> dict[str, Any]:
    """A filter that bounds each room's timeline."""
    return {"room": {"timeline": {"limit": limit}}}


# The bot -----------------------------------------------------------------------------------

class MatrixBot:
    """A logged-in client, its handlers, and the sync loop that drives them."""

    def __init__(self, client: AsyncClient, settings: MatrixSettings, store: RoomStore,
                 session: Session, *, decrypt_grace: float | None = None,
                 sync_timeout_ms: int = SYNC_TIMEOUT_MS) -> None:
        self.client, self.store = client, store
        self.ready = asyncio.Event()
        self.transport = MatrixTransport(client, self.ready, settings.rate)
        self.handlers = Handlers(client, self.transport, store, settings, session,
                                 PowerCache(client))
        if decrypt_grace is not None:
            self.handlers.decrypt_grace = decrypt_grace
        self.sync_timeout_ms = sync_timeout_ms
        self.syncs = 0
        self._last_sync: float | None = None  # loop time of the last sync that came through
        self._failing = False  # the last sync failed: the homeserver is out of reach

    def online(self) -> bool:
        """True while syncs come through: the last one succeeded, and not too long ago."""
        if self._last_sync is None or self._failing:
            return False
        quiet = asyncio.get_running_loop().time() - self._last_sync
        return quiet < self.sync_timeout_ms / 1000 + STALE_GRACE

    def _lost(self) -> None:
        """A sync failed: say so once per outage (``ready`` stays set: sends wait on it)."""
        if not self._failing:
            log.error("matrix: the homeserver cannot be reached; retrying")
        self._failing = True

    async def run(self, stop: asyncio.Event) -> None:
        """Sync until ``stop`` is set; the first sync after a start asks for the full state."""
        token = await self.store.sync_token()
        answer = resume = token is not None  # a new bot does not answer history
        backoff = BACKOFF_START
        while not stop.is_set():
            try:
                response = await self._sync(token, resume or token is None, stop)
                if response is None:
                    break
                if isinstance(response, SyncError):
                    self._check_fatal(response)
                    self._lost()
                else:
                    await self._handle(response, answer=answer, resume=resume)
                    token, answer, resume = response.next_batch, True, False
                    backoff = BACKOFF_START
                    continue
            except MatrixAuthError:
                raise
            except NETWORK_ERRORS as exc:
                log.warning("matrix: sync failed (%s); retrying in %.1fs", exc, backoff)
                self._lost()
            except Exception:  # whatever it is, the loop goes on
                log.exception("matrix: sync failed; retrying in %.1fs", backoff)
                self._lost()
            await _pause(backoff, stop)
            backoff = min(backoff * 2, BACKOFF_MAX)

    async def _handle(self, response: SyncResponse, *, answer: bool, resume: bool) -> None:
        """Keys first (replies may need them), then the events, then the saved token."""
        self.ready.set()  # nio has taken in the rooms' state: sending can start
        if self._failing:
            log.info("matrix: the homeserver answers again")
        self._failing, self._last_sync = False, asyncio.get_running_loop().time()
        await self._keys()
        await self.handlers.on_sync(response, answer=answer, resume=resume)
        try:
            await self.store.save_sync_token(response.next_batch)
        except Exception:  # the next sync still starts from here; a restart may repeat it
            log.exception("matrix: could not save the sync token")
        self.syncs += 1

    async def _sync(self, token: str | None, full_state: bool,
                    stop: asyncio.Event) -> SyncResponse | SyncError | None:
        """One sync, abandoned (None) when ``stop`` is set while it waits."""
        timeout = self.sync_timeout_ms
        deadline = self.handlers.next_deadline()
        if deadline is not None:
            timeout = max(1, min(timeout, int(deadline * 1000)))
        limit = TIMELINE_LIMIT if token else 1  # a new bot needs no history
        request = asyncio.ensure_future(self.client.sync(
            timeout, sync_filter(limit), since=token, full_state=full_state or None))
        stopping = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({request, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            if not request.done():
                request.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await request
        return request.result() if not request.cancelled() else None

    def _check_fatal(self, error: SyncError) -> None:
        if error.status_code in FATAL_SYNC_ERRORS:
            raise MatrixAuthError(f"matrix: the homeserver ended the session: {error}")
        log.warning("matrix: sync error: %s", error)

    async def _keys(self) -> None:
        """What nio's sync_forever does between syncs: keys and to-device messages."""
        client = self.client
        if client.olm is None:
            return
        try:
            if client.should_upload_keys:
                await client.keys_upload()
            if client.should_query_keys:
                await client.keys_query()
            if client.should_claim_keys:
                await client.keys_claim(client.get_users_for_key_claiming())
            await client.send_to_device_messages()
        except NETWORK_ERRORS as exc:
            log.warning("matrix: key exchange failed (%s); retried after the next sync", exc)
        except Exception:  # never at the cost of the commands in this sync
            log.exception("matrix: key exchange failed; retried after the next sync")

    async def close(self) -> None:
        """Close the HTTP session (the crypto store is saved as it goes)."""
        await self.client.close()


async def _pause(seconds: float, stop: asyncio.Event) -> None:
    """Sleep, waking early when ``stop`` is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


# Entry point -------------------------------------------------------------------------------

STOP_TIMEOUT = 30.0


class MatrixNetwork:
    """The running Matrix side for ``bilat run``: start, stop, and a transport for pushes."""

    def __init__(self, settings: MatrixSettings, store: RoomStore, session: Session) -> None:
        self.settings, self.store, self.session = settings, store, session
        self.bot: MatrixBot | None = None
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.ended = asyncio.Event()  # the sync loop ended by itself (a revoked token)

    @property
    def transport(self) -> MatrixTransport:
        """The delivery core's way into Matrix rooms (after ``start``)."""
        assert self.bot is not None, "start() first"
        return self.bot.transport

    async def start(self) -> None:
        """Log in and start syncing in the background."""
        nio_log = logging.getLogger("nio")
        if nio_log.level == logging.NOTSET and not logging.getLogger().isEnabledFor(
                logging.DEBUG):
            nio_log.setLevel(logging.WARNING)  # nio logs every event of every room at INFO
        client = await connect(self.settings)
        self.bot = MatrixBot(client, self.settings, self.store, self.session)
        self._task = asyncio.create_task(self.bot.run(self._stop), name="matrix-sync")
        self._task.add_done_callback(self._report_end)

    def _report_end(self, task: asyncio.Task[None]) -> None:
        """A sync loop that ends by itself (revoked token) is logged, and ``ended`` set."""
        if not task.cancelled() and task.exception() is not None:
            log.error("matrix: the bot stopped: %s (check MATRIX_ACCESS_TOKEN or "
                      "MATRIX_PASSWORD)", task.exception())
        if not self._stop.is_set():
            self.ended.set()

    def connected(self) -> bool:
        """True while syncs come through (for /healthz): a lost homeserver shows."""
        return (self.bot is not None and self.bot.online() and self._task is not None
                and not self._task.done())

    async def stop(self) -> None:
        """Finish the sync in hand (its replies included), then close the client."""
        self._stop.set()
        try:
            if self._task is not None:
                await _finish(self._task)
        finally:
            if self.bot is not None:
                await self.bot.close()


async def _finish(task: asyncio.Task[None]) -> None:
    """Wait for the sync loop to end; cancel it if it takes too long."""
    done, _ = await asyncio.wait({task}, timeout=STOP_TIMEOUT)
    if not done:
        log.warning("matrix: the sync loop did not stop in time; cancelling it")
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def matrix_bot(settings: Settings, session: Session, db: Database) -> MatrixNetwork | None:
    """The Matrix bot when MATRIX_HOMESERVER is set, else None (not started yet)."""
    matrix = MatrixSettings.from_settings(settings)
    if matrix is None:
        return None
    store = RoomStore(db, session.clock, matrix.user_id, settings.default_locale,
                      settings.timezone)
    return MatrixNetwork(matrix, store, session)
