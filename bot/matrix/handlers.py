"""What the bot does with each sync: `!` commands, invites, kicks, upgrades, undecryptables.

Every handler runs inside ``_guard``: an exception is logged and the next event is handled,
so a bug in one reply never stops the sync loop (in matrix-nio's own ``sync_forever`` a
raising callback ends the loop).
"""

from __future__ import annotations

import asyncio
import html
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from nio import (  # type: ignore[import-untyped]
    AsyncClient,
    EncryptionError,
    JoinResponse,
    MegolmEvent,
    RoomMessageText,
    SyncResponse,
)

from bot.core import i18n
from bot.core.command_table import Reply
from bot.core.network import DeliveryError, command_prefix
from bot.core.phrases import N_
from bot.core.request import Network, Request
from bot.core.session import Session
from bot.matrix.content import RAW_LIMIT, contents, notice, relation
from bot.matrix.events import (
    joins,
    membership_of,
    relates_to,
    replacement_of,
    source_of,
    strip_reply_fallback,
    thread_of,
    txn_id,
)
from bot.matrix.power import PowerCache
from bot.matrix.rooms import Removal, RoomStore, room_ref
from bot.matrix.settings import MatrixSettings
from bot.matrix.transport import NETWORK, NETWORK_ERRORS, MatrixTransport
from bot.metrics import FAILURES, SENT

log = logging.getLogger(__name__)

PREFIX = command_prefix(NETWORK)
HELP_EXTRA = N_("On Matrix: “!trade chart” adds a chart of the series, and !events comes with "
                "a calendar file.")
MATRIX = Network(NETWORK, PREFIX, files=True, message_length=RAW_LIMIT, help_note=HELP_EXTRA)
DECRYPT_GRACE = 10.0  # seconds to wait for a late room key before telling the sender
REMEMBERED_EVENTS = 2000
SEND_ATTEMPTS = 6
MAX_WAIT = 60.0

UNDECRYPTABLE = N_(
    "{user}: Bilat could not decrypt your message, so it cannot answer it. Your app did not "
    "share the message’s key with Bilat’s session, which is not cross-signed. Allow sending "
    "to unverified sessions (in Element, under Settings, Security), or talk to Bilat in an "
    "unencrypted room, then send the command again.")
MAX_TOLD = 3  # admins told, each in a direct room, when the old room is closed to Bilat
INVITE_TITLE = N_("Bilat needs an invite")
INVITE_NEEDED = N_(
    "This room was upgraded to a new room that Bilat can only join when invited. An "
    "administrator, please invite {bot} to the new room: until then this room’s digests and "
    "alerts wait.")


@dataclass
class Parked:
    """An encrypted event waiting for its room key."""

    room_id: str
    event: MegolmEvent
    deadline: float


@dataclass
class Handlers:
    """Turns sync responses into replies and room bookkeeping."""

    client: AsyncClient
    transport: MatrixTransport
    store: RoomStore
    settings: MatrixSettings
    session: Session
    power: PowerCache
    decrypt_grace: float = DECRYPT_GRACE
    known: set[str] = field(default_factory=set)
    followed: set[str] = field(default_factory=set)
    awaited: dict[str, str] = field(default_factory=dict)  # replacement room -> old room
    parked: list[Parked] = field(default_factory=list)
    handled: OrderedDict[str, None] = field(default_factory=OrderedDict)

    @property
    def me(self) -> str:
        """The bot's user id."""
        return str(self.client.user_id)

    # The sync ---------------------------------------------------------------------------

    async def on_sync(self, response: SyncResponse, *, answer: bool, resume: bool) -> None:
        """Handle one sync: invites, departures, then each joined room's new events.

        ``answer`` is False on the very first sync of a new bot (history is not answered);
        ``resume`` is True on the first sync after a restart (every room was known).
        """
        for room_id, info in response.rooms.invite.items():
            await self._guard(self.on_invite, room_id, info.invite_state)
        for room_id, info in response.rooms.leave.items():
            await self._guard(self.on_leave, room_id, [*info.state, *info.timeline.events])
        rooms = response.rooms.join.items()
        await asyncio.gather(*(self._guard(self._room, room_id, info, answer, resume)
                               for room_id, info in rooms))
        await self._guard(self._retry_parked)

    def next_deadline(self) -> float | None:
        """Seconds until a parked event must be given up on (the sync waits no longer)."""
        if not self.parked:
            return None
        return max(0.0, min(p.deadline for p in self.parked) - time.monotonic())

    async def _room(self, room_id: str, info: Any, answer: bool, resume: bool) -> None:
        timeline = list(info.timeline.events)
        self.power.observe(room_id, [source_of(e) for e in [*info.state, *timeline]])
        start = self._first_answerable(room_id, timeline, answer, resume)
        if resume and getattr(info.timeline, "limited", False):
            log.warning("matrix: %s had more new events than one sync returns while the bot "
                        "was away; commands before the last %d are not answered", room_id,
                        len(timeline))
        for index, event in enumerate(timeline):
            await self._guard(self._event, room_id, event, index >= start)
        self.known.add(room_id)
        room = self.client.rooms.get(room_id)
        replacement = replacement_of([*info.state, *timeline]) or (
            room.replacement_room if room is not None else None)
        if replacement and room_id not in self.followed:
            await self._guard(self.on_tombstone, room_id, str(replacement))

    def _first_answerable(self, room_id: str, timeline: list[Any], answer: bool,
                          resume: bool) -> int:
        """Index of the first event to answer: nothing from before the bot joined."""
        if not answer:
            return len(timeline)
        for index in range(len(timeline) - 1, -1, -1):
            if joins(timeline[index], self.me):
                return index + 1
        return 0 if resume or room_id in self.known else len(timeline)

    async def _event(self, room_id: str, event: Any, answerable: bool) -> None:
        source = source_of(event)
        if joins(event, self.me):
            await self.on_joined(room_id)
        if not answerable or source.get("sender") == self.me or self._seen(event):
            return
        if isinstance(event, RoomMessageText):
            await self.on_message(room_id, event)
        elif isinstance(event, MegolmEvent):
            self.parked.append(Parked(room_id, event, time.monotonic() + self.decrypt_grace))

    def _seen(self, event: Any) -> bool:
        """True for an event already handled in this run (never answer twice)."""
        event_id = str(getattr(event, "event_id", "") or "")
        if not event_id or isinstance(event, MegolmEvent):
            return False
        if event_id in self.handled:
            return True
        self.handled[event_id] = None
        if len(self.handled) > REMEMBERED_EVENTS:
            self.handled.popitem(last=False)
        return False

    # Commands ---------------------------------------------------------------------------

    async def on_message(self, room_id: str, event: RoomMessageText) -> None:
        """Answer a `!` command with notices replying to it (in its thread, if any)."""
        if relates_to(event).get("rel_type") == "m.replace":
            return  # an edit: the original command was answered already
        text = strip_reply_fallback(str(event.body))
        if not text.lstrip().startswith(PREFIX):
            return
        request = await self.request(room_id, str(event.sender))
        answer = await self.session.answer(request, text)
        if answer is not None:
            await self.reply(room_id, str(event.event_id), thread_of(event), answer.reply)

    async def request(self, room_id: str, sender: str) -> Request:
        """The core's request for a command sent by ``sender`` in ``room_id``."""
        async def can_manage() -> bool:
            return await self.power.can_manage(room_id, sender, self.settings.manage_level)

        room = self.client.rooms.get(room_id)
        stored = await self.store.open(room_id, room.display_name if room else "", can_manage)
        return Request(MATRIX, room_ref(room_id), stored, sender=f"{NETWORK}:{sender}",
                       private=False)

    async def reply(self, room_id: str, event_id: str, thread: str | None,
                    reply: Reply) -> None:
        """Send a command's reply, then its files, each retried until it gets through."""
        parts = contents(reply.message, reply_to=event_id, thread_root=thread)
        for index, content in enumerate(parts):
            if await self._persist(partial(self.transport.send_content, room_id, content,
                                           txn_id(event_id, index))) is not None:
                SENT.labels(NETWORK, "reply").inc()
        for item in reply.attachments:
            await self._persist(partial(self.transport.send_attachment, room_id, item, thread))

    async def _persist(self, send: Callable[[], Awaitable[str]]) -> str | None:
        """Run ``send`` until it succeeds, waiting out rate limits and outages."""
        wait = 0.5
        for _ in range(SEND_ATTEMPTS):
            try:
                return await send()
            except DeliveryError as exc:
                if exc.kind in ("terminal", "migrated"):
                    log.warning("matrix: reply not sent: %s", exc)
                    return None
                pause = exc.retry_after if exc.kind == "rate_limited" else wait
                log.info("matrix: reply delayed %.1fs: %s", pause or 0, exc)
                await asyncio.sleep(min(pause or wait, MAX_WAIT))
                wait = min(wait * 2, MAX_WAIT)
        log.error("matrix: reply given up after %d attempts", SEND_ATTEMPTS)
        return None

    # Membership -------------------------------------------------------------------------

    async def on_invite(self, room_id: str, invite_state: Iterable[Any]) -> None:
        """Join when the inviter's server is allowed (or the room replaces one of ours)."""
        inviter = next((source_of(e).get("sender") for e in invite_state
                        if membership_of(e, self.me) == "invite"), None)
        if inviter is None:
            return
        if not (self.settings.allows(str(inviter)) or room_id in self.awaited):
            log.warning("matrix: declined the invite to %s from %s: server not in "
                        "MATRIX_ALLOWED_SERVERS", room_id, inviter)
            await self.client.room_leave(room_id)
            return
        await self.join(room_id)

    async def join(self, room_id: str) -> bool:
        """Join a room, retrying network errors; True once joined."""
        wait = 0.5
        for _ in range(SEND_ATTEMPTS):
            try:
                response = await self.client.join(room_id)
            except NETWORK_ERRORS as exc:
                log.info("matrix: joining %s failed (%s); retrying", room_id, exc)
            else:
                if isinstance(response, JoinResponse):
                    log.info("matrix: joined %s", room_id)
                    return True
                log.warning("matrix: cannot join %s: %s", room_id, response)
                return False
            await asyncio.sleep(wait)
            wait *= 2
        return False

    async def on_joined(self, room_id: str) -> None:
        """The bot's join came through: record the room; finish moving an upgraded room."""
        room = self.client.rooms.get(room_id)
        await self.store.joined(room_id, room.display_name if room else None)
        old = self.awaited.pop(room_id, None)
        if old is not None:
            await self.client.room_leave(old)

    async def on_leave(self, room_id: str, events: Iterable[Any]) -> None:
        """A kick or a ban stops the room's subscription."""
        self.power.forget(room_id)
        self.known.discard(room_id)
        for event in events:
            source = source_of(event)
            membership = membership_of(event, self.me)
            if membership in ("leave", "ban") and source.get("sender") != self.me:
                how: Removal = "banned" if membership == "ban" else "kicked"
                log.warning("matrix: %s from %s by %s", how, room_id, source.get("sender"))
                await self.store.removed(room_id, how)
                return

    async def on_tombstone(self, room_id: str, replacement: str) -> None:
        """The room was upgraded: move its subscription and join the new room."""
        self.followed.add(room_id)
        log.info("matrix: room %s was replaced by %s", room_id, replacement)
        await self.store.moved(room_id, replacement)
        if replacement in self.client.rooms:  # already there (the invite came first)
            await self.client.room_leave(room_id)
            return
        self.awaited[replacement] = room_id
        if not await self.join(replacement):
            log.warning("matrix: waiting for an invite to %s (upgraded from %s)", replacement,
                        room_id)
            await self._ask_for_invite(room_id)

    async def _ask_for_invite(self, room_id: str) -> None:
        """Tell the old room's admins that Bilat needs an invite to the new one.

        In the old room if Bilat may still post there; Synapse's upgrade usually takes that
        right from ordinary members, so then in a direct room opened with each admin, its
        topic saying why (best effort: nothing here may stop the sync).
        """
        locale = await self.store.room_locale(room_id)
        text = i18n.gettext(locale, INVITE_NEEDED).format(bot=self.me)
        try:
            await self.transport.send_content(room_id, notice(html.escape(text, quote=False)))
            return
        except DeliveryError as exc:
            log.info("matrix: cannot post in %s any more (%s); telling its admins directly",
                     room_id, exc)
        for admin in (await self._admins(room_id))[:MAX_TOLD]:
            created = await self.client.room_create(
                is_direct=True, invite=[admin], name=i18n.gettext(locale, INVITE_TITLE),
                topic=text)
            log.warning("matrix: asked %s for an invite (%s)", admin, created)

    async def _admins(self, room_id: str) -> list[str]:
        """The room's creators and the members at the top power level, but Bilat."""
        power = await self.power.power(room_id)
        if power is None:
            return []
        users = (power.power_levels or {}).get("users") or {}
        found = [*sorted(power.creators), *(u for u in users if power.level(u) >= 100)]
        return [u for u in dict.fromkeys(found) if u and u != self.me]

    # Encryption -------------------------------------------------------------------------

    async def _retry_parked(self) -> None:
        """Decrypt events whose key arrived since; give up on those past their grace."""
        waiting, self.parked = self.parked, []
        now = time.monotonic()
        for item in waiting:
            try:
                decrypted = self.client.decrypt_event(item.event)
            except EncryptionError:
                if now < item.deadline:
                    self.parked.append(item)
                else:
                    await self._guard(self.on_undecryptable, item.room_id, item.event)
                continue
            await self._guard(self._event, item.room_id, decrypted, True)

    async def on_undecryptable(self, room_id: str, event: MegolmEvent) -> None:
        """Log it, and tell the sender once in the room how to fix it."""
        sender = str(event.sender)
        log.warning("matrix: cannot decrypt %s from %s in %s (session %s)", event.event_id,
                    sender, room_id, event.session_id)
        if not await self.store.first_time(f"undecryptable:{room_id}:{sender}"):
            return
        locale = await self.store.room_locale(room_id)
        text = i18n.gettext(locale, UNDECRYPTABLE).format(user=sender)
        content = notice(html.escape(text, quote=False))
        content["m.mentions"] = {"user_ids": [sender]}
        related = relation(str(event.event_id), thread_of(event))
        if related is not None:
            content["m.relates_to"] = related
        await self._persist(partial(self.transport.send_content, room_id, content,
                                    txn_id(str(event.event_id), 0)))

    # Safety -----------------------------------------------------------------------------

    async def _guard(self, handler: Callable[..., Awaitable[None]], *args: Any) -> None:
        """Run a handler; log its exception instead of letting it end the sync loop."""
        try:
            await handler(*args)
        except asyncio.CancelledError:
            raise
        except Exception:
            FAILURES.labels(NETWORK, "handler").inc()
            where = args[0] if args and isinstance(args[0], str) else "the sync"
            log.exception("matrix: %s failed in %s", getattr(handler, "__name__", handler), where)
