"""`!` commands in real rooms on a real Synapse, read back as a person's client shows them."""

from __future__ import annotations

import logging

import pytest

from bot.core.request import Request
from bot.core.session import Answer, Session
from tests.fakes.synapse import Synapse
from tests.matrix.conftest import MakeHuman
from tests.matrix.helpers import BotRun, Human, formatted
from tests.support.asking import wrong_prefix
from tests.support.wait import eventually

FRENCH_LANGUAGE = "Langue\u202f: français."


async def _briefings(alice: Human, room: str) -> dict[str, str]:
    """Ask for trade, events and summary; the HTML of each reply, checked as a notice."""
    html = {}
    for command in ("!trade", "!events", "!summary"):
        sent = await alice.send(room, command)
        [reply] = await alice.reply(room, sent)
        content = reply["content"]
        assert content["msgtype"] == "m.notice"
        assert content["format"] == "org.matrix.custom.html"
        assert "<b>" in content["formatted_body"] and "<b>" not in content["body"]
        assert "<br>" in content["formatted_body"] and "\n" not in content["formatted_body"]
        assert "m.thread" not in str(content["m.relates_to"])
        html[command] = formatted(reply)
    return html


async def _ask_in_both_languages(bot: BotRun, alice: Human, room: str) -> None:
    """English by default, then French after !lang fr."""
    english = await _briefings(alice, room)
    assert english["!trade"].startswith("<b>Kazakhstan–France trade, 2024</b><br>")
    assert "<b>$5.5\u00a0billion</b>, up 31% on 2023" in english["!trade"]
    assert "More: !trade all · !trade notes · !trade sources" in english["!trade"]
    assert "Kazakhstan–France: upcoming events" in english["!events"]
    assert "8 May 2025 (tomorrow) · Astana" in english["!events"]
    assert "More: !summary full · !summary sources · !articles" in english["!summary"]

    lang = await alice.send(room, "!lang fr")
    [switched] = await alice.reply(room, lang)
    assert switched["content"]["body"] == FRENCH_LANGUAGE

    french = await _briefings(alice, room)
    assert french["!trade"].startswith("<b>Commerce Kazakhstan–France, 2024</b>")
    assert "<b>5,5\u00a0milliards de dollars</b>" in french["!trade"]
    assert "Kazakhstan–France\u202f: événements à venir" in french["!events"]
    assert "8 mai 2025 (demain) · Astana" in french["!events"]
    assert "Plus\u202f: !resume complet" in french["!summary"]
    aide = await alice.send(room, "!aide")
    [listed] = await alice.reply(room, aide)
    assert "!commerce [tout|notes|sources|année] [couple] · " in listed["content"]["body"]


async def test_briefings_in_an_unencrypted_room(bot: BotRun, people: MakeHuman) -> None:
    """A person invites the bot and reads its briefings in English, then in French."""
    alice = await people("alice")
    await bot.start()
    room = await alice.create_room(bot.account.user_id)
    await alice.wait_member(room, bot.account.user_id)
    await _ask_in_both_languages(bot, alice, room)


async def test_briefings_in_an_encrypted_room(bot: BotRun, people: MakeHuman) -> None:
    """The same in an end-to-end encrypted room: commands decrypted, replies encrypted."""
    alice = await people("alice")
    await bot.start()
    room = await alice.create_room(bot.account.user_id, encrypted=True)
    await alice.wait_member(room, bot.account.user_id)
    await _ask_in_both_languages(bot, alice, room)
    last = next(e for e in reversed(alice.events[room]) if e["sender"] == bot.account.user_id)
    on_server = alice.api("GET", f"/rooms/{room}/event/{last['event_id']}")
    assert on_server["type"] == "m.room.encrypted"  # what the homeserver holds


async def test_threads_notices_and_own_messages(bot: BotRun, people: MakeHuman) -> None:
    """A command in a thread is answered there; notices (other bots) are never answered."""
    alice = await people("alice")
    await bot.start()
    room = await alice.create_room(bot.account.user_id)
    await alice.wait_member(room, bot.account.user_id)

    root = await alice.send(room, "Quarterly figures?")
    threaded = await alice.send(room, "!trade 2023", thread=root)
    [reply] = await alice.reply(room, threaded)
    relation = reply["content"]["m.relates_to"]
    assert relation == {"rel_type": "m.thread", "event_id": root, "is_falling_back": False,
                        "m.in_reply_to": {"event_id": threaded}}
    assert "2023" in formatted(reply)

    other_bot = await alice.send(room, "!help", msgtype="m.notice")
    unknown = await alice.send(room, "!frobnicate")
    [help_reply] = await alice.reply(room, unknown)
    assert help_reply["content"]["body"] == (
        "Unknown command !frobnicate. !help lists the commands.")
    # Replies come in order within a room: the notice, sent first, got none.
    assert alice.replies_to(room, other_bot) == []
    bot_messages = [e for e in alice.events[room] if e["sender"] == bot.account.user_id
                    and e["type"] == "m.room.message"]
    assert len(bot_messages) == 2  # the bot never answered its own notices


async def test_invites_from_other_servers_are_declined(
        bot: BotRun, people: MakeHuman, caplog: pytest.LogCaptureFixture) -> None:
    """Only invites from allowed servers are joined; others are declined with a log line."""
    caplog.set_level(logging.WARNING, logger="bot.matrix")
    alice = await people("alice")
    bot.allowed = frozenset({"elsewhere.example"})
    await bot.start()
    room = await alice.create_room(bot.account.user_id)
    await alice.wait_member(room, bot.account.user_id, "leave")
    assert f"declined the invite to {room} from {alice.user_id}" in caplog.text


async def test_an_undecryptable_message_is_explained_once(
        bot: BotRun, people: MakeHuman, caplog: pytest.LogCaptureFixture) -> None:
    """A client that withholds its keys from the bot is told how to fix it, once."""
    caplog.set_level(logging.WARNING, logger="bot.matrix")
    alice = await people("alice")
    running = await bot.start()
    room = await alice.create_room(bot.account.user_id, encrypted=True)
    await alice.wait_member(room, bot.account.user_id)
    await alice.client.keys_query()
    device = alice.client.device_store[bot.account.user_id][running.client.device_id]
    alice.client.blacklist_device(device)  # like a client that shares with verified devices

    first = await alice.send(room, "!trade")
    [told] = await alice.reply(room, first)
    body = told["content"]["body"]
    assert body.startswith(f"{alice.user_id}: Bilat could not decrypt your message")
    assert told["content"]["m.mentions"] == {"user_ids": [alice.user_id]}
    second = await alice.send(room, "!events")

    async def logged_twice() -> bool:
        return caplog.text.count("cannot decrypt") >= 2
    await eventually(logged_twice)
    await bot.synced_past()
    await alice.sync()
    assert alice.replies_to(room, second) == []
    assert f"cannot decrypt {first} from {alice.user_id}" in caplog.text


async def test_a_failing_command_is_logged_and_the_bot_goes_on(
        bot: BotRun, people: MakeHuman, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """An exception in a handler never ends the sync loop."""
    original = Session.answer

    async def explosive(self: Session, request: Request, text: str) -> Answer | None:
        if text.startswith("!boom"):
            raise RuntimeError("kaboom")
        return await original(self, request, text)

    monkeypatch.setattr(Session, "answer", explosive)
    alice = await people("alice")
    await bot.start()
    room = await alice.create_room(bot.account.user_id)
    await alice.wait_member(room, bot.account.user_id)
    boom = await alice.send(room, "!boom")
    help_sent = await alice.send(room, "!help")
    await alice.reply(room, help_sent)
    assert alice.replies_to(room, boom) == []
    assert f"failed in {room}" in caplog.text and "kaboom" in caplog.text


async def test_replies_wait_out_the_homeservers_rate_limit(
        bot: BotRun, people: MakeHuman, synapse: Synapse) -> None:
    """Throttled to one message a second, the bot still answers every command."""
    alice = await people("alice")
    await bot.start()
    room = await alice.create_room(bot.account.user_id)
    await alice.wait_member(room, bot.account.user_id)
    await synapse.override_message_rate(bot.account.user_id, per_second=2, burst_count=1)
    try:
        sent = [await alice.send(room, f"!trade {year}") for year in (2022, 2023, 2024)]
        for event_id in sent:
            await alice.reply(room, event_id)
    finally:
        await synapse.override_message_rate(bot.account.user_id, per_second=0, burst_count=0)


async def test_briefings_name_commands_with_an_exclamation_mark(
        bot: BotRun, people: MakeHuman) -> None:
    """On Matrix, where commands start with `!`, no briefing says to type `/events`."""
    alice = await people("alice")
    await bot.start()
    room = await alice.create_room(bot.account.user_id)
    await alice.wait_member(room, bot.account.user_id)
    text = ""
    for line in ("!articles", "!events", "!trade 1999", "!summary"):
        [reply] = await alice.reply(room, await alice.send(room, line))
        text += reply["content"]["body"] + "\n"
    assert "!summary 1" in text and "!events past" in text and "Try !trade 2024" in text
    assert "!articles" in text and wrong_prefix(text, "!") == []


async def test_a_room_follows_two_pairs(bot: BotRun, people: MakeHuman) -> None:
    """!follow in French and English names; briefings then cover the room's pairs."""
    alice = await people("alice")
    await bot.start()
    room = await alice.create_room(bot.account.user_id)
    await alice.wait_member(room, bot.account.user_id)

    async def ask(command: str) -> str:
        sent = await alice.send(room, command)
        [reply] = await alice.reply(room, sent)
        return str(reply["content"]["body"])

    assert (await ask("!follow Allemagne")).startswith(
        "This chat now follows Kazakhstan–Germany.\n\nBilat covers ")  # the room's first answer
    assert (await ask("!trade")).startswith("Kazakhstan–Germany trade, 2023\n")
    assert await ask("!follow Uzbekistan-France") == \
        "This chat now follows Kazakhstan–Germany and Uzbekistan–France."
    assert (await ask("!events")).startswith(
        "Kazakhstan–Germany, Uzbekistan–France: upcoming events\n")
    assert "Kazakhstan–Germany · KZ-DE · followed here" in await ask("!pairs")
