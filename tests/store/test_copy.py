"""``bilat migrate-db``: an SQLite database copied into PostgreSQL, run as a user runs it."""

from __future__ import annotations

from pathlib import Path

from bot.core.clock import FixedClock
from bot.core.network import ChatRef
from bot.core.pushes import PushSettings
from bot.core.render import Rendered
from bot.store import chats, kv, outbox, subscriptions
from bot.store.db import Database
from bot.store.outbox import Message
from tests.pgserver import PostgresServer
from tests.test_cli import bilat


async def fill(path: Path, clock: FixedClock) -> None:
    """Two chats (one in a topic), a subscription, a sent and a "sending" message, a token."""
    async with await Database.open(path) as db:
        group = await chats.ensure(db, ChatRef("telegram", "-100", "7"), type="group",
                                   locale="fr", timezone="Europe/Paris", now=clock.now(),
                                   title="Sujet")
        await chats.ensure(db, ChatRef("matrix", "!r:example.org"), type="group", locale="en",
                           timezone="UTC", now=clock.now())
        await subscriptions.subscribe(db, group.id, PushSettings(always=True), clock.now())
        for key in ("digest:1:2025-05-08", "alert:e:1:1d:2025-05-09"):
            await outbox.add(db, Message(key, group.id, "digest" if key[0] == "d" else "alert",
                                         Rendered.from_html(f"<b>{key}</b>")), clock.now())
        first = await outbox.get(db, "digest:1:2025-05-08")
        assert first is not None
        await outbox.mark_sending(db, first.id)
        await outbox.mark_sent(db, first.id, "41", clock.now())
        second = await outbox.get(db, "alert:e:1:1d:2025-05-09")
        assert second is not None
        await outbox.mark_sending(db, second.id)  # killed mid-send: sent again after the copy
        await kv.put(db, "matrix", "next_batch", "s9", clock.now())


async def test_migrate_db_copies_everything_once(tmp_path: Path, postgres: PostgresServer,
                                                 clock: FixedClock) -> None:
    source = tmp_path / "bilat.sqlite3"
    await fill(source, clock)
    url = postgres.create("copied")
    done = bilat("migrate-db", str(source), url)
    assert done.returncode == 0, done.stderr
    assert "2 chats, 1 subscriptions, 2 outbox, 1 kv" in done.stdout

    async with await Database.open(url) as db:
        topic = await chats.get(db, ChatRef("telegram", "-100", "7"))
        assert topic is not None and (topic.locale, topic.title) == ("fr", "Sujet")
        sub = await subscriptions.get(db, topic.id)
        assert sub is not None and sub.settings == PushSettings(always=True)
        rows = {r.key: r for r in await outbox.rows(db)}
        assert rows["digest:1:2025-05-08"].state == "sent"
        assert rows["digest:1:2025-05-08"].content.html == "<b>digest:1:2025-05-08</b>"
        assert rows["alert:e:1:1d:2025-05-09"].state == "pending"
        assert await kv.get(db, "matrix", "next_batch") == "s9"
        new = await chats.ensure(db, ChatRef("telegram", "5"), type="private", locale="en",
                                 timezone="UTC", now=clock.now())
        assert new.id == 3  # ids go on after the copied ones

    again = bilat("migrate-db", str(source), url)
    assert again.returncode == 2
    assert "table chats is not empty; migrate-db copies into an empty database only" \
        in again.stderr


def test_migrate_db_explains_wrong_arguments(tmp_path: Path) -> None:
    missing = bilat("migrate-db", str(tmp_path / "none.sqlite3"), "postgresql://h/db")
    assert missing.returncode == 2 and "no such SQLite database" in missing.stderr
    backwards = bilat("migrate-db", "postgresql://h/db", str(tmp_path / "x.sqlite3"))
    assert backwards.returncode == 2
    assert "copies an SQLite file into a postgresql:// URL" in backwards.stderr


def test_a_password_never_shows(tmp_path: Path) -> None:
    source = tmp_path / "bilat.sqlite3"
    source.write_bytes(b"")
    failed = bilat("migrate-db", str(source), "postgresql://bilat:hunter2@127.0.0.1:9/db")
    assert failed.returncode == 2 and "cannot connect" in failed.stderr
    assert "hunter2" not in failed.stderr + failed.stdout and "bilat:***@" in failed.stderr
