"""The sender: rate limits pause one chat, terminal errors deactivate, migrations re-key."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.core.clock import FixedClock
from bot.core.network import ChatRef, DeliveryError
from bot.core.render import Rendered
from bot.delivery.sender import Policy, Sender
from bot.store import chats, outbox, subscriptions
from bot.store.chats import Chat
from bot.store.db import Database
from bot.store.outbox import Message
from tests.fakes.transport import RecordingTransport, rate_limited, terminal
from tests.support.delivery import subscribe


async def plan(db: Database, clock: FixedClock, chat: Chat, *names: str) -> None:
    """Put one message per name in the chat's outbox."""
    for name in names:
        await outbox.add(db, Message(f"test:{chat.id}:{name}", chat.id, "digest",
                                     Rendered.from_html(name)), clock.now())


async def test_messages_to_a_chat_go_in_order_each_once(db: Database,
                                                       clock: FixedClock) -> None:
    a = await subscribe(db, clock, "a")
    b = await subscribe(db, clock, "-b", type="group")
    await plan(db, clock, a, "a1", "a2", "a3")
    await plan(db, clock, b, "b1", "b2")
    transport = RecordingTransport()
    sender = Sender(db, transport, clock)
    assert await sender.drain() == 5
    assert transport.texts("a") == ["a1", "a2", "a3"]
    assert transport.texts("-b") == ["b1", "b2"]
    assert await sender.drain() == 0
    sent = await outbox.rows(db, "sent")
    assert sorted(r.message_id or "" for r in sent) == ["m1", "m2", "m3", "m4", "m5"]
    assert all(r.attempts == 1 and r.sent_at == clock.now() for r in sent)


async def test_a_429_delays_only_that_chat(db: Database, clock: FixedClock) -> None:
    chats_ = [await subscribe(db, clock, name) for name in ("a", "b", "c")]
    for chat in chats_:
        await plan(db, clock, chat, f"{chat.chat_id}1", f"{chat.chat_id}2")
    transport = RecordingTransport()
    transport.fail("b", rate_limited(30))
    sender = Sender(db, transport, clock)
    assert await sender.drain() == 4
    assert transport.texts("a") == ["a1", "a2"] and transport.texts("c") == ["c1", "c2"]
    assert transport.texts("b") == []
    row = await outbox.get(db, f"test:{chats_[1].id}:b1")
    assert row is not None and row.state == "pending" and row.attempts == 0
    assert row.next_attempt_at == clock.now() + timedelta(seconds=30)
    clock.advance(timedelta(seconds=29))
    assert await sender.drain() == 0  # still paused; b2 waits behind b1
    clock.advance(timedelta(seconds=1))
    assert await sender.drain() == 2
    assert transport.texts("b") == ["b1", "b2"]


async def test_terminal_errors_deactivate_after_n_in_a_row(
        db: Database, clock: FixedClock, caplog: pytest.LogCaptureFixture) -> None:
    chat = await subscribe(db, clock, "blocker")
    other = await subscribe(db, clock, "fine")
    await plan(db, clock, chat, *(f"m{n}" for n in range(7)))
    await plan(db, clock, other, "hello")
    transport = RecordingTransport()
    # Two failures, a success (the streak ends), then three failures in a row.
    transport.fail("blocker", terminal(), terminal())
    sender = Sender(db, transport, clock, Policy(max_failures=3))
    await sender.drain()
    sub = await subscriptions.get(db, chat.id)
    assert sub is not None and sub.active and sub.failures == 0
    assert await outbox.get(db, f"test:{chat.id}:m2") is not None
    assert transport.texts("fine") == ["hello"]

    await plan(db, clock, chat, "n0", "n1", "n2", "n3")
    transport.fail("blocker", terminal(), terminal(), terminal())
    with caplog.at_level(logging.WARNING, "bot.delivery.sender"):
        await sender.drain()
    sub = await subscriptions.get(db, chat.id)
    assert sub is not None and not sub.active and sub.failures == 3
    assert sub.last_error == "terminal: Forbidden: bot was blocked by the user"
    dropped = await outbox.get(db, f"test:{chat.id}:n3")
    assert dropped is not None and dropped.state == "dropped"
    assert "deactivated after 3 failures in a row" in caplog.text
    assert transport.texts("blocker") == [f"m{n}" for n in range(2, 7)]


async def test_a_migrated_chat_is_rekeyed_with_its_subscription(
        db: Database, clock: FixedClock) -> None:
    group = await subscribe(db, clock, "-42", type="group", locale="fr", zone="Europe/Paris")
    await plan(db, clock, group, "first", "second")
    transport = RecordingTransport()
    transport.fail("-42", DeliveryError("migrated", "group upgraded",
                                        new_chat_id="-1001234"))
    assert await Sender(db, transport, clock).drain() == 2
    assert transport.texts("-1001234") == ["first", "second"]
    assert await chats.get(db, ChatRef("test", "-42")) is None
    moved = await chats.get(db, ChatRef("test", "-1001234"))
    assert moved is not None and moved.id == group.id
    assert (moved.locale, moved.timezone) == ("fr", "Europe/Paris")
    sub = await subscriptions.get(db, group.id)
    assert sub is not None and sub.active


async def test_migration_onto_a_known_chat_keeps_the_subscribed_row(
        db: Database, clock: FixedClock) -> None:
    old = await subscribe(db, clock, "-42", type="group", locale="fr")
    await chats.ensure(db, ChatRef("test", "-100777"), type="group", locale="en",
                       timezone="UTC", now=clock.now())
    moved = await chats.migrate(db, old.id, "-100777", clock.now())
    assert moved is not None and moved.id == old.id and moved.locale == "fr"
    assert moved.chat_id == "-100777"


async def test_transient_errors_back_off_then_give_up(db: Database, clock: FixedClock) -> None:
    chat = await subscribe(db, clock, "flaky")
    await plan(db, clock, chat, "hello")
    transport = RecordingTransport()
    transport.fail("flaky", *(DeliveryError("transient", "502 Bad Gateway") for _ in range(3)))
    sender = Sender(db, transport, clock, Policy(max_attempts=3, backoff_base=2))
    start = clock.now()
    await sender.drain()
    row = await outbox.get(db, f"test:{chat.id}:hello")
    assert row is not None and row.next_attempt_at == start + timedelta(seconds=2)
    clock.advance(timedelta(seconds=2))
    await sender.drain()
    row = await outbox.get(db, f"test:{chat.id}:hello")
    assert row is not None and row.next_attempt_at == clock.now() + timedelta(seconds=4)
    clock.advance(timedelta(seconds=4))
    await sender.drain()
    row = await outbox.get(db, f"test:{chat.id}:hello")
    assert row is not None and (row.state, row.attempts) == ("failed", 3)
    sub = await subscriptions.get(db, chat.id)
    assert sub is not None and sub.active  # network trouble is not the chat's fault


async def test_an_unexpected_exception_never_blocks_other_chats(
        db: Database, clock: FixedClock, caplog: pytest.LogCaptureFixture) -> None:
    bad = await subscribe(db, clock, "bad")
    good = await subscribe(db, clock, "good")
    await plan(db, clock, bad, "x")
    await plan(db, clock, good, "y1", "y2")
    transport = RecordingTransport()
    transport.fail("bad", ValueError("adapter bug"))
    with caplog.at_level(logging.ERROR, "bot.delivery.sender"):
        assert await Sender(db, transport, clock).drain() == 2
    assert transport.texts("good") == ["y1", "y2"]
    row = await outbox.get(db, f"test:{bad.id}:x")
    assert row is not None and row.state == "pending"
    assert row.last_error == "unknown: ValueError('adapter bug')"
    assert "unexpected error sending" in caplog.text


async def test_after_a_crash_the_message_in_flight_is_sent_again(
        db: Database, clock: FixedClock) -> None:
    chat = await subscribe(db, clock, "chat")
    await plan(db, clock, chat, "one", "two")
    first = await outbox.due(db, "test", clock.now())
    assert await outbox.mark_sending(db, first[0].row.id)  # then the process died
    transport = RecordingTransport()
    assert await Sender(db, transport, clock).drain() == 2
    assert transport.texts("chat") == ["one", "two"]


async def test_unsubscribing_drops_what_was_waiting(db: Database, clock: FixedClock) -> None:
    chat = await subscribe(db, clock, "chat")
    await plan(db, clock, chat, "one")
    assert await subscriptions.unsubscribe(db, chat.id, clock.now())
    assert await Sender(db, RecordingTransport(), clock).drain() == 0
    assert (await outbox.counts(db)) == {"dropped": 1}
