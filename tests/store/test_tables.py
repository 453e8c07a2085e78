"""Chats, subscriptions, the outbox and the key-value table, row by row."""

from __future__ import annotations

from datetime import time, timedelta

from bot.core.clock import FixedClock
from bot.core.network import ChatRef
from bot.core.pushes import PushSettings
from bot.core.render import Rendered
from bot.store import chats, kv, outbox, subscriptions
from bot.store.db import Database
from bot.store.outbox import Message


async def test_a_chat_keeps_its_language_and_zone_but_follows_its_title(
        db: Database, clock: FixedClock) -> None:
    ref = ChatRef("telegram", "-100", "7")
    first = await chats.ensure(db, ref, type="group", locale="fr", timezone="Europe/Paris",
                               now=clock.now(), title="Topic")
    again = await chats.ensure(db, ref, type="group", locale="en", timezone="UTC",
                               now=clock.now(), title="Renamed")
    assert again.id == first.id and (again.locale, again.timezone) == ("fr", "Europe/Paris")
    assert again.title == "Renamed" and again.ref == ref and str(ref) == "telegram:-100#7"
    other = await chats.ensure(db, ChatRef("telegram", "-100"), type="group", locale="en",
                               timezone="UTC", now=clock.now())
    assert other.id != first.id and other.thread_id is None
    same = await chats.ensure(db, ChatRef("telegram", "-100"), type="group", locale="en",
                              timezone="UTC", now=clock.now())
    assert same.id == other.id  # a topic-less chat is unique too (NULL thread)
    await chats.set_status(db, ref, "kicked", clock.now())
    kicked = await chats.get(db, ref)
    assert kicked is not None and kicked.status == "kicked"


async def test_subscription_settings_round_trip(db: Database, clock: FixedClock) -> None:
    chat = await chats.ensure(db, ChatRef("matrix", "!room:example.org"), type="group",
                              locale="en", timezone="UTC", now=clock.now())
    settings = PushSettings(cadence="weekly", weekday=4, at=time(18, 30), alerts=False,
                            leads=(3, 0), pairs=(("KZ", "FR"), ("KZ", "DE")), always=True)
    await subscriptions.subscribe(db, chat.id, settings, clock.now())
    sub = await subscriptions.get(db, chat.id)
    assert sub is not None and sub.settings == settings and sub.since == clock.now()
    assert [c.id for _, c in await subscriptions.active(db)] == [chat.id]
    await chats.set_status(db, chat.ref, "left", clock.now())
    assert await subscriptions.active(db) == []  # the bot cannot post there


async def test_outbox_keys_are_unique_and_chats_go_one_at_a_time(
        db: Database, clock: FixedClock) -> None:
    chat = await chats.ensure(db, ChatRef("test", "1"), type="private", locale="en",
                              timezone="UTC", now=clock.now())
    message = Message("digest:1:2025-05-08", chat.id, "digest", Rendered.from_html("<b>x</b>"))
    assert await outbox.add(db, message, clock.now())
    assert not await outbox.add(db, message, clock.now())
    await outbox.add(db, Message("alert:e:1:1d:2025-05-09", chat.id, "alert",
                                 Rendered.from_html("y")), clock.now())
    due = await outbox.due(db, "test", clock.now())
    assert [d.row.key for d in due] == ["digest:1:2025-05-08"]
    assert due[0].row.content == Rendered("<b>x</b>", "x") and due[0].ref == chat.ref
    assert await outbox.mark_sending(db, due[0].row.id)
    assert not await outbox.mark_sending(db, due[0].row.id)
    assert await outbox.due(db, "test", clock.now()) == []  # the first is in flight
    assert await outbox.due(db, "other", clock.now()) == []
    assert await outbox.recover(db, clock.now()) == 1
    assert [d.row.key for d in await outbox.due(db, "test", clock.now())] == [
        "digest:1:2025-05-08"]  # back in the outbox, still first
    await outbox.mark_sent(db, due[0].row.id, "42", clock.now())
    later = clock.now() + timedelta(minutes=5)
    nxt = (await outbox.due(db, "test", clock.now()))[0]
    await outbox.retry_at(db, nxt.row.id, later, "rate limited", count_attempt=False)
    assert await outbox.due(db, "test", clock.now()) == []
    assert await outbox.next_attempt(db, "test") == later
    assert await outbox.counts(db) == {"sent": 1, "pending": 1}
    assert await outbox.prune(db, clock.now() + timedelta(days=31), timedelta(days=30)) == 1


async def test_sync_tokens_are_kept(db: Database, clock: FixedClock) -> None:
    assert await kv.get(db, "matrix", "next_batch") is None
    await kv.put(db, "matrix", "next_batch", "s1_2", clock.now())
    await kv.put(db, "matrix", "next_batch", "s1_3", clock.now())
    assert await kv.get(db, "matrix", "next_batch") == "s1_3"
    assert await kv.delete(db, "matrix", "next_batch")
    assert not await kv.delete(db, "matrix", "next_batch")
