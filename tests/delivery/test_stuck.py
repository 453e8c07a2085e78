"""A database that refuses to record a delivery does not block the chat (issue 10, item 5).

The refusal is real: a trigger makes SQLite abort the write, as a full disk or an I/O error
would, then goes away while the sender runs on.
"""

from __future__ import annotations

import logging

import pytest

from bot.core.clock import FixedClock
from bot.delivery.sender import Sender
from bot.store import outbox
from bot.store.db import Database
from tests.delivery.test_sender import plan
from tests.fakes.transport import RecordingTransport, terminal
from tests.support.delivery import subscribe


async def refuse(db: Database, state: str) -> None:
    """Make the database refuse to move an outbox row to ``state``, as a full disk would."""
    if db.dialect == "sqlite":
        await db.execute(f"CREATE TRIGGER refuse_{state} BEFORE UPDATE OF state ON outbox"
                         f" WHEN NEW.state = '{state}'"
                         " BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END")
        return
    await db.execute(f"CREATE FUNCTION refuse_{state}() RETURNS trigger AS $$ BEGIN"
                     f" IF NEW.state = '{state}' THEN RAISE EXCEPTION 'disk I/O error'; END IF;"
                     " RETURN NEW; END $$ LANGUAGE plpgsql")
    await db.execute(f"CREATE TRIGGER refuse_{state} BEFORE UPDATE ON outbox FOR EACH ROW"
                     f" EXECUTE FUNCTION refuse_{state}()")


async def accept(db: Database, state: str) -> None:
    """Take writes again."""
    on = "" if db.dialect == "sqlite" else " ON outbox"
    await db.execute(f"DROP TRIGGER refuse_{state}{on}")


async def test_a_sent_message_the_database_refused_is_recorded_later_not_resent(
        db: Database, clock: FixedClock, caplog: pytest.LogCaptureFixture) -> None:
    chat = await subscribe(db, clock, "a")
    await plan(db, clock, chat, "first")
    transport = RecordingTransport()
    sender = Sender(db, transport, clock)
    await refuse(db, "sent")
    with caplog.at_level(logging.ERROR, logger="bot.delivery.sender"):
        assert await sender.drain() == 1
    assert "could not record the outcome" in caplog.text
    assert sender.unrecorded == 1
    await plan(db, clock, chat, "second")
    assert await sender.drain() == 0  # still refused: the chat waits, in order
    assert transport.texts("a") == ["first"]
    await accept(db, "sent")  # the database takes writes again
    assert await sender.drain() == 1  # while running: no restart needed
    assert transport.texts("a") == ["first", "second"]  # the first was not sent again
    assert sender.unrecorded == 0
    rows = await outbox.rows(db)
    assert [(r.state, r.message_id) for r in rows] == [("sent", "m1"), ("sent", "m2")]


async def test_a_failure_the_database_refused_goes_back_to_its_retry(
        db: Database, clock: FixedClock) -> None:
    chat = await subscribe(db, clock, "b")
    await plan(db, clock, chat, "only")
    transport = RecordingTransport()
    transport.fail("b", terminal())
    sender = Sender(db, transport, clock)
    await refuse(db, "failed")
    await sender.drain()
    assert (await outbox.rows(db))[0].state == "sending"
    await accept(db, "failed")
    await sender.drain()
    assert [r.state for r in await outbox.rows(db)] == ["failed"]
    assert sender.unrecorded == 0
