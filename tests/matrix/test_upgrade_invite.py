"""An invite-only room upgraded without inviting Bilat: its admins are told (item 19).

Synapse's upgrade takes from ordinary members the right to post in the old room, so Bilat
opens a direct room with each admin, named and described by what it needs.
"""

from __future__ import annotations

from bot.matrix.handlers import INVITE_NEEDED, INVITE_TITLE
from tests.matrix.conftest import MakeHuman
from tests.matrix.helpers import BotRun
from tests.matrix.test_rooms import _answer, _room_with_bot, _subscription_active


async def test_the_admin_is_asked_to_invite_bilat(bot: BotRun, people: MakeHuman) -> None:
    alice = await people("alice")
    await bot.start()
    old = await _room_with_bot(bot, alice)
    assert (await _answer(alice, old, "!subscribe")).startswith("Subscribed.")
    new = alice.api("POST", f"/rooms/{old}/upgrade", {"new_version": "12"})["replacement_room"]

    async def asked() -> bool:
        return any(room.name == INVITE_TITLE for room in alice.client.invited_rooms.values())
    await alice.until(asked)
    [invite] = [r for r in alice.client.invited_rooms.values() if r.name == INVITE_TITLE]
    await alice.client.join(invite.room_id)
    await alice.sync(0)
    room = alice.client.rooms[invite.room_id]
    assert room.topic == INVITE_NEEDED.format(bot=bot.account.user_id)
    assert bot.account.user_id in room.users
    assert await _subscription_active(bot.db, new) is True  # it waits there for the invite
