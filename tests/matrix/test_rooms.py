"""Rooms over time: who may subscribe, restarts, upgrades, kicks, a homeserver restart."""

from __future__ import annotations

import logging

import pytest

from bot.matrix.rooms import room_ref
from bot.store import chats, subscriptions
from bot.store.db import Database
from tests.fakes.synapse import Synapse
from tests.matrix.conftest import MakeHuman
from tests.matrix.helpers import BotRun, Human
from tests.support.wait import eventually

NOT_ALLOWED = "Only this chat’s administrators can change its settings."


async def _room_with_bot(bot: BotRun, alice: Human, *, encrypted: bool = False) -> str:
    room = await alice.create_room(bot.account.user_id, encrypted=encrypted)
    await alice.wait_member(room, bot.account.user_id)
    return room


async def _answer(human: Human, room: str, command: str) -> str:
    """The plain text of the bot's one reply to ``command``."""
    sent = await human.send(room, command)
    [reply] = await human.reply(room, sent)
    return str(reply["content"]["body"])


async def _subscription_active(db: Database | None, room: str) -> bool | None:
    """Whether the room's subscription is active (None: no subscription)."""
    assert db is not None
    chat = await chats.get(db, room_ref(room))
    found = await subscriptions.get(db, chat.id) if chat else None
    return found.active if found else None


async def test_only_members_with_power_change_a_v12_rooms_subscription(
        bot: BotRun, people: MakeHuman) -> None:
    """Creators (absent from power_levels in v12) may; a member at level 0 may not."""
    alice, bob, carol = await people("alice"), await people("bob"), await people("carol")
    await bot.start()
    room = await alice.create_room(bot.account.user_id, bob.user_id, carol.user_id,
                                   creation_content={"additional_creators": [carol.user_id]})
    levels = alice.api("GET", f"/rooms/{room}/state/m.room.power_levels/")
    assert alice.user_id not in levels["users"] and carol.user_id not in levels["users"]
    await bob.join(room)
    await carol.join(room)
    await alice.wait_member(room, bot.account.user_id)

    assert await _answer(bob, room, "!subscribe") == NOT_ALLOWED + (
        "\n\nBilat covers Kazakhstan–France, Uzbekistan–France, and Kazakhstan–Germany. This "
        "chat sees Kazakhstan–France: !pairs lists them, !follow chooses.")  # the first answer
    assert await _answer(bob, room, "!lang fr") == NOT_ALLOWED
    assert await _subscription_active(bot.db, room) is None
    assert (await _answer(alice, room, "!subscribe 09:30")).startswith("Subscribed.")
    assert await _subscription_active(bot.db, room) is True
    assert (await _answer(carol, room, "!unsubscribe")).startswith("Unsubscribed")
    assert await _subscription_active(bot.db, room) is False

    alice.api("PUT", f"/rooms/{room}/state/m.room.power_levels/",
              {**levels, "users": {**levels["users"], bob.user_id: 50}})
    assert (await _answer(bob, room, "!subscribe")).startswith("Subscribed again.")


async def test_a_restart_answers_what_was_sent_meanwhile_once(
        bot: BotRun, people: MakeHuman, caplog: pytest.LogCaptureFixture) -> None:
    """A new bot ignores history; a restarted one answers the commands it missed, once."""
    caplog.set_level(logging.WARNING, logger="bot.matrix")
    alice = await people("alice")
    room = await alice.create_room(bot.account.user_id, encrypted=True)
    before_the_bot = await alice.send(room, "!help")
    first = await bot.start()
    device = first.client.device_id
    await alice.wait_member(room, bot.account.user_id)
    await _answer(alice, room, "!trade")

    await bot.halt()
    missed = [await alice.send(room, "!events"), await alice.send(room, "!summary")]
    second = await bot.start()
    assert second.client.device_id == device  # same device, same keys: it can decrypt
    for sent in missed:
        await alice.reply(room, sent)
    await _answer(alice, room, "!articles")  # answered after anything duplicated would be
    assert [len(alice.replies_to(room, sent)) for sent in missed] == [1, 1]
    assert alice.replies_to(room, before_the_bot) == []
    assert "more new events" not in caplog.text  # nothing was missed


async def test_a_room_upgrade_moves_the_subscription(bot: BotRun, people: MakeHuman) -> None:
    """After an upgrade (and Element's invite to the new room) the subscription follows."""
    alice = await people("alice")
    await bot.start()
    old = await _room_with_bot(bot, alice)
    assert (await _answer(alice, old, "!subscribe")).startswith("Subscribed.")

    new = alice.api("POST", f"/rooms/{old}/upgrade", {"new_version": "12"})["replacement_room"]
    await alice.client.room_invite(new, bot.account.user_id)
    await alice.sync(0)
    await alice.wait_member(new, bot.account.user_id)
    await alice.wait_member(old, bot.account.user_id, "leave")
    assert await _subscription_active(bot.db, new) is True
    assert await _subscription_active(bot.db, old) is None
    assert "Digest: daily at 08:00" in await _answer(alice, new, "!settings")


async def test_a_kick_deactivates_the_subscription(bot: BotRun, people: MakeHuman) -> None:
    """Kicked, the bot stops the room's pushes."""
    alice = await people("alice")
    await bot.start()
    room = await _room_with_bot(bot, alice)
    await _answer(alice, room, "!subscribe")
    await alice.client.room_kick(room, bot.account.user_id, "enough")

    async def stopped() -> bool:
        return await _subscription_active(bot.db, room) is False
    await eventually(stopped)
    assert bot.db is not None
    chat = await chats.get(bot.db, room_ref(room))
    assert chat is not None and chat.status == "kicked"


async def test_the_bot_recovers_from_a_homeserver_restart(
        bot: BotRun, people: MakeHuman, synapse: Synapse,
        caplog: pytest.LogCaptureFixture) -> None:
    """The homeserver goes away under the bot and comes back; the bot answers again."""
    caplog.set_level(logging.WARNING, logger="bot.matrix")
    alice = await people("alice")
    await bot.start()
    room = await _room_with_bot(bot, alice)
    await _answer(alice, room, "!help")
    await synapse.restart()
    assert (await _answer(alice, room, "!trade")).startswith("Kazakhstan–France trade")
    assert "matrix: sync failed" in caplog.text  # it did see the homeserver go
    assert bot.task is not None and not bot.task.done()
