"""The schedule: a tick each minute plans the digests and alerts that came due.

The database is the schedule. Each subscription remembers up to which instant everything was
planned (``planned_until``) and when it is next due (``next_due_at``, indexed); a tick reads
only the subscriptions due by now, writes what fell due in ``(planned_until, now]`` to the
outbox under unique keys, and computes each one's next due instant (its next digest or
alert, in its own zone, daylight-saving changes included). So a tick with nothing due costs
an index probe at any size, and a doubled tick, two overlapping ticks or a restart never
plan a message twice. A change of subscription or zone makes it due at the next tick; a
change of the events (new data) makes every subscription with alerts due once.

Alerts that fall due with the chat's digest (same tick) are folded into it: one message, the
digest then the alerts, instead of a digest and separate alerts repeating the same note. Each
folded alert is still written under its own outbox key, as delivered with the digest, so no
later tick or restart sends it separately.

After downtime, alerts that came due less than ``grace`` ago are still sent; older ones are
recorded as dropped and logged, never sent days late. A digest more than ``grace`` late is
skipped: the next one reports everything since the previous.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.briefings import EventItem, Scope
from bot.core.clock import Clock
from bot.core.commands import COMMAND_TABLE
from bot.core.library import Library, Pair, visible
from bot.core.network import command_prefix
from bot.core.pushes import (
    AlertDue,
    DigestDue,
    PairDigest,
    alert_schedule,
    alerts_due,
    digest_due,
    next_digest,
    next_moment,
    pair_code,
    pair_digest,
    planned_events,
    render_alert,
    render_digest,
    without_repeats,
)
from bot.core.render import Rendered
from bot.metrics import TICKS
from bot.store import arrivals, kv, outbox, subscriptions
from bot.store.chats import Chat
from bot.store.db import Database, Executor
from bot.store.outbox import Message
from bot.store.subscriptions import Subscription

log = logging.getLogger(__name__)

DEFAULT_GRACE = timedelta(hours=6)
KEEP_FINISHED = timedelta(days=30)
READ_PAGE = 500  # due subscriptions read, planned and written per transaction
RETRY_PLANNING = timedelta(minutes=1)  # a subscription whose planning failed: try again then
POSTABLE = ("member", "admin")


@dataclass
class TickReport:
    """What one tick planned."""

    digests: int = 0
    alerts: int = 0
    unchanged: int = 0  # digests not sent: nothing changed and the chat did not ask "always"
    dropped: int = 0  # alerts and digests too late to send
    folded: int = 0  # alerts sent inside their chat's digest rather than on their own

    @property
    def planned(self) -> int:
        """Messages added to the outbox."""
        return self.digests + self.alerts


@dataclass
class _Tick:
    """What one tick computes once and shares between chats."""

    now: datetime
    library: Library
    events: dict[Pair, list[EventItem]]
    digests: dict[tuple[object, ...], tuple[Rendered | None, frozenset[str]]]
    alerts: dict[tuple[object, ...], Rendered]
    schedules: dict[tuple[object, ...], list[datetime]] = field(default_factory=dict)

    def events_for(self, pairs: tuple[Pair, ...]) -> dict[Pair, list[EventItem]]:
        """Planned events of each pair, computed once per tick."""
        for pair in pairs:
            if pair not in self.events:
                self.events[pair] = planned_events(self.library, pair)
        return {p: self.events[p] for p in pairs}


@dataclass
class _Plan:
    """One chat's due messages, and the alerts too late to send."""

    chat: Chat
    messages: list[Message] = field(default_factory=list)
    late: list[AlertDue] = field(default_factory=list)
    listed: frozenset[str] = frozenset()  # events the digest lists
    folded: list[Message] = field(default_factory=list)  # alerts inside the digest

    @property
    def empty(self) -> bool:
        """Nothing to write to the outbox."""
        return not self.messages and not self.late


class Scheduler:
    """Plans pushed messages into the outbox, one tick a minute."""

    def __init__(self, db: Database, library: Callable[[], Library], clock: Clock, *,
                 grace: timedelta = DEFAULT_GRACE,
                 wake: Callable[[], None] | None = None,
                 leads: Callable[[], bool] = lambda: True,
                 promoted: asyncio.Event | None = None) -> None:
        self.db = db
        self.library = library
        self.clock = clock
        self.grace = grace
        self.wake = wake
        self._arrivals: tuple[int, arrivals.Known] | None = None  # per library in service
        self.leads = leads  # True while this replica holds the scheduler's lease
        self.promoted = promoted  # set when it takes the lease: tick at once
        self._events_print: str | None = None  # the events' fingerprint last seen

    async def tick(self) -> TickReport:
        """Plan everything that fell due since the last tick (timed for /metrics)."""
        started = time.perf_counter()
        try:
            return await self._tick()
        finally:
            TICKS.observe(time.perf_counter() - started)

    async def _tick(self) -> TickReport:
        now = self.clock.now()
        tick = _Tick(now, visible(self.library(), now), {}, {}, {})
        await self._note_arrivals(now)
        report = TickReport()
        await self._follow_events(tick)
        after = ("", 0)
        # Only what is due, a page at a time, by index: memory and time follow what is due.
        while page := await subscriptions.due(self.db, now, after, READ_PAGE):
            after = subscriptions.due_key(page[-1])
            done: list[tuple[Subscription, datetime]] = []
            plans: list[_Plan] = []
            for sub, chat in page:
                try:
                    plan = self._plan(tick, _covering(tick, sub, chat), chat, report)
                    done.append((sub, self._next_due(tick, _covering(tick, sub, chat), chat)))
                except Exception:  # one chat's bad data must not stop the others' schedule
                    log.exception("planning for %s failed", chat.ref)
                    done.append((sub, now + RETRY_PLANNING))
                    continue
                if plan is not None and not plan.empty:
                    plans.append(plan)
            await self._write(plans, done, now, report)
        if now.minute == 0:
            await outbox.prune(self.db, now, KEEP_FINISHED)
        if report.planned and self.wake is not None:
            self.wake()
        return report

    async def _note_arrivals(self, now: datetime) -> None:
        """Record when each article in service was first loaded (once per library)."""
        library = self.library()
        if self._arrivals is None or self._arrivals[0] != id(library):
            found = await arrivals.record(self.db, [arrivals.Seen(
                a.id, a.source.published,
                {f.id: [str(f.value), f.unit, f.currency] for f in a.trade})
                for a in library.articles], now)
            self._arrivals = (id(library), found)

    async def _follow_events(self, tick: _Tick) -> None:
        """When the events that get alerts changed (new data, a reload), every alert
        schedule is computed again, at this tick."""
        events = sorted((pair_code(pair), i.key, repr(i.event.date))
                        for pair in tick.library.pairs for i in tick.events_for((pair,))[pair])
        print_ = hashlib.sha256(repr(events).encode()).hexdigest()
        if print_ == self._events_print:
            return
        if await kv.get(self.db, "scheduler", "events") != print_:
            async with self.db.transaction() as tx:
                count = await subscriptions.reevaluate(tx)
                await kv.put(tx, "scheduler", "events", print_, tick.now)
            log.info("the events changed: %d subscription(s) with alerts re-evaluated", count)
        self._events_print = print_

    def _next_due(self, tick: _Tick, sub: Subscription, chat: Chat) -> datetime:
        """When the subscription next has something due after this tick."""
        zone, s = ZoneInfo(chat.timezone), sub.settings
        due = next_digest(s, zone, tick.now)
        key = (s.pairs, chat.timezone, s.at, s.leads, s.alerts)
        if key not in tick.schedules:
            tick.schedules[key] = alert_schedule(tick.events_for(s.pairs), s, zone)
        alert = next_moment(tick.schedules[key], tick.now)
        return min(due, alert) if alert is not None else due

    async def run(self, stop: asyncio.Event) -> None:
        """Tick at the start of every minute while leading, until ``stop`` is set."""
        while not stop.is_set():
            if self.leads():
                try:
                    await self.tick()
                except Exception:
                    log.exception("tick failed; trying again next minute")
            now = self.clock.now()
            delay = 60 - now.second - now.microsecond / 1e6 + 0.05
            await self._sleep(stop, delay)

    async def _sleep(self, stop: asyncio.Event, seconds: float) -> None:
        """Until the next minute, ``stop``, or promotion to leader (a prompt catch-up tick)."""
        waiters = [asyncio.ensure_future(stop.wait())]
        if self.promoted is not None:
            waiters.append(asyncio.ensure_future(self.promoted.wait()))
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
            await asyncio.gather(*waiters, return_exceptions=True)
        if self.promoted is not None:
            self.promoted.clear()

    def _plan(self, tick: _Tick, sub: Subscription, chat: Chat,
              report: TickReport) -> _Plan | None:
        """What one chat has due: its digest and alerts, rendered; None if nothing."""
        zone, s = ZoneInfo(chat.timezone), sub.settings
        digest = digest_due(s, zone, sub.planned_until, tick.now)
        alerts = alerts_due(tick.events_for(s.pairs), s, zone, sub.planned_until, tick.now)
        if chat.status not in POSTABLE or (digest is None and not alerts):
            return None  # nothing due, or the bot cannot post there
        plan = _Plan(chat)
        # An event whose alert rides in the digest is told there once, as the alert.
        folding = frozenset(a.item.key for a in alerts if tick.now - a.moment <= self.grace)
        content = self._due_digest(tick, sub, chat, digest, plan, report, folding)
        # Alerts due with a digest ride in it: one message, never the note twice.
        ride = plan.folded if content is not None else plan.messages
        for alert in alerts:
            if tick.now - alert.moment > self.grace:
                plan.late.append(alert)
            else:
                ride.append(Message(alert.key(chat.id), chat.id, "alert",
                                    self._alert(tick, alert, chat, content is not None),
                                    sub.settings.silent))
        if digest is not None and content is not None:
            plan.messages.insert(0, Message(digest.key(chat.id), chat.id, "digest",
                                            _with_alerts(content, plan.folded),
                                            sub.settings.silent))
        return plan

    def _due_digest(self, tick: _Tick, sub: Subscription, chat: Chat,
                    digest: DigestDue | None, plan: _Plan, report: TickReport,
                    folding: frozenset[str] = frozenset()) -> Rendered | None:
        """The digest to send now, if one is due, on time and not empty."""
        if digest is None:
            return None
        if tick.now - digest.moment > self.grace:
            log.info("%s: digest of %s skipped, %s late", chat.ref, digest.day,
                     tick.now - digest.moment)
            report.dropped += 1
            return None
        content, plan.listed = self._digest(tick, sub, chat, digest, folding)
        if content is None:
            report.unchanged += 1
        return content

    async def _write(self, plans: list[_Plan], done: list[tuple[Subscription, datetime]],
                     now: datetime, report: TickReport) -> None:
        """Write the planned messages under their unique keys and the subscriptions' next
        due instants, in one transaction."""
        digests: list[tuple[int, frozenset[str]]] = []
        async with self.db.transaction() as tx:
            for plan in plans:
                for message in plan.messages:
                    if not await outbox.add(tx, message, now):
                        continue  # planned by an earlier or overlapping tick
                    if message.kind == "digest":
                        report.digests += 1
                        digests.append((plan.chat.id, plan.listed))
                        report.folded += await self._fold(tx, plan, message.key, now)
                    else:
                        report.alerts += 1
                for alert in plan.late:
                    if await outbox.add_dropped(tx, alert.key(plan.chat.id), plan.chat.id,
                                                "alert", f"late by {now - alert.moment}", now):
                        _log_dropped(plan.chat, alert, now)
                        report.dropped += 1
            # The next digest of each chat reports changes from here.
            await subscriptions.record_digests(tx, digests, now)
            await subscriptions.reschedule(tx, done, now)

    @staticmethod
    async def _fold(tx: Executor, plan: _Plan, digest: str, now: datetime) -> int:
        """Record the alerts folded into ``digest`` as delivered with it."""
        count = 0
        for alert in plan.folded:
            count += await outbox.add_folded(tx, alert, digest, now)
        return count

    def _digest(self, tick: _Tick, sub: Subscription, chat: Chat, due: DigestDue,
                folding: frozenset[str] = frozenset()) -> tuple[Rendered | None, frozenset[str]]:
        """The digest (None when nothing changed and the chat wants changes only) and the
        events it tells of; shared by every chat with the same settings and history.
        Events in ``folding`` are left out of its list: their alerts ride along."""
        s = sub.settings
        key = (chat.locale, chat.timezone, command_prefix(chat.ref.network), s.pairs,
               s.sectors, s.cadence, s.always, sub.since, sub.digest_events, due.day, folding)
        if key not in tick.digests:
            known = self._arrivals[1] if self._arrivals else arrivals.Known({}, {})
            revised = {k: (r.at, r.previous) for k, r in known.revisions.items()}
            parts = without_repeats([
                pair_digest(tick.library, pair, due.day, sub.since, sub.digest_events,
                            known.arrivals, s.sectors, revised) for pair in s.pairs])
            window = frozenset(i.key for part in parts for i in part.events)
            changed = any(p.changed for p in parts)
            listed = [replace(p, events=tuple(i for i in p.events if i.key not in folding))
                      for p in parts]
            content = self._render_digest(tick, chat, listed, sub) \
                if parts and (s.always or changed) else None
            tick.digests[key] = (content, window)
        return tick.digests[key]

    def _render_digest(self, tick: _Tick, chat: Chat, parts: list[PairDigest],
                       sub: Subscription) -> Rendered:
        # Pushes name commands as the chat's menu does: /commerce in French, never /trade.
        scope = Scope.make(tick.library, chat.locale, tick.now, chat.timezone, parts[0].pair,
                           prefix=command_prefix(chat.ref.network),
                           commands=COMMAND_TABLE.names(chat.locale))
        return render_digest(scope, parts, sub.since, sub.settings.cadence)

    def _alert(self, tick: _Tick, due: AlertDue, chat: Chat, folded: bool) -> Rendered:
        """The alert's message (``folded``: as part of a digest, which closes with the
        views), rendered once per language and zone."""
        today = tick.now.astimezone(ZoneInfo(chat.timezone)).date()
        prefix = command_prefix(chat.ref.network)
        key = (due.item.key, due.lead, due.target, today, chat.locale, chat.timezone, prefix,
               due.pairs, folded)
        if key not in tick.alerts:
            tick.alerts[key] = render_alert(tick.library, due, chat.locale, tick.now,
                                            chat.timezone, prefix,
                                            COMMAND_TABLE.names(chat.locale), folded=folded)
        return tick.alerts[key]


def _with_alerts(digest: Rendered, alerts: list[Message]) -> Rendered:
    """The digest with the alerts that fell due with it, before its closing line."""
    if not alerts:
        return digest

    def fold(whole: str, parts: list[str]) -> str:
        # The digest's last paragraph names the views: it stays last, after the alerts.
        body, _, closing = whole.rpartition("\n\n")
        return "\n\n".join([body, *parts, closing] if body else [whole, *parts])

    return Rendered(fold(digest.html, [a.content.html for a in alerts]),
                    fold(digest.text, [a.content.text for a in alerts]))


def _covering(tick: _Tick, sub: Subscription, chat: Chat) -> Subscription:
    """The subscription as it applies: the chat's pairs (or the deployment's default)
    decide what its pushes cover."""
    covered = tuple(c for p in chat.pairs if (c := tick.library.covered(p)))
    return replace(sub, settings=replace(
        sub.settings, pairs=covered or tick.library.default_pairs()))


def _log_dropped(chat: Chat, alert: AlertDue, now: datetime) -> None:
    """Downtime is worth a warning; an event announced after its alert time is not."""
    announced = min(a.source.published for a in alert.item.sources)
    level = logging.INFO if announced > alert.moment else logging.WARNING
    log.log(level, "%s: alert %s dropped, %s late", chat.ref, alert.key(chat.id),
            now - alert.moment)
