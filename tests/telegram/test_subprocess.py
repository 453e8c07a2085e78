"""``python -m bot run`` as a real process against the fake Bot API: the whole journey.

Chats in French and English, a group, a forum topic, a channel, inline mode, subscriptions
by admins only, a digest and an alert pushed at the injected midnight, blocking, kicking and
migration, then a stop (SIGTERM) and a restart with nothing lost or repeated.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from pathlib import Path

import pytest

from tests.fakes.botapi import FakeBotAPI
from tests.support.process import Bot, bilat_run, environment, query
from tests.support.telegram import (
    ADA,
    BOB,
    BOT_NAME,
    CAROL,
    CHANNEL,
    CHANNEL_HANDLE,
    FORUM,
    GROUP,
    INTRODUCTION,
    ask,
    post,
)
from tests.support.wait import eventually

START = "2025-05-07T23:59:40+05:00"  # 20 s before midnight in Almaty: the pushes' moment
RESTART = "2025-05-08T00:00:30+05:00"
PUSH_TIMEOUT = 45.0
OLD_GROUP, NEW_GROUP = -5151, -1005151


def run(api: FakeBotAPI, tmp: Path, now: str) -> AbstractAsyncContextManager[Bot]:
    """``python -m bot run`` from the instant ``now``, answering in English by default."""
    env = environment(api, tmp / "bilat.sqlite3", BILAT_NOW=now, BILAT_DEFAULT_LOCALE="en")
    return bilat_run(env, tmp / f"bilat-{now[:19].replace(':', '')}.log")


def subscription(db: Path, chat_id: int, thread: int | None = None) -> tuple[object, ...]:
    """(bot status, subscription active) of a stored chat; () when it is not stored."""
    rows = query(db, "SELECT c.status, s.active FROM chats c LEFT JOIN subscriptions s"
                 " ON s.chat = c.id WHERE c.chat_id = ? AND c.thread_id IS ?",
                 str(chat_id), str(thread) if thread else None)
    return rows[0] if rows else ()


def pushed(db: Path) -> dict[tuple[str, str | None], set[str]]:
    """The kinds of message sent to each chat from the outbox."""
    found: dict[tuple[str, str | None], set[str]] = {}
    for chat_id, thread, kind in query(
            db, "SELECT c.chat_id, c.thread_id, o.kind FROM outbox o JOIN chats c"
            " ON c.id = o.chat WHERE o.state = 'sent'"):
        found.setdefault((str(chat_id), str(thread) if thread else None), set()).add(str(kind))
    return found


@pytest.mark.slow
async def test_bilat_run_against_the_fake_bot_api(api: FakeBotAPI, tmp_path: Path) -> None:
    db = tmp_path / "bilat.sqlite3"
    api.add_chat(OLD_GROUP, "group", title="Vieux groupe")
    api.set_member(OLD_GROUP, ADA, "creator")
    async with run(api, tmp_path, START):
        # Subscriptions first: they must be in before the injected midnight.
        [hello] = await ask(api, BOB, BOB, "/start")
        assert "Bilat" in (hello.plain_text or "")
        [bob_sub] = await ask(api, BOB, BOB, "/subscribe daily 00:00 always")
        assert (bob_sub.plain_text or "").startswith("Subscribed.")
        [refused] = await ask(api, GROUP, BOB, f"/subscribe@{BOT_NAME}")
        assert refused.plain_text == "Only this chat’s administrators can change its " \
            "settings." + INTRODUCTION  # the group's first answer
        await ask(api, GROUP, ADA, f"/subscribe@{BOT_NAME} daily 00:00 always")
        await ask(api, FORUM, BOB, "/subscribe daily 00:00 always", thread_id=7)
        await ask(api, ADA, ADA, f"/subscribe {CHANNEL_HANDLE} daily 00:00 always")
        await ask(api, OLD_GROUP, ADA, "/subscribe daily 00:00 always")

        # Commands everywhere, in both languages.
        [fr] = await ask(api, ADA, ADA, "/trade")
        assert (fr.plain_text or "").startswith("Commerce Kazakhstan–France")
        [en] = await ask(api, CAROL, CAROL, "/trade 2023")
        assert (en.plain_text or "").startswith("Kazakhstan–France trade")
        [topic] = await ask(api, FORUM, BOB, "/summary", thread_id=7)
        assert topic.message_thread_id == 7
        _, calendar = await post(api, CHANNEL, "/events", count=2)
        assert calendar.files[0].file_name == "bilat-events-kz-fr.ics"
        query_id = api.inline_query(ADA, "Tokayev")
        answer = await api.wait_for(lambda r: r.extra.get("inline_query_id") == query_id)
        assert 1 <= len(answer.extra["results"]) <= 50

        # Migration re-keys the old group, subscription included.
        api.migrate(OLD_GROUP, NEW_GROUP)
        await eventually(lambda: subscription(db, NEW_GROUP) == ("member", 1))

        # Midnight in Almaty: each subscribed chat gets a digest and the same-day alert of the
        # 8 May ceremony, in its topic for the forum, at its new id for the migrated group.
        subscribed = {(str(BOB), None), (str(GROUP), None), (str(FORUM), "7"),
                      (str(CHANNEL), None), (str(NEW_GROUP), None)}
        await eventually(lambda: pushed(db) == {ref: {"digest", "alert"} for ref in subscribed},
                         within=PUSH_TIMEOUT, what="a digest and an alert in each chat")
        for chat_id, thread, message_id in query(
                db, "SELECT c.chat_id, c.thread_id, o.message_id FROM outbox o"
                " JOIN chats c ON c.id = o.chat"):
            message = api.get_message(int(str(chat_id)), int(str(message_id)))
            assert str(message.get("message_thread_id")) == str(thread), message

        # Blocked by Bob, kicked from the group: both subscriptions end.
        api.block(BOB, notify=True)
        api.kick(GROUP, by_user_id=ADA, notify=True)
        await eventually(lambda: subscription(db, BOB) == ("kicked", 0)
                         and subscription(db, GROUP) == ("kicked", 0), what="both ended")

    # Down: Ada writes meanwhile. Restarted after midnight: her command is answered once,
    # and no digest or alert is planned or sent twice.
    sent_before = len(api.sent)
    api.send_message(ADA, ADA, "/help")
    async with run(api, tmp_path, RESTART):
        reply = await api.wait_for(lambda r: r.chat_id == ADA, timeout=20.0, after=sent_before)
        assert "/commerce" in (reply.plain_text or "")  # Ada reads French
        await ask(api, ADA, ADA, "/events past")
    assert [r.chat_id for r in api.sent[sent_before:]] == [ADA, ADA]
    keys = query(db, "SELECT key, state FROM outbox ORDER BY key")
    assert len(keys) == len({k for k, _ in keys}) and {s for _, s in keys} == {"sent"}
